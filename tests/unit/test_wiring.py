"""A process's wiring: built once at its start from the settings, with no hidden caches."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy.exc import OperationalError

import actions.runtime
from helpdesk.config import PROJECT_ROOT, load_settings
from helpdesk.policy import load_policy
from helpdesk.wiring import wire

MOMENT = datetime(2026, 11, 25, 6, 30, tzinfo=timezone.utc)


def test_the_policy_is_the_file_the_settings_name_in_their_zone(tmp_path):
    settings = load_settings(
        env={"HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "HELPDESK_TIMEZONE": "Europe/Berlin"}
    )
    policy = wire(settings).policy
    assert policy == load_policy(PROJECT_ROOT / "support-policy.yml", "Europe/Berlin")
    assert policy.business_hours.timezone.key == "Europe/Berlin"


def test_the_store_is_opened_on_first_use_and_then_kept(tmp_path):
    database = tmp_path / "t.db"
    wiring = wire(load_settings(env={"HELPDESK_DATABASE_URL": f"sqlite:///{database}"}))
    assert not database.exists()
    assert wiring.store() is wiring.store()
    assert database.exists()


def test_a_database_that_cannot_be_opened_is_tried_again_on_the_next_use(tmp_path):
    in_the_way = tmp_path / "t.db"
    in_the_way.mkdir()  # a folder where the database file belongs: SQLite cannot open it
    wiring = wire(load_settings(env={"HELPDESK_DATABASE_URL": f"sqlite:///{in_the_way}"}))
    with pytest.raises(OperationalError):
        wiring.store()
    in_the_way.rmdir()
    assert wiring.store().list() == []


def test_the_actions_use_what_was_started_clock_included(tmp_path, monkeypatch):
    monkeypatch.setattr(actions.runtime, "_started", None)
    settings = load_settings(env={"HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/t.db"})
    wiring = actions.runtime.start(wire(settings, clock=lambda: MOMENT))
    assert (actions.runtime.settings(), actions.runtime.policy()) == (settings, wiring.policy)
    assert actions.runtime.store() is wiring.store()
    assert actions.runtime.now() == MOMENT


def test_an_action_run_before_the_wiring_started_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(actions.runtime, "_started", None)
    with pytest.raises(RuntimeError, match="never started"):
        actions.runtime.store()
