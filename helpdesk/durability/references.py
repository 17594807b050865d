"""References reserved ahead, so a ticket filed while the database is down still gets one.

The database hands out blocks of journal references (TicketStore.reserve_references,
"HLP-J0001" and on) while it is up; this host keeps the unused ones in a small JSON file.
Taking one needs no database, and no two hosts or processes take the same one: blocks
are disjoint by construction, and the file changes under an exclusive lock and is
replaced atomically. A reference reserved but never used is a gap, nothing worse.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from helpdesk.durability.files import locked, sync_directory
from helpdesk.store import TicketStore


class NoReferenceLeft(RuntimeError):
    """Every reserved reference is used (or none was ever reserved on this host)."""


class ReservedReferences:
    """The unused reserved references of this host, oldest first."""

    def __init__(self, path: Path) -> None:
        self._path = path
        # The data file is replaced on every write, so the lock lives in a file of its own.
        self._lock = path.with_name(path.name + ".lock")

    def take(self) -> str:
        with locked(self._lock):
            available = self._read()
            if not available:
                raise NoReferenceLeft(f"no reserved reference left in {self._path}")
            self._write(available[1:])
        return available[0]

    def top_up(self, store: TicketStore, keep: int, at: datetime) -> int:
        """Reserve another block of `keep` when fewer than `keep` are left; returns how many are left.

        The database is asked outside the lock, so taking a reference never waits on it;
        two processes topping up at once only reserve a block more than needed.
        """
        with locked(self._lock):
            left = len(self._read())
        if left >= keep:
            return left
        block = store.reserve_references(keep, at)
        with locked(self._lock):
            available = self._read() + list(block)
            self._write(available)
        return len(available)

    def _read(self) -> list[str]:
        try:
            return list(json.loads(self._path.read_text(encoding="utf-8"))["available"])
        except FileNotFoundError:
            return []

    def _write(self, available: list[str]) -> None:
        temporary = self._path.with_name(self._path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump({"available": available}, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self._path)
        sync_directory(self._path.parent)
