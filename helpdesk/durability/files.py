"""What the journal and the reserved references share to survive crashes and each other.

A write counts only once it is on disk (fsync), a new or renamed file only once its
directory is synced too, and processes on one host take turns through flock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def locked(path: Path, shared: bool = False) -> Iterator[None]:
    """Holds a lock on `path` (created if missing): exclusive, or shared for readers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield


def sync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
