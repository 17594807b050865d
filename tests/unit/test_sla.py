"""The clock, mostly on the real policy: Monday to Friday, 09:00-18:00 Asia/Kolkata.

25 Nov 2026 is a Wednesday; 27 Nov a Friday; 30 Nov a Monday.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from helpdesk.sla import due_at, is_open, next_opening, warning_at

IST = ZoneInfo("Asia/Kolkata")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def ist(month, day, hour, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=IST)


def with_hours(policy, **changes):
    return dataclasses.replace(policy, business_hours=dataclasses.replace(policy.business_hours, **changes))


def with_target(policy, level, hours):
    severity = dataclasses.replace(policy.severities[level], first_response=timedelta(hours=hours))
    return dataclasses.replace(policy, severities={**policy.severities, level: severity})


@pytest.mark.parametrize(
    ("severity", "filed", "due", "case"),
    [
        ("S1", ist(11, 25, 10), ist(11, 25, 11), "inside business hours"),
        ("S2", ist(11, 25, 14), ist(11, 25, 18), "due exactly at closing"),
        ("S2", ist(11, 25, 16), ist(11, 26, 11), "spans the night"),
        ("S1", ist(11, 25, 7), ist(11, 25, 10), "filed before opening"),
        ("S1", ist(11, 25, 18), ist(11, 26, 10), "filed exactly at closing"),
        ("S1", ist(11, 25, 22), ist(11, 26, 10), "filed in the evening"),
        ("S1", ist(11, 27, 17, 30), ist(11, 30, 9, 30), "Friday evening to Monday"),
        ("S2", ist(11, 28, 12), ist(11, 30, 13), "filed on Saturday"),
        ("S3", ist(11, 29, 23, 59), ist(11, 30, 13), "filed late on Sunday"),
        ("S0", ist(11, 28, 3), ist(11, 28, 4), "blocker counts every hour, weekend or not"),
        ("S0", ist(11, 25, 17, 30), ist(11, 25, 18, 30), "blocker ignores closing time"),
        ("s1", ist(11, 25, 10), ist(11, 25, 11), "level in lower case"),
    ],
)
def test_due_at_on_the_real_policy(real_policy, severity, filed, due, case):
    assert due_at(severity, filed, real_policy) == due, case


def test_result_is_in_the_policy_timezone_whatever_the_input(real_policy):
    filed = datetime(2026, 11, 25, 4, 30, tzinfo=timezone.utc)  # 10:00 IST

    due = due_at("S1", filed, real_policy)

    assert due.tzinfo == IST
    assert (due.hour, due.minute) == (11, 0)


def test_long_targets_span_several_business_days(real_policy):
    policy = with_target(real_policy, "S3", 30)

    # Thursday 9h + Friday 9h + Monday 9h + 3h on Tuesday.
    assert due_at("S3", ist(11, 26, 9), policy) == ist(12, 1, 12)


def test_listed_holidays_are_skipped(real_policy):
    policy = with_hours(real_policy, holidays=frozenset({date(2026, 11, 26)}))

    # One hour on Wednesday, Thursday off, three hours on Friday.
    assert due_at("S2", ist(11, 25, 17), policy) == ist(11, 27, 12)


def test_public_holidays_are_skipped(real_policy):
    policy = with_hours(real_policy, public_holidays_country="IN")

    # Friday 23 Jan, then Monday 26 Jan is Republic Day.
    assert due_at("S2", ist(1, 23, 17), policy) == ist(1, 27, 12)


def test_business_hours_across_a_dst_weekend_keep_local_opening_times(real_policy):
    # New York moves to daylight time on Sunday 8 March 2026.
    policy = with_hours(real_policy, timezone=NEW_YORK)
    filed = datetime(2026, 3, 6, 17, tzinfo=NEW_YORK)

    due = due_at("S2", filed, policy)

    assert due == datetime(2026, 3, 9, 12, tzinfo=NEW_YORK)
    assert due.utcoffset() == timedelta(hours=-4)


def test_a_business_day_that_loses_an_hour_to_dst_offers_one_hour_less(real_policy):
    # Berlin skips 02:00-03:00 on Sunday 29 March 2026; 00:00-06:00 holds five real hours.
    policy = with_target(
        with_hours(real_policy, timezone=BERLIN, weekdays=frozenset(range(7)), opens=time(0), closes=time(6)), "S3", 6
    )
    filed = datetime(2026, 3, 29, 0, tzinfo=BERLIN)

    assert due_at("S2", filed, policy) == datetime(2026, 3, 29, 5, tzinfo=BERLIN)
    assert due_at("S3", filed, policy) == datetime(2026, 3, 30, 1, tzinfo=BERLIN)


def test_a_business_day_that_gains_an_hour_to_dst_offers_one_hour_more(real_policy):
    # Berlin repeats 02:00-03:00 on Sunday 25 October 2026; 00:00-06:00 holds seven real hours.
    policy = with_target(
        with_hours(real_policy, timezone=BERLIN, weekdays=frozenset(range(7)), opens=time(0), closes=time(6)), "S3", 6
    )
    filed = datetime(2026, 10, 25, 0, tzinfo=BERLIN)

    assert due_at("S3", filed, policy) == datetime(2026, 10, 25, 5, tzinfo=BERLIN)


def test_round_the_clock_counts_real_elapsed_time_across_dst(real_policy):
    policy = with_hours(real_policy, timezone=BERLIN)
    filed = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)

    assert due_at("S0", filed, policy) == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)


def test_naive_time_is_refused(real_policy):
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at("S1", datetime(2026, 11, 25, 10), real_policy)


def test_unknown_severity_is_refused_with_the_valid_levels(real_policy):
    with pytest.raises(ValueError, match="unknown severity 'S7'; expected one of S0, S1, S2, S3"):
        due_at("S7", ist(11, 25, 10), real_policy)


def test_policy_without_business_days_fails_instead_of_looping(real_policy):
    policy = with_hours(real_policy, weekdays=frozenset())

    with pytest.raises(ValueError, match="no working day"):
        due_at("S1", ist(11, 25, 10), policy)


def test_holidays_covering_every_business_day_for_years_fail(real_policy):
    mondays = frozenset(date(2026, 11, 30) + timedelta(weeks=week) for week in range(52 * 3))
    policy = with_hours(real_policy, weekdays=frozenset({0}), holidays=mondays)

    with pytest.raises(ValueError, match="no working day"):
        next_opening(ist(11, 25, 10), policy)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (ist(11, 25, 8, 59), False),
        (ist(11, 25, 9), True),
        (ist(11, 25, 17, 59), True),
        (ist(11, 25, 18), False),
        (ist(11, 28, 12), False),
        (datetime(2026, 11, 25, 4, 30, tzinfo=timezone.utc), True),
    ],
)
def test_is_open(real_policy, at, expected):
    assert is_open(at, real_policy) is expected


def test_is_open_respects_holidays(real_policy):
    policy = with_hours(real_policy, holidays=frozenset({date(2026, 11, 25)}))

    assert not is_open(ist(11, 25, 12), policy)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (ist(11, 25, 12), ist(11, 25, 12)),
        (ist(11, 25, 7), ist(11, 25, 9)),
        (ist(11, 25, 18), ist(11, 26, 9)),
        (ist(11, 27, 19), ist(11, 30, 9)),
        (ist(11, 29, 10), ist(11, 30, 9)),
    ],
)
def test_next_opening_is_the_first_open_moment_at_or_after(real_policy, at, expected):
    opening = next_opening(at, real_policy)

    assert opening == expected
    assert opening.tzinfo == IST


def test_is_open_and_next_opening_refuse_naive_times(real_policy):
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(datetime(2026, 11, 25, 10), real_policy)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_opening(datetime(2026, 11, 25, 10), real_policy)


@pytest.mark.parametrize(
    ("severity", "due", "minutes", "warning", "case"),
    [
        ("S0", ist(11, 28, 3, 0), 15, ist(11, 28, 2, 45), "round the clock: elapsed time, even on a Saturday night"),
        ("S2", ist(11, 25, 15, 0), 30, ist(11, 25, 14, 30), "inside one business day"),
        (
            "S2",
            ist(11, 26, 9, 10),
            30,
            ist(11, 25, 17, 40),
            "due just after opening: the warning comes the evening before",
        ),
        ("S2", ist(11, 30, 9, 10), 30, ist(11, 27, 17, 40), "due Monday morning: the warning comes on Friday"),
        ("S1", ist(11, 25, 9, 0), 15, ist(11, 24, 17, 45), "due exactly at opening"),
        ("S2", ist(11, 26, 10, 0), 120, ist(11, 25, 17, 0), "a margin longer than the morning"),
    ],
)
def test_warnings_come_a_margin_of_the_levels_own_clock_before_the_due_time(
    real_policy, severity, due, minutes, warning, case
):
    assert warning_at(severity, due, timedelta(minutes=minutes), real_policy) == warning, case


def test_a_warning_skips_holidays(real_policy):
    policy = with_hours(real_policy, holidays=frozenset({date(2026, 11, 27)}))

    assert warning_at("S2", ist(11, 30, 9, 10), timedelta(minutes=30), policy) == ist(11, 26, 17, 40)
