from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from helpdesk.config import PROJECT_ROOT, ConfigError, load_settings

REAL_CONFIG = PROJECT_ROOT / "helpdesk.yml"


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "helpdesk.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_real_file_resolves_relative_paths_against_the_project_root():
    settings = load_settings(REAL_CONFIG, env={})

    assert settings.project_root == PROJECT_ROOT
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT}/var/helpdesk.db"
    assert settings.reference_prefix == "HLP-"
    assert settings.policy_file == PROJECT_ROOT / "support-policy.yml"
    assert settings.timezone is None


def test_default_file_is_the_projects_own():
    assert load_settings(env={}) == load_settings(REAL_CONFIG, env={})


def test_config_file_can_be_named_by_environment(tmp_path):
    path = write_config(
        tmp_path, "database_url: sqlite:////srv/t.db\nreference_prefix: SUP-\npolicy_file: p.yml\ntimezone: UTC\n"
    )

    settings = load_settings(env={"HELPDESK_CONFIG": str(path)})

    assert settings.reference_prefix == "SUP-"
    assert settings.timezone == "UTC"


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        (
            "HELPDESK_DATABASE_URL",
            "postgresql://bot:s3cret@db:5432/helpdesk",
            "database_url",
            "postgresql://bot:s3cret@db:5432/helpdesk",
        ),
        ("HELPDESK_DATABASE_URL", "sqlite:///data/t.db", "database_url", f"sqlite:///{PROJECT_ROOT}/data/t.db"),
        ("HELPDESK_DATABASE_URL", "sqlite:////srv/t.db", "database_url", "sqlite:////srv/t.db"),
        ("HELPDESK_DATABASE_URL", "sqlite://", "database_url", "sqlite://"),
        ("HELPDESK_REFERENCE_PREFIX", "SUP-", "reference_prefix", "SUP-"),
        ("HELPDESK_POLICY_FILE", "other/policy.yml", "policy_file", PROJECT_ROOT / "other/policy.yml"),
        ("HELPDESK_POLICY_FILE", "/etc/helpdesk/policy.yml", "policy_file", Path("/etc/helpdesk/policy.yml")),
        ("HELPDESK_TIMEZONE", "Europe/Berlin", "timezone", "Europe/Berlin"),
        ("HELPDESK_TIMEZONE", "", "timezone", None),
    ],
)
def test_environment_overrides_the_file(variable, value, field, expected):
    settings = load_settings(REAL_CONFIG, env={variable: value})

    assert getattr(settings, field) == expected


@pytest.mark.parametrize(
    ("text", "env", "named"),
    [
        ("reference_prefix: HLP-\npolicy_file: p.yml\n", {}, "database_url"),
        ("database_url: 'not a url'\nreference_prefix: HLP-\npolicy_file: p.yml\n", {}, "database_url"),
        ("database_url: sqlite://\nreference_prefix: ''\npolicy_file: p.yml\n", {}, "reference_prefix"),
        ("database_url: sqlite://\nreference_prefix: HLP-\npolicy_file: [a]\n", {}, "policy_file"),
        (
            "database_url: sqlite://\nreference_prefix: HLP-\npolicy_file: p.yml\ntimezone: Mars/Olympus\n",
            {},
            "timezone",
        ),
        (
            "database_url: sqlite://\nreference_prefix: HLP-\npolicy_file: p.yml\n",
            {"HELPDESK_TIMEZONE": "Mars/Olympus"},
            "HELPDESK_TIMEZONE",
        ),
        ("database_url: sqlite://\nreference_prefix: HLP-\npolicy_file: p.yml\ndatabse_url: x\n", {}, "databse_url"),
    ],
)
def test_bad_values_name_their_key(tmp_path, text, env, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(write_config(tmp_path, text), env=env)


@pytest.mark.parametrize("text", ["database_url: [unclosed\n", "- a list\n- not a mapping\n"])
def test_unreadable_files_name_the_file(tmp_path, text):
    path = write_config(tmp_path, text)

    with pytest.raises(ConfigError, match=str(path)):
        load_settings(path, env={})


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nowhere\.yml"):
        load_settings(tmp_path / "nowhere.yml", env={})


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_settings_cannot_be_changed():
    settings = load_settings(REAL_CONFIG, env={})

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.reference_prefix = "X-"


def test_servers_are_private_by_default():
    settings = load_settings(REAL_CONFIG, env={})

    assert settings.bind_address == "127.0.0.1"
    assert settings.cors_origins == ("http://localhost:8080", "http://127.0.0.1:8080")
    assert settings.enable_api is True
    assert settings.action_server_secret is None


@pytest.mark.parametrize(
    ("env", "field", "expected"),
    [
        ({"HELPDESK_BIND_ADDRESS": "0.0.0.0"}, "bind_address", "0.0.0.0"),
        (
            {"HELPDESK_CORS_ORIGINS": "https://a.example.com, https://b.example.com/"},
            "cors_origins",
            ("https://a.example.com", "https://b.example.com"),
        ),
        ({"HELPDESK_CORS_ORIGINS": ""}, "cors_origins", ()),
        ({"HELPDESK_ENABLE_API": "false"}, "enable_api", False),
        ({"HELPDESK_ENABLE_API": "yes"}, "enable_api", True),
        ({"HELPDESK_ACTION_SERVER_SECRET": "s3cret-s3cret"}, "action_server_secret", "s3cret-s3cret"),
    ],
)
def test_server_settings_come_from_the_environment(env, field, expected):
    assert getattr(load_settings(REAL_CONFIG, env=env), field) == expected


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HELPDESK_CORS_ORIGINS": "*"}, "HELPDESK_CORS_ORIGINS"),
        ({"HELPDESK_CORS_ORIGINS": "localhost:8080"}, "HELPDESK_CORS_ORIGINS"),
        ({"HELPDESK_ENABLE_API": "maybe"}, "HELPDESK_ENABLE_API"),
        ({"HELPDESK_BIND_ADDRESS": "http://0.0.0.0/"}, "HELPDESK_BIND_ADDRESS"),
    ],
)
def test_unsafe_or_malformed_server_settings_are_refused(env, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(REAL_CONFIG, env=env)


def test_response_time_warnings_default_to_a_quarter_hour_for_hour_targets_and_half_an_hour_for_four():
    margins = load_settings(REAL_CONFIG, env={}).sla_warning_minutes

    assert {level: margin.total_seconds() / 60 for level, margin in margins.items()} == {
        "S0": 15,
        "S1": 15,
        "S2": 30,
        "S3": 30,
    }


def test_response_time_warnings_come_from_the_environment_and_are_checked():
    margins = load_settings(REAL_CONFIG, env={"HELPDESK_SLA_WARNING_MINUTES": '{"S0": 5}'}).sla_warning_minutes

    assert list(margins) == ["S0"]
    assert margins["S0"].total_seconds() == 300
    with pytest.raises(ConfigError, match="HELPDESK_SLA_WARNING_MINUTES"):
        load_settings(REAL_CONFIG, env={"HELPDESK_SLA_WARNING_MINUTES": '{"S0": -5}'})
