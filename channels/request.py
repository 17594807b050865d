"""What a REST webhook request must look like, checked before Rasa sees it.

Plain Rasa reads `request.json["sender"]` and friends unchecked, so a body of `[]` is a
500 and a numeric `message` fails deep inside NLU. Here every problem is a 400 whose
error names the field, so a client can fix its request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_SENDER_CHARS = 255
"""Rasa's SQL tracker store keeps sender ids in a VARCHAR(255) column."""


class InvalidRequest(ValueError):
    """A request the channel refuses; the message says what is wrong, for the client."""


@dataclass(frozen=True)
class Incoming:
    """A well-formed request: who sent what, with the widget's metadata."""

    sender: str
    text: str
    metadata: dict[str, Any]


def parse(body: bytes) -> Incoming:
    """The request in `body`, or InvalidRequest naming the first thing wrong with it."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidRequest(f"the body is not valid JSON ({error})") from None
    except RecursionError:
        raise InvalidRequest("the body is nested too deeply") from None
    if not isinstance(data, dict):
        raise InvalidRequest(f"the body must be a JSON object, not {_json_type(data)}")
    sender, text, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if not isinstance(sender, str) or not sender.strip():
        raise InvalidRequest(f'"sender" must be a non-empty string, not {_json_type(sender)}')
    if len(sender) > MAX_SENDER_CHARS:
        raise InvalidRequest(f'"sender" must be at most {MAX_SENDER_CHARS} characters long')
    if not isinstance(text, str):
        raise InvalidRequest(f'"message" must be a string, not {_json_type(text)}')
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidRequest(f'"metadata" must be a JSON object, not {_json_type(metadata)}')
    return Incoming(sender, text, metadata or {})


def _json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, as the client wrote it ("missing" for absent)."""
    if value is None:
        return "null or missing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    return "an array" if isinstance(value, list) else "an object"
