"""validate_ticket_form: each message is read as a whole before it answers the question
asked; answers that do not answer are refused once with a reason, then left out; the
next question is the one helpdesk.form_questions picks."""

from __future__ import annotations

import pytest
from action_helpers import entity, severity_reading, slot_sets, texts

from actions.ticket import ValidateTicketForm

DRAFT = {
    "ticket_draft_id": "draft-1",
    "requester_name": "Priya Sharma",
    "requester_account": "Acme Retail",
}
AT_CONFIRMATION = {
    **DRAFT,
    "description": "the analytics report won't download",
    "bot_or_area": "analytics",
    "environment": "production",
    "impact": "some users",
    "requester_email": "priya@acme.example",
    "assessed_severity": "S1",
}
"""A draft with everything that matters known: the form shows the summary."""


def validate(make_tracker, run, slot, value, text=None, intent="inform", **kwargs):
    """The user answers the form's question for `slot`; returns the slots set and what was said."""
    kwargs.setdefault("slots", DRAFT)
    tracker = make_tracker(
        value if text is None else text,
        intent,
        in_form=True,
        requested_slot=slot,
        answering={slot: value},
        **kwargs,
    )
    events, dispatcher = run(ValidateTicketForm(), tracker)
    assert all(event["event"] == "slot" for event in events)
    return slot_sets(events), dispatcher


# requester_email


def test_an_invalid_email_is_refused_with_a_reason_and_counted(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker, run, "requester_email", "priya at acme", slots={**AT_CONFIRMATION, "requester_email": None}
    )

    assert slots["requester_email"] is None
    assert slots["rejected_answers"] == {"requester_email": 1}
    assert slots["requested_slot"] == "requester_email", "the form asks the same question again"
    assert texts(dispatcher) == [
        "That doesn't look like an email address. Please type it like name@company.com so support can reach you."
    ]


def test_the_second_refusal_moves_on_without_the_email(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker,
        run,
        "requester_email",
        "still not an email",
        slots={**AT_CONFIRMATION, "requester_email": None, "rejected_answers": {"requester_email": 1}},
    )

    assert slots["rejected_answers"] == {"requester_email": 2}
    assert slots["requested_slot"] == "ticket_confirmed", "the draft goes on to the confirmation"
    assert texts(dispatcher) == ["I'll go on without an email address; keep the ticket reference to follow it up."]


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("my email is x@y.com", "x@y.com"),
        ("priya.sharma+support@acme-retail.co.in", "priya.sharma+support@acme-retail.co.in"),
        ("reach me at Ops@Acme.Example, thanks", "Ops@Acme.Example"),
    ],
)
def test_a_valid_email_is_taken_out_of_the_answer(make_tracker, run, text, email):
    slots, dispatcher = validate(
        make_tracker, run, "requester_email", text, slots={**AT_CONFIRMATION, "requester_email": None}
    )

    assert slots["requester_email"] == email
    assert dispatcher.messages == []
    assert "rejected_answers" not in slots


# environment


@pytest.mark.parametrize(
    ("answer", "environment"),
    [
        ("prod", "production"),
        ("production", "production"),
        ("Production", "production"),
        ("it's on staging", "staging"),
        ("staging", "staging"),
        ("on the live site", "production"),
        ("not sure", "unknown"),
        ("I don't know", "unknown"),
        ("unknown", "unknown"),
    ],
)
def test_environment_answers(make_tracker, run, answer, environment):
    slots, dispatcher = validate(make_tracker, run, "environment", answer)

    assert slots["environment"] == environment
    assert dispatcher.messages == []


def test_an_environment_button_is_read_from_its_entity(make_tracker, run):
    slots, _ = validate(
        make_tracker,
        run,
        "environment",
        '/inform{"environment": "staging"}',
        entities=[entity("environment", "staging")],
    )

    assert slots["environment"] == "staging"


def test_gibberish_is_not_an_environment(make_tracker, run):
    slots, dispatcher = validate(make_tracker, run, "environment", "asdf qwerty")

    assert slots["environment"] is None
    assert slots["rejected_answers"] == {"environment": 1}
    assert texts(dispatcher) == ["Please choose production (live) or staging, or say you're not sure."]


def test_giving_up_on_the_environment_files_it_as_unknown(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker, run, "environment", "blue", slots={**DRAFT, "rejected_answers": {"environment": 1}}
    )

    assert slots["environment"] == "unknown"
    assert dispatcher.messages == []


def test_another_detail_instead_of_the_environment_is_kept_and_the_question_asked_again(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker, run, "environment", "the bot is called OrderPal", slots={**AT_CONFIRMATION, "environment": None}
    )

    assert (slots["bot_or_area"], slots["environment"]) == ("OrderPal", None)
    assert slots["requested_slot"] == "environment"
    assert "rejected_answers" not in slots
    assert texts(dispatcher) == ["Updated: Bot or area: OrderPal."]


def test_words_about_the_problem_instead_of_the_environment_join_the_description(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker,
        run,
        "environment",
        "we deployed a new flow an hour before",
        slots={**AT_CONFIRMATION, "environment": None},
    )

    assert slots["description"] == "the analytics report won't download\n\nAdded: we deployed a new flow an hour before"
    assert (slots["environment"], slots["rejected_answers"]) == (None, {"environment": 1})
    assert texts(dispatcher) == [
        "Added to the description.",
        "Please choose production (live) or staging, or say you're not sure.",
    ]


# impact


@pytest.mark.parametrize(
    ("text", "impact"),
    [
        ("all users", "all users"),
        ("only our qa team", "only our qa team"),
        ("our ops team can't get the weekly numbers", "our ops team can't get the weekly numbers"),
    ],
)
def test_who_is_affected_is_read_or_kept_as_said(make_tracker, run, text, impact):
    slots, dispatcher = validate(make_tracker, run, "impact", text, slots={**AT_CONFIRMATION, "impact": None})

    assert slots["impact"] == impact
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "intent"), [("yes", "affirm"), ("no", "deny"), ("/affirm", "affirm"), ("   ", "inform")]
)
def test_an_answer_that_says_nobody_in_particular_is_not_an_impact(make_tracker, run, text, intent):
    slots, dispatcher = validate(
        make_tracker, run, "impact", text, intent=intent, slots={**AT_CONFIRMATION, "impact": None}
    )

    assert slots["impact"] is None
    assert slots["rejected_answers"] == {"impact": 1}
    assert texts(dispatcher) == [
        'Does it stop every conversation, or is one part not working? For example "no customer gets a reply" '
        'or "only the order status flow fails".'
    ]


# description


@pytest.mark.parametrize("text", ["", "  ", "hm", "?!", "😡😡😡"])
def test_a_description_too_short_is_refused(make_tracker, run, text):
    slots, dispatcher = validate(make_tracker, run, "description", text)

    assert slots["description"] is None
    assert slots["rejected_answers"] == {"description": 1}
    assert texts(dispatcher)[0].startswith("Could you describe the problem in a few words?")


def test_a_description_prefills_the_details_it_answers(make_tracker, run):
    text = "the sales bot is down on prod since 9am, all customers affected"
    slots, _ = validate(make_tracker, run, "description", text, severity=severity_reading("S0"))

    assert slots["description"] == text
    assert slots["assessed_severity"] == "S0"
    assert (slots["environment"], slots["since"], slots["impact"]) == ("production", "since 9am", "all customers")
    assert slots["bot_or_area"] == "the sales bot"


def test_a_description_does_not_overwrite_answers_already_given(make_tracker, run):
    slots, _ = validate(
        make_tracker,
        run,
        "description",
        "broken on prod since 9am",
        slots={**DRAFT, "environment": "staging", "since": "yesterday"},
    )

    assert "environment" not in slots and "since" not in slots


UNUSUAL_DESCRIPTIONS = {
    "20 kB": " ".join(f"step {i}: the bot replied after 25 seconds instead of 2." for i in range(400))[:20_000].strip(),
    "emoji": "bot replies 😡😡 and the 👩\u200d💻 team is stuck 🇮🇳",
    "arabic": "البوت لا يرد على العملاء منذ الصباح",
    "hebrew": "הבוט לא עונה ללקוחות",
    "script": "<script>alert(1)</script>",
    "sql": "'; DROP TABLE tickets;--",
}


@pytest.mark.parametrize("text", UNUSUAL_DESCRIPTIONS.values(), ids=UNUSUAL_DESCRIPTIONS.keys())
def test_unusual_descriptions_are_kept_verbatim(make_tracker, run, text):
    slots, dispatcher = validate(make_tracker, run, "description", text)

    assert slots["description"] == text
    assert dispatcher.messages == []
    assert "rejected_answers" not in slots


# ticket_confirmed: the one confirmation


def confirm(make_tracker, run, text, intent="inform", **kwargs):
    kwargs.setdefault("slots", AT_CONFIRMATION)
    return validate(make_tracker, run, "ticket_confirmed", text, intent=intent, **kwargs)


@pytest.mark.parametrize(
    ("text", "intent"), [("/affirm", "affirm"), ("yes, file it", "affirm"), ("file it", "file_ticket")]
)
def test_file_it_confirms_and_ends_the_form(make_tracker, run, text, intent):
    slots, dispatcher = confirm(make_tracker, run, text, intent)

    assert slots["ticket_confirmed"] == "yes"
    assert slots["requested_slot"] is None
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("it's staging actually", "environment", "staging"),
        ("sorry, correction: it's on staging, not production", "environment", "staging"),
        ("it started 3 days ago, not yesterday", "since", "it started 3 days ago"),
        ("the bot is called InitechHelpBot, fix that", "bot_or_area", "InitechHelpBot"),
        ("all our customers are hit actually", "impact", "all our customers"),
    ],
)
def test_a_typed_correction_updates_the_draft_and_shows_the_summary_again(make_tracker, run, text, slot, value):
    slots, dispatcher = confirm(make_tracker, run, text, "change_details")

    assert slots[slot] == value
    assert slots["ticket_confirmed"] is None and slots["requested_slot"] == "ticket_confirmed"
    assert texts(dispatcher)[0].startswith("Updated: ")


def test_a_pasted_link_joins_the_links(make_tracker, run):
    slots, _ = confirm(
        make_tracker, run, "https://acme.example/c/2", slots={**AT_CONFIRMATION, "links": "https://acme.example/c/1"}
    )

    assert slots["links"] == "https://acme.example/c/1, https://acme.example/c/2"


def test_a_stated_level_becomes_the_users_level(make_tracker, run):
    slots, dispatcher = confirm(
        make_tracker, run, "make it a P1", "escalate", entities=[entity("severity", "S1", "P1")]
    )

    assert slots["user_severity"] == "S1"
    assert texts(dispatcher) == ["Updated: Severity: S1 (High)."]


def test_change_severity_shows_the_levels_then_takes_one(make_tracker, run):
    asked, _ = confirm(
        make_tracker,
        run,
        '/change_details{"detail": "severity"}',
        "change_details",
        entities=[entity("detail", "severity")],
    )
    assert asked["confirm_step"] == "severity" and asked["requested_slot"] == "ticket_confirmed"

    chosen, _ = confirm(
        make_tracker,
        run,
        '/inform{"severity": "S3"}',
        entities=[entity("severity", "S3")],
        slots={**AT_CONFIRMATION, "confirm_step": "severity"},
    )
    assert (chosen["user_severity"], chosen["confirm_step"]) == ("S3", None)


def test_add_details_asks_one_open_question_read_as_a_whole(make_tracker, run):
    asked, _ = confirm(make_tracker, run, "/add_details", "add_details")
    assert asked["confirm_step"] == "details"

    text = "since 10am, conversation id 4417, agents also see a blank screen"
    slots, dispatcher = confirm(make_tracker, run, text, slots={**AT_CONFIRMATION, "confirm_step": "details"})
    assert (slots["since"], slots["links"]) == ("since 10am", "conversation id 4417")
    assert slots["description"] == f"the analytics report won't download\n\nAdded: {text}"
    assert slots["confirm_step"] is None
    assert texts(dispatcher) == [
        "Updated: Since: since 10am; Links: conversation id 4417.",
        "Added to the description.",
    ]


@pytest.mark.parametrize(("text", "intent"), [("/deny", "deny"), ("nothing to add", "inform")])
def test_nothing_to_add_goes_back_to_the_summary(make_tracker, run, text, intent):
    slots, dispatcher = confirm(make_tracker, run, text, intent, slots={**AT_CONFIRMATION, "confirm_step": "details"})

    assert slots == {"ticket_confirmed": None, "confirm_step": None, "requested_slot": "ticket_confirmed"}
    assert dispatcher.messages == []


def test_a_no_at_the_summary_asks_what_to_change(make_tracker, run):
    slots, dispatcher = confirm(make_tracker, run, "no", "deny")

    assert slots["confirm_step"] == "details" and slots["ticket_confirmed"] is None
    assert dispatcher.messages == []


def test_more_words_about_the_problem_join_the_description(make_tracker, run):
    slots, dispatcher = confirm(make_tracker, run, "the export button is greyed out too", "report_problem")

    assert slots["description"].endswith("\n\nAdded: the export button is greyed out too")
    assert texts(dispatcher) == ["Added to the description."]


def test_an_unclear_answer_keeps_the_draft_however_often_it_comes(make_tracker, run):
    first, dispatcher = confirm(make_tracker, run, "hmm", "nlu_fallback")
    assert first["ticket_confirmed"] is None and first["requested_slot"] == "ticket_confirmed"
    assert texts(dispatcher)[0].startswith("Sorry, I didn't catch that. Your draft is kept")

    later, dispatcher = confirm(
        make_tracker, run, "hmm", "nlu_fallback", slots={**AT_CONFIRMATION, "rejected_answers": {"ticket_confirmed": 5}}
    )
    assert later["requested_slot"] == "ticket_confirmed"
    assert "description" not in later
    assert "your draft is kept" in texts(dispatcher)[0]


# the next question


def test_after_the_environment_the_impact_is_asked_only_when_the_level_hinges_on_it(make_tracker, run, monkeypatch):
    s1, _ = validate(
        make_tracker, run, "environment", "production", slots={**AT_CONFIRMATION, "environment": None, "impact": None}
    )
    monkeypatch.setattr("helpdesk.form_questions.impact_hinges", lambda *args: True)
    hinging, _ = validate(
        make_tracker, run, "environment", "production", slots={**AT_CONFIRMATION, "environment": None, "impact": None}
    )

    assert s1["requested_slot"] == "ticket_confirmed", "a user count alone never moves the level"
    assert hinging["requested_slot"] == "impact"


def test_back_from_a_question_nothing_is_read_and_the_question_asked_again(make_tracker, run, domain):
    tracker = make_tracker(
        "what are your hours?",
        "ask_business_hours",
        slots={**AT_CONFIRMATION, "environment": None},
        in_form=True,
        requested_slot="environment",
    )
    events, dispatcher = run(ValidateTicketForm(), tracker)

    assert slot_sets(events) == {"requested_slot": "environment"}
    assert dispatcher.messages == []


def test_a_question_this_form_no_longer_asks_is_skipped(make_tracker, run):
    slots, _ = validate(make_tracker, run, "links", "no", intent="deny", slots=AT_CONFIRMATION)

    assert slots == {"requested_slot": "ticket_confirmed"}
