"""Reading the conversation as Rasa applied it (a message the fallback reverted is gone),
and sending a composed reply: what every topic's actions do with a tracker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import policy
from helpdesk import levels as levels_reader
from helpdesk.answers import Reply
from helpdesk.metadata import FULL_TEXT_KEY
from helpdesk.vagueness import vague


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Sends a composed reply with its buttons."""
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons or None)


def metadata_values(tracker: Tracker, key: str) -> Iterator[Any]:
    """The values user messages' metadata gave `key`, newest first."""
    for event in reversed(tracker.applied_events()):
        metadata = event.get("metadata") if event.get("event") == "user" else None
        if isinstance(metadata, dict) and metadata.get(key):
            yield metadata[key]


def nlu_severity(tracker: Tracker) -> dict[str, Any] | None:
    """The severity components.severity read from the latest message, if any."""
    return severity_reading(tracker.latest_message)


def severity_reading(parse_data: dict[str, Any]) -> dict[str, Any] | None:
    """The severity components.severity read from one parsed message, if any.

    None for a message that names nothing that stopped ("the bot is broken"): a level read
    from it would be a guess, so the ticket form asks what decides it instead.
    """
    reading = parse_data.get("severity")
    if vague(full_text(parse_data)):
        return None
    return reading if isinstance(reading, dict) and reading.get("name") else None


def intent_of(event: dict[str, Any]) -> str | None:
    """The intent NLU gave one user message event."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def previous_user_event(tracker: Tracker) -> dict[str, Any] | None:
    """The user message before the latest one: what a "yes" may be agreeing to."""
    users = [event for event in tracker.applied_events() if event.get("event") == "user"]
    return users[-2] if len(users) >= 2 else None


def stated_level(tracker: Tracker) -> str | None:
    """The level the latest message states ("P0", "Priority: High", "not S1, S3"): a button's
    `severity` entity, or what helpdesk.levels reads in the typed text."""
    text = latest_text(tracker)
    if text.startswith("/"):
        levels = policy().severities
        values = [e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "severity"]
        return next((value for value in values if value in levels), None)
    return levels_reader.stated_level(text, policy())


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def full_text(message: dict[str, Any]) -> str:
    """A user message (its event or parse data) as typed: the channel gives NLU only the
    start of a long message and keeps the whole in metadata.full_text (channels/text.py)."""
    metadata = message.get("metadata")
    whole = metadata.get(FULL_TEXT_KEY) if isinstance(metadata, dict) else None
    return whole if isinstance(whole, str) else (message.get("text") or "")


def latest_full_text(tracker: Tracker) -> str:
    return full_text(tracker.latest_message)


def as_typed(value: Any, tracker: Tracker) -> str:
    """A slot value the form took from the latest message, whole: slot mappings see only
    the start of a long message, as NLU does."""
    text = str(value or "").strip()
    return latest_full_text(tracker).strip() if text == latest_text(tracker).strip() else text


def last_typed_message(tracker: Tracker) -> dict[str, Any] | None:
    """The user's last typed message (its event): a button click ("/intent") stands for an
    earlier one, e.g. the message a "did you mean ...?" button clarified."""
    for event in reversed(tracker.applied_events()):
        text = full_text(event).strip() if event.get("event") == "user" else ""
        if text and not text.startswith("/"):
            return event
    return None


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def reads_a_new_message(tracker: Tracker) -> bool:
    """The running form reads the user's latest message: nothing else answered it first
    (a question answered in the middle of the form leaves the form no message to read)."""
    passing = (tracker.active_loop.get("name"), "action_extract_slots", "action_listen")
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "bot" or (kind == "action" and event.get("name") not in passing):
            return False
    return False


def value_before_message(tracker: Tracker, slot: str) -> Any:
    """What a slot held before the latest user message set a candidate for it."""
    events = tracker.events
    latest_user = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=len(events))
    return next(
        (
            event.get("value")
            for event in reversed(events[:latest_user])
            if event.get("event") == "slot" and event.get("name") == slot
        ),
        None,
    )
