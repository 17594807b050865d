"""action_answer_question: every question intent, outside and inside the ticket form."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from action_helpers import buttons, entity, severity_reading, texts

import actions.answers
from actions.answers import ANSWERS, ActionAnswerQuestion
from helpdesk.answers import QUESTION_INTENTS
from tests.action_wiring import restart_actions

IST = ZoneInfo("Asia/Kolkata")
DUE_TIME = (
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec), \d{2}:\d{2} IST"
)
HOURS = "Monday to Friday, 09:00–18:00 IST (Asia/Kolkata)"
VALIDATION_NOTE = "Support validates the severity once the ticket with all its details reaches them"


def answer(make_tracker, run, text, intent, **kwargs):
    events, dispatcher = run(ActionAnswerQuestion(), make_tracker(text, intent, **kwargs))
    assert events == []
    return dispatcher


def test_every_question_intent_of_the_domain_has_an_answer(domain):
    asked = {intent for intent in domain["intents"] if intent.startswith("ask_")}
    assert asked == set(QUESTION_INTENTS)
    assert asked <= set(ANSWERS)


@pytest.mark.parametrize("intent", QUESTION_INTENTS)
def test_every_question_gets_one_answer_with_next_steps(make_tracker, run, intent):
    dispatcher = answer(make_tracker, run, "a question", intent)

    assert len(dispatcher.messages) == 1
    assert texts(dispatcher)[0].strip()
    assert ("File a ticket", "/file_ticket") in buttons(dispatcher)


def test_response_time_for_a_named_level(make_tracker, run):
    dispatcher = answer(
        make_tracker,
        run,
        "how fast do you respond to an S1?",
        "ask_response_time",
        entities=[entity("severity", "S1", "S1")],
    )
    text = texts(dispatcher)[0]

    assert text.startswith("S1 (High) is for when major functionality has stopped working")
    assert "within 1 hour during business hours" in text
    assert f"the clock runs in business hours ({HOURS})" in text
    assert "S0" not in text and "S2" not in text
    assert buttons(dispatcher) == [("Response times", "/ask_response_times_all"), ("File a ticket", "/file_ticket")]


def test_response_time_for_a_blocker_runs_around_the_clock(make_tracker, run):
    dispatcher = answer(
        make_tracker,
        run,
        "response time for a blocker?",
        "ask_response_time",
        entities=[entity("severity", "S0", "a blocker")],
    )

    assert "within 1 hour, 24x7" in texts(dispatcher)[0]
    assert "around the clock, weekends included" in texts(dispatcher)[0]


def test_response_time_without_a_level_lists_every_level(make_tracker, run):
    dispatcher = answer(make_tracker, run, "how long until you respond?", "ask_response_time")

    assert texts(dispatcher)[0].splitlines() == [
        "First-response times by severity:",
        "• S0 (Blocker): within 1 hour, 24x7",
        "• S1 (High): within 1 hour during business hours",
        "• S2 (Medium): within 4 hours during business hours",
        "• S3 (Low): within 4 hours during business hours",
        f"Business hours are {HOURS}.",
    ]


def test_all_response_times_ignore_a_named_level(make_tracker, run):
    dispatcher = answer(
        make_tracker,
        run,
        "all response times, not just S2",
        "ask_response_times_all",
        entities=[entity("severity", "S2", "S2")],
    )

    assert all(f"• {level}" in texts(dispatcher)[0] for level in ("S0", "S1", "S2", "S3"))


def test_severity_levels_explains_each_level_with_examples(make_tracker, run):
    text = texts(answer(make_tracker, run, "what do the severities mean?", "ask_severity_levels"))[0]

    assert text.startswith("Severity levels:\n")
    assert "• S0 (Blocker): critical functionality has stopped working, serious business impact" in text
    assert "chats are not getting assigned to agents" in text
    assert "• S3 (Low): an issue with the setup, no business impact" in text
    assert VALIDATION_NOTE in text


def test_severity_levels_for_one_named_level(make_tracker, run):
    text = texts(
        answer(
            make_tracker,
            run,
            "what is a blocker?",
            "ask_severity_levels",
            entities=[entity("severity", "S0", "blocker")],
        )
    )[0]

    assert text.startswith("• S0 (Blocker):")
    assert "S1 (High)" not in text


def test_severity_of_a_described_problem_uses_the_nlu_reading(make_tracker, run):
    dispatcher = answer(
        make_tracker,
        run,
        "how severe is it if the analytics report won't download?",
        "ask_severity_of_problem",
        severity=severity_reading("S1", 0.8, cues=("won't download", "report")),
    )
    text = texts(dispatcher)[0]

    assert text.startswith("From your description, that sounds like S1 (High): major functionality has stopped working")
    assert "First response within 1 hour during business hours" in text
    assert VALIDATION_NOTE in text
    assert text.endswith("Shall I file a ticket for it?")
    assert buttons(dispatcher)[0] == ("File a ticket", "/file_ticket")


def test_severity_of_problem_without_a_reading_explains_the_levels(make_tracker, run):
    text = texts(answer(make_tracker, run, "how bad is my problem?", "ask_severity_of_problem", severity=None))[0]

    assert text.startswith("Severity levels:")


def test_business_hours(make_tracker, run):
    text = texts(answer(make_tracker, run, "when are you open?", "ask_business_hours"))[0]

    assert (
        text == f"Support's business hours are {HOURS}. S0 (Blocker) issues are worked 24x7, outside those hours too."
    )


@pytest.mark.parametrize("intent", ["ask_open_now", "ask_when_reply"])
def test_time_dependent_answers_contain_a_due_time(make_tracker, run, intent):
    text = texts(answer(make_tracker, run, "now?", intent))[0]

    assert re.search(DUE_TIME, text), text


def test_open_now_during_business_hours(make_tracker, run, monkeypatch):
    monkeypatch.setattr(actions.answers, "now", lambda: datetime(2026, 11, 25, 10, 0, tzinfo=IST))  # a Wednesday

    text = texts(answer(make_tracker, run, "is anyone there?", "ask_open_now"))[0]

    assert text == "Yes, support is open right now, until Wed 25 Nov, 18:00 IST."


def test_open_now_at_the_weekend(make_tracker, run, monkeypatch):
    monkeypatch.setattr(actions.answers, "now", lambda: datetime(2026, 11, 28, 11, 0, tzinfo=IST))  # a Saturday

    text = texts(answer(make_tracker, run, "is anyone there?", "ask_open_now"))[0]

    assert text.startswith("Support is closed right now. It opens again Mon 30 Nov, 09:00 IST.")
    assert "S0 (Blocker) issues are worked 24x7" in text


def test_when_reply_gives_each_level_its_due_time(make_tracker, run, monkeypatch):
    monkeypatch.setattr(actions.answers, "now", lambda: datetime(2026, 11, 25, 16, 30, tzinfo=IST))

    text = texts(answer(make_tracker, run, "when will I hear back?", "ask_when_reply"))[0]

    assert text.splitlines()[:5] == [
        "If you file a ticket now, the first response is due:",
        "• S0 (Blocker): by Wed 25 Nov, 17:30 IST",
        "• S1 (High): by Wed 25 Nov, 17:30 IST",
        "• S2 (Medium): by Thu 26 Nov, 11:30 IST",
        "• S3 (Low): by Thu 26 Nov, 11:30 IST",
    ]
    assert VALIDATION_NOTE in text


def test_contact_gives_the_support_email(make_tracker, run):
    text = texts(answer(make_tracker, run, "how do I reach support?", "ask_contact"))[0]

    assert "support@haptik.ai" in text
    assert "https://docs.haptik.ai/other/supportbot" in text


def test_after_filing_says_support_validates_the_severity(make_tracker, run):
    text = texts(answer(make_tracker, run, "what happens after I file?", "ask_after_filing"))[0]

    assert text.startswith(VALIDATION_NOTE)
    assert "keeps you updated" in text


def test_docs_gives_the_docs_url(make_tracker, run):
    dispatcher = answer(make_tracker, run, "where are the docs?", "ask_docs")

    assert "https://docs.haptik.ai/" in texts(dispatcher)[0]
    assert "search box" in texts(dispatcher)[0]
    assert ("Contact support", "/ask_contact") in buttons(dispatcher)


# Inside the ticket form


@pytest.mark.parametrize("intent", QUESTION_INTENTS)
def test_in_the_form_answers_without_buttons_and_returns_to_the_ticket(make_tracker, run, intent):
    outside = answer(make_tracker, run, "a question", intent, severity=severity_reading("S2"))
    inside = answer(
        make_tracker,
        run,
        "a question",
        intent,
        severity=severity_reading("S2"),
        in_form=True,
        requested_slot="since",
    )

    assert len(inside.messages) == 2
    assert buttons(inside) == []
    assert texts(inside)[1] == 'Back to your ticket (say "cancel" to stop it):'
    if intent not in ("ask_open_now", "ask_when_reply"):  # these read the clock
        assert texts(inside)[0] == texts(outside)[0]


def test_in_the_form_a_named_level_still_gets_its_own_answer(make_tracker, run):
    dispatcher = answer(
        make_tracker,
        run,
        "how quickly for S0?",
        "ask_response_time",
        entities=[entity("severity", "S0", "S0")],
        in_form=True,
        requested_slot="impact",
    )

    assert texts(dispatcher)[0].startswith("S0 (Blocker) is for when")
    assert texts(dispatcher)[1].startswith("Back to your ticket")


def test_changing_details_mid_form_points_to_the_summary(make_tracker, run):
    dispatcher = answer(
        make_tracker,
        run,
        "wait, I want to change something",
        "change_details",
        in_form=True,
        requested_slot="environment",
    )

    assert texts(dispatcher) == [
        "You can change any detail at the summary, just before I file the ticket.",
        'Back to your ticket (say "cancel" to stop it):',
    ]
    assert buttons(dispatcher) == []


def test_help_menu_mid_form_shows_the_menu_text_without_buttons(make_tracker, run):
    dispatcher = answer(make_tracker, run, "what can you do?", "help_menu", in_form=True, requested_slot="since")

    assert "Help assistant" in texts(dispatcher)[0]
    assert buttons(dispatcher) == []


def test_an_edited_policy_file_changes_the_answer_without_retraining(make_tracker, run, monkeypatch, tmp_path):
    """What an operator does: edit support-policy.yml and restart the action server."""
    import yaml

    from helpdesk.config import PROJECT_ROOT

    policy = yaml.safe_load((PROJECT_ROOT / "support-policy.yml").read_text())
    policy["severities"]["S1"]["first_response_hours"] = 2
    policy["contact"]["email"] = "help@example.org"
    edited = tmp_path / "support-policy.yml"
    edited.write_text(yaml.safe_dump(policy))
    monkeypatch.setenv("HELPDESK_POLICY_FILE", str(edited))
    restart_actions()

    s1 = texts(answer(make_tracker, run, "how fast for S1?", "ask_response_time", entities=[entity("severity", "S1")]))[
        0
    ]
    contact = texts(answer(make_tracker, run, "how do I reach support", "ask_contact"))[0]

    assert "within 2 hours during business hours" in s1
    assert "help@example.org" in contact and "support@haptik.ai" not in contact


WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=IST)


def test_a_comparison_explains_both_levels(make_tracker, run):
    text = texts(answer(make_tracker, run, "how does S1 differ from S3", "ask_severity_levels"))[0]

    assert "• S1 (High): major functionality" in text and "• S3 (Low): an issue with the setup" in text
    assert "S2 (Medium)" not in text


def test_when_reply_for_a_named_level_gives_that_level_only(make_tracker, run, monkeypatch):
    monkeypatch.setattr(actions.answers, "now", lambda: WEDNESDAY_10)
    text = texts(answer(make_tracker, run, "if I file a P2 now when do I hear back", "ask_when_reply"))[0]

    assert text.startswith("S2 (Medium): first response within 4 hours during business hours")
    assert "S0 (Blocker)" not in text and "Filed now, that is by Wed 25 Nov, 14:00 IST." in text


def test_a_problem_with_a_timing_question_is_answered_for_that_problem(make_tracker, run, monkeypatch):
    monkeypatch.setattr(actions.answers, "now", lambda: WEDNESDAY_10)
    dispatcher = answer(
        make_tracker,
        run,
        "our app bot stopped answering users, how soon can you look at it?",
        "ask_response_time",
        severity=severity_reading("S0", cues=("stopped answering",)),
    )

    text = texts(dispatcher)[0]
    assert text.startswith("From your description, that sounds like S0 (Blocker)")
    assert "First response within 1 hour, 24x7: filed now, that is by Wed 25 Nov, 11:00 IST." in text
    assert buttons(dispatcher)[0] == ("File a ticket", "/file_ticket")


def test_resolution_questions_say_the_times_are_for_a_first_response(make_tracker, run):
    text = texts(answer(make_tracker, run, "is 4 hours the time to fix it?", "ask_response_time"))[0]

    assert text.startswith("The times are for the first response from support, not for the fix")
    assert VALIDATION_NOTE in text


def test_a_rating_question_phrased_as_a_report_is_answered_not_filed(make_tracker, run, monkeypatch):
    from actions.ticket import ActionStartTicket

    monkeypatch.setattr(actions.answers, "now", lambda: WEDNESDAY_10)
    tracker = make_tracker(
        "would our crm sync failing while the bot chats be an S0?",
        "report_problem",
        severity=severity_reading("S1", cues=("crm sync failing",)),
    )
    events, dispatcher = run(ActionStartTicket(), tracker)

    assert events == [{"event": "followup", "name": "action_listen", "timestamp": None}]
    text = texts(dispatcher)[0]
    assert text.startswith("From your description, that would be S1 (High) rather than S0 (Blocker)")
    assert "Shall I file a ticket for it?" in text and "Which bot" not in " ".join(texts(dispatcher))


def test_a_how_to_question_gets_the_docs_and_an_offer_to_file(make_tracker, run):
    from actions.ticket import ActionStartTicket

    tracker = make_tracker(
        "how do I change the font of the web widget", "report_problem", severity=severity_reading("S3")
    )
    events, dispatcher = run(ActionStartTicket(), tracker)

    assert events == [{"event": "followup", "name": "action_listen", "timestamp": None}]
    assert "https://docs.haptik.ai/" in texts(dispatcher)[0] and "I can file a ticket" in texts(dispatcher)[0]
    assert buttons(dispatcher)[0] == ("File a ticket", "/file_ticket")


def test_a_report_with_a_timing_question_answers_it_and_the_form_goes_on(make_tracker, run, monkeypatch):
    from actions.ticket import ActionStartTicket

    monkeypatch.setattr(actions.answers, "now", lambda: WEDNESDAY_10)
    tracker = make_tracker(
        "chats are not reaching any agent, when will someone respond?",
        "report_problem",
        severity=severity_reading("S0"),
    )
    events, dispatcher = run(ActionStartTicket(), tracker)

    assert texts(dispatcher)[0].startswith("From your description this looks like S0 (Blocker)")
    assert "filed now, that is by Wed 25 Nov, 11:00 IST" in texts(dispatcher)[0]
    assert texts(dispatcher)[1].startswith("Sorry to hear that. I'll file a ticket")
    assert {
        "event": "slot",
        "name": "description",
        "value": "chats are not reaching any agent, when will someone respond?",
        "timestamp": None,
    } in events
