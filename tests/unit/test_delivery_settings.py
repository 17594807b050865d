"""The delivery keys of helpdesk.yml: targets, retry schedule, journal; each with its env override."""

from __future__ import annotations

import json

import pytest

from helpdesk.config import PROJECT_ROOT, ConfigError, load_settings
from helpdesk.delivery.settings import EmailSettings, WebhookSettings, ZendeskSettings
from helpdesk.tickets import EVENT_KINDS

REAL_CONFIG = PROJECT_ROOT / "helpdesk.yml"
WEBHOOK = {"name": "hook", "type": "webhook", "url": "https://hooks.example.com/in", "secret_env": "HOOK_SECRET"}


def targets_from(value: object):
    return load_settings(REAL_CONFIG, env={"HELPDESK_DELIVERY_TARGETS": json.dumps(value)}).delivery_targets


def test_the_shipped_file_declares_one_target_of_each_kind_all_switched_off():
    settings = load_settings(REAL_CONFIG, env={})

    assert [type(target) for target in settings.delivery_targets] == [WebhookSettings, EmailSettings, ZendeskSettings]
    assert not any(target.enabled for target in settings.delivery_targets)
    assert (
        settings.delivery_max_attempts,
        settings.delivery_backoff_seconds,
        settings.delivery_backoff_max_seconds,
    ) == (10, 30.0, 3600.0)
    assert settings.journal_file == PROJECT_ROOT / "var/journal.jsonl"
    assert settings.reserved_references_file == PROJECT_ROOT / "var/reserved-references.json"
    assert settings.reserved_references == 50


def test_a_file_written_before_delivery_existed_still_loads_with_the_defaults(tmp_path):
    path = tmp_path / "old.yml"
    path.write_text("database_url: sqlite://\nreference_prefix: HLP-\npolicy_file: p.yml\n", encoding="utf-8")

    settings = load_settings(path, env={})

    assert settings.delivery_targets == ()
    assert (settings.delivery_max_attempts, settings.delivery_lease_seconds, settings.delivery_poll_seconds) == (
        10,
        120.0,
        5.0,
    )
    assert settings.journal_file == PROJECT_ROOT / "var/journal.jsonl"


def test_a_webhook_gets_every_event_and_default_timeouts():
    (target,) = targets_from([WEBHOOK])

    assert target == WebhookSettings(
        name="hook",
        enabled=True,
        events=frozenset(EVENT_KINDS),
        url="https://hooks.example.com/in",
        secret_env="HOOK_SECRET",
        connect_timeout_seconds=3.0,
        read_timeout_seconds=10.0,
    )


def test_email_defaults_to_what_someone_must_act_on_the_policy_mailbox_and_the_port_of_its_security():
    (target,) = targets_from(
        [{"name": "mail", "type": "email", "host": "smtp.example.com", "from": "bot@example.com", "security": "ssl"}]
    )

    assert (target.events, target.port, target.recipient, target.username_env) == (
        frozenset({"created", "handoff_requested", "sla_at_risk", "sla_breached"}),
        465,
        None,
        None,
    )


def test_events_can_be_narrowed():
    (target,) = targets_from([{**WEBHOOK, "events": ["created", "status_changed"]}])

    assert target.events == frozenset({"created", "status_changed"})


@pytest.mark.parametrize(
    ("targets", "named"),
    [
        ({"name": "x"}, "HELPDESK_DELIVERY_TARGETS: expected a list"),
        ([{**WEBHOOK, "type": "pager"}], r"\[0\]\.type: expected one of webhook, email, zendesk"),
        ([{**WEBHOOK, "url": "ftp://hooks.example.com"}], r"\[0\]\.url"),
        ([{**WEBHOOK, "secret_env": "not a name"}], r"\[0\]\.secret_env"),
        ([{**WEBHOOK, "read_timeout_seconds": 0}], r"\[0\]\.read_timeout_seconds"),
        ([{**WEBHOOK, "enabled": "yes"}], r"\[0\]\.enabled"),
        ([{**WEBHOOK, "events": ["deleted"]}], r"\[0\]\.events"),
        ([{**WEBHOOK, "secret": "inline"}], r"\[0\]\.secret: unknown key"),
        ([WEBHOOK, WEBHOOK], r"\[1\]\.name: 'hook' is used by another target"),
        ([{**WEBHOOK, "name": "has space"}], r"\[0\]\.name"),
        (
            [
                {
                    "name": "z",
                    "type": "zendesk",
                    "url": "https://acme.zendesk.com",
                    "email": "a@acme.com",
                    "token_env": "T",
                    "events": ["comment_added"],
                }
            ],
            r"\[0\]\.events: expected a list of some of created",
        ),
        ([{"name": "m", "type": "email", "host": "h", "from": "not-an-address"}], r"\[0\]\.from"),
        ([{"name": "m", "type": "email", "host": "h", "from": "a@b.co", "port": 70000}], r"\[0\]\.port"),
    ],
)
def test_bad_targets_name_the_entry_and_key(targets, named):
    with pytest.raises(ConfigError, match=named):
        targets_from(targets)


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("HELPDESK_DELIVERY_MAX_ATTEMPTS", "3", "delivery_max_attempts", 3),
        ("HELPDESK_DELIVERY_BACKOFF_SECONDS", "0.5", "delivery_backoff_seconds", 0.5),
        ("HELPDESK_DELIVERY_BACKOFF_MAX_SECONDS", "60", "delivery_backoff_max_seconds", 60.0),
        ("HELPDESK_DELIVERY_LEASE_SECONDS", "30", "delivery_lease_seconds", 30.0),
        ("HELPDESK_DELIVERY_POLL_SECONDS", "1", "delivery_poll_seconds", 1.0),
        ("HELPDESK_JOURNAL_FILE", "/srv/journal.jsonl", "journal_file", PROJECT_ROOT / "/srv/journal.jsonl"),
        (
            "HELPDESK_RESERVED_REFERENCES_FILE",
            "run/refs.json",
            "reserved_references_file",
            PROJECT_ROOT / "run/refs.json",
        ),
        ("HELPDESK_RESERVED_REFERENCES", "7", "reserved_references", 7),
    ],
)
def test_every_delivery_key_has_an_environment_override(variable, value, field, expected):
    assert getattr(load_settings(REAL_CONFIG, env={variable: value}), field) == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HELPDESK_DELIVERY_MAX_ATTEMPTS", "2.5"),
        ("HELPDESK_DELIVERY_MAX_ATTEMPTS", "0"),
        ("HELPDESK_DELIVERY_BACKOFF_SECONDS", "-1"),
        ("HELPDESK_DELIVERY_LEASE_SECONDS", "soon"),
        ("HELPDESK_DELIVERY_TARGETS", "[unclosed"),
    ],
)
def test_bad_delivery_values_name_their_variable(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_settings(REAL_CONFIG, env={variable: value})
