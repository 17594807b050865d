"""The action server's wiring, started once when the process starts and shared by every
topic's actions.

`servers.action_server` starts it from the operator settings before serving; a test starts
its own (another database, another policy, a frozen clock) the same way. An action run
before anything started it is a wiring bug, and says so rather than guessing a database.
"""

from __future__ import annotations

from datetime import datetime

from helpdesk.config import Settings
from helpdesk.policy import Policy
from helpdesk.store import TicketStore
from helpdesk.wiring import Wiring

_started: Wiring | None = None


def start(wiring: Wiring) -> Wiring:
    """Make `wiring` the one every action uses from now on."""
    global _started
    _started = wiring
    return wiring


def started() -> Wiring:
    if _started is None:
        raise RuntimeError("the action server's wiring was never started: call actions.runtime.start(wire(settings))")
    return _started


def settings() -> Settings:
    return started().settings


def policy() -> Policy:
    return started().policy


def store() -> TicketStore:
    """The ticket store, opened on first use (see `helpdesk.wiring.StoreOpener`)."""
    return started().store()


def now() -> datetime:
    return started().clock()
