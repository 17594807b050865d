"""Rating support over HTTP: a signed-in user whose ticket was resolved is asked once, on
hello, and the rating reaches the stored ticket."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from helpdesk.identity import mint
from helpdesk.store import TicketStore
from helpdesk.tickets import Requester, TicketDraft
from tests.conftest import IDENTITY_SECRET, texts


def test_a_resolved_ticket_is_rated_once_from_the_button(servers):
    email = f"meera-{uuid.uuid4().hex[:8]}@acme.com"
    store = TicketStore(servers.database_url, "HLP-")
    filed = datetime.now(timezone.utc) - timedelta(days=1)
    draft = TicketDraft(requester=Requester(email), title="Campaign not sent", description="d", final_severity="S1")
    reference = store.create(draft, filed, filed + timedelta(hours=1)).reference
    store.set_status(reference, "resolved", filed + timedelta(hours=3), "agent")
    metadata = {"user_token": mint(IDENTITY_SECRET, email)}
    sender = f"meera-{uuid.uuid4().hex}"

    asked = servers.say(sender, "hi", metadata)
    button = next(b for reply in asked for b in reply.get("buttons") or [] if b["title"] == "5")
    thanked = texts(servers.say(sender, button["payload"], metadata))
    again = texts(servers.say(sender, "hello", metadata))

    assert reference in texts(asked) and "How did support do?" in texts(asked)
    assert f"Thank you for rating support 5/5 on {reference}." in thanked
    assert "How did support do?" not in again
    assert store.get(reference).satisfaction_rating == 5
