"""The journal: tickets filed while the database was down, one JSON line each, on disk
before the user hears their reference.

Append-only, in two kinds of line: a ticket (its reserved reference, the draft, filing
and due times) and a "replayed" mark naming its idempotency key once the database holds
it. Replay creates every unmarked ticket with its key and reference; the store answers
a key it knows with the ticket it has, so a replay repeated after a crash between
create and mark still stores each ticket exactly once. A line cut short by a crash is
skipped, and the next append starts on a fresh line.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from helpdesk.durability.files import locked, sync_directory
from helpdesk.durability.references import ReservedReferences
from helpdesk.sla import to_utc
from helpdesk.store import TicketStore
from helpdesk.tickets import Requester, Ticket, TicketDraft

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JournalEntry:
    """A ticket waiting in the journal; its draft always has an idempotency key."""

    reference: str
    draft: TicketDraft
    filed_at: datetime
    due_at: datetime

    def provisional_ticket(self) -> Ticket:
        """The ticket as the database will hold it, for the receipt the user gets now."""
        draft_fields = {item.name: getattr(self.draft, item.name) for item in dataclasses.fields(TicketDraft)}
        return Ticket(
            **draft_fields,
            reference=self.reference,
            filed_at=self.filed_at,
            due_at=self.due_at,
            status="open",
            updated_at=self.filed_at,
            history=(),
        )


class Journal:
    """One journal file and the reserved references its tickets take."""

    def __init__(self, path: Path, references: ReservedReferences) -> None:
        self._path = path
        self._lock = path.with_name(path.name + ".lock")
        self.references = references

    def append(self, draft: TicketDraft, filed_at: datetime, due_at: datetime) -> JournalEntry:
        """Journal a draft under a reserved reference; a key journaled before returns its entry.

        Raises NoReferenceLeft when this host has no reserved reference left.
        """
        with locked(self._lock):
            for entry, _ in self._tickets():
                if draft.idempotency_key is not None and entry.draft.idempotency_key == draft.idempotency_key:
                    return entry
            reference = self.references.take()
            keyed = dataclasses.replace(draft, idempotency_key=draft.idempotency_key or f"journal-{reference}")
            entry = JournalEntry(reference, keyed, to_utc(filed_at, "filed_at"), to_utc(due_at, "due_at"))
            self._write(
                {
                    "type": "ticket",
                    "reference": reference,
                    "filed_at": entry.filed_at.isoformat(),
                    "due_at": entry.due_at.isoformat(),
                    "draft": dataclasses.asdict(keyed),
                }
            )
        return entry

    def pending(self) -> list[JournalEntry]:
        """Tickets not yet replayed into the database, in the order they were journaled."""
        with locked(self._lock, shared=True):
            return [entry for entry, replayed in self._tickets() if not replayed]

    def replay(self, store: TicketStore) -> int:
        """Create every pending ticket in the database, then mark it; returns how many."""
        pending = self.pending()
        for entry in pending:
            ticket = store.create(entry.draft, entry.filed_at, entry.due_at, reference=entry.reference)
            if ticket.reference != entry.reference:
                # The first try did reach the database before it failed: one ticket, two names.
                logger.warning("journaled %s was already filed as %s", entry.reference, ticket.reference)
            with locked(self._lock):
                self._write(
                    {
                        "type": "replayed",
                        "idempotency_key": entry.draft.idempotency_key,
                        "reference": ticket.reference,
                        "at": datetime.now(timezone.utc).isoformat(),
                    }
                )
        return len(pending)

    def _tickets(self) -> list[tuple[JournalEntry, bool]]:
        """Every journaled ticket and whether it was replayed; the caller holds the lock."""
        records = self._records()
        replayed = {record["idempotency_key"] for record in records if record.get("type") == "replayed"}
        entries = [_entry(record) for record in records if record.get("type") == "ticket"]
        return [(entry, entry.draft.idempotency_key in replayed) for entry in entries]

    def _records(self) -> list[dict[str, Any]]:
        try:
            lines = self._path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        records = []
        for number, line in enumerate(lines, start=1):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                logger.warning("%s:%d is not a whole journal line (cut short by a crash?); skipped", self._path, number)
        return records

    def _write(self, record: dict[str, Any]) -> None:
        """Append one line and wait until it is on disk; the caller holds the lock."""
        created = not self._path.exists()
        line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
        with open(self._path, "a+b") as file:
            if file.seek(0, os.SEEK_END) > 0:
                file.seek(-1, os.SEEK_END)
                if file.read(1) != b"\n":
                    line = b"\n" + line
            file.write(line)
            file.flush()
            os.fsync(file.fileno())
        if created:
            sync_directory(self._path.parent)


def _entry(record: dict[str, Any]) -> JournalEntry:
    draft = dict(record["draft"])
    draft["requester"] = Requester(**draft["requester"])
    draft["links"] = tuple(draft["links"])
    return JournalEntry(
        reference=record["reference"],
        draft=TicketDraft(**draft),
        filed_at=datetime.fromisoformat(record["filed_at"]),
        due_at=datetime.fromisoformat(record["due_at"]),
    )
