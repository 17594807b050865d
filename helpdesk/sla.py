"""The business-hours clock: when a first response is due and when the desk is open.

All arithmetic happens in UTC on periods computed per local business day, so nights,
weekends, holidays and daylight-saving switches fall out without special cases: a
business day that loses an hour to DST simply offers one hour less.
Times that do not exist locally (skipped by DST) are read as the moment just after the
skip; ambiguous ones (repeated by DST) as their first occurrence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone

from helpdesk.policy import BusinessHours, Policy

HORIZON = timedelta(days=731)
"""How long the clock searches for a business day before calling the policy broken."""


def due_at(severity: str, filed_at: datetime, policy: Policy) -> datetime:
    """When the first response is due, in the policy's timezone.

    Round-the-clock levels count elapsed time; the others count business time only,
    starting at the next opening when filed outside business hours.
    """
    start = to_utc(filed_at, "filed_at")
    hours = policy.business_hours
    target = policy.severity(severity)
    if target.round_the_clock:
        return (start + target.first_response).astimezone(hours.timezone)
    periods = _periods_from(start, hours)
    opens, closes = next(periods)
    begin, remaining = max(opens, start), target.first_response
    while begin + remaining > closes:
        remaining -= closes - begin
        begin, closes = next(periods)
    return (begin + remaining).astimezone(hours.timezone)


def is_open(at: datetime, policy: Policy) -> bool:
    """Whether the support team is working at `at`; the closing minute itself is closed."""
    moment = to_utc(at, "at")
    hours = policy.business_hours
    period = _period_on(moment.astimezone(hours.timezone).date(), hours)
    return period is not None and period[0] <= moment < period[1]


def next_opening(at: datetime, policy: Policy) -> datetime:
    """The first moment at or after `at` when the desk is open, in the policy's timezone.

    That is `at` itself while open, so it is also "when business time starts counting".
    """
    moment = to_utc(at, "at")
    hours = policy.business_hours
    opens, _ = next(_periods_from(moment, hours))
    return max(opens, moment).astimezone(hours.timezone)


def warning_at(severity: str, due: datetime, margin: timedelta, policy: Policy) -> datetime:
    """When `margin` of the level's own clock is left before `due`: elapsed time for a
    round-the-clock level, business time for the others, so a warning for a ticket due at
    09:10 on Monday comes late on Friday, while someone can still act, not on Sunday night.
    """
    end = to_utc(due, "due")
    hours = policy.business_hours
    if policy.severity(severity).round_the_clock:
        return (end - margin).astimezone(hours.timezone)
    periods, remaining = _periods_before(end, hours), margin
    while True:
        opens, closes = next(periods)
        closes = min(closes, end)
        if closes - opens >= remaining:
            return (closes - remaining).astimezone(hours.timezone)
        remaining -= closes - opens


def to_utc(moment: datetime, name: str) -> datetime:
    """The one gate for times: a naive datetime would silently mean the server's local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name} must be a timezone-aware datetime (with a UTC offset), got naive {moment.isoformat()}"
        )
    return moment.astimezone(timezone.utc)


def _periods_from(moment: datetime, hours: BusinessHours) -> Iterator[tuple[datetime, datetime]]:
    """Business periods (UTC opens, closes) that end after `moment`, in order, forever."""
    return _periods(moment, hours, timedelta(days=1), lambda opens, closes: closes > moment)


def _periods_before(moment: datetime, hours: BusinessHours) -> Iterator[tuple[datetime, datetime]]:
    """Business periods (UTC opens, closes) that start before `moment`, latest first."""
    return _periods(moment, hours, timedelta(days=-1), lambda opens, closes: opens < moment)


def _periods(
    moment: datetime, hours: BusinessHours, step: timedelta, wanted: Callable[[datetime, datetime], bool]
) -> Iterator[tuple[datetime, datetime]]:
    """The wanted business periods of the days from `moment`'s, a `step` at a time.

    Raises ValueError once no business day has appeared within the horizon, so a policy
    whose every day is a holiday fails loudly instead of looping.
    """
    day = moment.astimezone(hours.timezone).date()
    last_business_day = day
    while abs(day - last_business_day) <= HORIZON:
        period = _period_on(day, hours)
        if period is not None:
            last_business_day = day
            if wanted(*period):
                yield period
        day += step
    first, last = sorted((day, last_business_day))
    raise ValueError(
        f"the business hours have no working day between {first} and {last}; "
        "check the weekdays and holidays in the support policy"
    )


def _period_on(day: date, hours: BusinessHours) -> tuple[datetime, datetime] | None:
    if day.weekday() not in hours.weekdays or hours.is_holiday(day):
        return None
    opens = datetime.combine(day, hours.opens, tzinfo=hours.timezone).astimezone(timezone.utc)
    closes = datetime.combine(day, hours.closes, tzinfo=hours.timezone).astimezone(timezone.utc)
    return (opens, closes) if opens < closes else None
