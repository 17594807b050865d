"""Operator configuration: one YAML file, each key overridable by an environment variable.

Settings are read once at process start so that every part of the assistant agrees on
where tickets live and which policy applies. Adding a key is one field on `Settings`:
its YAML name is the field name and its environment override is HELPDESK_<NAME>.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from helpdesk.delivery.settings import TargetConfigError, TargetSettings, parse_targets

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_ENV = "HELPDESK_CONFIG"
ENV_PREFIX = "HELPDESK_"


class ConfigError(ValueError):
    """The operator configuration is unusable; the message names the offending key."""


# Readers: one per kind of value. Each gets the raw value (from YAML or the environment,
# None when absent), the key for error messages, and the project root for relative paths.
Reader = Callable[[object, str, Path], Any]


def _text(value: object, key: str, root: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key}: expected a non-empty text, got {value!r}")
    return value.strip()


def _database_url(value: object, key: str, root: Path) -> str:
    """Anchor relative SQLite files to the project so the CLI and servers share one file."""
    try:
        url = make_url(_text(value, key, root))
    except ArgumentError as error:
        raise ConfigError(f"{key}: expected an SQLAlchemy database URL, got {value!r}") from error
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        if not Path(database).is_absolute():
            url = url.set(database=str(root / database))
    return url.render_as_string(hide_password=False)


def _project_path(value: object, key: str, root: Path) -> Path:
    return root / _text(value, key, root)


def _optional_timezone(value: object, key: str, root: Path) -> str | None:
    if value is None or value == "":
        return None
    name = _text(value, key, root)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(f"{key}: expected an IANA timezone such as Asia/Kolkata, got {value!r}") from error
    return name


def _optional_text(value: object, key: str, root: Path) -> str | None:
    return None if value is None or value == "" else _text(value, key, root)


def _count(value: object, key: str, root: Path) -> int:
    """A positive whole number; environment variables arrive as text."""
    number = _number(value)
    if number is None or number != int(number) or number < 1:
        raise ConfigError(f"{key}: expected a positive whole number, got {value!r}")
    return int(number)


def _seconds(value: object, key: str, root: Path) -> float:
    number = _number(value)
    if number is None or number <= 0:
        raise ConfigError(f"{key}: expected a positive number of seconds, got {value!r}")
    return number


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value) if isinstance(value, (int, float, str)) else None
    except ValueError:
        return None


def _delivery_targets(value: object, key: str, root: Path) -> tuple[TargetSettings, ...]:
    """A YAML list in the file; in the environment, the same list as JSON or YAML text."""
    try:
        raw = yaml.safe_load(value) if isinstance(value, str) else value
        return parse_targets(raw)
    except yaml.YAMLError as error:
        raise ConfigError(f"{key}: not valid JSON or YAML: {error}") from error
    except TargetConfigError as error:
        raise ConfigError(f"{key}{error}") from error


def _address(value: object, key: str, root: Path) -> str:
    """An address to listen on: an IP address or a host name, never empty."""
    address = _text(value, key, root)
    if any(character.isspace() for character in address) or "/" in address:
        raise ConfigError(f"{key}: expected an IP address or host name to listen on, got {value!r}")
    return address


def _origins(value: object, key: str, root: Path) -> tuple[str, ...]:
    """Web origins (scheme://host[:port]); a YAML list in the file, space- or comma-separated
    in the environment. "*" is refused: any page on the web could then drive the bot."""
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ConfigError(f"{key}: expected a list of origins such as http://localhost:8080, got {value!r}")
    origins = tuple(item.strip().rstrip("/") for item in items if item.strip())
    for origin in origins:
        if not re.fullmatch(r"https?://[^/\s*]+", origin):
            raise ConfigError(f"{key}: {origin!r} is not an origin such as https://app.example.com")
    return origins


def _flag(value: object, key: str, root: Path) -> bool:
    """Yes or no; environment variables arrive as text."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "on", "1"}:
        return True
    if text in {"false", "no", "off", "0"}:
        return False
    raise ConfigError(f"{key}: expected true or false, got {value!r}")


def _minutes_per_level(value: object, key: str, root: Path) -> dict[str, timedelta]:
    """Minutes per severity level ({S0: 15, ...}); in the environment, the same as JSON or YAML."""
    raw = yaml.safe_load(value) if isinstance(value, str) else value
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{key}: expected minutes per severity level such as {{S0: 15, S2: 30}}, got {value!r}")
    margins = {}
    for level, minutes in raw.items():
        number = _number(minutes)
        if number is None or number <= 0:
            raise ConfigError(f"{key}: {level}: expected a positive number of minutes, got {minutes!r}")
        margins[str(level)] = timedelta(minutes=number)
    return margins


def _or_default(read: Reader, default: object) -> Reader:
    """A key that configuration files written before it existed may lack: absent means `default`."""
    return lambda value, key, root: read(default if value is None else value, key, root)


def _key(read: Reader) -> Any:
    """Declare a configurable key by the reader that validates it."""
    return field(metadata={"read": read})


@dataclass(frozen=True)
class Settings:
    """Validated operator settings; paths and SQLite URLs are already absolute."""

    project_root: Path
    database_url: str = _key(_database_url)
    reference_prefix: str = _key(_text)
    policy_file: Path = _key(_project_path)
    timezone: str | None = _key(_optional_timezone)
    delivery_targets: tuple[TargetSettings, ...] = _key(_or_default(_delivery_targets, []))
    delivery_max_attempts: int = _key(_or_default(_count, 10))
    delivery_backoff_seconds: float = _key(_or_default(_seconds, 30))
    delivery_backoff_max_seconds: float = _key(_or_default(_seconds, 3600))
    delivery_lease_seconds: float = _key(_or_default(_seconds, 120))
    delivery_poll_seconds: float = _key(_or_default(_seconds, 5))
    journal_file: Path = _key(_or_default(_project_path, "var/journal.jsonl"))
    reserved_references_file: Path = _key(_or_default(_project_path, "var/reserved-references.json"))
    reserved_references: int = _key(_or_default(_count, 50))
    identity_secret: str | None = _key(_optional_text)
    bind_address: str = _key(_or_default(_address, "127.0.0.1"))
    cors_origins: tuple[str, ...] = _key(_or_default(_origins, ["http://localhost:8080", "http://127.0.0.1:8080"]))
    enable_api: bool = _key(_or_default(_flag, True))
    action_server_secret: str | None = _key(_optional_text)
    sla_warning_minutes: dict[str, timedelta] = _key(
        _or_default(_minutes_per_level, {"S0": 15, "S1": 15, "S2": 30, "S3": 30})
    )
    rasa_replicas: int = _key(_or_default(_count, 2))
    action_servers: int = _key(_or_default(_count, 2))
    delivery_workers: int = _key(_or_default(_count, 2))


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the config file, then let environment variables win (containers set those)."""
    env = os.environ if env is None else env
    config_file = path or Path(env.get(CONFIG_ENV) or PROJECT_ROOT / "helpdesk.yml")
    raw = _read_yaml(config_file)
    keys = [setting for setting in fields(Settings) if "read" in setting.metadata]
    unknown = sorted(set(raw) - {setting.name for setting in keys})
    if unknown:
        known = ", ".join(setting.name for setting in keys)
        raise ConfigError(f"{config_file}: unknown key {unknown[0]!r} (known keys: {known})")
    values = {setting.name: _read_key(setting.name, setting.metadata["read"], raw, env) for setting in keys}
    return Settings(project_root=PROJECT_ROOT, **values)


def _read_key(name: str, read: Reader, raw: Mapping[str, object], env: Mapping[str, str]) -> Any:
    """Errors name the environment variable when that is where the bad value came from."""
    variable = ENV_PREFIX + name.upper()
    if variable in env:
        return read(env[variable], variable, PROJECT_ROOT)
    return read(raw.get(name), name, PROJECT_ROOT)


def _read_yaml(config_file: Path) -> dict[str, object]:
    try:
        raw = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{config_file}: cannot read the configuration file ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{config_file}: not valid YAML: {error}") from error
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{config_file}: expected a mapping of keys to values, got {type(raw).__name__}")
    return raw
