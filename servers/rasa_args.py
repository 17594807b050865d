"""The `rasa run` arguments the settings call for: where to listen, which web pages may call
it, whether its HTTP API is on, and the API's token.

The token comes from the environment (RASA_AUTH_TOKEN) and is added to the arguments
inside the process, so it never shows in a process listing; Rasa's API is refused without
it, and access logs, if an operator turns them on, show it blanked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from helpdesk.config import Settings

AUTH_TOKEN_ENV = "RASA_AUTH_TOKEN"
MIN_TOKEN_CHARS = 16
"""Shorter tokens are guessable; `make run` makes 64 hexadecimal characters."""

_OPTIONS_WITH_VALUES = {"--interface", "-i", "--auth-token", "--cors"}
_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s]*")


class LaunchError(ValueError):
    """The server cannot start safely as configured; the message says what to set."""


def secured_arguments(argv: list[str], settings: Settings, env: Mapping[str, str]) -> list[str]:
    """`argv` (after the program name) with the settings' address, origins and API switch.

    Only `rasa run` is changed: other commands (train, test, data) serve nothing. What the
    settings decide replaces whatever the caller passed for it, so no script can open the
    API without its token or bind the server elsewhere by accident.
    """
    if argv[:1] != ["run"] or argv[1:2] == ["actions"]:
        return argv
    rest = _without(argv[1:], _OPTIONS_WITH_VALUES | {"--enable-api"})
    secured = ["run", *rest, "--interface", settings.bind_address]
    if settings.cors_origins:
        secured += ["--cors", *settings.cors_origins]
    if settings.enable_api:
        secured += ["--enable-api", "--auth-token", api_token(env)]
    return secured


def api_token(env: Mapping[str, str]) -> str:
    token = (env.get(AUTH_TOKEN_ENV) or "").strip()
    if len(token) < MIN_TOKEN_CHARS:
        raise LaunchError(
            f"Rasa's HTTP API is enabled (enable_api in helpdesk.yml), so {AUTH_TOKEN_ENV} must hold a secret "
            f"of at least {MIN_TOKEN_CHARS} characters; `make run` makes one, or set enable_api: false"
        )
    return token


def _without(argv: list[str], options: set[str]) -> list[str]:
    """`argv` without `options` and their values (`--cors a b` takes every value up to the next option)."""
    kept: list[str] = []
    skipping = False
    for argument in argv:
        name = argument.split("=", 1)[0]
        if name in options:
            skipping = "=" not in argument and name != "--enable-api"
            continue
        if skipping and not argument.startswith("-"):
            continue
        skipping = False
        kept.append(argument)
    return kept


class RedactTokens(logging.Filter):
    """Blanks `token=...` in the URLs Sanic's access log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, str):
            record.request = _TOKEN_IN_URL.sub(r"\1***", request)
        return True


def redact_access_log() -> None:
    logging.getLogger("sanic.access").addFilter(RedactTokens())
