"""Settings -> policy -> ticket store: how a process puts itself together at its start.

The core takes the policy, the store and the clock as arguments; only a process's edge
(the action server, the channel, the CLI, the worker) builds them, here, once, and hands
them on. Nothing is cached behind a function: a process that needs its wiring again (a
test standing in for a restart) builds it again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from helpdesk.config import Settings, load_settings
from helpdesk.policy import Policy, load_policy
from helpdesk.store import TicketStore, open_store


def utc_now() -> datetime:
    """The wall clock, aware: every stored and compared time is an aware UTC one."""
    return datetime.now(timezone.utc)


class StoreOpener:
    """The configured store, opened on first use and kept.

    Not at start: a database that is down when the server starts must not stop it, since
    tickets are journaled until the database is back; a failed open is tried again next call.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._store: TicketStore | None = None
        self._opening = threading.Lock()

    def __call__(self) -> TicketStore:
        with self._opening:
            if self._store is None:
                self._store = open_store(self._settings)
            return self._store


@dataclass(frozen=True)
class Wiring:
    """What a serving process shares between its requests."""

    settings: Settings
    policy: Policy
    store: Callable[[], TicketStore]
    clock: Callable[[], datetime] = field(default=utc_now)


def configured_policy(settings: Settings) -> Policy:
    """The policy file the operator named, in the operator's time zone if one overrides the file's."""
    return load_policy(settings.policy_file, settings.timezone)


def default_policy() -> Policy:
    """The configured policy, for edges that need only the policy (the channel, the NLU component)."""
    return configured_policy(load_settings())


def wire(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Wiring:
    """The process's settings, the policy they name and the store they open (on first use)."""
    return Wiring(settings, configured_policy(settings), StoreOpener(settings), clock)
