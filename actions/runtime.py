"""The action server's process wiring: settings, policy, ticket store and clock, each read
or opened once per process and shared by every topic's actions."""

from __future__ import annotations

import functools
from datetime import datetime, timezone

from helpdesk.config import Settings, load_settings
from helpdesk.policy import Policy
from helpdesk.store import TicketStore, open_store
from helpdesk.wiring import default_policy


@functools.cache
def settings() -> Settings:
    """The operator settings, read once per process."""
    return load_settings()


def policy() -> Policy:
    """The support policy, read once per process from the configured file."""
    return default_policy()


@functools.cache
def store() -> TicketStore:
    """The ticket store, opened once per process on the configured database."""
    return open_store(settings())


def now() -> datetime:
    return datetime.now(timezone.utc)
