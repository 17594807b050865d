"""Work Rasa 3.6 repeats on every turn without need, removed from the Rasa server's process.

`servers/rasa_server.py` calls `apply()` before Rasa starts. The replacements reach into
private parts of Rasa, so they are applied only on the Rasa version they were written
and checked against (`CHECKED_RASA_VERSIONS`); on any other version Rasa runs as shipped
and one warning says so. tests/unit/test_rasa_patches.py runs canned good and bad action
server responses and stored conversations through Rasa's code and these, and compares.
The server behaves as before: same checks, same outcomes, same errors; only the cost
changes (README "Making it fast").

- Every action server response is checked against Rasa's JSON schema with
  `jsonschema.validate`, which first re-validates that schema against the draft 2020-12
  meta-schema and rebuilds its validator: about 25 ms of CPU per action call here. A
  ticket turn makes two or three action calls, so this was over half of a turn's CPU.
  Here the schema is checked once. Then each event of a response is checked against
  the one subschema of its own name instead of all 23 (5.5 ms down to 0.9 ms for the 20
  slot events that filing a ticket returns); a response that fails that is judged by
  the whole schema, which picks the error, as before.
- Reading a conversation back turns each stored event into its class by walking all
  subclasses of `Event`, for every event of the conversation on every turn (a filed
  ticket is about 100 events): about a fifth of the remaining CPU. Here the
  name-to-class table is built once; a name not in it takes Rasa's own path.

The tracker store's savings are not patches: they are a tracker store of our own
(servers/tracker_store.py), named in endpoints.yml.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import rasa
from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

logger = logging.getLogger(__name__)

CHECKED_RASA_VERSIONS = frozenset({"3.6.21"})
"""Versions whose private code the replacements below were read against and tested on."""

stock_validate_action_result = RemoteAction._validate_action_result
stock_resolve_by_type = Event.resolve_by_type


def apply(version: str = rasa.__version__) -> bool:
    """Replace Rasa's costly code on a checked version; on another, warn once and leave it."""
    if version not in CHECKED_RASA_VERSIONS:
        logger.warning(
            "Rasa %s is not a version the speed-ups in servers/rasa_patches.py were checked against (%s): "
            "running Rasa's own code, which is correct but costs more CPU per turn",
            version,
            ", ".join(sorted(CHECKED_RASA_VERSIONS)),
        )
        return False
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_by_type)
    return True


@functools.cache
def _response_validators() -> tuple[Any, Any, dict[str, Any]]:
    """Validators for: the whole response; the response with any events; each event by name.

    Rasa's event schema is a `oneOf` of 23 subschemas, each fixing `event` to its own
    name, so an event that passes the subschema of its own name passes the `oneOf`
    (every other one rejects its name). Checking just that one is 20 times cheaper.
    """
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    events = schema["properties"]["events"]
    event = events["items"]
    names = [sub.get("properties", {}).get("event", {}).get("const") for sub in event["oneOf"]]
    by_name: dict[str, Any] = {}
    if None not in names and len(set(names)) == len(names):
        common = {key: value for key, value in event.items() if key != "oneOf"}
        by_name = {name: cls({**common, "allOf": [sub]}) for name, sub in zip(names, event["oneOf"], strict=False)}
    any_events = {**schema, "properties": {**schema["properties"], "events": {**events, "items": {}}}}
    return cls(schema), cls(any_events), by_name


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check, whose outcome and error are unchanged: a response that fails the
    quick path is judged, and its error chosen, by the whole schema as before."""
    whole, any_events, by_name = _response_validators()
    if _passes_quickly(result, any_events, by_name):
        return True
    error = exceptions.best_match(whole.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def _passes_quickly(result: Any, any_events: Any, by_name: dict[str, Any]) -> bool:
    if not any_events.is_valid(result):
        return False
    for event in result.get("events") or []:
        name = event.get("event") if isinstance(event, dict) else None
        validator = by_name.get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


@functools.cache
def _event_classes() -> dict[str, type[Event]]:
    # Reversed, so that where two classes share a name the first found wins, as in Rasa.
    return {cls.type_name: cls for cls in reversed(all_subclasses(Event))}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's `Event.resolve_by_type`, from a table built once."""
    return _event_classes().get(type_name) or stock_resolve_by_type(type_name, default)
