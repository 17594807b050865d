"""The doors of a running assistant, tried from outside as an attacker on the same network
would: Rasa's HTTP API without its token, the action server without Rasa's secret, a page
from another origin, what a signed-in conversation leaves on disk, and where `make run`
listens (README, "Security").

This module runs its own servers, with conversations in a SQLite file as in endpoints.yml,
so that the bytes on disk can be searched and the model can be unloaded and loaded again
without disturbing the session's `servers`.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from helpdesk import sla
from helpdesk.identity import mint
from helpdesk.store import TicketStore
from helpdesk.tickets import Requester, TicketDraft
from helpdesk.wiring import default_policy
from tests.conftest import (
    ACTION_SERVER_SECRET,
    IDENTITY_SECRET,
    MODEL,
    ROOT,
    WIDGET_ORIGIN,
    Servers,
    free_port,
    running_servers,
    texts,
)

INJECTED = "attacker@evil.example"
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
"""Anything shaped like a JSON Web Token (a base64url JSON header, payload and signature)."""

# Every route of Rasa 3.6's HTTP API that needs authentication, with a body that would do
# harm or cost if the door were open.
PROTECTED = [
    ("GET", "/status", None),
    ("GET", "/domain", None),
    ("GET", "/conversations/{sender}/tracker", None),
    ("GET", "/conversations/{sender}/story", None),
    ("POST", "/conversations/{sender}/tracker/events", {"event": "slot", "name": "description", "value": INJECTED}),
    ("PUT", "/conversations/{sender}/tracker/events", [{"event": "slot", "name": "description", "value": INJECTED}]),
    ("POST", "/conversations/{sender}/execute", {"name": "action_my_tickets"}),
    ("POST", "/conversations/{sender}/trigger_intent", {"name": "greet"}),
    ("POST", "/conversations/{sender}/predict", None),
    ("POST", "/conversations/{sender}/messages", {"text": f"my email is {INJECTED}", "sender": "user"}),
    ("POST", "/model/parse", {"text": "the bot is down"}),
    ("POST", "/model/predict", []),
    ("POST", "/model/train", "version: '3.1'"),
    ("POST", "/model/test/intents", {}),
    ("POST", "/model/test/stories", {}),
    ("PUT", "/model", {"model_file": "/nonexistent.tar.gz"}),
    ("DELETE", "/model", None),
]


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Servers, Path]]:
    tmp = tmp_path_factory.mktemp("locked")
    with running_servers(tmp, tracker_db=tmp / "rasa-tracker.db") as servers:
        yield servers, tmp


def call(servers: Servers, method: str, path: str, body: object, token: str | None) -> requests.Response:
    params = {"token": token} if token is not None else {}
    return requests.request(method, servers.rasa_url + path, params=params, json=body, timeout=60)


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_without_the_token_every_api_route_is_refused_and_nothing_changes(locked, token):
    servers, _ = locked
    sender = f"victim-{uuid.uuid4().hex}"
    servers.say(sender, "hi")

    statuses = {
        f"{method} {path}": call(servers, method, path.format(sender=sender), body, token).status_code
        for method, path, body in PROTECTED
    }

    assert set(statuses.values()) <= {401, 403}, statuses
    assert INJECTED not in str(servers.tracker(sender))
    assert servers.api("GET", "/status").json().get("model_id"), "the model was unloaded"
    assert answers_hi(servers, sender), "the bot stopped answering"


def test_with_the_token_the_api_works(locked):
    servers, _ = locked
    sender = f"operator-{uuid.uuid4().hex}"
    servers.say(sender, "hi")

    assert servers.api("GET", "/status").status_code == 200
    assert servers.api("POST", "/model/parse", json={"text": "the bot is down"}).json()["intent"]["name"]
    appended = servers.api(
        "POST",
        f"/conversations/{sender}/tracker/events",
        json={"event": "slot", "name": "environment", "value": "staging"},
    )
    assert appended.status_code == 200 and servers.tracker(sender)["slots"]["environment"] == "staging"
    executed = servers.api("POST", f"/conversations/{sender}/execute", json={"name": "utter_goodbye"})
    assert executed.status_code == 200 and executed.json()["messages"]
    # Past the door, a training request without data is refused for what it is, not for who sent it.
    assert servers.api("POST", "/model/train", data=b"").status_code == 400

    assert servers.api("DELETE", "/model").status_code == 204
    assert servers.api("PUT", "/model", json={"model_file": str(MODEL)}).status_code == 204
    assert answers_hi(servers, sender)


def answers_hi(servers: Servers, sender: str) -> bool:
    """Whether the bot greets back, its actions running (not the channel's apology)."""
    said = texts(servers.say(sender, "hi"))
    return bool(said) and "having trouble" not in said


def test_the_action_server_runs_nothing_without_rasas_secret(locked):
    servers, _tmp = locked
    call_body = {
        "next_action": "action_my_tickets",
        "sender_id": "intruder",
        "tracker": {
            "sender_id": "intruder",
            "slots": {},
            "latest_message": {"text": "show my tickets"},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
        "domain": {},
        "version": "3.6.2",
    }
    for headers in ({}, {"Authorization": "Bearer wrong-secret"}, {"Authorization": ACTION_SERVER_SECRET}):
        refused = requests.post(f"{servers.action_url}/webhook", json=call_body, headers=headers, timeout=30)
        assert refused.status_code == 401
        assert "responses" not in refused.json() and "events" not in refused.json()
    assert requests.get(f"{servers.action_url}/actions", timeout=30).status_code == 401
    assert requests.get(f"{servers.action_url}/health", timeout=30).status_code == 200

    rasa = {"Authorization": f"Bearer {ACTION_SERVER_SECRET}"}
    answered = requests.post(f"{servers.action_url}/webhook", json=call_body, headers=rasa, timeout=30)
    assert answered.status_code == 200 and answered.json()["responses"]


def test_a_page_from_another_origin_may_not_call_the_bot(locked):
    servers, _ = locked
    for origin in ("https://evil.example", "null"):
        preflight = requests.options(
            f"{servers.rasa_url}/webhooks/rest/webhook",
            timeout=10,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert "Access-Control-Allow-Origin" not in preflight.headers
    allowed = requests.options(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        timeout=10,
        headers={"Origin": WIDGET_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers.get("Access-Control-Allow-Origin") == WIDGET_ORIGIN


def test_no_token_is_kept_and_identity_ends_when_the_token_does(locked):
    servers, tmp = locked
    email = f"priya-{uuid.uuid4().hex[:8]}@acme.com"
    reference = file_for(servers, email, "Analytics export fails for the March report")
    lifetime = timedelta(seconds=12)
    token = mint(IDENTITY_SECRET, email, "Priya", "Acme", lifetime=lifetime)
    signed_in_until = time.monotonic() + lifetime.total_seconds()
    sender = f"priya-{uuid.uuid4().hex}"

    listed = texts(servers.say(sender, "show my tickets", {"user_token": token}))
    followed = texts(servers.say(sender, f"what's the status of {reference}?"))
    assert reference in listed
    assert reference in followed and "Status:" in followed, "identity did not carry to the next message"

    on_disk = [tmp / "rasa-tracker.db", tmp / "tickets.db", tmp / "rasa.log", tmp / "actions.log"]
    for path in on_disk:
        raw = path.read_bytes()
        assert token.encode() not in raw, f"{path.name} holds the token"
        assert not JWT.search(raw), f"{path.name} holds something shaped like a token"

    time.sleep(max(0.0, signed_in_until - time.monotonic()) + 1)
    expired = texts(servers.say(sender, f"what's the status of {reference}?"))
    assert "Status:" not in expired and "expired" in expired


def file_for(servers: Servers, email: str, title: str) -> str:
    """A ticket of `email`'s, straight into the servers' store; its reference."""
    policy = default_policy()
    filed = datetime.now(timezone.utc)
    draft = TicketDraft(requester=Requester(email, None, None), title=title, description=title, final_severity="S2")
    return TicketStore(servers.database_url, "HLP-").create(draft, filed, sla.due_at("S2", filed, policy)).reference


def test_make_run_listens_on_loopback_only(tmp_path):
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WIDGET_PORT": free_port()}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"RASA_AUTH_TOKEN", "HELPDESK_ACTION_SERVER_SECRET", "HELPDESK_BIND_ADDRESS"}
    }
    env.update({key: str(port) for key, port in ports.items()})
    env.update(
        {
            "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'tickets.db'}",
            "HELPDESK_JOURNAL_FILE": str(tmp_path / "journal.jsonl"),
            "HELPDESK_RESERVED_REFERENCES_FILE": str(tmp_path / "reserved.json"),
        }
    )
    log = tmp_path / "run.log"
    run = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        listening = wait_for_listeners(set(ports.values()), run, log)
        token_file = ROOT / "var" / "rasa-auth-token"
        token = token_file.read_text().strip()
        assert oct(token_file.stat().st_mode & 0o777) == "0o600"
        assert requests.get(f"http://127.0.0.1:{ports['RASA_PORT']}/status", params={"token": token}, timeout=10).ok
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert listening == {port: {"127.0.0.1"} for port in ports.values()}
    assert token not in log.read_text()


def wait_for_listeners(ports: set[int], process: subprocess.Popen, log: Path) -> dict[int, set[str]]:
    """The addresses each of `ports` listens on, once all listen and Rasa has its model."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited early:\n{log.read_text()[-3000:]}")
        found = listening_addresses(ports)
        if set(found) == ports:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not all of {ports} listen after 240 s:\n{log.read_text()[-3000:]}")


def listening_addresses(ports: set[int]) -> dict[int, set[str]]:
    """Which local addresses listen on `ports`, from the kernel's socket tables."""
    found: dict[int, set[str]] = {}
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.split(":")
            if state == "0A" and int(port, 16) in ports:
                found.setdefault(int(port, 16), set()).add(_address(address, width))
    return found


def _address(hex_address: str, width: int) -> str:
    if width == 8:
        return ".".join(str(int(hex_address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return "::" if int(hex_address, 16) == 0 else f"ipv6:{hex_address}"
