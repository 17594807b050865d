"""Which response-time alert a ticket needs now: a warning to support while the promise
can still be kept, then word that it was broken.

Pure: the delivery worker asks this for every ticket awaiting its first response and
raises what it answers through the store (each alert once per due time, however many
workers ask). Decided from the ticket's own history, so an alert already raised for the
current due time is not asked for again, and a new due time (a severity change) arms the
alerts afresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from helpdesk import sla
from helpdesk.policy import Policy
from helpdesk.tickets import SLA_ALERTS, Ticket

AT_RISK, BREACHED = SLA_ALERTS


def alert_due(ticket: Ticket, now: datetime, margins: Mapping[str, timedelta], policy: Policy) -> str | None:
    """The alert `ticket` needs at `now`, or None; `margins` says how early to warn, per level."""
    if not ticket.awaits_first_response:
        return None
    raised = {
        event.kind
        for event in ticket.history
        if event.kind in SLA_ALERTS and event.detail.get("due_at") == ticket.due_at.isoformat()
    }
    if BREACHED in raised:
        return None
    if now >= ticket.due_at:
        return BREACHED
    margin = margins.get(ticket.final_severity)
    if AT_RISK in raised or margin is None:
        return None
    return AT_RISK if now >= sla.warning_at(ticket.final_severity, ticket.due_at, margin, policy) else None
