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
"""

from __future__ import annotations

import json
import logging
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

SESSION_START_INDEX = "ix_events_sender_id_type_name_timestamp"


class HelpdeskTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with a leaner read, a one-statement write and the index it lacks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_session_start_index()

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
        """Rasa's query for the conversation's events, reading only their `data` column."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
            events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's rows for the events not stored yet, in one INSERT."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [event_row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()


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
