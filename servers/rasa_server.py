"""`rasa`, started as the settings say and minus work Rasa 3.6 does on every turn without need.

Usage: like the `rasa` command, e.g. `python -m servers.rasa_server run --port 5005 --model ...`
(scripts/run.sh starts the Rasa server this way). For `run`, the listening address, the
CORS origins, the HTTP API switch and its token come from the settings and the
environment (servers/rasa_args.py, README "Security"), whatever the command line says.

Found by profiling a ticket conversation under load (bench/, README "Benchmarks"). The
server behaves as before: same checks, same outcomes, same errors; only the cost changes.

- Every action server response is checked against Rasa's JSON schema with
  `jsonschema.validate`, which first re-validates that schema against the draft 2020-12
  meta-schema and rebuilds its validator: about 25 ms of CPU per action call here. A
  ticket turn makes two or three action calls, so this was over half of a turn's CPU.
  Here the schema is checked once. Then each event of a response is checked against
  the one subschema of its own name instead of all 23 (5.5 ms down to 0.9 ms for the 20
  slot events that filing a ticket returns); a response that fails that is judged by
  the whole schema, which picks the error, as before.
- Reading a conversation back from the tracker store turns each stored event into its
  class by walking all subclasses of `Event`, for every event of the conversation on
  every turn (a filed ticket is about 100 events): about a fifth of the remaining CPU.
  Here the name-to-class table is built once; a name not in it takes Rasa's own path.
- The SQL tracker store reads a conversation as one ORM object per event, of which it
  uses one column, and writes each new event as its own ORM object. Here the same query
  reads just that column and the same rows go in with one multi-row INSERT: about 2 ms
  less CPU a turn, 4 ms on the turn that files a ticket (25 new events).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any, Optional

import sqlalchemy as sa
from jsonschema import exceptions, validators
from rasa.__main__ import main
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.common import all_subclasses

from helpdesk.config import load_settings
from servers.rasa_args import LaunchError, redact_access_log, secured_arguments


@functools.lru_cache(maxsize=None)
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
        by_name = {name: cls({**common, "allOf": [sub]}) for name, sub in zip(names, event["oneOf"])}
    any_events = {**schema, "properties": {**schema["properties"], "events": {**events, "items": {}}}}
    return cls(schema), cls(any_events), by_name


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
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


_resolve_event_type = Event.resolve_by_type


@functools.lru_cache(maxsize=None)
def _event_classes() -> dict[str, type[Event]]:
    # Reversed, so that where two classes share a name the first found wins, as in Rasa.
    return {cls.type_name: cls for cls in reversed(all_subclasses(Event))}


def _resolve_by_type(type_name: str, default: Optional[type[Event]] = None) -> Optional[type[Event]]:
    return _event_classes().get(type_name) or _resolve_event_type(type_name, default)


async def _retrieve(
    self: SQLTrackerStore, sender_id: str, fetch_events_from_all_sessions: bool
) -> Optional[DialogueStateTracker]:
    """Rasa's query for the conversation's events, reading only their `data` column."""
    with self.session_scope() as session:
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
        events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
    if self.domain and events:
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    return None


async def _save(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """Rasa's rows for the events not stored yet, in one INSERT."""
    await self.stream_events(tracker)
    with self.session_scope() as session:
        rows = [_event_row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
        if rows:
            session.execute(sa.insert(self.SQLEvent.__table__), rows)
        session.commit()


def _event_row(sender_id: str, event: Event) -> dict[str, Any]:
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


RemoteAction._validate_action_result = _validate_action_result
Event.resolve_by_type = staticmethod(_resolve_by_type)
SQLTrackerStore._retrieve = _retrieve
SQLTrackerStore.save = _save

if __name__ == "__main__":
    try:
        sys.argv = ["rasa", *secured_arguments(sys.argv[1:], load_settings(), os.environ)]
    except LaunchError as error:
        sys.exit(f"rasa server: {error}")
    redact_access_log()
    sys.exit(main())
