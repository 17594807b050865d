"""validate_ticket_form: each answer is checked, refused with a reason, or kept verbatim."""

from __future__ import annotations

import pytest
from action_helpers import entity, severity_reading, slot_sets, texts

import actions.common
from actions.ticket import ActionFinishTicketForm, ValidateTicketForm

DRAFT = {
    "ticket_draft_id": "draft-1",
    "requester_name": "Priya Sharma",
    "requester_account": "Acme Retail",
}
SEVERITY_CONTEXT = {
    **DRAFT,
    "description": "the analytics report won't download",
    "bot_or_area": "analytics",
    "environment": "production",
    "since": "this morning",
    "impact": "some users",
    "requester_email": "priya@acme.example",
    "links": "none",
    "assessed_severity": "S1",
}
"""A draft answered up to the severity question; triage proposes S1 for it."""


def validate(make_tracker, run, slot, value, text=None, intent="inform", **kwargs):
    """The user answers the form's question for `slot`; returns the slots set and what was said."""
    kwargs.setdefault("slots", DRAFT)
    tracker = make_tracker(
        value if text is None else text, intent,
        in_form=True, requested_slot=slot, answering={slot: value}, **kwargs,
    )
    events, dispatcher = run(ValidateTicketForm(), tracker)
    assert all(event["event"] == "slot" for event in events)
    return slot_sets(events), dispatcher


# requester_email


def test_an_invalid_email_is_refused_with_a_reason_and_counted(make_tracker, run):
    slots, dispatcher = validate(make_tracker, run, "requester_email", "priya at acme")

    assert slots["requester_email"] is None
    assert slots["rejected_answers"] == {"requester_email": 1}
    assert "requested_slot" not in slots, "the form asks the same question again"
    assert texts(dispatcher) == [
        "That doesn't look like an email address. Please type it like name@company.com so support can reach you."
    ]


def test_refusals_are_counted_per_question(make_tracker, run):
    slots, _ = validate(
        make_tracker, run, "requester_email", "nope", slots={**DRAFT, "rejected_answers": {"environment": 2, "requester_email": 1}},
    )

    assert slots["rejected_answers"] == {"environment": 2, "requester_email": 2}


def test_the_third_refusal_gives_up_without_filing(make_tracker, run, said):
    slots, dispatcher = validate(
        make_tracker, run, "requester_email", "still not an email",
        slots={**SEVERITY_CONTEXT, "requester_email": None, "rejected_answers": {"requester_email": 2}},
    )

    assert "requested_slot" in slots and slots["requested_slot"] is None, "the form ends"
    assert slots["rejected_answers"] == {"requester_email": 3}
    assert len(dispatcher.messages) == 1
    assert "I haven't filed anything" in said(dispatcher)
    assert "support@haptik.ai" in said(dispatcher)
    assert "That doesn't look like an email" not in said(dispatcher)

    # The form is over, so the finishing action runs next: it files nothing and clears the draft.
    after_form = make_tracker("still not an email", "inform", slots={**SEVERITY_CONTEXT, **slots})
    events, finish = run(ActionFinishTicketForm(), after_form)
    assert actions.common.store().list() == []
    assert finish.messages == []
    assert all(value is None for value in slot_sets(events).values())


def test_giving_up_on_the_environment_files_it_as_unknown(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker, run, "environment", "blue", slots={**DRAFT, "rejected_answers": {"environment": 2}},
    )

    assert slots["environment"] == "unknown"
    assert "requested_slot" not in slots, "the form goes on"
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("my email is x@y.com", "x@y.com"),
        ("priya.sharma+support@acme-retail.co.in", "priya.sharma+support@acme-retail.co.in"),
        ("reach me at Ops@Acme.Example, thanks", "Ops@Acme.Example"),
    ],
)
def test_a_valid_email_is_taken_out_of_the_answer(make_tracker, run, text, email):
    slots, dispatcher = validate(make_tracker, run, "requester_email", text)

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


def test_gibberish_is_not_an_environment(make_tracker, run):
    slots, dispatcher = validate(make_tracker, run, "environment", "asdf qwerty")

    assert slots["environment"] is None
    assert slots["rejected_answers"] == {"environment": 1}
    assert texts(dispatcher) == ["Please choose production (live) or staging, or say you're not sure."]


# links


@pytest.mark.parametrize(("text", "intent"), [("no", "deny"), ("/deny", "deny"), ("nothing to add, thanks", "inform")])
def test_saying_no_to_links_records_none(make_tracker, run, text, intent):
    slots, dispatcher = validate(make_tracker, run, "links", text, intent=intent)

    assert slots["links"] == "none"
    assert dispatcher.messages == []


def test_links_are_kept_as_given(make_tracker, run):
    answer = "https://acme.example/chat/123 and conversation id 98765"
    slots, _ = validate(make_tracker, run, "links", answer)

    assert slots["links"] == answer


# severity


def test_affirming_the_proposal_keeps_the_proposed_level(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker, run, "severity", "yes that's right", intent="affirm", slots=SEVERITY_CONTEXT,
    )

    assert slots["severity"] == "S1"
    assert slots["severity_set_by_user"] is False
    assert dispatcher.messages == []


def test_a_severity_button_for_another_level_is_the_users_choice(make_tracker, run):
    # Rasa fills both the form's severity and the global user_severity from the entity.
    tracker = make_tracker(
        '/inform{"severity": "S2"}', "inform", entities=[entity("severity", "S2")],
        slots=SEVERITY_CONTEXT, in_form=True, requested_slot="severity",
        answering={"user_severity": "S2", "severity": "S2"},
    )

    events, dispatcher = run(ValidateTicketForm(), tracker)

    slots = slot_sets(events)
    assert slots["severity"] == "S2"
    assert slots["severity_set_by_user"] is True
    assert dispatcher.messages == []


def test_choosing_the_proposed_level_is_not_an_override(make_tracker, run):
    slots, _ = validate(
        make_tracker, run, "severity", "S1", text="S1 is fine", entities=[entity("severity", "S1")], slots=SEVERITY_CONTEXT,
    )

    assert (slots["severity"], slots["severity_set_by_user"]) == ("S1", False)


def test_an_answer_without_a_level_is_refused(make_tracker, run):
    slots, dispatcher = validate(make_tracker, run, "severity", "hmm, not sure", slots=SEVERITY_CONTEXT)

    assert slots["severity"] is None
    assert slots["rejected_answers"] == {"severity": 1}
    assert "pick one of the buttons" in texts(dispatcher)[0]


def test_the_users_own_severity_wins_over_any_answer(make_tracker, run):
    slots, _ = validate(
        make_tracker, run, "bot_or_area", "the sales bot", slots={**SEVERITY_CONTEXT, "user_severity": "S0", "severity": None},
    )

    assert slots["bot_or_area"] == "the sales bot"
    assert slots["severity"] == "S0"
    assert slots["severity_set_by_user"] is True


def test_the_users_own_severity_overrides_an_affirmed_proposal(make_tracker, run):
    slots, _ = validate(
        make_tracker, run, "severity", "yes", intent="affirm", slots={**SEVERITY_CONTEXT, "user_severity": "S3"},
    )

    assert (slots["severity"], slots["severity_set_by_user"]) == ("S3", True)


# ticket_confirmed


def test_affirming_the_summary_confirms(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker, run, "ticket_confirmed", "yes, file it", intent="affirm", slots={**SEVERITY_CONTEXT, "severity": "S1"},
    )

    assert slots["ticket_confirmed"] == "yes"
    assert dispatcher.messages == []


def test_changing_a_detail_at_the_summary_asks_it_again(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker, run, "ticket_confirmed", '/change_details{"detail": "environment"}', intent="change_details",
        entities=[entity("detail", "environment")], slots={**SEVERITY_CONTEXT, "severity": "S1"},
    )

    assert slots["ticket_confirmed"] is None
    assert slots["environment"] is None
    assert "description" not in slots and "severity" not in slots
    assert dispatcher.messages == []


def test_changing_the_severity_at_the_summary_forgets_the_users_level_too(make_tracker, run):
    slots, _ = validate(
        make_tracker, run, "ticket_confirmed", '/change_details{"detail": "severity"}', intent="change_details",
        entities=[entity("detail", "severity")],
        slots={**SEVERITY_CONTEXT, "severity": "S0", "user_severity": "S0", "severity_set_by_user": True},
    )

    assert slots["ticket_confirmed"] is None
    assert (slots["severity"], slots["user_severity"], slots["severity_set_by_user"]) == (None, None, None)


def test_saying_no_at_the_summary_changes_nothing_yet(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker, run, "ticket_confirmed", "no", intent="deny", slots={**SEVERITY_CONTEXT, "severity": "S1"},
    )

    assert slots == {"ticket_confirmed": None}
    assert dispatcher.messages == []


def test_an_unclear_confirmation_is_refused(make_tracker, run):
    slots, dispatcher = validate(
        make_tracker, run, "ticket_confirmed", "what?", intent="inform", slots={**SEVERITY_CONTEXT, "severity": "S1"},
    )

    assert slots["ticket_confirmed"] is None
    assert texts(dispatcher) == ["Shall I file it? Say yes, or choose to change something or cancel."]


# description and free text


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
        make_tracker, run, "description", "broken on prod since 9am",
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


@pytest.mark.parametrize("slot", ["bot_or_area", "since", "impact"])
def test_free_text_answers_are_kept_and_empty_ones_refused(make_tracker, run, slot):
    kept, _ = validate(make_tracker, run, slot, "<b>Acme</b> — عربي 😡")
    refused, dispatcher = validate(make_tracker, run, slot, "   ")

    assert kept[slot] == "<b>Acme</b> — عربي 😡"
    assert refused[slot] is None and refused["rejected_answers"] == {slot: 1}
    assert len(dispatcher.messages) == 1
