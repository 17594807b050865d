"""General conversation: the menu, out-of-scope requests and both fallback stages."""

from __future__ import annotations

from action_helpers import buttons, texts
from rasa_sdk.events import FollowupAction, UserUtteranceReverted

from actions.general import ActionAskWhichTopic, ActionGiveUp, ActionGreet, ActionOutOfScope

SUPPORT_EMAIL = "support@haptik.ai"
MENU = [
    ("File a ticket", "/file_ticket"),
    ("Response times", "/ask_response_times_all"),
    ("My tickets", "/my_tickets"),
    ("Contact support", "/ask_contact"),
    ("Documentation", "/ask_docs"),
]


def test_greet_introduces_the_assistant_with_the_menu(make_tracker, run):
    events, dispatcher = run(ActionGreet(), make_tracker("hi", "greet"))

    assert events == []
    assert len(dispatcher.messages) == 1
    assert "Help assistant" in texts(dispatcher)[0]
    assert buttons(dispatcher) == MENU


def test_out_of_scope_names_the_support_email_and_offers_the_menu(make_tracker, run):
    events, dispatcher = run(ActionOutOfScope(), make_tracker("what's the weather in Mumbai?", "out_of_scope"))

    assert events == []
    assert SUPPORT_EMAIL in texts(dispatcher)[0]
    assert "outside what I can help with" in texts(dispatcher)[0]
    assert buttons(dispatcher) == MENU


def test_ask_affirmation_offers_the_two_likeliest_topics_and_something_else(make_tracker, run):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.7},
        {"name": "ask_open_now", "confidence": 0.41},
        {"name": "inform", "confidence": 0.2},  # not a topic a button can offer
        {"name": "ask_business_hours", "confidence": 0.19},
        {"name": "ask_docs", "confidence": 0.1},
    ]
    tracker = make_tracker("are u guys around", "nlu_fallback", confidence=0.7, intent_ranking=ranking)

    events, dispatcher = run(ActionAskWhichTopic(), tracker)

    assert events == []
    assert texts(dispatcher) == ["I'm not sure I understood. Did you mean one of these?"]
    assert buttons(dispatcher) == [
        ("Is support open now?", "/ask_open_now"),
        ("Business hours", "/ask_business_hours"),
        ("Something else", "/out_of_scope"),
    ]


def test_ask_affirmation_without_a_known_topic_still_offers_a_way_out(make_tracker, run):
    tracker = make_tracker("zzz", "nlu_fallback", intent_ranking=[{"name": "nlu_fallback", "confidence": 0.3}])

    _, dispatcher = run(ActionAskWhichTopic(), tracker)

    assert buttons(dispatcher) == [("Something else", "/out_of_scope")]


def test_default_fallback_gives_menu_and_email_and_forgets_the_message(make_tracker, run):
    events, dispatcher = run(ActionGiveUp(), make_tracker("blorp", "nlu_fallback", confidence=0.2))

    assert events == [UserUtteranceReverted()]
    assert SUPPORT_EMAIL in texts(dispatcher)[0]
    assert buttons(dispatcher) == MENU


def test_yes_to_the_offer_to_file_a_rated_problem_starts_the_ticket(make_tracker, run):
    from actions.general import ActionAcknowledge

    tracker = make_tracker("yes", "affirm")
    tracker.events[-1:-1] = [
        {
            "event": "user",
            "text": "is a 20 second delay a blocker?",
            "parse_data": {"intent": {"name": "ask_severity_of_problem"}},
        }
    ]
    events, dispatcher = run(ActionAcknowledge(), tracker)

    assert events == [FollowupAction("action_start_ticket")]
    assert dispatcher.messages == []


def test_a_stray_yes_after_filing_names_the_filed_ticket(make_tracker, run):
    from actions.general import ActionAcknowledge

    events, dispatcher = run(ActionAcknowledge(), make_tracker("yes", "affirm", slots={"last_ticket_ref": "HLP-0042"}))

    assert events == []
    assert "HLP-0042 is already filed" in texts(dispatcher)[0]
