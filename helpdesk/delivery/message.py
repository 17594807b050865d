"""The JSON a ticket event becomes: what a webhook receives and what the other targets read.

It is built inside the transaction that records the event and stored in the outbox row,
so a delivery carries the ticket as it was at that moment even if it changed again
before the worker ran. Field names are a contract with receivers: add, never rename.
"""

from __future__ import annotations

from typing import Any

from helpdesk.tickets import Event, Ticket


def event_message(ticket: Ticket, event: Event, idempotency_key: str) -> dict[str, Any]:
    """One event with the whole ticket after it; `event` is "created", "status_changed", ..."""
    return {
        "idempotency_key": idempotency_key,
        "event": event.kind,
        "occurred_at": event.at.isoformat(),
        "author": event.author,
        "detail": dict(event.detail),
        "ticket": _ticket_fields(ticket),
    }


def _ticket_fields(ticket: Ticket) -> dict[str, Any]:
    requester = ticket.requester
    return {
        "reference": ticket.reference,
        "title": ticket.title,
        "description": ticket.description,
        "status": ticket.status,
        "severity": ticket.final_severity,
        "assessed_severity": ticket.assessed_severity,
        "severity_set_by_user": ticket.severity_set_by_user,
        "requester": {"email": requester.email, "name": requester.name, "account": requester.account},
        "bot_or_area": ticket.bot_or_area,
        "environment": ticket.environment,
        "since": ticket.since,
        "impact": ticket.impact,
        "links": list(ticket.links),
        "conversation_id": ticket.conversation_id,
        "filed_at": ticket.filed_at.isoformat(),
        "due_at": ticket.due_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
    }
