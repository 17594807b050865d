from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.policy import PolicyError, load_policy
from helpdesk.wiring import default_policy


def test_real_policy_states_the_support_page_facts(real_policy):
    contact = real_policy.contact
    assert contact.email == "support@haptik.ai"
    assert contact.help_section_url == "https://docs.haptik.ai/other/supportbot"
    assert contact.docs_url == "https://docs.haptik.ai/"
    assert contact.docs_has_search is True
    assert "technical troubleshooting" in contact.docs_topics

    promises = {
        level: (severity.name, severity.first_response, severity.round_the_clock, severity.business_impact)
        for level, severity in real_policy.severities.items()
    }
    assert promises == {
        "S0": ("Blocker", timedelta(hours=1), True, "serious"),
        "S1": ("High", timedelta(hours=1), False, "moderate"),
        "S2": ("Medium", timedelta(hours=4), False, "limited"),
        "S3": ("Low", timedelta(hours=4), False, "none"),
    }
    assert any("20 seconds" in example for example in real_policy.severities["S0"].examples)
    assert "validates the severity" in real_policy.after_filing.severity_validation


def test_real_policy_business_hours_are_the_product_default(real_policy):
    hours = real_policy.business_hours

    assert hours.weekdays == frozenset({0, 1, 2, 3, 4})
    assert (hours.opens, hours.closes) == (time(9), time(18))
    assert hours.timezone == ZoneInfo("Asia/Kolkata")
    assert hours.holidays == frozenset()
    assert hours.public_holidays_country is None


def test_severity_label_names_level_and_name(real_policy):
    assert real_policy.severity("S1").label == "S1 (High)"


@pytest.mark.parametrize("typed", ["s2", " S2 ", "S2"])
def test_severity_lookup_forgives_case_and_spaces(real_policy, typed):
    assert real_policy.severity(typed).name == "Medium"


def test_unknown_severity_lists_the_valid_levels(real_policy):
    with pytest.raises(ValueError, match="S0, S1, S2, S3"):
        real_policy.severity("S9")


def test_timezone_override_replaces_the_files_zone(real_policy_file):
    policy = load_policy(real_policy_file, timezone_override="Europe/Berlin")

    assert policy.business_hours.timezone == ZoneInfo("Europe/Berlin")


def test_bad_timezone_override_is_reported(real_policy_file):
    with pytest.raises(PolicyError, match="override"):
        load_policy(real_policy_file, timezone_override="Mars/Olympus")


def test_default_policy_is_the_configured_file(real_policy):
    assert default_policy() == real_policy


def test_holidays_accept_quoted_and_unquoted_dates(policy_file):
    def edit(data):
        data["business_hours"]["holidays"] = ["2026-12-24", date(2026, 12, 25)]

    hours = load_policy(policy_file(edit)).business_hours

    assert hours.holidays == frozenset({date(2026, 12, 24), date(2026, 12, 25)})
    assert hours.is_holiday(date(2026, 12, 25))
    assert not hours.is_holiday(date(2026, 12, 28))


def test_public_holidays_come_from_the_holidays_package(policy_file):
    def edit(data):
        data["business_hours"]["public_holidays"] = {"country": "IN", "subdivision": "MH"}

    hours = load_policy(policy_file(edit)).business_hours

    assert hours.is_holiday(date(2026, 1, 26))  # Republic Day
    assert not hours.is_holiday(date(2026, 1, 27))


def test_weekdays_accept_full_names_in_any_case(policy_file):
    def edit(data):
        data["business_hours"]["weekdays"] = ["monday", "SAT"]

    assert load_policy(policy_file(edit)).business_hours.weekdays == frozenset({0, 5})


def set_field(path, value):
    """An edit that puts `value` at a dotted path in the policy."""

    def edit(data):
        *parents, last = path.split(".")
        for key in parents:
            data = data[key]
        data[last] = value

    return edit


def remove_field(path):
    def edit(data):
        *parents, last = path.split(".")
        for key in parents:
            data = data[key]
        del data[last]

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            set_field("severities.S1.first_response_hours", "soon"),
            "severities.S1.first_response_hours: expected a positive number, got 'soon'",
        ),
        (set_field("severities.S1.first_response_hours", 0), "severities.S1.first_response_hours: expected a positive"),
        (set_field("severities.S1.first_response_hours", True), "severities.S1.first_response_hours: expected a posit"),
        (remove_field("severities.S2.clock"), "severities.S2.clock: missing"),
        (set_field("severities.S0.clock", "always"), "severities.S0.clock: expected one of 24x7, business_hours"),
        (set_field("severities.S3.examples", "one example"), "severities.S3.examples: expected a list"),
        (set_field("severities.S3.name", ""), "severities.S3.name: expected a non-empty text"),
        (set_field("severities.S3.colour", "red"), "severities.S3.colour: unknown field"),
        (set_field("severities.s1", {}), "severities.s1: duplicate level"),
        (set_field("severities", {}), "severities: expected at least one severity level"),
        (set_field("business_hours.opens", "9am"), 'business_hours.opens: expected a time as "HH:MM"'),
        (set_field("business_hours.closes", 1080), 'business_hours.closes: expected a time as "HH:MM" in quotes'),
        (set_field("business_hours.closes", "25:00"), "business_hours.closes: expected a time"),
        (set_field("business_hours.closes", "08:00"), "business_hours.closes: expected a time after opens (09:00)"),
        (set_field("business_hours.closes", "09:00"), "business_hours.closes: expected a time after opens"),
        (
            set_field("business_hours.weekdays", ["Mon", "Tue", "Funday"]),
            "business_hours.weekdays[2]: expected a weekday",
        ),
        (set_field("business_hours.weekdays", []), "business_hours.weekdays: expected at least one weekday"),
        (set_field("business_hours.timezone", "Mars/Olympus"), "business_hours.timezone: expected an IANA timezone"),
        (set_field("business_hours.holidays", ["25/12/2026"]), "business_hours.holidays[0]: expected an ISO date"),
        (
            set_field("business_hours.public_holidays", {"country": "XX"}),
            "business_hours.public_holidays.country: expected a country code",
        ),
        (
            set_field("business_hours.public_holidays", {"country": "IN", "subdivision": "ZZ"}),
            "business_hours.public_holidays.subdivision: expected a subdivision of IN",
        ),
        (set_field("business_hours.public_holidays", "IN"), "business_hours.public_holidays: expected a mapping"),
        (set_field("contact.email", "support at haptik"), "contact.email: expected an email address"),
        (set_field("contact.docs_url", "docs.haptik.ai"), "contact.docs_url: expected a web address"),
        (set_field("contact.docs_has_search", "yes"), "contact.docs_has_search: expected true or false"),
        (set_field("contact.phone", "+91"), "contact.phone: unknown field"),
        (remove_field("after_filing"), "after_filing: missing"),
    ],
)
def test_malformed_fields_are_named_exactly(policy_file, edit, message):
    path = policy_file(edit)

    with pytest.raises(PolicyError) as raised:
        load_policy(path)

    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("contact: [unclosed\n", "not valid YAML"), ("- just\n- a list\n", "expected a mapping")],
)
def test_unreadable_files_name_the_file(tmp_path, text, message):
    path = tmp_path / "policy.yml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(PolicyError, match=message) as raised:
        load_policy(path)

    assert str(path) in str(raised.value)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(PolicyError, match=r"absent\.yml"):
        load_policy(tmp_path / "absent.yml")
