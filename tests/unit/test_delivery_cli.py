"""The operator's delivery commands: deliver, outbox list / show / retry."""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime, timedelta, timezone

import pytest

from helpdesk.cli import main
from helpdesk.config import load_settings
from helpdesk.store import open_store

FILED = datetime.now(timezone.utc)
"""Now, so that no first response is overdue or nearly so: the worker raises no alert."""


def closed_port() -> int:
    """A loopback port nothing listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def configured(tmp_path, monkeypatch):
    """A throwaway database and journal, and one webhook that cannot be reached; tries once."""
    for variable in [name for name in os.environ if name.startswith("HELPDESK_")]:
        monkeypatch.delenv(variable)
    target = {
        "name": "hook",
        "type": "webhook",
        "url": f"http://127.0.0.1:{closed_port()}/in",
        "secret_env": "HOOK_SECRET",
        "connect_timeout_seconds": 1,
        "read_timeout_seconds": 1,
    }
    for variable, value in {
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/cli/tickets.db",
        "HELPDESK_DELIVERY_TARGETS": json.dumps([target]),
        "HELPDESK_DELIVERY_MAX_ATTEMPTS": "1",
        "HELPDESK_JOURNAL_FILE": str(tmp_path / "journal.jsonl"),
        "HELPDESK_RESERVED_REFERENCES_FILE": str(tmp_path / "refs.json"),
        "HOOK_SECRET": "s3cret",
    }.items():
        monkeypatch.setenv(variable, value)
    return load_settings()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_an_empty_outbox_says_so(capsys, configured):
    assert run(capsys, "outbox", "list") == (0, "No deliveries.\n", "")
    assert run(capsys, "outbox", "list", "--status", "dead") == (0, "No dead deliveries.\n", "")


def test_operator_changes_queue_deliveries_too(capsys, configured, make_draft):
    open_store(configured).create(make_draft(), FILED, FILED + timedelta(hours=1))

    run(capsys, "tickets", "set-status", "HLP-0001", "resolved")
    code, out, _ = run(capsys, "outbox", "list", "--json")

    assert code == 0
    assert [(row["event"], row["status"], row["target"]) for row in json.loads(out)] == [
        ("created", "pending", "hook"),
        ("status_changed", "pending", "hook"),
    ]


def test_a_failed_delivery_is_listed_dead_with_its_error_shown_and_retried(capsys, configured, make_draft):
    open_store(configured).create(make_draft(), FILED, FILED + timedelta(hours=1))

    code, out, _ = run(capsys, "deliver", "--once")
    assert (code, out) == (
        0,
        "Replayed 0 journaled tickets; raised 0 response-time alerts; sent 0, 0 to retry, 1 dead.\n",
    )

    code, out, _ = run(capsys, "outbox", "list", "--status", "dead")
    header, row = out.splitlines()
    assert header.split() == ["ID", "Status", "Target", "Event", "Ticket", "Tries", "When", "Last", "error"]
    assert row.split()[:7] == ["1", "dead", "hook", "created", "HLP-0001", "1", "gave"]
    assert "request failed" in row

    code, out, _ = run(capsys, "outbox", "show", "1")
    assert code == 0 and "request failed" in out.splitlines()[1]

    assert run(capsys, "outbox", "retry", "1") == (0, "Delivery 1 will be sent again.\n", "")
    assert "due " in run(capsys, "outbox", "list", "--status", "pending")[1]
    run(capsys, "deliver", "--once")
    assert run(capsys, "outbox", "retry", "--all-dead") == (0, "1 dead deliveries will be sent again.\n", "")


def test_retrying_an_unknown_delivery_is_not_found(capsys, configured):
    code, _, err = run(capsys, "outbox", "retry", "99")

    assert code == 1
    assert err == "helpdesk: error: no outbox row with the id 99\n"


def test_a_missing_secret_stops_delivery_before_anything_is_sent(capsys, configured, monkeypatch):
    monkeypatch.delenv("HOOK_SECRET")

    code, _, err = run(capsys, "deliver", "--once")

    assert code == 2
    assert "HOOK_SECRET is not set" in err


def test_deliver_needs_once_or_forever(capsys, configured):
    assert run(capsys, "deliver")[0] == 2
