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
goes to the journal, helpdesk/delivery/intake.py): a read takes whichever copy ends later,
the database's or Redis's, and the first save after an outage writes the events the
database missed (Rasa's save stores the events beyond those it holds). Turns of one
conversation never overlap (the Redis lock store), so both copies are prefixes of one
history. A copy lapses after `copy_ttl_seconds` without a turn.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Optional

import redis
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
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
        self, *args: Any, redis_url: Optional[str] = None, copy_ttl_seconds: int = 86400, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._create_session_start_index()
        self._copies = (
            redis.Redis.from_url(
                redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
            )
            if redis_url else None
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

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """Rasa's query for the conversation's events, reading only their `data` column;
        the Redis copy instead when it ends later or the database is down."""
        copy = None if fetch_events_from_all_sessions else self._read_copy(sender_id)
        try:
            events = self._stored_events(sender_id, fetch_events_from_all_sessions)
        except DATABASE_DOWN as error:
            if copy is None:
                raise
            logger.warning("conversation database unavailable (%s); conversation %s read from Redis", error, sender_id)
            events = copy
        if copy and (not events or _ends(copy) > _ends(events)):
            events = copy
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's rows for the events not stored yet, in one INSERT; then the Redis copy.
        While the database is down the copy alone keeps the turn."""
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
            logger.warning("conversation database unavailable (%s); conversation %s kept in Redis until it is back",
                           error, tracker.sender_id)
            self._write_copy(tracker, required=True)
            return
        self._write_copy(tracker, required=False)

    def _stored_events(self, sender_id: str, fetch_events_from_all_sessions: bool) -> list[dict[str, Any]]:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
            return [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]

    def _read_copy(self, sender_id: str) -> Optional[list[dict[str, Any]]]:
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
            logger.warning("Redis unavailable (%s); conversation %s saved in the database only", error,
                           tracker.sender_id)


def _ends(events: list[dict[str, Any]]) -> tuple[float, int]:
    """When a copy of a conversation ends: its last event's time, then its length."""
    return (events[-1].get("timestamp") or 0.0, len(events))


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
