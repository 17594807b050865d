"""Follow-ups over HTTP: a ticket filed as user A is visible to A, and to nobody else."""

from __future__ import annotations

import re
import uuid

from helpdesk.identity import mint
from tests.conftest import IDENTITY_SECRET

REFERENCE = re.compile(r"\bHLP-\d{4,}\b")


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def signed_in(email: str, name: str) -> dict:
    return {"user_token": mint(IDENTITY_SECRET, email, name, "Acme")}


def test_a_ticket_is_visible_to_its_requester_and_to_nobody_else(servers):
    anna = signed_in("anna@acme.com", "Anna")
    receipt = servers.file_ticket(f"anna-{uuid.uuid4().hex}", "the broadcast campaign did not go out to our customers", anna)
    reference = REFERENCE.search(receipt).group(0)

    as_anna = texts(servers.say(f"anna-{uuid.uuid4().hex}", f"what's the status of {reference}?", anna))
    assert reference in as_anna and "Status:" in as_anna and "First response due:" in as_anna

    bob = signed_in("bob@other.com", "Bob")
    as_bob = texts(servers.say(f"bob-{uuid.uuid4().hex}", f"what's the status of {reference}?", bob))
    unknown = texts(servers.say(f"bob-{uuid.uuid4().hex}", "what's the status of HLP-9999?", bob))
    assert "Status:" not in as_bob and "broadcast" not in as_bob
    assert as_bob.replace(reference, "HLP-9999") == unknown

    anonymous = texts(servers.say(f"anon-{uuid.uuid4().hex}", f"what's the status of {reference}?",
                                  {"user": {"email": "anna@acme.com"}}))
    assert "Status:" not in anonymous and "signed in" in anonymous
