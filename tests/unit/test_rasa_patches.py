"""The Rasa server's speed-ups against Rasa's own code: same verdicts, same errors, same
events, same rows, same trackers (servers/rasa_patches.py, servers/tracker_store.py)."""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from servers import rasa_patches
from servers.tracker_store import SESSION_START_INDEX, HelpdeskTrackerStore, _newer
from tests.conftest import ROOT

USER = {
    "event": "user",
    "timestamp": 1700000001.5,
    "text": "our bot is down on production",
    "parse_data": {
        "intent": {"name": "report_problem", "confidence": 0.93},
        "entities": [{"entity": "environment", "value": "production", "start": 19, "end": 29}],
        "text": "our bot is down on production",
        "severity": {"name": "S0", "confidence": 0.9},
    },
    "input_channel": "rest",
    "message_id": "m1",
    "metadata": {"user": {"email": "priya@acme.com"}},
}
CONVERSATION = [
    {"event": "action", "timestamp": 1700000000.0, "name": "action_session_start", "policy": None, "confidence": 1.0},
    {"event": "session_started", "timestamp": 1700000000.1},
    {"event": "action", "timestamp": 1700000000.2, "name": "action_listen", "policy": None, "confidence": None},
    USER,
    {"event": "user_featurization", "timestamp": 1700000001.6, "use_text_for_featurization": False},
    {"event": "action", "timestamp": 1700000001.7, "name": "ticket_form", "policy": "RulePolicy", "confidence": 1.0},
    {"event": "active_loop", "timestamp": 1700000001.8, "name": "ticket_form"},
    {"event": "slot", "timestamp": 1700000001.9, "name": "environment", "value": "production"},
    {"event": "slot", "timestamp": 1700000001.9, "name": "requested_slot", "value": "since"},
    {
        "event": "bot",
        "timestamp": 1700000002.0,
        "text": "Since when has this been happening?",
        "data": {"buttons": [{"title": "Just now", "payload": "just now"}]},
        "metadata": {"utter_action": "utter_ask_since"},
    },
    {"event": "action", "timestamp": 1700000002.1, "name": "action_listen", "policy": "RulePolicy", "confidence": 1.0},
    {**USER, "timestamp": 1700000003.0, "text": "since 10am", "message_id": "m2"},
    {"event": "slot", "timestamp": 1700000003.2, "name": "since", "value": "since 10am"},
    {"event": "active_loop", "timestamp": 1700000003.3, "name": None},
    {"event": "followup", "timestamp": 1700000003.4, "name": "action_finish_ticket_form"},
    {"event": "reset_slots", "timestamp": 1700000003.5},
    {"event": "restart", "timestamp": 1700000003.6},
    {"event": "rewind", "timestamp": 1700000003.7},
    {"event": "undo", "timestamp": 1700000003.8},
    {"event": "pause", "timestamp": 1700000003.9},
    {"event": "resume", "timestamp": 1700000004.0},
    {
        "event": "reminder",
        "timestamp": 1700000004.1,
        "intent": "remind",
        "date_time": "2026-11-25T10:00:00",
        "name": "r1",
        "kill_on_user_msg": True,
        "entities": None,
    },
    {"event": "cancel_reminder", "timestamp": 1700000004.2, "name": "r1", "intent": None, "entities": None},
    {"event": "export", "timestamp": 1700000004.3},
    {"event": "loop_interrupted", "timestamp": 1700000004.4, "is_interrupted": True},
    {
        "event": "action_execution_rejected",
        "timestamp": 1700000004.5,
        "name": "ticket_form",
        "policy": None,
        "confidence": None,
    },
    {"event": "entities", "timestamp": 1700000004.6, "entities": [{"entity": "severity", "value": "S1"}]},
    {"event": "agent", "timestamp": 1700000004.7, "text": "looked at it"},
    {"event": "action", "timestamp": 1700000004.9, "name": "action_listen", "policy": None, "confidence": None},
]
"""A stored conversation with one event of every kind Rasa 3.6 stores (21)."""

GOOD_RESPONSES = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "since", "value": "10am", "timestamp": None}],
        "responses": [{"text": "Noted.", "buttons": [{"title": "Yes", "payload": "/affirm"}]}],
    },
    {"events": [copy.deepcopy(event) for event in CONVERSATION]},
    {"responses": [{"template": "utter_ask_since"}]},
    {},
    # odd, but within Rasa's schema, which leaves these fields untyped
    {"events": [{"event": "bot", "text": "hi"}, {"event": "active_loop", "name": 3}]},
    {"events": [{"event": "followup"}]},
    {"events": [{"event": "reminder", "intent": "remind", "date_time": 5}]},
]
BAD_RESPONSES = [
    {"events": "slot"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"name": "since", "value": "10am"}]},
    {"events": [{"event": "slot", "value": "10am"}]},
    {"events": [{"event": "slot", "name": 7, "value": "10am"}]},
    {"events": [{"event": "slot", "name": "since", "value": "x", "timestamp": "yesterday"}]},
    {"events": [{"event": "user", "text": 5}]},
    {"events": [{"event": "action", "name": "action_listen"}, "not an event"]},
    {"events": [], "responses": "hello"},
    {"events": [*copy.deepcopy(CONVERSATION), {"event": "stack", "update": "[]"}]},  # not in Rasa 3.6
]


def verdict(validate: Any, response: dict) -> tuple[Any, ...]:
    """What Rasa makes of an action server response: passed, or the error it raises."""
    try:
        return ("passed", validate(RemoteAction("action_test", None), copy.deepcopy(response)))
    except ValidationError as error:
        return ("refused", error.message, tuple(error.path), tuple(error.schema_path), error.validator)


@pytest.mark.parametrize("response", GOOD_RESPONSES + BAD_RESPONSES)
def test_an_action_server_response_gets_rasas_verdict_and_error(response):
    stock = verdict(rasa_patches.stock_validate_action_result, response)
    assert verdict(rasa_patches.validate_action_result, response) == stock


def test_the_canned_responses_cover_both_verdicts():
    outcomes = [verdict(rasa_patches.stock_validate_action_result, response)[0] for response in GOOD_RESPONSES]
    assert set(outcomes) == {"passed"}
    outcomes = [verdict(rasa_patches.stock_validate_action_result, response)[0] for response in BAD_RESPONSES]
    assert set(outcomes) == {"refused"}


def events_read(monkeypatch: pytest.MonkeyPatch, resolve: Any) -> list[Any]:
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(resolve))
    return [Event.from_parameters(copy.deepcopy(stored)) for stored in CONVERSATION]


def test_a_stored_conversation_reads_back_as_the_same_events(monkeypatch):
    stock = events_read(monkeypatch, rasa_patches.stock_resolve_by_type)
    assert events_read(monkeypatch, rasa_patches.resolve_by_type) == stock
    assert len({type(event) for event in stock}) == 21  # every kind Rasa 3.6 stores


def test_unknown_event_names_meet_rasas_own_answer():
    for name, default in (("topic", None), ("no_such_event", Event), ("no_such_event", None)):
        try:
            stock: Any = rasa_patches.stock_resolve_by_type(name, default)
        except ValueError as error:
            stock = str(error)
        try:
            ours: Any = rasa_patches.resolve_by_type(name, default)
        except ValueError as error:
            ours = str(error)
        assert ours == stock


def test_another_rasa_version_runs_rasas_own_code_with_one_warning(monkeypatch, caplog):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasa_patches.stock_validate_action_result)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(rasa_patches.stock_resolve_by_type))
    with caplog.at_level(logging.WARNING, logger=rasa_patches.__name__):
        assert rasa_patches.apply("3.7.0") is False
    assert RemoteAction._validate_action_result is rasa_patches.stock_validate_action_result
    assert Event.resolve_by_type is rasa_patches.stock_resolve_by_type
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "Rasa 3.7.0" in caplog.text and "3.6.21" in caplog.text


def test_the_checked_rasa_version_gets_the_speed_ups(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasa_patches.stock_validate_action_result)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(rasa_patches.stock_resolve_by_type))
    assert rasa_patches.apply("3.6.21") is True
    assert RemoteAction._validate_action_result is rasa_patches.validate_action_result
    assert Event.resolve_by_type is rasa_patches.resolve_by_type


# --- the tracker store -------------------------------------------------------------------


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


def conversation_in_two_sessions() -> list[dict]:
    """The conversation, then a new session an hour later with one exchange of its own."""
    later = [
        {
            "event": "action",
            "timestamp": 1700003600.0,
            "name": "action_session_start",
            "policy": None,
            "confidence": 1.0,
        },
        {"event": "session_started", "timestamp": 1700003600.1},
        {"event": "slot", "timestamp": 1700003600.2, "name": "environment", "value": "production"},
        {"event": "action", "timestamp": 1700003600.3, "name": "action_listen", "policy": None, "confidence": None},
        {**USER, "timestamp": 1700003601.0, "text": "any update?", "message_id": "m3"},
    ]
    return [copy.deepcopy(event) for event in CONVERSATION] + later


def store_and_read(store: SQLTrackerStore, domain: Domain, sender: str) -> dict[str, Any]:
    """Stores the conversation turn by turn as Rasa's processor does (read the tracker, add
    the turn's events, save it) and reads it back both ways."""
    events = conversation_in_two_sessions()
    turns = (0, 4, 12, len(CONVERSATION), len(events) - 1, len(events))

    async def run() -> dict[str, Any]:
        for start, end in itertools.pairwise(turns):
            tracker = await store.retrieve(sender) or DialogueStateTracker(sender, domain.slots)
            for event in events[start:end]:
                tracker.update(Event.from_parameters(event))
            await store.save(tracker)
        latest, full = await store.retrieve(sender), await store.retrieve_full_tracker(sender)
        return {
            "latest": latest.current_state(EventVerbosity.ALL),
            "full": full.current_state(EventVerbosity.ALL),
            "missing": await store.retrieve("nobody"),
        }

    read = asyncio.run(run())
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id")
        ).all()
    return {**read, "rows": [tuple(row) for row in rows]}


def test_our_tracker_store_stores_and_reads_what_rasas_does_on_sqlite(tmp_path: Path, domain):
    stock = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "stock.db"))
    ours = HelpdeskTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "ours.db"))

    expected = store_and_read(stock, domain, "conversation-1")
    assert store_and_read(ours, domain, "conversation-1") == expected
    assert len(expected["rows"]) == len(conversation_in_two_sessions())
    assert expected["latest"]["events"][0]["event"] == "session_started"  # the latest session only
    assert len(expected["latest"]["events"]) == 4 and expected["missing"] is None


def test_our_tracker_store_adds_the_session_start_index_once(tmp_path: Path, domain):
    database = tmp_path / "tracker.db"
    HelpdeskTrackerStore(domain, dialect="sqlite", db=str(database))
    again = HelpdeskTrackerStore(domain, dialect="sqlite", db=str(database))
    indexes = {index["name"]: index["column_names"] for index in sa.inspect(again.engine).get_indexes("events")}
    assert indexes[SESSION_START_INDEX] == ["sender_id", "type_name", "timestamp"]
    assert indexes["ix_events_sender_id"] == ["sender_id"]


def test_the_redis_copy_is_read_only_where_it_continues_what_the_database_holds():
    session = [
        {"event": "session_started", "timestamp": 1.0},
        {"event": "action", "timestamp": 2.0},
        {"event": "user", "timestamp": 3.0},
    ]
    outage_turn = [{"event": "action", "timestamp": 4.0}, {"event": "bot", "timestamp": 5.0}]
    session_start = [{"event": "action", "timestamp": 0.5}]  # before session_started: not in the database's read

    assert _newer(session, None) == session
    assert _newer(session, session_start + session) == session
    assert _newer(session, session_start + session + outage_turn) == session + outage_turn
    assert _newer([], session) == session
    assert _newer(session + outage_turn, session) == session + outage_turn  # a stale copy
    assert _newer(session, [{"event": "user", "timestamp": 9.0}, *outage_turn]) == session  # another history


def long_session(domain: Domain, sender: str, turns: int, loop: str | None = None) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(SlotSet("environment", "staging"))
    tracker.update(SlotSet("environment", "production"))
    if loop:
        tracker.update(ActiveLoop(loop))
    for number in range(turns):
        tracker.update(UserUttered(f"question {number}"))
        tracker.update(BotUttered(f"answer {number}"))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def test_a_session_grown_past_its_bound_restarts_after_a_quiet_turn_keeping_the_slots(tmp_path: Path, domain):
    store = HelpdeskTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"), max_session_events=20)
    asyncio.run(store.save(long_session(domain, "long", turns=10)))

    read = asyncio.run(store.retrieve("long"))
    assert [event.type_name for event in read.events] == ["session_started", "slot", "action"]
    assert read.get_slot("environment") == "production"
    assert len(asyncio.run(store.retrieve_full_tracker("long")).events) == 2 + 30 + 4  # nothing lost


def test_a_session_is_not_cut_in_the_middle_of_a_form_or_below_its_bound(tmp_path: Path, domain):
    store = HelpdeskTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"), max_session_events=20)
    asyncio.run(store.save(long_session(domain, "in-form", turns=10, loop="ticket_form")))
    asyncio.run(store.save(long_session(domain, "short", turns=5)))

    assert len(asyncio.run(store.retrieve("in-form")).events) == 33
    assert len(asyncio.run(store.retrieve("short")).events) == 17
