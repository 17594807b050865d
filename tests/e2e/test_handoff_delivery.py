"""A person asked for on a named ticket, over the REST webhook, reaches support's webhook
naming that ticket: not the user's latest, and not another one the bot found more urgent."""

from __future__ import annotations

import json
import uuid

from helpdesk.config import PROJECT_ROOT, load_settings
from helpdesk.delivery.worker import build_worker
from helpdesk.identity import mint
from helpdesk.policy import load_policy
from tests.conftest import IDENTITY_SECRET, REFERENCE, WEBHOOK_TARGET, texts
from tests.delivery.delivery_helpers import SECRET, LocalServer, WebhookReceiver


def deliver_everything(servers, url: str) -> None:
    """Runs the delivery worker on the servers' database, with the webhook target at `url`."""
    env = {
        **servers.env,
        "HELPDESK_DELIVERY_TARGETS": json.dumps([{**WEBHOOK_TARGET, "url": url}]),
        WEBHOOK_TARGET["secret_env"]: SECRET,
        "HELPDESK_DELIVERY_BACKOFF_SECONDS": "0.01",
    }
    worker = build_worker(load_settings(env=env), load_policy(PROJECT_ROOT / "support-policy.yml"), env)
    while worker.run_once().sent:
        pass


def test_a_handoff_on_a_named_older_ticket_is_delivered_naming_that_ticket(servers):
    meera = {"user_token": mint(IDENTITY_SECRET, f"meera-{uuid.uuid4().hex[:8]}@acme.com", "Meera", "Acme")}
    older = REFERENCE.search(
        servers.file_ticket(f"meera-{uuid.uuid4().hex}", "the welcome message of our faq bot has a typo", meera)
    ).group(0)
    latest = REFERENCE.search(
        servers.file_ticket(
            f"meera-{uuid.uuid4().hex}", "our whatsapp bot stopped replying to customers on production", meera
        )
    ).group(0)
    assert older != latest

    said = texts(servers.say(f"meera-{uuid.uuid4().hex}", f"I'd like to talk to a human about {older.lower()}", meera))

    assert f"take over {older} (" in said and latest not in said
    receiver = WebhookReceiver()
    server = LocalServer(receiver)
    try:
        deliver_everything(servers, f"{server.url}/hooks/support")
    finally:
        server.close()
    handoffs = [event for event in receiver.accepted.values() if event["event"] == "handoff_requested"]
    named = [event for event in handoffs if event["ticket"]["reference"] in (older, latest)]
    assert [event["ticket"]["reference"] for event in named] == [older]
    assert f"talk to a human about {older.lower()}" in named[0]["detail"]["transcript"]
    assert receiver.bad_signatures == 0
