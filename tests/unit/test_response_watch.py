"""When a ticket needs a response-time alert, on the real policy: Monday to Friday
09:00-18:00 IST; S0 one hour 24x7, S1 one business hour, S2 and S3 four business hours.
25 Nov 2026 is a Wednesday."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.config import PROJECT_ROOT
from helpdesk.policy import load_policy
from helpdesk.response_watch import alert_due
from helpdesk.tickets import Event, Requester, Ticket

IST = ZoneInfo("Asia/Kolkata")
POLICY = load_policy(PROJECT_ROOT / "support-policy.yml")
MARGINS = {
    "S0": timedelta(minutes=15),
    "S1": timedelta(minutes=15),
    "S2": timedelta(minutes=30),
    "S3": timedelta(minutes=30),
}


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=IST)


def ticket(
    severity: str,
    due: datetime,
    status: str = "open",
    responded: datetime | None = None,
    alerts: tuple[tuple[str, datetime], ...] = (),
) -> Ticket:
    history = tuple(Event(kind, due, "watch", {"due_at": alert_due_at.isoformat()}) for kind, alert_due_at in alerts)
    return Ticket(
        requester=Requester("a@b.co"),
        title="t",
        description="d",
        final_severity=severity,
        reference="HLP-0001",
        filed_at=due - timedelta(hours=1),
        due_at=due,
        status=status,
        updated_at=due,
        history=history,
        first_response_at=responded,
    )


@pytest.mark.parametrize(
    ("severity", "due", "now", "expected", "case"),
    [
        ("S0", ist(25, 12), ist(25, 11, 44), None, "before the margin"),
        ("S0", ist(25, 12), ist(25, 11, 45), "sla_at_risk", "at the margin"),
        ("S0", ist(25, 12), ist(25, 12), "sla_breached", "at the due time"),
        ("S2", ist(25, 15), ist(25, 14, 29), None, "a 4-hour target warns 30 minutes before"),
        ("S2", ist(25, 15), ist(25, 14, 30), "sla_at_risk", "a 4-hour target at its margin"),
        ("S2", ist(30, 9, 10), ist(27, 17, 39), None, "due Monday 09:10: not yet on Friday 17:39"),
        ("S2", ist(30, 9, 10), ist(27, 17, 40), "sla_at_risk", "due Monday 09:10: warned on Friday 17:40"),
        ("S2", ist(30, 9, 10), ist(28, 23, 0), "sla_at_risk", "over the weekend it stays at risk"),
    ],
)
def test_alerts_come_at_the_margin_then_at_the_due_time(severity, due, now, expected, case):
    assert alert_due(ticket(severity, due), now, MARGINS, POLICY) == expected, case


def test_an_answered_or_closed_ticket_needs_no_alert():
    due = ist(25, 12)

    assert alert_due(ticket("S0", due, responded=ist(25, 11, 59)), ist(25, 13), MARGINS, POLICY) is None
    assert alert_due(ticket("S0", due, status="resolved"), ist(25, 13), MARGINS, POLICY) is None


def test_each_alert_once_per_due_time_and_again_for_a_new_one():
    due, moved = ist(25, 12), ist(25, 15)
    warned = ticket("S0", due, alerts=(("sla_at_risk", due),))

    assert alert_due(warned, ist(25, 11, 50), MARGINS, POLICY) is None
    assert alert_due(warned, ist(25, 12), MARGINS, POLICY) == "sla_breached"
    breached = dataclasses.replace(
        warned, history=warned.history + ticket("S0", due, alerts=(("sla_breached", due),)).history
    )
    assert alert_due(breached, ist(25, 13), MARGINS, POLICY) is None
    assert alert_due(dataclasses.replace(breached, due_at=moved), ist(25, 14, 50), MARGINS, POLICY) == "sla_at_risk"


def test_a_level_without_a_margin_is_only_reported_when_breached():
    assert alert_due(ticket("S3", ist(25, 15)), ist(25, 14, 59), {}, POLICY) is None
    assert alert_due(ticket("S3", ist(25, 15)), ist(25, 15), {}, POLICY) == "sla_breached"
