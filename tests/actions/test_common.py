"""What every action reads from the conversation: history as Rasa applied it."""

from __future__ import annotations

from actions.conversation import previous_user_event


def test_a_message_the_fallback_reverted_is_not_the_previous_one(make_tracker):
    tracker = make_tracker("yes", "affirm")
    latest = tracker.events.pop()
    tracker.events += [
        {"event": "user", "text": "our bot is down", "parse_data": {"intent": {"name": "report_problem"}}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "blorp", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "action", "name": "action_default_fallback"},
        {"event": "rewind"},
        {"event": "action", "name": "action_listen"},
        latest,
    ]

    assert previous_user_event(tracker)["text"] == "our bot is down"
