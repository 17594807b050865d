"""Delivery targets as the operator declares them in helpdesk.yml (`delivery_targets`).

Parsed once into frozen dataclasses so nothing downstream handles raw YAML. Secrets are
not part of the file: a target names the environment variable holding its secret, and
the worker reads it when it starts, so helpdesk.yml can be committed as it is.
This module imports nothing from helpdesk, so the configuration loader can use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit

from helpdesk.tickets import EVENT_KINDS, SLA_ALERTS

EMAIL_SECURITY = ("none", "starttls", "ssl")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class TargetConfigError(ValueError):
    """A target is misconfigured; the message continues the list's key: "[1].url: ..." or ": ..."."""


@dataclass(frozen=True)
class WebhookSettings:
    """JSON POSTs signed with HMAC-SHA256 over the body, with an Idempotency-Key header."""

    name: str
    enabled: bool
    events: frozenset[str]
    url: str
    secret_env: str
    connect_timeout_seconds: float
    read_timeout_seconds: float


@dataclass(frozen=True)
class EmailSettings:
    """A readable summary by SMTP; `recipient` None means the policy's support email."""

    name: str
    enabled: bool
    events: frozenset[str]
    host: str
    port: int
    security: str
    sender: str
    recipient: str | None
    username_env: str | None
    password_env: str | None
    timeout_seconds: float


@dataclass(frozen=True)
class ZendeskSettings:
    """New tickets created through Zendesk's Tickets API; it takes no other events."""

    name: str
    enabled: bool
    events: frozenset[str]
    url: str
    email: str
    token_env: str
    connect_timeout_seconds: float
    read_timeout_seconds: float


TargetSettings = WebhookSettings | EmailSettings | ZendeskSettings

_SUPPORTED_EVENTS = {"webhook": EVENT_KINDS, "email": EVENT_KINDS, "zendesk": ("created",)}
_DEFAULT_EVENTS = {
    "webhook": EVENT_KINDS,
    "email": ("created", "handoff_requested", *SLA_ALERTS),
    "zendesk": ("created",),
}
"""A mailbox hears of what someone must act on: new tickets, requests for a person, and
first responses soon due or overdue."""


def parse_targets(raw: object) -> tuple[TargetSettings, ...]:
    """Every declared target, enabled or not; names are unique so outbox rows can name them."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise TargetConfigError(f": expected a list of targets, got {type(raw).__name__}")
    targets = tuple(_target(_Entry(item, f"[{index}]")) for index, item in enumerate(raw))
    names = [target.name for target in targets]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise TargetConfigError(f"[{index}].name: {name!r} is used by another target")
    return targets


def _target(entry: _Entry) -> TargetSettings:
    kind = entry.choice("type", tuple(_SUPPORTED_EVENTS))
    parse: Callable[[_Entry, str, bool, frozenset[str]], TargetSettings] = _PARSERS[kind]
    name = entry.text("name")
    if not _NAME.fullmatch(name):
        entry.fail("name", f"use letters, digits, '.', '_' or '-' (at most 64), got {name!r}")
    target = parse(
        entry, name, entry.flag("enabled", True), entry.events(_SUPPORTED_EVENTS[kind], _DEFAULT_EVENTS[kind])
    )
    entry.reject_unknown()
    return target


def _webhook(entry: _Entry, name: str, enabled: bool, events: frozenset[str]) -> WebhookSettings:
    return WebhookSettings(
        name=name,
        enabled=enabled,
        events=events,
        url=entry.url("url"),
        secret_env=entry.env_name("secret_env"),
        connect_timeout_seconds=entry.seconds("connect_timeout_seconds", 3.0),
        read_timeout_seconds=entry.seconds("read_timeout_seconds", 10.0),
    )


def _email(entry: _Entry, name: str, enabled: bool, events: frozenset[str]) -> EmailSettings:
    security = entry.choice("security", EMAIL_SECURITY, "none")
    return EmailSettings(
        name=name,
        enabled=enabled,
        events=events,
        host=entry.text("host"),
        port=entry.port("port", {"none": 25, "starttls": 587, "ssl": 465}[security]),
        security=security,
        sender=entry.address("from"),
        recipient=entry.optional_address("to"),
        username_env=entry.optional_env_name("username_env"),
        password_env=entry.optional_env_name("password_env"),
        timeout_seconds=entry.seconds("timeout_seconds", 10.0),
    )


def _zendesk(entry: _Entry, name: str, enabled: bool, events: frozenset[str]) -> ZendeskSettings:
    return ZendeskSettings(
        name=name,
        enabled=enabled,
        events=events,
        url=entry.url("url").rstrip("/"),
        email=entry.address("email"),
        token_env=entry.env_name("token_env"),
        connect_timeout_seconds=entry.seconds("connect_timeout_seconds", 3.0),
        read_timeout_seconds=entry.seconds("read_timeout_seconds", 15.0),
    )


_PARSERS: Mapping[str, Callable[..., TargetSettings]] = {"webhook": _webhook, "email": _email, "zendesk": _zendesk}


class _Entry:
    """One target's mapping; remembers which keys were read so unknown ones are refused."""

    def __init__(self, raw: object, path: str) -> None:
        if not isinstance(raw, dict):
            raise TargetConfigError(f"{path}: expected a mapping with at least name and type, got {raw!r}")
        self._raw, self._path, self._read = raw, path, {"type", "name", "enabled", "events"}

    def fail(self, key: str, problem: str) -> NoReturn:
        raise TargetConfigError(f"{self._path}.{key}: {problem}")

    def value(self, key: str) -> object:
        self._read.add(key)
        return self._raw.get(key)

    def text(self, key: str) -> str:
        value = self.value(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"expected a non-empty text, got {value!r}")
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        return None if self.value(key) in (None, "") else self.text(key)

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self.value(key)
        value = default if value is None else value
        if value not in allowed:
            self.fail(key, f"expected one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.value(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {value!r}")
        return bool(value)

    def seconds(self, key: str, default: float) -> float:
        value = self.value(key)
        value = default if value is None else value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            self.fail(key, f"expected a positive number of seconds, got {value!r}")
        return float(value)

    def port(self, key: str, default: int) -> int:
        value = self.value(key)
        value = default if value is None else value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
            self.fail(key, f"expected a port number, got {value!r}")
        return int(value)

    def url(self, key: str) -> str:
        value = self.text(key)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.fail(key, f"expected an http(s) URL, got {value!r}")
        return value

    def address(self, key: str) -> str:
        return self._matching(key, self.text(key), _ADDRESS, "an email address")

    def optional_address(self, key: str) -> str | None:
        value = self.optional_text(key)
        return None if value is None else self._matching(key, value, _ADDRESS, "an email address")

    def env_name(self, key: str) -> str:
        return self._matching(key, self.text(key), _ENV_NAME, "the name of an environment variable")

    def optional_env_name(self, key: str) -> str | None:
        value = self.optional_text(key)
        return None if value is None else self._matching(key, value, _ENV_NAME, "the name of an environment variable")

    def events(self, supported: tuple[str, ...], default: tuple[str, ...]) -> frozenset[str]:
        value = self._raw.get("events")
        if value is None:
            return frozenset(default)
        if not isinstance(value, list) or not value or any(item not in supported for item in value):
            self.fail("events", f"expected a list of some of {', '.join(supported)}, got {value!r}")
        return frozenset(value)

    def _matching(self, key: str, value: str, pattern: re.Pattern[str], expected: str) -> str:
        if not pattern.fullmatch(value):
            self.fail(key, f"expected {expected}, got {value!r}")
        return value

    def reject_unknown(self) -> None:
        unknown = sorted(set(self._raw) - self._read, key=str)
        if unknown:
            self.fail(str(unknown[0]), "unknown key for this type of target")
