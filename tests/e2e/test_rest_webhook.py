"""The whole chain over HTTP: REST webhook -> Rasa -> action server -> ticket store."""

from __future__ import annotations

import re
import uuid

from helpdesk import sla
from helpdesk.store import TicketStore
from helpdesk.wiring import default_policy
from helpdesk.wording import format_due

REFERENCE = re.compile(r"\bHLP-\d{4,}\b")


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def test_greeting_offers_the_help_menu(servers):
    replies = servers.say(f"greet-{uuid.uuid4().hex}", "hello")
    titles = [button["title"] for reply in replies for button in reply.get("buttons") or []]
    assert "File a ticket" in titles and "Response times" in titles


def test_model_parse_returns_a_severity_assessment(servers):
    text = "chats are not getting assigned to agents at all, every customer is stuck in the queue"
    parsed = servers.api("POST", "/model/parse", json={"text": text}).json()
    severity = parsed["severity"]
    assert severity["name"] in {"S0", "S1", "S2", "S3"}
    assert {entry["name"] for entry in severity["ranking"]} == {"S0", "S1", "S2", "S3"}
    assert 0.0 <= severity["confidence"] <= 1.0
    assert severity["name"] == "S0"


def test_files_a_ticket_and_stores_it(servers):
    sender = f"filer-{uuid.uuid4().hex}"
    description = "our bot takes 25 seconds to answer customers on the live site since 10am, all users affected"
    user = {"user": {"email": "priya@acme.com", "name": "Priya", "account": "Acme"}}

    summary = texts(servers.say(sender, description, user))
    # The opening said where, since when and who is affected; the email comes from the widget.
    assert "Shall I file it?" in summary and "?" not in summary.replace("Shall I file it?", "")
    assert "priya@acme.com" in summary and "S0 (Blocker)" in summary and "24x7, so by " in summary
    receipt = texts(servers.say(sender, "yes", user))

    reference = REFERENCE.search(receipt).group(0)
    ticket = TicketStore(servers.database_url, "HLP-").get(reference)
    assert ticket is not None
    assert ticket.description == description
    assert ticket.requester.email == "priya@acme.com" and ticket.requester.account == "Acme"
    assert ticket.environment == "production" and ticket.final_severity == "S0"
    assert (ticket.since, ticket.impact) == ("since 10am", "all users")
    assert ticket.due_at == sla.due_at("S0", ticket.filed_at, default_policy())
    assert f"by {format_due(ticket.due_at, default_policy().business_hours.timezone)}" in receipt

    again = texts(servers.say(sender, "yes", user))
    assert f"{reference} is already filed" in again
    assert [t.reference for t in TicketStore(servers.database_url, "HLP-").list(requester_email="priya@acme.com")] == [
        reference
    ]


def test_a_vague_report_is_asked_what_stopped_before_any_level_is_proposed(servers):
    sender = f"vague-{uuid.uuid4().hex}"
    user = {"user": {"email": "priya@acme.com", "name": "Priya", "account": "Acme"}}

    opening = texts(servers.say(sender, "the bot is broken", user))
    assert "production (live) or on staging" in opening
    assert "S0" not in opening and "Blocker" not in opening
    question = texts(servers.say(sender, '/inform{"environment": "production"}', user))
    assert "doesn't say what stopped, and that decides the severity" in question
    summary = texts(servers.say(sender, "no customer gets any reply from the bot", user))

    assert "Shall I file it?" in summary
    assert "• Severity: S0 (Blocker)" in summary
    assert "• Impact: no customer gets any reply from the bot" in summary
