from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from helpdesk.wording import (
    format_business_hours,
    format_due,
    format_duration,
    format_impact,
    format_target,
    format_weekdays,
    join_words,
    lower_first,
    reader_zones,
)


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        (datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc), ZoneInfo("Asia/Kolkata"), "Wed 25 Nov, 09:30 IST"),
        (
            datetime(2026, 11, 5, 9, 30, tzinfo=ZoneInfo("Asia/Kolkata")),
            ZoneInfo("Asia/Kolkata"),
            "Thu 5 Nov, 09:30 IST",
        ),
        (datetime(2026, 1, 15, 12, tzinfo=timezone.utc), ZoneInfo("Europe/Berlin"), "Thu 15 Jan, 13:00 CET"),
        (datetime(2026, 7, 15, 12, tzinfo=timezone.utc), ZoneInfo("Europe/Berlin"), "Wed 15 Jul, 14:00 CEST"),
        (datetime(2026, 7, 15, 12, tzinfo=timezone.utc), ZoneInfo("America/Sao_Paulo"), "Wed 15 Jul, 09:00 -0300"),
        (datetime(2026, 7, 15, 12, tzinfo=timezone.utc), ZoneInfo("Asia/Dubai"), "Wed 15 Jul, 16:00 +0400"),
    ],
)
def test_format_due(moment, zone, expected):
    assert format_due(moment, zone) == expected


def test_format_due_refuses_naive_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_due(datetime(2026, 11, 25, 9, 30), ZoneInfo("Asia/Kolkata"))


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("S0", "within 1 hour, 24x7"),
        ("S1", "within 1 hour during business hours"),
        ("S2", "within 4 hours during business hours"),
    ],
)
def test_format_target(real_policy, level, expected):
    assert format_target(real_policy.severity(level)) == expected


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=4), "4 hours"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(minutes=45), "45 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(hours=30), "30 hours"),
    ],
)
def test_format_duration(duration, expected):
    assert format_duration(duration) == expected


def test_format_business_hours_of_the_real_policy(real_policy):
    at = datetime(2026, 11, 25, 6, 30, tzinfo=timezone.utc)
    assert format_business_hours(real_policy.business_hours, at) == "Monday to Friday, 09:00–18:00 IST (Asia/Kolkata)"


def test_format_business_hours_does_not_repeat_a_zone_named_by_its_abbreviation(real_policy):
    hours = dataclasses.replace(
        real_policy.business_hours, timezone=ZoneInfo("UTC"), opens=time(8, 30), closes=time(17)
    )

    assert (
        format_business_hours(hours, datetime(2026, 11, 25, tzinfo=timezone.utc)) == "Monday to Friday, 08:30–17:00 UTC"
    )


def test_format_business_hours_names_the_zone_as_it_is_at_the_moment_given(real_policy):
    hours = dataclasses.replace(real_policy.business_hours, timezone=ZoneInfo("Europe/Berlin"))

    winter = format_business_hours(hours, datetime(2026, 1, 14, 12, tzinfo=timezone.utc))
    summer = format_business_hours(hours, datetime(2026, 7, 15, 12, tzinfo=timezone.utc))

    assert (winter, summer) == (
        "Monday to Friday, 09:00–18:00 CET (Europe/Berlin)",
        "Monday to Friday, 09:00–18:00 CEST (Europe/Berlin)",
    )


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        ({0, 1, 2, 3, 4}, "Monday to Friday"),
        ({0, 1, 2, 4}, "Monday to Wednesday and Friday"),
        ({0, 2, 4}, "Monday, Wednesday and Friday"),
        ({5, 6}, "Saturday and Sunday"),
        ({3}, "Thursday"),
        ({0, 1, 2, 3, 4, 5, 6}, "every day"),
    ],
)
def test_format_weekdays(weekdays, expected):
    assert format_weekdays(frozenset(weekdays)) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_join_words(parts, expected):
    assert join_words(parts) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Critical functionality", "critical functionality"), ("an issue", "an issue"), ("", ""), ("É", "é")],
)
def test_lower_first(text, expected):
    assert lower_first(text) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [("S0", "serious business impact"), ("S2", "limited business impact"), ("S3", "no business impact")],
)
def test_format_impact(real_policy, level, expected):
    assert format_impact(real_policy.severity(level)) == expected


IST_ZONE = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("user_zone", "moment", "expected", "case"),
    [
        (
            "Europe/London",
            datetime(2026, 11, 30, 15, 0, tzinfo=IST_ZONE),
            "Mon 30 Nov, 09:30 GMT (15:00 IST)",
            "winter",
        ),
        (
            "Europe/London",
            datetime(2026, 6, 29, 15, 0, tzinfo=IST_ZONE),
            "Mon 29 Jun, 10:30 BST (15:00 IST)",
            "summer time",
        ),
        (
            "America/New_York",
            datetime(2026, 11, 30, 9, 30, tzinfo=IST_ZONE),
            "Sun 29 Nov, 23:00 EST (Mon 30 Nov, 09:30 IST)",
            "support's day differs, so it is given",
        ),
        (
            "Asia/Kathmandu",
            datetime(2026, 11, 30, 15, 0, tzinfo=IST_ZONE),
            "Mon 30 Nov, 15:15 +0545 (15:00 IST)",
            "a zone with a 45-minute offset and no abbreviation",
        ),
        (
            "Australia/Adelaide",
            datetime(2026, 11, 30, 15, 0, tzinfo=IST_ZONE),
            "Mon 30 Nov, 20:00 ACDT (15:00 IST)",
            "a half-hour offset under summer time",
        ),
        (
            "Asia/Calcutta",
            datetime(2026, 11, 30, 15, 0, tzinfo=IST_ZONE),
            "Mon 30 Nov, 15:00 IST",
            "another name for support's zone reads once",
        ),
    ],
)
def test_times_read_in_the_users_zone_with_supports_beside(user_zone, moment, expected, case):
    assert format_due(moment, reader_zones(user_zone, IST_ZONE)) == expected, case


@pytest.mark.parametrize(
    "user_zone", [None, "", "Mars/Olympus_Mons", "../../etc/passwd", "x" * 200, 42, "Asia/Kolkata"]
)
def test_an_unknown_or_missing_zone_falls_back_to_supports(user_zone):
    assert reader_zones(user_zone, IST_ZONE) is IST_ZONE
