"""The support lead's view of the response-time promise: per severity, how many tickets
came in and how many first responses were on time, late or still pending.

Pure: tickets and the moment in, figures out; the CLI prints them (`helpdesk report`).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk.tickets import Ticket


@dataclass(frozen=True)
class LevelFigures:
    """One severity level's tickets and their first responses."""

    level: str
    tickets: int
    met: int
    """Answered by the due time."""
    missed: int
    """Answered late, or not answered and past due."""
    pending: int
    """Not answered yet, still within the due time."""
    median_first_response: timedelta | None
    """From filing to the first response, over the answered tickets."""


@dataclass(frozen=True)
class Report:
    since: datetime | None
    levels: tuple[LevelFigures, ...]
    open_breaches: tuple[str, ...]
    """References of open tickets whose first response is overdue, most overdue first."""
    median_first_response: timedelta | None
    satisfaction_count: int
    satisfaction_average: float | None
    """The users' ratings of support (1-5) on these tickets."""


def build_report(
    tickets: Iterable[Ticket], levels: Iterable[str], now: datetime, since: datetime | None = None
) -> Report:
    """Figures over the tickets filed since `since` (all when None), for each of `levels`
    (the policy's, in order) and any other level a ticket still carries."""
    chosen = [ticket for ticket in tickets if since is None or ticket.filed_at >= since]
    order = list(dict.fromkeys([*levels, *(ticket.final_severity for ticket in chosen)]))
    figures = tuple(_figures(level, [t for t in chosen if t.final_severity == level], now) for level in order)
    overdue = sorted((t for t in chosen if t.awaits_first_response and now > t.due_at), key=lambda t: t.due_at)
    ratings = [t.satisfaction_rating for t in chosen if t.satisfaction_rating is not None]
    average = round(statistics.fmean(ratings), 2) if ratings else None
    return Report(since, figures, tuple(t.reference for t in overdue), _median_response(chosen), len(ratings), average)


def _figures(level: str, tickets: list[Ticket], now: datetime) -> LevelFigures:
    met = sum(1 for t in tickets if t.first_response_at is not None and t.first_response_at <= t.due_at)
    pending = sum(1 for t in tickets if t.first_response_at is None and now <= t.due_at)
    return LevelFigures(level, len(tickets), met, len(tickets) - met - pending, pending, _median_response(tickets))


def _median_response(tickets: list[Ticket]) -> timedelta | None:
    waits = [(t.first_response_at - t.filed_at).total_seconds() for t in tickets if t.first_response_at is not None]
    return timedelta(seconds=statistics.median(waits)) if waits else None
