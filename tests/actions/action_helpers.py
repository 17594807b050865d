"""Helpers for the action tests: NLU output shaped like the pipeline's, and readers of
what an action returned and said. (A plain module: tests/actions has no __init__.py.)"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

SIGNED_IN_USER = {"email": "priya@acme.example", "name": "Priya Sharma", "account": "Acme Retail"}
"""What the web widget puts into metadata.user for a signed-in user."""

LEVELS = ("S0", "S1", "S2", "S3")


def severity_reading(level: str, confidence: float = 0.8, cues: tuple[str, ...] = ()) -> dict[str, Any]:
    """What components.severity adds to a parsed message."""
    rest = (1 - confidence) / (len(LEVELS) - 1)
    ranking = [{"name": level, "confidence": confidence}] + [
        {"name": other, "confidence": rest} for other in LEVELS if other != level
    ]
    return {"name": level, "confidence": confidence, "ranking": ranking, "cues": list(cues)}


def entity(name: str, value: str, text: str | None = None) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(text or value), "extractor": "DIETClassifier"}


def slot_sets(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots the events set, the last value winning, as Rasa applies them."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [message.get("text") or "" for message in dispatcher.messages]


def buttons(dispatcher: CollectingDispatcher) -> list[tuple[str, str]]:
    return [(b["title"], b["payload"]) for message in dispatcher.messages for b in message.get("buttons") or []]
