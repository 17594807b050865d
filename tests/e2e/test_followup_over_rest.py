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
    receipt = servers.file_ticket(
        f"anna-{uuid.uuid4().hex}", "the broadcast campaign did not go out to our customers", anna
    )
    reference = REFERENCE.search(receipt).group(0)

    as_anna = texts(servers.say(f"anna-{uuid.uuid4().hex}", f"what's the status of {reference}?", anna))
    assert reference in as_anna and "Status:" in as_anna and "First response due:" in as_anna

    bob = signed_in("bob@other.com", "Bob")
    as_bob = texts(servers.say(f"bob-{uuid.uuid4().hex}", f"what's the status of {reference}?", bob))
    unknown = texts(servers.say(f"bob-{uuid.uuid4().hex}", "what's the status of HLP-9999?", bob))
    assert "Status:" not in as_bob and "broadcast" not in as_bob
    assert as_bob.replace(reference, "HLP-9999") == unknown

    anonymous = texts(
        servers.say(
            f"anon-{uuid.uuid4().hex}", f"what's the status of {reference}?", {"user": {"email": "anna@acme.com"}}
        )
    )
    assert "Status:" not in anonymous and "signed in" in anonymous


def test_two_users_of_one_account_reach_only_their_own_tickets_however_they_name_them(servers):
    priya = signed_in(f"priya-{uuid.uuid4().hex[:8]}@acme.com", "Priya")
    anil = signed_in(f"anil-{uuid.uuid4().hex[:8]}@acme.com", "Anil")
    anils = REFERENCE.search(
        servers.file_ticket(f"anil-{uuid.uuid4().hex}", "the broadcast campaign is stuck in scheduled state", anil)
    ).group(0)
    next_number = int(anils.split("-")[1]) + 1

    def ask(sender_prefix: str, text: str, who: dict) -> str:
        return texts(servers.say(f"{sender_prefix}-{uuid.uuid4().hex}", text, who))

    before = ask("anil", f"status of hlp {next_number}", anil)
    priya_chat = f"priya-{uuid.uuid4().hex}"
    priyas = REFERENCE.search(
        servers.file_ticket(priya_chat, "our analytics export is empty for all of march", priya)
    ).group(0)
    assert priyas == f"HLP-{next_number:04d}"

    assert ask("anil", f"status of hlp {next_number}", anil) == before
    assert before.startswith(f"I couldn't find a ticket {priyas} for you.") and "analytics" not in before.lower()

    both = ask("anil", f"close {priyas} and status of {anils}", anil)
    assert f"I couldn't find a ticket {priyas} for you." in both and f"{anils}: " in both
    described = ask("anil", "any news on the analytics one?", anil)
    assert "analytics" not in described.lower() and priyas not in described

    mine = ask("priya", f"hlp {next_number}", priya)
    assert mine.startswith(f"{priyas}: ") and "• Status: open" in mine

    handoff = texts(servers.say(priya_chat, "can I talk to a real person about this now?", priya))
    assert f"take over {priyas} (" in handoff


def test_a_question_while_adding_details_is_answered_and_never_stored_as_the_detail(servers):
    from datetime import datetime, timezone

    from helpdesk import sla
    from helpdesk.store import TicketStore
    from helpdesk.tickets import Requester, TicketDraft
    from helpdesk.wiring import default_policy

    email = f"ravi-{uuid.uuid4().hex[:8]}@acme.com"
    filed = datetime.now(timezone.utc)
    draft = TicketDraft(requester=Requester(email), title="Export fails", description="d", final_severity="S2")
    store = TicketStore(servers.database_url, "HLP-")
    reference = store.create(draft, filed, sla.due_at("S2", filed, default_policy())).reference
    ravi, sender = signed_in(email, "Ravi"), f"ravi-{uuid.uuid4().hex}"

    asked = texts(servers.say(sender, f"add details to {reference}", ravi))
    answered = texts(servers.say(sender, "what are your business hours?", ravi))
    added = texts(servers.say(sender, "it fails for the March export too", ravi))

    assert "add" in asked.lower()
    assert "business hours" in answered.lower() and "Added" not in answered
    assert "Added" in added
    comments = [event.detail["text"] for event in store.get(reference).history if event.kind == "comment_added"]
    assert comments == ["it fails for the March export too"]


def test_a_follow_up_typed_while_drafting_acts_on_the_named_ticket_and_never_on_a_colleagues(servers):
    priya = signed_in(f"priya-{uuid.uuid4().hex[:8]}@acme.com", "Priya")
    anil = signed_in(f"anil-{uuid.uuid4().hex[:8]}@acme.com", "Anil")
    priyas = REFERENCE.search(
        servers.file_ticket(f"priya-{uuid.uuid4().hex}", "our analytics export is empty for all of march", priya)
    ).group(0)
    number = int(priyas.split("-")[1])

    anil_chat = f"anil-{uuid.uuid4().hex}"
    servers.say(anil_chat, "the instagram bot sends every reply twice", anil)
    as_anil = texts(servers.say(anil_chat, f"no. status of {priyas}", anil))
    assert as_anil.startswith(f"I couldn't find a ticket {priyas} for you.") and "analytics" not in as_anil.lower()
    assert "is on hold, with everything you told me" in as_anil
    assert "The instagram bot sends every reply twice" in as_anil

    priya_chat = f"priya-{uuid.uuid4().hex}"
    servers.say(priya_chat, "the faq bot shows a typo in its welcome message", priya)
    status = texts(servers.say(priya_chat, f"and {number:04d}?", priya))
    assert status.startswith(f"{priyas}: ") and "• Status: open" in status and "is on hold" in status
    resumed = texts(servers.say(priya_chat, "yes", priya))
    assert resumed.startswith("Let's finish the ticket you started; everything you told me is kept.")
    assert servers.tracker(priya_chat)["slots"]["description"] == "the faq bot shows a typo in its welcome message"


def test_a_status_of_another_ticket_asked_while_adding_details_is_shown_and_never_added(servers):
    from datetime import datetime, timezone

    from helpdesk import sla
    from helpdesk.store import TicketStore
    from helpdesk.tickets import Requester, TicketDraft
    from helpdesk.wiring import default_policy

    email = f"meera-{uuid.uuid4().hex[:8]}@acme.com"
    filed = datetime.now(timezone.utc)
    store = TicketStore(servers.database_url, "HLP-")
    first, other = (
        store.create(
            TicketDraft(requester=Requester(email), title=title, description="d", final_severity="S2"),
            filed,
            sla.due_at("S2", filed, default_policy()),
        ).reference
        for title in ("Export fails", "Typo in the welcome message")
    )
    meera, sender = signed_in(email, "Meera"), f"meera-{uuid.uuid4().hex}"

    servers.say(sender, f"add details to {first}", meera)
    status = texts(servers.say(sender, f"status of {other}", meera))
    added = texts(servers.say(sender, "it fails for the March export too", meera))

    assert (
        status.startswith(f"{other}: Typo in the welcome message")
        and f"What would you like to add to {first}" in status
    )
    assert added.startswith(f"Added to {first} (Export fails).")
    comments = [event.detail["text"] for event in store.get(first).history if event.kind == "comment_added"]
    assert comments == ["it fails for the March export too"]
    assert [event.kind for event in store.get(other).history] == ["created"]


def test_go_on_with_the_draft_lapses_once_the_conversation_moves_on_and_the_draft_stays(servers):
    priya = signed_in(f"priya-{uuid.uuid4().hex[:8]}@acme.com", "Priya")
    priyas = REFERENCE.search(
        servers.file_ticket(f"priya-{uuid.uuid4().hex}", "our analytics export is empty for all of march", priya)
    ).group(0)
    chat = f"priya-{uuid.uuid4().hex}"
    servers.say(chat, "the faq bot shows a typo in its welcome message", priya)

    asked = texts(servers.say(chat, f"no. status of {priyas}", priya))
    moved_on = texts(servers.say(chat, "what are your business hours?", priya))
    later_yes = texts(servers.say(chat, "yes", priya))

    assert "Shall I go on with it?" in asked
    assert "Let's finish the ticket you started" not in moved_on + later_yes
    assert servers.tracker(chat)["slots"]["draft_paused"] == "dropped"
    back = texts(servers.say(chat, "file a ticket", priya))
    assert back.startswith("Let's finish the ticket you started; everything you told me is kept.")
    assert servers.tracker(chat)["slots"]["description"] == "the faq bot shows a typo in its welcome message"
