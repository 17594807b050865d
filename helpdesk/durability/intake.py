"""How the bot files a confirmed ticket: into the database, or into the journal when the
database cannot be reached, so the user leaves with a reference either way.

Only an unreachable database (it cannot be opened, connected to or written) sends a
ticket to the journal; any other error is a fault the caller reports as such, since
replaying the draft later would only meet it again. Delivery to the support team is
not done here: the store has queued it in the outbox, and the worker sends it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from helpdesk.config import Settings
from helpdesk.durability.journal import Journal
from helpdesk.durability.references import ReservedReferences
from helpdesk.store import TicketStore
from helpdesk.tickets import Ticket, TicketDraft

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout, OSError)
"""What a database that is down, unreachable, read-only or out of disk raises."""


@dataclass(frozen=True)
class Filed:
    """The ticket the user is told about; `journaled` means it waits for the database."""

    ticket: Ticket
    journaled: bool


def file_ticket(
    store: Callable[[], TicketStore],
    draft: TicketDraft,
    filed_at: datetime,
    due_at: datetime,
    settings: Settings,
) -> Filed:
    """File once per idempotency key; `store` is called here, since opening it can fail too.

    Raises NoReferenceLeft when the database is down and this host has no reserved
    reference left, and the database's own error for anything but unavailability.
    """
    try:
        return Filed(store().create(draft, filed_at, due_at), journaled=False)
    except DATABASE_UNAVAILABLE as error:
        logger.warning("ticket database unavailable (%s); journaling draft %s", error, draft.idempotency_key)
    entry = open_journal(settings).append(draft, filed_at, due_at)
    return Filed(entry.provisional_ticket(), journaled=True)


def open_journal(settings: Settings) -> Journal:
    """The journal and reserved references the operator configured."""
    return Journal(settings.journal_file, ReservedReferences(settings.reserved_references_file))
