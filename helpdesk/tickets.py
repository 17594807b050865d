"""The ticket model: what a ticket is, its statuses and the kinds of events in its history.

Values only, no I/O: the store, the outbox, filing and the follow-up wording all speak in
these types, so each of them can import this module without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

STATUSES = ("open", "in_progress", "waiting_on_customer", "resolved", "closed")
"""Every status a ticket can have; a new ticket starts in the first."""
OPEN_STATUSES = STATUSES[:3]
"""The statuses in which support still owes the user something."""

EVENT_KINDS = (
    "created",
    "comment_added",
    "severity_changed",
    "status_changed",
    "first_response",
    "sla_at_risk",
    "sla_breached",
    "satisfaction_rated",
    "handoff_requested",
)
"""What can happen to a ticket: each is a history entry, and the kinds a delivery target
can take (helpdesk.delivery.settings)."""
SLA_ALERTS = ("sla_at_risk", "sla_breached")
"""The event kinds that warn support about a first response: soon due, then overdue."""
ASSISTANT = "assistant"
"""The author of what the assistant records on the user's behalf (a request for a person)."""
RESPONSE_WATCH = "response-time watch"
"""The author of the response-time alerts the delivery worker raises."""
SYSTEM_AUTHORS = frozenset({ASSISTANT, RESPONSE_WATCH})
"""Authors who are not support: nothing they record is a response from support."""
RATINGS = range(1, 6)
"""How a user rates support on a ticket: 1 (poor) to 5 (great)."""


@dataclass(frozen=True)
class Requester:
    """Who asked for help; name and account are what the bot could learn."""

    email: str
    name: str | None = None
    account: str | None = None


@dataclass(frozen=True, kw_only=True)
class TicketDraft:
    """Everything the bot collected before filing; severities are levels such as "S1"."""

    requester: Requester
    title: str
    description: str
    bot_or_area: str | None = None
    environment: str | None = None
    since: str | None = None
    impact: str | None = None
    links: tuple[str, ...] = ()
    assessed_severity: str | None = None
    final_severity: str
    severity_set_by_user: bool = False
    conversation_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Event:
    """One entry of a ticket's history: `kind` is one of EVENT_KINDS, and `detail` holds
    what changed (for example {"from": "open", "to": "resolved", "note": None})."""

    kind: str
    at: datetime
    author: str
    detail: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Ticket(TicketDraft):
    """A filed draft: every draft field plus what filing and later work added. Times are UTC."""

    reference: str
    filed_at: datetime
    due_at: datetime
    status: str
    updated_at: datetime
    history: tuple[Event, ...]
    first_response_at: datetime | None = None
    """When support first answered; the response-time promise is kept if it is by `due_at`."""
    satisfaction_asked_at: datetime | None = None
    """When the bot asked the user to rate support on this ticket: it asks once."""
    satisfaction_rating: int | None = None
    satisfaction_comment: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaits_rating(self) -> bool:
        """Done (resolved or closed) and the user not yet asked how support did."""
        return not self.is_open and self.satisfaction_asked_at is None

    @property
    def awaits_first_response(self) -> bool:
        """Whether support still owes the first response the bot promised."""
        return self.is_open and self.first_response_at is None
