"""Fixtures for the custom actions, run against real rasa_sdk objects.

Every test here gets a throwaway SQLite ticket store (HELPDESK_DATABASE_URL points into
tmp_path, and the actions' wiring started on it as the action server starts it), the domain as
Rasa loads it from domain.yml, and builders for trackers shaped like the ones the Rasa
server sends to the action server.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from action_helpers import SIGNED_IN_USER, texts
from rasa.shared.core.domain import Domain
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from helpdesk.config import PROJECT_ROOT
from tests.action_wiring import restart_actions


@pytest.fixture(autouse=True)
def ticket_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh ticket database per test; the repo's own config and policy otherwise."""
    for variable in ("HELPDESK_CONFIG", "HELPDESK_POLICY_FILE", "HELPDESK_TIMEZONE", "HELPDESK_REFERENCE_PREFIX"):
        monkeypatch.delenv(variable, raising=False)
    url = f"sqlite:///{tmp_path}/t.db"
    monkeypatch.setenv("HELPDESK_DATABASE_URL", url)
    restart_actions()
    yield url


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    with warnings.catch_warnings():
        # Rasa 3.6 warns "Slot auto-fill has been removed" on every domain load.
        warnings.simplefilter("ignore", UserWarning)
        return Domain.load(str(PROJECT_ROOT / "domain.yml")).as_dict()


@pytest.fixture
def make_tracker(domain: dict[str, Any]) -> Callable[..., Tracker]:
    """A tracker as the Rasa server sends it after the user's latest message.

    `requested_slot` is the question the form had asked when the user sent the message
    (its SlotSet comes before the user event). `answering` is {slot: value} for the slot
    candidates Rasa extracted from the message (SlotSet events right after the user
    event, which is what `slots_to_validate` reads). `after` is {slot: value} set later
    in the turn, before the action runs (e.g. the form's next requested_slot). Both are
    applied to the slots too, as they are on the server.
    """

    def build(
        text: str = "",
        intent: str | None = "inform",
        *,
        confidence: float = 0.95,
        intent_ranking: list[dict[str, Any]] | None = None,
        entities: list[dict[str, Any]] | tuple = (),
        severity: dict[str, Any] | None = None,
        slots: dict[str, Any] | None = None,
        answering: dict[str, Any] | None = None,
        in_form: bool = False,
        requested_slot: str | None = None,
        after: dict[str, Any] | None = None,
        user: dict[str, Any] | None = SIGNED_IN_USER,
        sender_id: str = "conv-1",
    ) -> Tracker:
        latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": intent_ranking
            if intent_ranking is not None
            else [{"name": intent, "confidence": confidence}],
            "entities": list(entities),
            "severity": severity,
        }
        all_slots: dict[str, Any] = {name: None for name in domain["slots"]}
        all_slots["requested_slot"] = requested_slot
        all_slots.update(slots or {})
        all_slots.update(answering or {})
        all_slots.update(after or {})
        events: list[dict[str, Any]] = [
            {"event": "action", "name": "action_session_start"},
            {"event": "session_started"},
        ]
        if in_form:
            events += [
                {"event": "active_loop", "name": "ticket_form"},
                {"event": "slot", "name": "requested_slot", "value": requested_slot},
            ]
        events += [
            {"event": "action", "name": "action_listen"},
            {
                "event": "user",
                "text": text,
                "parse_data": latest_message,
                "input_channel": "rest",
                "metadata": {"user": dict(user)} if user else {},
            },
        ]
        events += [{"event": "slot", "name": name, "value": value} for name, value in (answering or {}).items()]
        if after:
            events.append({"event": "action", "name": "ticket_form"})
            events += [{"event": "slot", "name": name, "value": value} for name, value in after.items()]
        return Tracker(
            sender_id=sender_id,
            slots=all_slots,
            latest_message=latest_message,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={"name": "ticket_form"} if in_form else {},
            latest_action_name="action_listen",
        )

    return build


@pytest.fixture
def run(domain: dict[str, Any]) -> Callable[[Action, Tracker], tuple[list[dict[str, Any]], CollectingDispatcher]]:
    """Runs an action as the action server would: its events and what it said."""

    def run_action(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, domain))
        return events, dispatcher

    return run_action


@pytest.fixture
def said() -> Callable[[CollectingDispatcher], str]:
    """Everything the action said, as one text."""
    return lambda dispatcher: "\n".join(texts(dispatcher))
