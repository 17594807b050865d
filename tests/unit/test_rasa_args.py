"""How the Rasa server is started: the settings, not the command line, decide where it
listens, who may call it from a browser, and whether its HTTP API is on (and then only
with a token)."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from helpdesk.config import load_settings
from servers.rasa_args import LaunchError, RedactTokens, secured_arguments

TOKEN = "0123456789abcdef0123456789abcdef"
ENV = {"RASA_AUTH_TOKEN": TOKEN}


@pytest.fixture
def settings(tmp_path):
    config = tmp_path / "helpdesk.yml"
    config.write_text("database_url: sqlite:///x.db\nreference_prefix: HLP-\npolicy_file: support-policy.yml\n")
    return load_settings(config, env={})


def option(argv: list[str], name: str) -> list[str]:
    """The values given to `name` in `argv` (every value up to the next option)."""
    start = argv.index(name) + 1
    values = []
    for argument in argv[start:]:
        if argument.startswith("-"):
            break
        values.append(argument)
    return values


def test_by_default_rasa_listens_on_loopback_with_the_api_behind_the_token(settings):
    argv = secured_arguments(["run", "--port", "5005", "--model", "m.tar.gz"], settings, ENV)

    assert option(argv, "--interface") == ["127.0.0.1"]
    assert option(argv, "--auth-token") == [TOKEN]
    assert "--enable-api" in argv
    assert option(argv, "--cors") == ["http://localhost:8080", "http://127.0.0.1:8080"]
    assert option(argv, "--port") == ["5005"] and option(argv, "--model") == ["m.tar.gz"]


def test_what_the_command_line_says_about_security_is_replaced(settings):
    argv = secured_arguments(
        ["run", "--enable-api", "--cors", "*", "--interface", "0.0.0.0", "--auth-token=weak", "--port", "1"],
        settings,
        ENV,
    )

    assert "*" not in argv and "0.0.0.0" not in argv and "--auth-token=weak" not in argv
    assert argv.count("--enable-api") == 1 and argv.count("--interface") == 1
    assert option(argv, "--port") == ["1"]


def test_the_api_does_not_start_without_a_token(settings):
    with pytest.raises(LaunchError, match="RASA_AUTH_TOKEN"):
        secured_arguments(["run"], settings, {})
    with pytest.raises(LaunchError, match="at least"):
        secured_arguments(["run"], settings, {"RASA_AUTH_TOKEN": "short"})


def test_with_the_api_off_no_token_is_needed_and_none_is_passed(settings):
    argv = secured_arguments(["run", "--enable-api"], replace(settings, enable_api=False), {})

    assert "--enable-api" not in argv and "--auth-token" not in argv


def test_another_address_and_origins_come_from_the_settings(settings):
    custom = replace(settings, bind_address="0.0.0.0", cors_origins=("https://app.example.com",))

    argv = secured_arguments(["run"], custom, ENV)

    assert option(argv, "--interface") == ["0.0.0.0"] and option(argv, "--cors") == ["https://app.example.com"]


@pytest.mark.parametrize("argv", [["train"], ["run", "actions", "--port", "5055"], ["test", "core"], []])
def test_commands_that_serve_no_api_are_unchanged(settings, argv):
    assert secured_arguments(argv, settings, {}) == argv


def test_access_logs_show_no_token():
    record = logging.LogRecord("sanic.access", logging.INFO, "", 0, "", (), None)
    record.request = f"GET http://127.0.0.1:5005/status?token={TOKEN}&x=1"

    RedactTokens().filter(record)

    assert TOKEN not in record.request and record.request.endswith("token=***&x=1")
