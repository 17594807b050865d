"""The support lead's report: first responses on time, late and pending, per severity."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from helpdesk.report import build_report
from helpdesk.tickets import Requester, Ticket

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def ticket(
    number: int,
    level: str,
    filed: datetime,
    due: datetime,
    responded: datetime | None = None,
    status: str = "open",
    rating: int | None = None,
) -> Ticket:
    return Ticket(
        requester=Requester("a@b.co"),
        title="t",
        description="d",
        final_severity=level,
        reference=f"HLP-{number:04d}",
        filed_at=filed,
        due_at=due,
        status=status,
        updated_at=filed,
        history=(),
        first_response_at=responded,
        satisfaction_rating=rating,
    )


def test_each_ticket_is_on_time_late_or_pending_and_breaches_are_listed_most_overdue_first():
    tickets = [
        ticket(1, "S0", NOW - 3 * HOUR, NOW - 2 * HOUR, responded=NOW - 150 * timedelta(minutes=1)),  # on time, 30 min
        ticket(2, "S0", NOW - 3 * HOUR, NOW - 2 * HOUR, responded=NOW - HOUR),  # late, 2 h
        ticket(3, "S0", NOW - 2 * HOUR, NOW - HOUR),  # overdue, open
        ticket(4, "S0", NOW - 4 * HOUR, NOW - 3 * HOUR),  # overdue longer, open
        ticket(5, "S0", NOW - 4 * HOUR, NOW - 3 * HOUR, status="closed"),  # late, closed: not an open breach
        ticket(6, "S2", NOW, NOW + 4 * HOUR),  # pending
    ]

    report = build_report(tickets, ["S0", "S1", "S2", "S3"], NOW)

    by_level = {level.level: level for level in report.levels}
    assert [level.level for level in report.levels] == ["S0", "S1", "S2", "S3"]
    s0 = by_level["S0"]
    assert (s0.tickets, s0.met, s0.missed, s0.pending) == (5, 1, 4, 0)
    assert s0.median_first_response == timedelta(minutes=75)
    assert (by_level["S2"].pending, by_level["S1"].tickets, by_level["S1"].median_first_response) == (1, 0, None)
    assert report.open_breaches == ("HLP-0004", "HLP-0003")


def test_since_leaves_older_tickets_out_and_unknown_levels_still_count():
    tickets = [ticket(1, "S1", NOW - 48 * HOUR, NOW - 47 * HOUR), ticket(2, "P9", NOW, NOW + HOUR)]

    report = build_report(tickets, ["S0", "S1"], NOW, since=NOW - HOUR)

    assert [(level.level, level.tickets) for level in report.levels] == [("S0", 0), ("S1", 0), ("P9", 1)]
    assert report.open_breaches == ()


def test_satisfaction_is_averaged_over_the_rated_tickets():
    tickets = [
        ticket(1, "S2", NOW, NOW + HOUR, status="closed", rating=5),
        ticket(2, "S2", NOW, NOW + HOUR, rating=2),
        ticket(3, "S2", NOW, NOW + HOUR, rating=4),
        ticket(4, "S2", NOW, NOW + HOUR),
    ]

    report = build_report(tickets, ["S2"], NOW)

    assert (report.satisfaction_count, report.satisfaction_average) == (3, 3.67)
    assert build_report([], ["S2"], NOW).satisfaction_average is None
