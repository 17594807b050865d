"""The support policy: every support fact the assistant states, read from one YAML file.

Answers, actions and the CLI all read the policy from here so a fact is never restated
elsewhere. The loader checks the whole file up front because a typo discovered while a
customer waits for a response time is far worse than a refusal to start.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CLOCKS = ("24x7", "business_hours")


class PolicyError(ValueError):
    """The policy file is unusable; the message names the file and the exact field."""


@dataclass(frozen=True)
class Severity:
    """One severity level and the first-response promise attached to it."""

    level: str
    name: str
    meaning: str
    business_impact: str
    examples: tuple[str, ...]
    first_response: timedelta
    round_the_clock: bool

    @property
    def label(self) -> str:
        """How people refer to a level: the code alone is cryptic, the name alone ambiguous."""
        return f"{self.level} ({self.name})"


@dataclass(frozen=True)
class BusinessHours:
    """When the support team works; opens and closes are local times on the same day."""

    weekdays: frozenset[int]
    opens: time
    closes: time
    timezone: ZoneInfo
    holidays: frozenset[date]
    public_holidays_country: str | None
    public_holidays_subdivision: str | None

    def is_holiday(self, day: date) -> bool:
        """Listed closed days and, when a country is configured, its public holidays."""
        if day in self.holidays:
            return True
        if self.public_holidays_country is None:
            return False
        return day in _public_holidays(self.public_holidays_country, self.public_holidays_subdivision, day.year)


@dataclass(frozen=True)
class Contact:
    """Where customers can reach support or help themselves."""

    email: str
    help_section_url: str
    docs_url: str
    docs_has_search: bool
    docs_topics: tuple[str, ...]
    guidance: str


@dataclass(frozen=True)
class AfterFiling:
    """What support does with a ticket, so the bot sets expectations honestly."""

    severity_validation: str
    updates: str


@dataclass(frozen=True)
class Policy:
    """The whole support policy; severities keep the file's order."""

    contact: Contact
    after_filing: AfterFiling
    business_hours: BusinessHours
    severities: dict[str, Severity]
    reader_zone: tzinfo | None = None
    """The zone of the person times are quoted to (helpdesk.wording.reader_zones), when it
    is not support's; business hours are still counted in support's zone."""

    @property
    def quoting_zone(self) -> tzinfo:
        """Where quoted times are read: the reader's zone, else support's."""
        return self.reader_zone or self.business_hours.timezone

    def severity(self, level: str) -> Severity:
        """Look a level up the way people type it ("s1", " S1 ")."""
        wanted = str(level).strip().casefold()
        for severity in self.severities.values():
            if severity.level.casefold() == wanted:
                return severity
        raise ValueError(f"unknown severity {level!r}; expected one of {', '.join(self.severities)}")


def load_policy(path: Path, timezone_override: str | None = None) -> Policy:
    """Read and validate the policy file; `timezone_override` replaces the file's timezone."""
    root = _Node(_read_yaml(path), "", path)
    sections = root.fields(required=("contact", "after_filing", "business_hours", "severities"))
    return Policy(
        contact=_contact(sections["contact"]),
        after_filing=_after_filing(sections["after_filing"]),
        business_hours=_business_hours(sections["business_hours"], timezone_override),
        severities=_severities(sections["severities"]),
    )


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise PolicyError(f"{path}: cannot read the policy file ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise PolicyError(f"{path}: not valid YAML: {error}") from error


def _contact(node: _Node) -> Contact:
    parts = node.fields(
        required=("email", "help_section_url", "docs_url", "docs_has_search", "docs_topics", "guidance")
    )
    email = parts["email"].text()
    if "@" not in email:
        parts["email"].fail("an email address")
    return Contact(
        email=email,
        help_section_url=parts["help_section_url"].url(),
        docs_url=parts["docs_url"].url(),
        docs_has_search=parts["docs_has_search"].flag(),
        docs_topics=parts["docs_topics"].texts(),
        guidance=parts["guidance"].text(),
    )


def _after_filing(node: _Node) -> AfterFiling:
    parts = node.fields(required=("severity_validation", "updates"))
    return AfterFiling(severity_validation=parts["severity_validation"].text(), updates=parts["updates"].text())


def _business_hours(node: _Node, timezone_override: str | None) -> BusinessHours:
    parts = node.fields(
        required=("weekdays", "opens", "closes", "timezone"),
        optional=("holidays", "public_holidays"),
    )
    opens, closes = parts["opens"].clock_time(), parts["closes"].clock_time()
    if closes <= opens:
        parts["closes"].fail(f"a time after opens ({opens:%H:%M})")
    zone = parts["timezone"]
    if timezone_override is not None:
        zone = _Node(timezone_override, "timezone (override from the configuration)", node.file)
    country, subdivision = _public_holidays_region(parts["public_holidays"])
    return BusinessHours(
        weekdays=_weekdays(parts["weekdays"]),
        opens=opens,
        closes=closes,
        timezone=zone.zone(),
        holidays=frozenset(item.day() for item in parts["holidays"].items(allow_missing=True)),
        public_holidays_country=country,
        public_holidays_subdivision=subdivision,
    )


def _weekdays(node: _Node) -> frozenset[int]:
    days = frozenset(item.weekday() for item in node.items())
    if not days:
        node.fail("at least one weekday")
    return days


def _public_holidays_region(node: _Node) -> tuple[str | None, str | None]:
    if node.value is None:
        return None, None
    parts = node.fields(required=("country",), optional=("subdivision",))
    supported = holidays.list_supported_countries()
    country = parts["country"].text()
    if country not in supported:
        parts["country"].fail("a country code supported by the holidays package, such as IN")
    if parts["subdivision"].value is None:
        return country, None
    subdivision = parts["subdivision"].text()
    if subdivision not in supported[country]:
        parts["subdivision"].fail(f"a subdivision of {country} ({', '.join(supported[country]) or 'none exist'})")
    return country, subdivision


def _severities(node: _Node) -> dict[str, Severity]:
    entries = node.entries()
    if not entries:
        node.fail("at least one severity level")
    seen: set[str] = set()
    for level, entry in entries:
        if level.casefold() in seen:
            entry.error("duplicate level (levels are compared ignoring letter case)")
        seen.add(level.casefold())
    return {level: _severity(level, entry) for level, entry in entries}


def _severity(level: str, node: _Node) -> Severity:
    parts = node.fields(required=("name", "meaning", "business_impact", "examples", "first_response_hours", "clock"))
    clock = parts["clock"].text()
    if clock not in CLOCKS:
        parts["clock"].fail(f"one of {', '.join(CLOCKS)}")
    return Severity(
        level=level,
        name=parts["name"].text(),
        meaning=parts["meaning"].text(),
        business_impact=parts["business_impact"].text(),
        examples=parts["examples"].texts(),
        first_response=timedelta(hours=parts["first_response_hours"].positive_number()),
        round_the_clock=clock == "24x7",
    )


@functools.cache
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """One year's public holidays, computed once: the clock asks about many days."""
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


class _Node:
    """A YAML value that knows its field path, so every complaint says exactly where it is."""

    def __init__(self, value: object, path: str, file: Path) -> None:
        self.value = value
        self.path = path
        self.file = file

    def fail(self, expected: str) -> NoReturn:
        self.error(f"expected {expected}, got {self.value!r}")

    def error(self, problem: str) -> NoReturn:
        where = f"{self.path}: " if self.path else ""
        raise PolicyError(f"{self.file}: {where}{problem}")

    def fields(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, _Node]:
        """The named children; a missing required field or an unknown one is an error."""
        if not isinstance(self.value, dict):
            self.fail(f"a mapping with the fields {', '.join(required + optional)}")
        known = required + optional
        for key in self.value:
            if key not in known:
                self._child(key).error(f"unknown field (known fields: {', '.join(known)})")
        for key in required:
            if key not in self.value:
                self._child(key).error("missing")
        return {key: self._child(key) for key in known}

    def entries(self) -> list[tuple[str, _Node]]:
        """The children of a mapping whose keys are data (such as severity levels)."""
        if not isinstance(self.value, dict):
            self.fail("a mapping")
        for key in self.value:
            if not isinstance(key, str) or not key.strip():
                self._child(key).fail("a non-empty text as the key")
        return [(key, self._child(key)) for key in self.value]

    def items(self, allow_missing: bool = False) -> list[_Node]:
        if allow_missing and self.value is None:
            return []
        if not isinstance(self.value, list):
            self.fail("a list")
        return [_Node(item, f"{self.path}[{index}]", self.file) for index, item in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail("a non-empty text")
        return self.value.strip()

    def texts(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items())

    def url(self) -> str:
        address = self.text()
        if not address.startswith(("https://", "http://")):
            self.fail("a web address starting with https://")
        return address

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail("true or false")
        return self.value

    def positive_number(self) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)) or not self.value > 0:
            self.fail("a positive number")
        return self.value

    def clock_time(self) -> time:
        """YAML reads an unquoted 18:00 as the number 1080, hence the hint about quotes."""
        try:
            if isinstance(self.value, str) and len(self.value) == 5:
                return time.fromisoformat(self.value)
        except ValueError:
            pass
        self.fail('a time as "HH:MM" in quotes, such as "09:00"')

    def weekday(self) -> int:
        if isinstance(self.value, str):
            for number, name in enumerate(WEEKDAYS):
                if self.value.strip().casefold() in (name.casefold(), name[:3].casefold()):
                    return number
        self.fail("a weekday such as Mon or Monday")

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.text())
        except (ZoneInfoNotFoundError, ValueError):
            self.fail("an IANA timezone such as Asia/Kolkata")

    def day(self) -> date:
        """An ISO date; YAML already turns an unquoted 2026-12-25 into a date."""
        if isinstance(self.value, date) and not isinstance(self.value, datetime):
            return self.value
        try:
            if isinstance(self.value, str):
                return date.fromisoformat(self.value)
        except ValueError:
            pass
        self.fail("an ISO date such as 2026-12-25")

    def _child(self, key: object) -> _Node:
        path = f"{self.path}.{key}" if self.path else str(key)
        return _Node(self.value.get(key) if isinstance(self.value, dict) else None, path, self.file)
