"""How times, targets and hours read to people, in one place so the bot and CLI agree.

Names are spelled out here rather than taken from the C library's locale, which would
make the bot's English depend on the server it runs on.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from helpdesk.policy import WEEKDAYS, BusinessHours, Policy, Severity

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_ZONE_NAME_CHARS = 64
"""Longer than any IANA name; a longer value is not one and is not looked up."""


class Zones(tzinfo):
    """Whom a time is quoted for: in the user's zone, with support's beside it when the
    clocks differ, so both sides read the same promise ("by 09:30 GMT (15:00 IST)").

    A tzinfo that keeps the user's clock, so it can stand wherever a zone is expected;
    `format_due` writes both.
    """

    def __init__(self, user: tzinfo, support: tzinfo) -> None:
        self.user, self.support = user, support

    def utcoffset(self, moment: datetime | None) -> timedelta | None:
        return self.user.utcoffset(moment and moment.replace(tzinfo=self.user))

    def dst(self, moment: datetime | None) -> timedelta | None:
        return self.user.dst(moment and moment.replace(tzinfo=self.user))

    def tzname(self, moment: datetime | None) -> str | None:
        return self.user.tzname(moment and moment.replace(tzinfo=self.user))

    def fromutc(self, moment: datetime) -> datetime:
        return self.user.fromutc(moment.replace(tzinfo=self.user)).replace(tzinfo=self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Zones) and (self.user, self.support) == (other.user, other.support)

    def __hash__(self) -> int:
        return hash((self.user, self.support))


def reader_zones(user_zone: object, support: tzinfo) -> tzinfo:
    """The zones to quote times in for a user whose browser named `user_zone` (an IANA name
    such as "Europe/London"); support's alone when it names none or an unknown one."""
    if not isinstance(user_zone, str) or not 0 < len(user_zone) <= MAX_ZONE_NAME_CHARS:
        return support
    try:
        zone = ZoneInfo(user_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return support
    return support if zone == support else Zones(zone, support)


def format_due(moment: datetime, zone: tzinfo) -> str:
    """A moment as people say it: "Wed 25 Nov, 09:30 IST"; for `Zones` whose clocks differ
    at that moment, "Wed 25 Nov, 04:00 GMT (09:30 IST)", with support's day when it differs."""
    if moment.tzinfo is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {moment.isoformat()}")
    if not isinstance(zone, Zones):
        return _day_and_time(moment.astimezone(zone))
    mine, theirs = moment.astimezone(zone.user), moment.astimezone(zone.support)
    if mine.utcoffset() == theirs.utcoffset() and zone_abbreviation(mine) == zone_abbreviation(theirs):
        return _day_and_time(theirs)
    beside = _day_and_time(theirs) if theirs.date() != mine.date() else f"{theirs:%H:%M} {zone_abbreviation(theirs)}"
    return f"{_day_and_time(mine)} ({beside})"


def _day_and_time(local: datetime) -> str:
    weekday, month = WEEKDAYS[local.weekday()][:3], MONTHS[local.month - 1]
    return f"{weekday} {local.day} {month}, {local:%H:%M} {zone_abbreviation(local)}"


def level_label(level: str, policy: Policy) -> str:
    """A level as people read it, "S1 (High)"; a ticket may carry a level the policy has
    since dropped, and then it shows as stored."""
    try:
        return policy.severity(level).label
    except ValueError:
        return level


def format_target(severity: Severity) -> str:
    """The first-response promise: "within 1 hour, 24x7" or "... during business hours"."""
    clock = ", 24x7" if severity.round_the_clock else " during business hours"
    return f"within {format_duration(severity.first_response)}{clock}"


def format_impact(severity: Severity) -> str:
    """The level's business impact as a phrase: "serious business impact", "no business impact"."""
    impact = severity.business_impact
    return "no business impact" if impact.casefold() in ("none", "no") else f"{impact} business impact"


def format_business_hours(hours: BusinessHours, at: datetime) -> str:
    """Like "Monday to Friday, 09:00–18:00 IST (Asia/Kolkata)"; the abbreviation is the one in force
    `at` (CET in winter, CEST in summer), so the caller's moment, not the reader's clock, decides it."""
    abbreviation = zone_abbreviation(at.astimezone(hours.timezone))
    zone = abbreviation if abbreviation == hours.timezone.key else f"{abbreviation} ({hours.timezone.key})"
    return f"{format_weekdays(hours.weekdays)}, {hours.opens:%H:%M}–{hours.closes:%H:%M} {zone}"


def format_weekdays(weekdays: frozenset[int]) -> str:
    """Runs of three or more days read as ranges: "Monday to Wednesday and Friday"."""
    if len(weekdays) == len(WEEKDAYS):
        return "every day"
    parts: list[str] = []
    for run in _runs(sorted(weekdays)):
        if len(run) >= 3:
            parts.append(f"{WEEKDAYS[run[0]]} to {WEEKDAYS[run[-1]]}")
        else:
            parts.extend(WEEKDAYS[day] for day in run)
    return join_words(parts)


def format_duration(duration: timedelta) -> str:
    """Hours and minutes only: "2 days" would wrongly suggest calendar days of business time."""
    minutes = round(duration.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = [_count(hours, "hour")] if hours else []
    if minutes or not hours:
        parts.append(_count(minutes, "minute"))
    return " ".join(parts)


def zone_abbreviation(local: datetime) -> str:
    """The zone's short name, or its UTC offset ("+0530") where the zone has no name."""
    name = local.tzname() or ""
    if name and not name.lstrip("+-").isdigit():
        return name
    return local.strftime("%z")


def join_words(parts: list[str]) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"; nothing for no items."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def lower_first(text: str) -> str:
    """A sentence-case text continued mid-sentence: "Critical functionality ..." → "critical ..."."""
    return text[:1].lower() + text[1:]


def _runs(days: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"
