"""The one confirmation, filing exactly once, and cancelling."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from action_helpers import SIGNED_IN_USER, buttons, entity, slot_sets, texts
from rasa_sdk.events import FollowupAction, SlotSet

import actions.conversation
import actions.runtime
import actions.user
from actions.ticket import (
    DRAFT_SLOTS,
    ActionAskTicketConfirmed,
    ActionCancelTicket,
    ActionFinishTicketForm,
)
from helpdesk import sla
from helpdesk.titles import title_for
from helpdesk.wording import format_due

VALIDATION_NOTE = (
    "Support validates the severity once the ticket with all its details reaches them; "
    "the resolution follows the priority the support team decides."
)
DESCRIPTION = "our bot takes 25 seconds to answer customers on the live site since 10am, all users affected"
FILLED = {
    "description": DESCRIPTION,
    "bot_or_area": "the sales bot",
    "environment": "production",
    "since": "since 10am",
    "impact": "all users",
    "requester_email": SIGNED_IN_USER["email"],
    "requester_name": SIGNED_IN_USER["name"],
    "requester_account": SIGNED_IN_USER["account"],
    "links": "https://acme.example/chat/42",
    "assessed_severity": "S0",
    "ticket_draft_id": "draft-42",
}
"""A draft with every detail given, as the form leaves it at the confirmation."""
CONFIRMED = {**FILLED, "ticket_confirmed": "yes"}
WED_11_IST = datetime(2026, 11, 25, 5, 30, tzinfo=timezone.utc)


def draft_cleared(events):
    slots = slot_sets(events)
    return set(DRAFT_SLOTS) <= set(slots) and all(slots[slot] is None for slot in DRAFT_SLOTS)


@pytest.fixture
def wednesday_11(monkeypatch):
    """The confirmation is shown at Wed 25 Nov 2026, 11:00 IST, inside business hours."""
    monkeypatch.setattr("actions.ticket.now", lambda: WED_11_IST)


def confirm(make_tracker, run, **slots):
    tracker = make_tracker(
        "yes",
        "affirm",
        slots={**FILLED, **slots},
        in_form=True,
        requested_slot="impact",
        after={"requested_slot": "ticket_confirmed"},
    )
    events, dispatcher = run(ActionAskTicketConfirmed(), tracker)
    assert events == []
    return dispatcher


# action_ask_ticket_confirmed


def test_the_summary_lists_every_detail_the_level_its_reasons_and_the_due_time(make_tracker, run, wednesday_11):
    dispatcher = confirm(make_tracker, run)

    assert texts(dispatcher)[0].splitlines() == [
        "Here's your ticket:",
        f"• Problem: {DESCRIPTION}",
        "• Bot or area: the sales bot",
        "• Environment: production",
        "• Since: since 10am",
        "• Impact: all users",
        f"• Contact: {SIGNED_IN_USER['email']}",
        "• Links: https://acme.example/chat/42",
        "• Severity: S0 (Blocker): critical functionality has stopped working, serious business impact "
        "(because the description reads like critical functionality has stopped working)",
        "• First response within 1 hour, 24x7, so by Wed 25 Nov, 12:00 IST",
        "Shall I file it?",
    ]
    assert buttons(dispatcher) == [
        ("File it", "/affirm"),
        ("Change severity", '/change_details{"detail": "severity"}'),
        ("Add details", "/add_details"),
        ("Cancel", "/cancel"),
    ]


def test_the_summary_uses_what_the_form_learned(make_tracker, run, wednesday_11):
    text = texts(confirm(make_tracker, run, assessed_severity="S0", environment="staging"))[0]

    assert "• Severity: S2 (Medium)" in text and "on staging" in text


def test_the_summary_gives_the_users_own_level_and_its_due_time(make_tracker, run, wednesday_11):
    text = texts(confirm(make_tracker, run, user_severity="S2"))[0]

    assert (
        "• Severity: S2 (Medium): minor functionality has stopped working, limited business impact (because you set it to S2 (Medium) yourself)"
        in text
    )
    assert (
        "during business hours (Monday to Friday, 09:00–18:00 IST (Asia/Kolkata)), so by Wed 25 Nov, 15:00 IST" in text
    )


def test_the_summary_quotes_the_words_that_weighed_most(make_tracker, run):
    text = texts(
        confirm(
            make_tracker, run, assessed_severity="S1", assessed_cues=["won't download", "report"], impact="some users"
        )
    )[0]

    assert '"won\'t download"' in text and '"report"' in text


def test_without_an_assessment_the_summary_says_it_started_from_s2(make_tracker, run):
    text = texts(confirm(make_tracker, run, assessed_severity=None, environment="unknown", impact="hard to say"))[0]

    assert "• Severity: S2 (Medium)" in text and "I could not tell from the description" in text


def test_the_summary_invites_the_details_not_given(make_tracker, run):
    text = texts(confirm(make_tracker, run, since=None, links=None, bot_or_area=None))[0]

    assert "If you know which bot or area, since when and links or conversation ids, type them here" in text


def test_behind_change_severity_every_level_is_offered(make_tracker, run):
    dispatcher = confirm(make_tracker, run, confirm_step="severity")

    assert texts(dispatcher) == ["Please pick the level that fits best:"]
    assert [payload for _, payload in buttons(dispatcher)] == [f'/inform{{"severity": "S{n}"}}' for n in range(4)]


def test_behind_add_details_one_open_question_is_asked(make_tracker, run):
    dispatcher = confirm(make_tracker, run, confirm_step="details", since=None)

    assert texts(dispatcher) == [
        "What would you like to add or correct (for example since when)? Put it all in one message."
    ]
    assert buttons(dispatcher) == [("Nothing to add", "/deny")]


# action_finish_ticket_form


def finish(make_tracker, run, slots=CONFIRMED, sender_id="conv-1"):
    return run(ActionFinishTicketForm(), make_tracker("yes, file it", "affirm", slots=slots, sender_id=sender_id))


def test_a_confirmed_ticket_is_filed_once_and_the_receipt_gives_its_due_time(make_tracker, run):
    events, dispatcher = finish(make_tracker, run)

    tickets = actions.runtime.store().list()
    assert len(tickets) == 1
    ticket = tickets[0]
    assert re.fullmatch(r"HLP-\d{4}", ticket.reference)
    assert ticket.reference == "HLP-0001"
    assert ticket.requester.email == SIGNED_IN_USER["email"]
    assert (ticket.requester.name, ticket.requester.account) == (SIGNED_IN_USER["name"], SIGNED_IN_USER["account"])
    assert ticket.description == DESCRIPTION
    assert ticket.title == title_for(DESCRIPTION, "the sales bot", "production")
    assert (ticket.environment, ticket.since, ticket.impact, ticket.bot_or_area) == (
        "production",
        "since 10am",
        "all users",
        "the sales bot",
    )
    assert ticket.links == ("https://acme.example/chat/42",)
    assert (ticket.assessed_severity, ticket.final_severity, ticket.severity_set_by_user) == ("S0", "S0", False)
    assert ticket.conversation_id == "conv-1"
    assert ticket.idempotency_key == "draft-42"
    assert ticket.status == "open"
    assert ticket.due_at == sla.due_at("S0", ticket.filed_at, actions.runtime.policy())

    policy = actions.runtime.policy()
    text = texts(dispatcher)[0]
    assert len(dispatcher.messages) == 1
    assert text.startswith("Your ticket HLP-0001 is filed as S0 (Blocker). First response within 1 hour, 24x7")
    assert f"by {format_due(ticket.due_at, policy.business_hours.timezone)}." in text
    assert VALIDATION_NOTE in text
    assert f"Updates go to {SIGNED_IN_USER['email']}; quote HLP-0001 if you write to support@haptik.ai." in text

    assert draft_cleared(events)
    assert slot_sets(events)["last_ticket_ref"] == "HLP-0001"


def test_the_final_severity_is_the_users_own_level(make_tracker, run):
    finish(make_tracker, run, slots={**CONFIRMED, "user_severity": "S2"})

    ticket = actions.runtime.store().list()[0]
    assert (ticket.assessed_severity, ticket.final_severity, ticket.severity_set_by_user) == ("S0", "S2", True)
    assert ticket.due_at == sla.due_at("S2", ticket.filed_at, actions.runtime.policy())


def test_a_repeated_confirmation_files_one_ticket(make_tracker, run):
    _, first = finish(make_tracker, run)
    _, second = finish(make_tracker, run)

    assert len(actions.runtime.store().list()) == 1
    assert "HLP-0001" in texts(first)[0]
    assert texts(second)[0].startswith("Your ticket HLP-0001 is filed")


def test_two_drafts_are_two_tickets(make_tracker, run):
    finish(make_tracker, run)
    _, dispatcher = finish(make_tracker, run, slots={**CONFIRMED, "ticket_draft_id": "draft-43"}, sender_id="conv-2")

    assert [t.reference for t in actions.runtime.store().list()] == ["HLP-0002", "HLP-0001"]
    assert "HLP-0002" in texts(dispatcher)[0]


def test_without_confirmation_nothing_is_filed_and_the_draft_is_kept(make_tracker, run):
    events, dispatcher = finish(make_tracker, run, slots={**FILLED, "ticket_confirmed": None})

    assert actions.runtime.store().list() == []
    assert dispatcher.messages == []
    assert events == []


def test_when_the_store_fails_the_user_is_told_and_the_draft_kept(make_tracker, run, monkeypatch):
    store = actions.runtime.store()

    def broken(*args, **kwargs):
        raise RuntimeError("database is on fire")

    monkeypatch.setattr(store, "create", broken)

    events, dispatcher = finish(make_tracker, run)

    text = texts(dispatcher)[0]
    assert text.startswith("I'm sorry: I couldn't save your ticket just now.")
    assert "support@haptik.ai" in text
    assert events == [SlotSet("ticket_confirmed", None), FollowupAction("ticket_form")]

    monkeypatch.undo()
    assert store.list() == []


@pytest.mark.parametrize(
    "description",
    [
        " ".join(f"step {i}: the bot replied after 25 seconds instead of 2." for i in range(400))[:20_000].strip(),
        "bot replies 😡😡 and the 👩\u200d💻 team is stuck 🇮🇳",
        "البوت لا يرد على العملاء منذ الصباح",
        "הבוט לא עונה ללקוחות",
        "<script>alert(1)</script>",
        "'; DROP TABLE tickets;--",
    ],
    ids=["20 kB", "emoji", "arabic", "hebrew", "script", "sql"],
)
def test_unusual_descriptions_are_filed_verbatim(make_tracker, run, description):
    _, dispatcher = finish(make_tracker, run, slots={**CONFIRMED, "description": description})

    store = actions.runtime.store()
    assert store.get("HLP-0001").description == description
    assert len(store.list()) == 1
    assert texts(dispatcher)[0].startswith("Your ticket HLP-0001 is filed")


# action_cancel_ticket


def test_cancelling_drops_the_draft_and_files_nothing(make_tracker, run):
    events, dispatcher = run(
        ActionCancelTicket(),
        make_tracker(
            "cancel",
            "cancel",
            slots={**FILLED, "rejected_answers": {"environment": 1}, "user_severity": "S0", "confirm_step": "details"},
        ),
    )

    assert texts(dispatcher) == ["OK, I've dropped that ticket; nothing was filed. Anything else I can help with?"]
    assert draft_cleared(events)
    assert set(slot_sets(events)) == set(DRAFT_SLOTS)
    assert actions.runtime.store().list() == []


def test_the_draft_slots_are_all_the_tickets_slots(domain):
    """Cancelling or finishing leaves nothing of the draft behind for the next one."""
    custom = {name for name, slot in domain["slots"].items() if all(m["type"] == "custom" for m in slot["mappings"])}
    assert set(DRAFT_SLOTS) <= set(domain["slots"])
    assert set(domain["forms"]["ticket_form"]["required_slots"]) <= set(DRAFT_SLOTS)
    assert custom - set(DRAFT_SLOTS) == {
        "last_ticket_ref",
        "followup_ref",
        "focus_ref",
        "followup_request",
        "offered_tickets",
        "next_requests",
    }
    assert "user_severity" in DRAFT_SLOTS


def test_an_entity_in_the_cancel_message_changes_nothing(make_tracker, run):
    events, _ = run(
        ActionCancelTicket(), make_tracker("cancel the S0 ticket", "cancel", entities=[entity("severity", "S0")])
    )

    assert draft_cleared(events)
