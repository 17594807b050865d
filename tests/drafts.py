"""A realistic ticket draft for tests of the store and of delivery."""

from __future__ import annotations

from typing import Any

from helpdesk.tickets import Requester, TicketDraft


def make_draft(**changes: Any) -> TicketDraft:
    """A blocker reported by Priya; keyword arguments replace its fields."""
    values: dict[str, Any] = {
        "requester": Requester("priya@example.com", "Priya", "Acme Retail"),
        "title": "Chats are not assigned to agents",
        "description": "Since 10:00 no chat reaches an agent.",
        "bot_or_area": "retail-bot",
        "environment": "production",
        "since": "this morning",
        "impact": "all customers",
        "links": ("https://example.com/chat/1",),
        "assessed_severity": "S0",
        "final_severity": "S0",
        "severity_set_by_user": False,
        "conversation_id": "conv-1",
        "idempotency_key": None,
    }
    values.update(changes)
    return TicketDraft(**values)
