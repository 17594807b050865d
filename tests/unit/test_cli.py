from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from helpdesk.cli import main
from helpdesk.config import PROJECT_ROOT
from helpdesk.store import TicketStore

FILED = datetime(2026, 11, 25, 4, 30, tzinfo=timezone.utc)


@pytest.fixture
def database_url(tmp_path, monkeypatch):
    """Point the CLI at a throwaway database and the real policy, whatever the shell set."""
    for variable in [name for name in os.environ if name.startswith("HELPDESK_")]:
        monkeypatch.delenv(variable)
    url = f"sqlite:///{tmp_path}/cli/tickets.db"
    monkeypatch.setenv("HELPDESK_DATABASE_URL", url)
    return url


@pytest.fixture
def filed(database_url, make_draft):
    """Two tickets: HLP-0001 (older, S2) and HLP-0002 (newer, S0, with a long title)."""
    store = TicketStore(database_url, "HLP-")
    store.create(make_draft(final_severity="S2", title="Report does not download"), FILED, FILED + timedelta(hours=4))
    store.create(
        make_draft(title="Chats stuck " + "very " * 20 + "long"), FILED + timedelta(hours=1), FILED + timedelta(hours=2)
    )
    return store


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_policy_prints_the_facts_readably(capsys, database_url):
    code, out, err = run(capsys, "policy")

    assert code == 0
    assert err == ""
    assert "support@haptik.ai" in out
    assert "Monday to Friday, 09:00–18:00 IST (Asia/Kolkata)" in out
    lines = out.splitlines()
    blocker = next(line for line in lines if "S0 (Blocker)" in line)
    assert "within 1 hour, 24x7" in blocker and "serious" in blocker
    assert any("S3 (Low)" in line and "within 4 hours during business hours" in line for line in lines)


def test_policy_json_parses_and_holds_the_facts(capsys, database_url):
    code, out, _ = run(capsys, "policy", "--json")

    policy = json.loads(out)
    assert code == 0
    assert policy["contact"]["email"] == "support@haptik.ai"
    assert policy["business_hours"] == {
        "weekdays": [0, 1, 2, 3, 4],
        "opens": "09:00:00",
        "closes": "18:00:00",
        "timezone": "Asia/Kolkata",
        "holidays": [],
        "public_holidays_country": None,
        "public_holidays_subdivision": None,
    }
    assert policy["severities"]["S1"]["first_response"] == "PT1H"
    assert policy["severities"]["S0"]["round_the_clock"] is True


@pytest.mark.parametrize("at", ["2026-11-27T17:30+05:30", "2026-11-27T12:00Z", "2026-11-27T12:00:00+00:00"])
def test_sla_prints_human_and_iso_due_times(capsys, database_url, at):
    code, out, _ = run(capsys, "sla", "s1", "--at", at)

    assert code == 0
    assert "S1 (High): first response within 1 hour during business hours" in out
    due = next(line for line in out.splitlines() if line.startswith("Due"))
    assert "Mon 30 Nov, 09:30 IST" in due
    assert "2026-11-30T09:30:00+05:30" in due


def test_sla_defaults_to_now(capsys, database_url):
    code, out, _ = run(capsys, "sla", "S0")

    due_iso = next(line for line in out.splitlines() if line.startswith("Due")).split()[-1]
    assert code == 0
    assert abs(datetime.fromisoformat(due_iso) - datetime.now(timezone.utc) - timedelta(hours=1)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sla", "S1", "--at", "2026-11-27T17:30"], "no UTC offset"),
        (["sla", "S1", "--at", "tomorrow"], "not an ISO 8601 time"),
        (["sla", "S9"], "expected one of S0, S1, S2, S3"),
        (["tickets", "set-status", "HLP-0001", "done"], "invalid choice"),
        (["tickets", "list", "--status", "pending"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_usage_and_value_errors_exit_2_on_stderr(capsys, database_url, argv, message):
    code, out, err = run(capsys, *argv)

    assert code == 2
    assert out == ""
    assert message in err


def test_help_exits_0(capsys, database_url):
    code, out, _ = run(capsys, "--help")

    assert code == 0
    assert "tickets" in out and "sla" in out and "policy" in out


def test_tickets_list_empty(capsys, database_url):
    assert run(capsys, "tickets", "list") == (0, "No tickets.\n", "")


def test_tickets_list_is_a_table_newest_first(capsys, filed):
    code, out, _ = run(capsys, "tickets", "list")

    header, newest, oldest = out.splitlines()
    assert code == 0
    assert header.split() == ["Reference", "Status", "Severity", "Filed", "Due", "Requester", "Title"]
    assert newest.startswith("HLP-0002") and oldest.startswith("HLP-0001")
    assert newest.index("open") == oldest.index("open") == header.index("Status")
    assert "Wed 25 Nov, 11:00 IST" in newest
    assert newest.endswith("…")


def test_tickets_list_filters_by_status(capsys, filed):
    filed.set_status("HLP-0001", "resolved", FILED + timedelta(hours=3), "agent")

    code, out, _ = run(capsys, "tickets", "list", "--status", "resolved")

    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["HLP-0001"]
    assert run(capsys, "tickets", "list", "--status", "closed")[1] == "No tickets with the status closed.\n"


def test_tickets_list_json_parses(capsys, filed):
    code, out, _ = run(capsys, "tickets", "list", "--json")

    tickets = json.loads(out)
    assert code == 0
    assert [ticket["reference"] for ticket in tickets] == ["HLP-0002", "HLP-0001"]
    assert tickets[1]["filed_at"] == "2026-11-25T04:30:00+00:00"
    assert tickets[1]["requester"]["email"] == "priya@example.com"
    assert tickets[1]["history"][0]["kind"] == "created"


def test_tickets_show_includes_details_and_history(capsys, filed):
    filed.add_comment("HLP-0001", "Logs attached.", FILED + timedelta(hours=2), "priya@example.com")

    code, out, _ = run(capsys, "tickets", "show", "hlp-0001")

    assert code == 0
    assert out.startswith("HLP-0001  Report does not download")
    assert "S2 (Medium) (assessed S0)" in out
    assert "Since 10:00 no chat reaches an agent." in out
    history = out[out.index("History") :]
    assert "created" in history
    assert "comment_added" in history and "text: Logs attached." in history


def test_tickets_show_json_parses(capsys, filed):
    code, out, _ = run(capsys, "tickets", "show", "HLP-0002", "--json")

    ticket = json.loads(out)
    assert code == 0
    assert ticket["reference"] == "HLP-0002"
    assert ticket["links"] == ["https://example.com/chat/1"]
    assert [event["kind"] for event in ticket["history"]] == ["created"]


def test_tickets_show_unknown_reference_exits_1(capsys, filed):
    code, out, err = run(capsys, "tickets", "show", "HLP-0404")

    assert (code, out) == (1, "")
    assert "no ticket with the reference 'HLP-0404'" in err


def test_set_status_moves_the_ticket_and_records_the_note(capsys, filed):
    code, out, _ = run(capsys, "tickets", "set-status", "HLP-0001", "resolved", "--note", "fixed the export")

    ticket = filed.get("HLP-0001")
    assert (code, out) == (0, "HLP-0001 is now resolved.\n")
    assert ticket.status == "resolved"
    assert ticket.history[-1].detail == {"from": "open", "to": "resolved", "note": "fixed the export"}
    assert ticket.history[-1].author == "operator"


def test_set_status_on_unknown_reference_exits_1(capsys, filed):
    code, _, err = run(capsys, "tickets", "set-status", "HLP-0404", "closed")

    assert code == 1
    assert "HLP-0404" in err


def test_bad_configuration_exits_2_naming_the_variable(capsys, database_url, monkeypatch):
    monkeypatch.setenv("HELPDESK_TIMEZONE", "Mars/Olympus")

    code, out, err = run(capsys, "policy")

    assert (code, out) == (2, "")
    assert "HELPDESK_TIMEZONE" in err


def test_bad_policy_exits_2_naming_the_field(capsys, database_url, monkeypatch, policy_file):
    def edit(data):
        data["severities"]["S1"]["first_response_hours"] = "soon"

    monkeypatch.setenv("HELPDESK_POLICY_FILE", str(policy_file(edit)))

    code, _, err = run(capsys, "sla", "S1")

    assert code == 2
    assert "severities.S1.first_response_hours: expected a positive number, got 'soon'" in err


def test_unusable_database_exits_1(capsys, database_url, monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/a-file/tickets.db")

    code, _, err = run(capsys, "tickets", "list")

    assert code == 1
    assert "the ticket database failed" in err


def run_console(database_url, *argv):
    env = {name: value for name, value in os.environ.items() if not name.startswith("HELPDESK_")}
    env["HELPDESK_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", *argv],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_console_entry_runs_a_command(database_url):
    result = run_console(database_url, "policy", "--json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["contact"]["email"] == "support@haptik.ai"


def test_console_entry_reports_errors_without_a_traceback(database_url):
    result = run_console(database_url, "sla", "S1", "--at", "2026-11-27T17:30")

    assert result.returncode == 2
    assert result.stdout == ""
    assert "no UTC offset" in result.stderr
    assert "Traceback" not in result.stderr


def test_token_mints_a_token_the_bot_verifies(capsys, database_url, monkeypatch):
    from helpdesk.identity import VerifiedUser, verify

    secret = "a-shared-secret-of-at-least-32-bytes!"
    monkeypatch.setenv("HELPDESK_IDENTITY_SECRET", secret)
    code, out, err = run(capsys, "token", "--email", "priya@acme.com", "--name", "Priya", "--account", "Acme")

    assert code == 0 and err == ""
    user = verify(out.strip(), secret)
    assert isinstance(user, VerifiedUser)
    assert (user.email, user.name, user.account) == ("priya@acme.com", "Priya", "Acme")


def test_token_without_a_secret_says_how_to_configure_one(capsys, database_url):
    code, out, err = run(capsys, "token", "--email", "priya@acme.com")

    assert code == 2 and out == ""
    assert "HELPDESK_IDENTITY_SECRET" in err


def test_respond_records_the_first_response_and_says_whether_it_was_in_time(capsys, filed):
    code, out, _ = run(
        capsys,
        "tickets",
        "respond",
        "HLP-0001",
        "--note",
        "asked for the export id",
        "--at",
        "2026-11-25T11:00:00+05:30",
        "--author",
        "meera@haptik.ai",
    )

    ticket = filed.get("HLP-0001")
    assert code == 0 and out == (
        "HLP-0001: first response Wed 25 Nov, 11:00 IST, within the response time (due Wed 25 Nov, 14:00 IST).\n"
    )
    assert ticket.history[-1].kind == "first_response" and ticket.history[-1].author == "meera@haptik.ai"


def test_respond_to_an_unknown_reference_exits_1(capsys, filed):
    code, _, err = run(capsys, "tickets", "respond", "HLP-0404")

    assert code == 1 and "HLP-0404" in err


def test_report_counts_first_responses_per_severity(capsys, filed):
    run(capsys, "tickets", "respond", "HLP-0001", "--at", "2026-11-25T11:00:00+05:30")

    code, out, _ = run(capsys, "report", "--json")

    figures = {level["level"]: level for level in json.loads(out)["levels"]}
    assert code == 0
    assert (figures["S2"]["tickets"], figures["S2"]["met"]) == (1, 1)
    assert (figures["S0"]["tickets"], figures["S0"]["missed"], figures["S0"]["pending"]) == (1, 1, 0)
    assert json.loads(out)["open_breaches"] == ["HLP-0002"]


def test_report_since_a_date_leaves_older_tickets_out(capsys, filed):
    code, out, _ = run(capsys, "report", "--since", "2030-01-01")

    assert code == 0
    assert "First responses since Tue 1 Jan, 00:00 IST:" in out
    assert "Open tickets with an overdue first response: none" in out
