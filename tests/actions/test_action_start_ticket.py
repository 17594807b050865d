"""action_start_ticket: a fresh draft that keeps what the opening message already said."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from action_helpers import SIGNED_IN_USER, entity, severity_reading, slot_sets, texts
from rasa_sdk.events import FollowupAction

from actions.ticket import DRAFT_SLOTS, ActionStartTicket

REPORT = "our bot takes 25 seconds to answer customers on the live site since 10am, all users affected"


def start(make_tracker, run, text, intent, **kwargs):
    events, dispatcher = run(ActionStartTicket(), make_tracker(text, intent, **kwargs))
    slots = slot_sets(events)
    assert len(slots) == len(events), "only SlotSet events"
    assert set(slots) == set(DRAFT_SLOTS), "every draft slot is set, stale values included"
    return slots, dispatcher


def test_a_problem_report_prefills_what_it_already_says(make_tracker, run):
    slots, dispatcher = start(
        make_tracker,
        run,
        REPORT,
        "report_problem",
        severity=severity_reading("S0", 0.82, cues=("25 seconds", "all users")),
    )

    assert slots["description"] == REPORT
    assert slots["environment"] == "production"
    assert slots["since"] == "since 10am"
    assert slots["impact"] == "all users"
    assert slots["assessed_severity"] == "S0"
    assert slots["assessed_cues"] == ["25 seconds", "all users"]
    assert slots["user_severity"] is None
    assert slots["confirm_step"] is None and slots["ticket_confirmed"] is None
    assert re.fullmatch(r"[0-9a-f]{32}", slots["ticket_draft_id"])
    assert (slots["requester_email"], slots["requester_name"], slots["requester_account"]) == (
        SIGNED_IN_USER["email"],
        SIGNED_IN_USER["name"],
        SIGNED_IN_USER["account"],
    )
    assert texts(dispatcher) == ["Sorry to hear that. I'll file a ticket for the support team."]


def test_assessed_severity_is_whatever_nlu_read(make_tracker, run):
    slots, _ = start(
        make_tracker, run, "the analytics report won't download", "report_problem", severity=severity_reading("S1")
    )

    assert slots["assessed_severity"] == "S1"
    assert slots["bot_or_area"] == "analytics"


def test_a_report_without_an_nlu_reading_assesses_nothing(make_tracker, run):
    slots, _ = start(make_tracker, run, "something is off with the widget", "report_problem", severity=None)

    assert slots["description"] == "something is off with the widget"
    assert slots["assessed_severity"] is None


def test_a_vague_report_sets_aside_what_nlu_read_from_it(make_tracker, run):
    slots, dispatcher = start(
        make_tracker, run, "our bot is not working", "report_problem", severity=severity_reading("S0", 0.9)
    )

    assert slots["description"] == "our bot is not working"
    assert slots["assessed_severity"] is None and slots["assessed_cues"] is None
    assert texts(dispatcher) == ["Sorry to hear that. I'll file a ticket for the support team."]


def test_a_vague_report_asking_when_support_replies_gets_each_levels_due_time(make_tracker, run, monkeypatch):
    monkeypatch.setattr("actions.answers.now", lambda: datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata")))
    _, dispatcher = start(
        make_tracker,
        run,
        "the bot is broken, how soon can someone look at it?",
        "report_problem",
        severity=severity_reading("S0", 0.9),
    )

    said = texts(dispatcher)
    assert said[0].startswith("If you file a ticket now, the first response is due:")
    assert all(f"• {label}: by " in said[0] for label in ("S0 (Blocker)", "S1 (High)", "S2 (Medium)", "S3 (Low)"))
    assert "From your description" not in said[0]


def test_a_request_to_file_that_says_what_stopped_keeps_it_as_the_problem(make_tracker, run):
    text = "please raise a ticket, the weekly analytics export fails with an error"
    slots, dispatcher = start(make_tracker, run, text, "file_ticket", severity=severity_reading("S1"))

    assert slots["description"] == text
    assert slots["assessed_severity"] == "S1"
    assert texts(dispatcher) == ["Sorry to hear that. I'll file a ticket for the support team."]


def test_asking_to_file_a_ticket_fills_only_the_draft_id_and_the_requester(make_tracker, run):
    slots, dispatcher = start(
        make_tracker, run, "I want to file a ticket", "file_ticket", severity=severity_reading("S2")
    )

    filled = {slot for slot, value in slots.items() if value is not None}
    assert filled == {"ticket_draft_id", "requester_email", "requester_name", "requester_account"}
    assert texts(dispatcher) == ["Sure, let's file a ticket."]


def test_an_anonymous_file_ticket_fills_nothing_but_the_draft_id(make_tracker, run):
    slots, _ = start(make_tracker, run, "raise a ticket", "file_ticket", user=None)

    assert {slot for slot, value in slots.items() if value is not None} == {"ticket_draft_id"}


def test_the_requester_comes_from_the_newest_message_that_has_one(make_tracker, run):
    tracker = make_tracker("file a ticket", "file_ticket", user={"email": "  ", "name": "Nobody"})
    tracker.events.insert(
        0, {"event": "user", "text": "hi", "metadata": {"user": {"email": " dev@acme.example ", "name": ""}}}
    )

    events, _ = run(ActionStartTicket(), tracker)

    slots = slot_sets(events)
    assert (slots["requester_email"], slots["requester_name"], slots["requester_account"]) == (
        "dev@acme.example",
        None,
        None,
    )


def test_each_draft_gets_its_own_id(make_tracker, run):
    first, _ = start(make_tracker, run, "file a ticket", "file_ticket")
    second, _ = start(make_tracker, run, "file a ticket", "file_ticket")

    assert first["ticket_draft_id"] != second["ticket_draft_id"]


def test_a_stated_blocker_becomes_the_users_severity(make_tracker, run):
    text = "chats are not reaching agents, it's a blocker"
    slots, _ = start(
        make_tracker,
        run,
        text,
        "report_problem",
        entities=[entity("severity", "S0", "a blocker")],
        severity=severity_reading("S1"),
    )

    assert slots["user_severity"] == "S0"
    assert slots["assessed_severity"] == "S1"


def test_a_level_typed_as_a_code_becomes_the_users_severity(make_tracker, run):
    slots, _ = start(make_tracker, run, "file a ticket, sev s2 please", "file_ticket")

    assert slots["user_severity"] == "S2"


def test_a_contraction_before_a_number_is_not_a_severity(make_tracker, run):
    """ "it's 2 pm" and "the bot's 3 flows" name no level (the "s 2" is not "S2")."""
    slots, _ = start(
        make_tracker,
        run,
        "it's 2 pm and the bot's 3 main flows are broken on prod",
        "report_problem",
        severity=severity_reading("S1"),
    )

    assert slots["user_severity"] is None


def test_a_new_draft_reads_the_report_even_over_a_stale_draft(make_tracker, run):
    """Slots of an abandoned draft carry over into a new session; a new report replaces them."""
    stale = {
        "environment": "staging",
        "since": "last week",
        "impact": "a few testers",
        "description": "old problem",
        "ticket_draft_id": "old-draft",
        "user_severity": "S3",
        "ticket_confirmed": "yes",
    }
    slots, _ = start(make_tracker, run, REPORT, "report_problem", severity=severity_reading("S0"), slots=stale)

    assert slots["description"] == REPORT
    assert (slots["environment"], slots["since"], slots["impact"]) == ("production", "since 10am", "all users")
    assert slots["ticket_draft_id"] != "old-draft"
    assert slots["user_severity"] is None and slots["ticket_confirmed"] is None


def test_a_statement_outside_any_question_is_taken_as_the_problem(make_tracker, run):
    slots, dispatcher = start(
        make_tracker, run, "the sales bot keeps saying goodbye twice", "inform", severity=severity_reading("S2")
    )

    assert slots["description"] == "the sales bot keeps saying goodbye twice"
    assert slots["assessed_severity"] == "S2"
    assert texts(dispatcher)[0].startswith("Sorry to hear that.")


def test_a_word_or_two_outside_any_question_is_not_taken_as_the_problem(make_tracker, run):
    slots, dispatcher = start(make_tracker, run, "staging", "inform", severity=severity_reading("S3"))

    assert slots["description"] is None
    assert texts(dispatcher) == ["Sure, let's file a ticket."]


def test_a_did_you_mean_button_stands_for_the_message_it_clarified(make_tracker, run):
    tracker = make_tracker("/report_problem", "report_problem", severity=None)
    tracker.events[-1:-1] = [
        {
            "event": "user",
            "text": "bot kinda weird since the update",
            "parse_data": {"intent": {"name": "nlu_fallback"}},
        },
        {"event": "bot", "text": "I'm not sure I understood. Did you mean one of these?"},
    ]
    events, _ = run(ActionStartTicket(), tracker)

    assert slot_sets(events)["description"] == "bot kinda weird since the update"
    assert slot_sets(events)["since"] == "since the update"


def test_yes_after_a_rated_problem_files_that_problem(make_tracker, run):
    tracker = make_tracker("yes please", "affirm", severity=severity_reading("S2", 0.3))
    tracker.events[-1:-1] = [
        {
            "event": "user",
            "text": "would chats not reaching agents on prod be a blocker?",
            "parse_data": {"intent": {"name": "ask_severity_of_problem"}, "severity": severity_reading("S0", 0.9)},
        },
        {
            "event": "bot",
            "text": "From your description, that sounds like S0 (Blocker)... Shall I file a ticket for it?",
        },
    ]
    events, dispatcher = run(ActionStartTicket(), tracker)

    slots = slot_sets(events)
    assert slots["description"] == "would chats not reaching agents on prod be a blocker?"
    assert slots["assessed_severity"] == "S0", "the reading of the described problem, not of the yes"
    assert slots["environment"] == "production"
    assert texts(dispatcher)[0].startswith("Sorry to hear that.")
    assert events[-1] == FollowupAction("ticket_form"), "no rule opens the form after a yes"


def test_yes_after_anything_else_files_nothing_in_particular(make_tracker, run):
    tracker = make_tracker("yes", "affirm", severity=severity_reading("S2", 0.3))
    tracker.events[-1:-1] = [
        {"event": "user", "text": "what are your hours", "parse_data": {"intent": {"name": "ask_business_hours"}}}
    ]
    events, _ = run(ActionStartTicket(), tracker)

    assert slot_sets(events)["description"] is None


def test_an_email_in_the_opening_is_the_contact(make_tracker, run):
    slots, _ = start(
        make_tracker,
        run,
        "the lead bot form is broken on prod, reach me at dev@shop.example",
        "report_problem",
        user=None,
    )

    assert slots["requester_email"] == "dev@shop.example"


def test_a_draft_left_for_a_person_is_resumed_not_replaced(make_tracker, run):
    kept = {
        "description": "the broadcast did not go out",
        "environment": "production",
        "ticket_draft_id": "kept-draft",
        "requested_slot": None,
        "ticket_confirmed": None,
        "confirm_step": "details",
    }
    events, dispatcher = run(ActionStartTicket(), make_tracker("/file_ticket", "file_ticket", slots=kept))

    assert slot_sets(events) == {"ticket_confirmed": None, "confirm_step": None}
    assert texts(dispatcher) == ["Let's finish the ticket you started; everything you told me is kept."]


def test_a_new_problem_starts_a_new_draft_even_over_a_kept_one(make_tracker, run):
    kept = {"description": "the broadcast did not go out", "ticket_draft_id": "kept-draft"}
    slots, _ = start(make_tracker, run, REPORT, "report_problem", severity=severity_reading("S0"), slots=kept)

    assert slots["description"] == REPORT and slots["ticket_draft_id"] != "kept-draft"
