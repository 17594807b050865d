"""The tracker store Rasa runs with: Rasa's SQL tracker store, reading and writing less.

Named in endpoints.yml as `type: servers.tracker_store.HelpdeskTrackerStore`, with the same
keys as Rasa's `type: SQL` (`dialect`, `db`, and for PostgreSQL `url`, `port`, `username`,
`password`), so SQLite (`make run`) and PostgreSQL (`make cluster`) are one class.

Found by profiling a ticket conversation under load (README "Making it fast"); the rows
and the trackers are the same as Rasa's, which tests/unit/test_rasa_patches.py checks:

- Rasa reads a conversation as one ORM object per event and uses only its `data` column;
  here the same query reads just that column.
- Rasa writes each new event as its own ORM object; here the same rows go in with one
  multi-row INSERT (about 4 ms less CPU on the turn that files a ticket, 25 new events).
- Every turn Rasa looks up the start of the conversation's latest session (the highest
  `session_started` timestamp of the sender) and then the events since. Rasa indexes
  `sender_id` alone, so that lookup reads every event of the sender; the index created
  here on (sender_id, type_name, timestamp) answers it from the index, which keeps it
  flat for long conversations on a table shared by many replicas.

With `redis_url` (endpoints-cluster.yml), each saved conversation's latest session is also
kept in Redis, so conversations go on while PostgreSQL is down (a ticket confirmed then
goes to the journal, helpdesk/delivery/intake.py): a read takes the Redis copy only where
the database's events are its beginning and it holds more, and the first save after an
outage writes the events the database missed (Rasa's save stores the events beyond those
it holds). Turns of one
conversation never overlap (the Redis lock store), so both copies are prefixes of one
history. A copy lapses after `copy_ttl_seconds` without a turn.

With `max_session_events`, a conversation whose current session has grown past that many
events gets a new session at the end of a quiet turn (no form active, the bot listening),
as Rasa starts one after `session_expiration_time` (domain.yml): `action_session_start`,
`session_started`, the slots carried over (`carry_over_slots_to_new_session`), and
`action_listen`. Rasa reads and sends to the action server the current session only, so
this bounds what every turn of a long conversation costs (README "Running at scale").
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

SESSION_START_INDEX = "ix_events_sender_id_type_name_timestamp"
DATABASE_DOWN = (sa.exc.OperationalError, sa.exc.InterfaceError)
"""What a database that is stopped, restarting or unreachable raises."""
COPY_KEY_PREFIX = "helpdesk:conversation:"
REDIS_TIMEOUT_SECONDS = 2


class HelpdeskTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with a leaner read, a one-statement write and the index it
    lacks; with `redis_url`, conversations that outlive a database outage."""

    def __init__(
        self,
        *args: Any,
        redis_url: str | None = None,
        copy_ttl_seconds: int = 86400,
        max_session_events: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._max_session_events = int(max_session_events or 0) or None
        self._create_session_start_index()
        self._copies = (
            redis.Redis.from_url(
                redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
            )
            if redis_url
            else None
        )
        self._copy_ttl_seconds = int(copy_ttl_seconds)

    def _create_session_start_index(self) -> None:
        """Created once by whichever replica starts first; the others find it there."""
        statement = sa.text(
            f"CREATE INDEX IF NOT EXISTS {SESSION_START_INDEX} ON events (sender_id, type_name, timestamp)"
        )
        try:
            with self.engine.begin() as connection:
                connection.execute(statement)
        except sa.exc.DatabaseError:  # two replicas starting at once: the other one's index is there
            names = {index["name"] for index in sa.inspect(self.engine).get_indexes("events")}
            if SESSION_START_INDEX not in names:
                raise

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """Rasa's query for the conversation's events, reading only their `data` column;
        the Redis copy instead when it holds turns the database missed, or the database is down."""
        copy = None if fetch_events_from_all_sessions else self._read_copy(sender_id)
        try:
            events = self._stored_events(sender_id, fetch_events_from_all_sessions)
        except DATABASE_DOWN as error:
            if copy is None:
                raise
            logger.warning("conversation database unavailable (%s); conversation %s read from Redis", error, sender_id)
            events = copy
        else:
            events = _newer(events, copy)
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's rows for the events not stored yet, in one INSERT; then the Redis copy.
        While the database is down the copy alone keeps the turn."""
        if self._session_too_long(tracker):
            for event in self._new_session(tracker):
                tracker.update(event)
        await self.stream_events(tracker)
        try:
            with self.session_scope() as session:
                rows = [event_row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
                if rows:
                    session.execute(sa.insert(self.SQLEvent.__table__), rows)
                session.commit()
        except DATABASE_DOWN as error:
            if self._copies is None:
                raise
            logger.warning(
                "conversation database unavailable (%s); conversation %s kept in Redis until it is back",
                error,
                tracker.sender_id,
            )
            self._write_copy(tracker, required=True)
            return
        self._write_copy(tracker, required=False)

    def _session_too_long(self, tracker: DialogueStateTracker) -> bool:
        return (
            self._max_session_events is not None
            and len(tracker.events) > self._max_session_events
            and tracker.active_loop_name is None
            and tracker.latest_action_name == ACTION_LISTEN_NAME
        )

    def _new_session(self, tracker: DialogueStateTracker) -> list[Event]:
        """What Rasa's `action_session_start` adds, each carried slot once at its latest value."""
        events: list[Event] = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted()]
        if self.domain is None or self.domain.session_config.carry_over_slots:
            latest = {event.key: event for event in tracker.applied_events() if isinstance(event, SlotSet)}
            events += [SlotSet(key=event.key, value=event.value, metadata=event.metadata) for event in latest.values()]
        return [*events, ActionExecuted(ACTION_LISTEN_NAME)]

    def _stored_events(self, sender_id: str, fetch_events_from_all_sessions: bool) -> list[dict[str, Any]]:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
            return [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]

    def _read_copy(self, sender_id: str) -> list[dict[str, Any]] | None:
        if self._copies is None:
            return None
        try:
            stored = self._copies.get(COPY_KEY_PREFIX + sender_id)
        except redis.RedisError as error:
            logger.warning("Redis unavailable (%s); conversation %s read from the database only", error, sender_id)
            return None
        return json.loads(stored) if stored else None

    def _write_copy(self, tracker: DialogueStateTracker, required: bool) -> None:
        """The events as Rasa holds them this turn (from the start of the session it read)."""
        if self._copies is None:
            return
        events = json.dumps([event.as_dict() for event in tracker.events])
        try:
            self._copies.set(COPY_KEY_PREFIX + tracker.sender_id, events, ex=self._copy_ttl_seconds)
        except redis.RedisError as error:
            if required:
                raise
            logger.warning(
                "Redis unavailable (%s); conversation %s saved in the database only", error, tracker.sender_id
            )


def _newer(stored: list[dict[str, Any]], copy: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The database's events, or the Redis copy where it holds them and more (turns taken
    while the database was down), cut to start where the database's do, since Rasa's save
    counts the events the database holds to know which are new."""
    if not copy:
        return stored
    if not stored:
        return copy
    keys = [_key(event) for event in copy]
    start = next((index for index, key in enumerate(keys) if key == _key(stored[0])), None)
    if start is None:
        return stored
    later = keys[start:]
    if len(later) > len(stored) and later[: len(stored)] == [_key(event) for event in stored]:
        return copy[start:]
    return stored


def _key(event: dict[str, Any]) -> tuple[Any, Any]:
    return event.get("event"), event.get("timestamp")


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The row Rasa's SQLTrackerStore.save stores for `event`."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
