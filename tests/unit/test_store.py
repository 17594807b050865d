from __future__ import annotations

import dataclasses
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from helpdesk.config import load_settings
from helpdesk.store import TicketNotFound, TicketNotReopenable, TicketStore, open_store
from helpdesk.tickets import STATUSES

IST = ZoneInfo("Asia/Kolkata")
FILED = datetime(2026, 11, 25, 10, 0, tzinfo=IST)
DUE = FILED + timedelta(hours=1)
LATER = FILED + timedelta(minutes=20)


def test_create_files_the_draft_with_a_reference_and_a_created_event(store, make_draft):
    draft = make_draft()

    ticket = store.create(draft, FILED, DUE)

    assert ticket.reference == "HLP-0001"
    names = [field.name for field in dataclasses.fields(draft)]
    assert [getattr(ticket, name) for name in names] == [getattr(draft, name) for name in names]
    assert ticket.status == "open"
    assert (ticket.filed_at, ticket.due_at, ticket.updated_at) == (FILED, DUE, FILED)
    assert [(event.kind, event.author) for event in ticket.history] == [("created", "priya@example.com")]
    assert ticket.history[0].detail == {"severity": "S0", "due_at": "2026-11-25T05:30:00+00:00"}
    assert store.get("HLP-0001") == ticket


def test_times_come_back_aware_in_utc(store, make_draft):
    ticket = store.create(make_draft(), FILED, DUE)

    for moment in (ticket.filed_at, ticket.due_at, ticket.updated_at, ticket.history[0].at):
        assert moment.utcoffset() == timedelta(0)
    assert ticket.filed_at == datetime(2026, 11, 25, 4, 30, tzinfo=timezone.utc)


def test_references_count_up_and_grow_past_four_digits(store, make_draft, tmp_path):
    assert store.create(make_draft(), FILED, DUE).reference == "HLP-0001"
    assert store.create(make_draft(), FILED, DUE).reference == "HLP-0002"
    with sqlite3.connect(tmp_path / "not/yet/there/tickets.db") as raw:
        raw.execute("UPDATE ticket_events SET ticket_id = 9999 WHERE ticket_id = 2")
        raw.execute("UPDATE tickets SET id = 9999 WHERE id = 2")

    assert store.create(make_draft(), FILED, DUE).reference == "HLP-10000"


def test_reference_prefix_is_configurable(tmp_path, make_draft):
    store = TicketStore(f"sqlite:///{tmp_path}/t.db", "SUP-")

    assert store.create(make_draft(), FILED, DUE).reference == "SUP-0001"


def test_same_idempotency_key_returns_the_first_ticket_unchanged(store, make_draft):
    first = store.create(make_draft(idempotency_key="conv-1:submit"), FILED, DUE)

    again = store.create(make_draft(idempotency_key="conv-1:submit", title="Different"), LATER, DUE)

    assert again == first
    assert len(store.list()) == 1


def test_tickets_without_a_key_are_always_new(store, make_draft):
    store.create(make_draft(), FILED, DUE)
    store.create(make_draft(), FILED, DUE)

    assert len(store.list()) == 2


def test_twenty_threads_filing_at_once_get_twenty_distinct_references(store, make_draft):
    start = threading.Barrier(20)

    def file(number):
        start.wait()
        return store.create(make_draft(title=f"ticket {number}"), FILED, DUE).reference

    with ThreadPoolExecutor(max_workers=20) as pool:
        references = list(pool.map(file, range(20)))

    assert sorted(references) == [f"HLP-{number:04d}" for number in range(1, 21)]


def test_twenty_threads_with_one_key_file_one_ticket(store, make_draft):
    start = threading.Barrier(20)

    def file(number):
        start.wait()
        return store.create(make_draft(idempotency_key="double-click"), FILED, DUE).reference

    with ThreadPoolExecutor(max_workers=20) as pool:
        references = set(pool.map(file, range(20)))

    assert references == {"HLP-0001"}
    assert len(store.list()) == 1


@pytest.mark.parametrize("reference", ["hlp-0001", " HLP-0001 ", "Hlp-0001"])
def test_get_ignores_case_and_surrounding_spaces(store, make_draft, reference):
    store.create(make_draft(), FILED, DUE)

    assert store.get(reference).reference == "HLP-0001"


def test_get_unknown_reference_is_none(store):
    assert store.get("HLP-0404") is None


def test_list_is_newest_first_and_filters(store, make_draft):
    store.create(make_draft(title="middle"), FILED, DUE)
    store.create(
        make_draft(title="newest", requester=dataclasses.replace(make_draft().requester, email="Ravi@Example.com")),
        FILED + timedelta(days=1),
        DUE,
    )
    store.create(make_draft(title="oldest"), FILED - timedelta(days=1), DUE)
    store.set_status("HLP-0001", "resolved", LATER, "agent")

    assert [ticket.title for ticket in store.list()] == ["newest", "middle", "oldest"]
    assert [ticket.title for ticket in store.list(status="open")] == ["newest", "oldest"]
    assert [ticket.title for ticket in store.list(requester_email="ravi@example.com")] == ["newest"]
    assert [ticket.title for ticket in store.list(status="resolved", requester_email="priya@example.com")] == ["middle"]


def test_list_rejects_unknown_status(store):
    with pytest.raises(ValueError, match="in_progress"):
        store.list(status="pending")


def test_history_records_every_change_in_order(store, make_draft):
    store.create(make_draft(final_severity="S2"), FILED, DUE)
    new_due = FILED + timedelta(hours=4)

    store.add_comment("HLP-0001", "Logs attached.", LATER, "priya@example.com")
    store.change_severity("hlp-0001", "S1", new_due, "affects every agent", LATER + timedelta(minutes=1), "agent")
    ticket = store.set_status("HLP-0001", "in_progress", LATER + timedelta(minutes=2), "agent", note="looking")

    assert ticket.final_severity == "S1"
    assert ticket.due_at == new_due
    assert ticket.status == "in_progress"
    assert ticket.updated_at == LATER + timedelta(minutes=2)
    assert [(event.kind, event.author, event.detail) for event in ticket.history[1:]] == [
        ("comment_added", "priya@example.com", {"text": "Logs attached."}),
        (
            "severity_changed",
            "agent",
            {
                "from": "S2",
                "to": "S1",
                "reason": "affects every agent",
                "due_at": new_due.astimezone(timezone.utc).isoformat(),
            },
        ),
        ("status_changed", "agent", {"from": "open", "to": "in_progress", "note": "looking"}),
    ]


def test_reopening_a_closed_ticket_opens_it_with_a_new_due_time_and_says_why(store, make_draft):
    store.create(make_draft(), FILED, DUE)
    store.set_status("HLP-0001", "closed", LATER, "priya@example.com")
    new_due = LATER + timedelta(hours=5)

    ticket = store.reopen("hlp-0001", "it broke again", new_due, LATER + timedelta(hours=1), "priya@example.com")

    assert (ticket.status, ticket.due_at, ticket.is_open) == ("open", new_due, True)
    assert (ticket.history[-1].kind, ticket.history[-1].detail) == (
        "status_changed",
        {
            "from": "closed",
            "to": "open",
            "note": "it broke again",
            "due_at": new_due.astimezone(timezone.utc).isoformat(),
        },
    )


def test_an_open_ticket_cannot_be_reopened_and_is_left_as_it_was(store, make_draft):
    before = store.create(make_draft(), FILED, DUE)

    with pytest.raises(TicketNotReopenable, match="HLP-0001 is open"):
        store.reopen("HLP-0001", "again", DUE, LATER, "priya@example.com")
    assert store.get("HLP-0001") == before


def test_a_handoff_request_is_its_own_event_with_the_conversation(store, make_draft):
    store.create(make_draft(), FILED, DUE)

    ticket = store.request_handoff("HLP-0001", "User: hello", LATER, "assistant")

    assert (ticket.history[-1].kind, ticket.history[-1].author, ticket.history[-1].detail) == (
        "handoff_requested",
        "assistant",
        {"transcript": "User: hello"},
    )


def test_set_status_rejects_unknown_status_listing_the_valid_ones(store, make_draft):
    store.create(make_draft(), FILED, DUE)

    with pytest.raises(ValueError, match=", ".join(STATUSES)):
        store.set_status("HLP-0001", "done", LATER, "agent")
    assert store.get("HLP-0001").status == "open"


@pytest.mark.parametrize(
    "change",
    [
        lambda store: store.set_status("HLP-0404", "closed", LATER, "agent"),
        lambda store: store.add_comment("HLP-0404", "hello", LATER, "agent"),
        lambda store: store.change_severity("HLP-0404", "S1", DUE, "why", LATER, "agent"),
    ],
)
def test_changing_an_unknown_ticket_is_a_lookup_error(store, change):
    with pytest.raises(LookupError, match="HLP-0404"):
        change(store)


def test_not_found_is_a_lookup_error():
    assert issubclass(TicketNotFound, LookupError)


def test_empty_comment_is_refused(store, make_draft):
    store.create(make_draft(), FILED, DUE)

    with pytest.raises(ValueError, match="text"):
        store.add_comment("HLP-0001", "   ", LATER, "agent")


def test_naive_times_are_refused(store, make_draft):
    with pytest.raises(ValueError, match="timezone-aware"):
        store.create(make_draft(), datetime(2026, 11, 25, 10), DUE)


@pytest.mark.parametrize(
    "text",
    [
        "Ünïcödé — naïve café, 日本語のテキスト",
        "مرحبا، البوت لا يرد على العملاء",
        "🚨 bot down 🔥👍🏽 👨‍👩‍👧",
        "<script>alert('x')</script><b>bold</b> &amp;",
        "'; DROP TABLE tickets; -- \" OR 1=1 --",
        "line one\nline two\r\n\ttabbed  double  spaces ",
        "x" * 20_000,
    ],
)
def test_text_is_stored_verbatim(store, make_draft, text):
    draft = make_draft(
        title=text[:500],
        description=text,
        requester=dataclasses.replace(make_draft().requester, name=text[:80]),
        links=(text[:200],),
    )
    store.create(draft, FILED, DUE)
    store.add_comment("HLP-0001", text, LATER, "agent")

    ticket = store.get("HLP-0001")

    assert ticket.description == text
    assert ticket.title == text[:500]
    assert ticket.requester.name == text[:80]
    assert ticket.links == (text[:200],)
    assert ticket.history[-1].detail["text"] == text
    assert len(store.list()) == 1


def test_a_second_store_on_the_same_database_sees_the_tickets(store, make_draft, tmp_path):
    store.create(make_draft(), FILED, DUE)

    again = TicketStore(f"sqlite:///{tmp_path}/not/yet/there/tickets.db", "HLP-")

    assert again.get("HLP-0001") is not None
    assert again.create(make_draft(), FILED, DUE).reference == "HLP-0002"


def test_open_store_uses_the_configured_database(tmp_path, make_draft):
    settings = load_settings(
        env={"HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/var/h.db", "HELPDESK_REFERENCE_PREFIX": "OPS-"}
    )

    ticket = open_store(settings).create(make_draft(), FILED, DUE)

    assert ticket.reference == "OPS-0001"
    assert (tmp_path / "var/h.db").is_file()


def test_tickets_cannot_be_changed_in_memory(store, make_draft):
    ticket = store.create(make_draft(), FILED, DUE)

    with pytest.raises(dataclasses.FrozenInstanceError):
        ticket.status = "closed"


def test_the_first_response_is_recorded_once_with_whether_it_met_the_target(store, make_draft):
    store.create(make_draft(), FILED, DUE)

    answered = store.record_first_response("HLP-0001", LATER, "agent@haptik.ai", note="looking at the logs")
    again = store.record_first_response("HLP-0001", LATER + timedelta(hours=2), "other@haptik.ai")

    assert answered.first_response_at == LATER and again.first_response_at == LATER
    responses = [event for event in again.history if event.kind == "first_response"]
    assert [(event.author, event.detail["met"], event.detail["note"]) for event in responses] == [
        ("agent@haptik.ai", True, "looking at the logs")
    ]


def test_a_late_first_response_is_recorded_as_missed(store, make_draft):
    store.create(make_draft(), FILED, DUE)

    late = store.record_first_response("HLP-0001", DUE + timedelta(minutes=1), "agent@haptik.ai")

    assert late.history[-1].detail["met"] is False


def test_only_open_unanswered_tickets_await_a_first_response(store, make_draft):
    for _ in range(3):
        store.create(make_draft(), FILED, DUE)
    store.record_first_response("HLP-0001", LATER, "agent")
    store.set_status("HLP-0002", "resolved", LATER, "agent")

    assert [ticket.reference for ticket in store.awaiting_first_response()] == ["HLP-0003"]


def test_a_response_time_alert_is_raised_once_per_due_time(store, make_draft):
    store.create(make_draft(final_severity="S2"), FILED, DUE)

    first = store.raise_sla_alert("HLP-0001", "sla_at_risk", LATER, "watch")
    again = store.raise_sla_alert("HLP-0001", "sla_at_risk", LATER + timedelta(minutes=1), "watch")
    store.change_severity("HLP-0001", "S1", DUE + timedelta(hours=1), "worse now", LATER, "agent")
    rearmed = store.raise_sla_alert("HLP-0001", "sla_at_risk", LATER + timedelta(minutes=2), "watch")

    assert first is not None and again is None and rearmed is not None
    alerts = [(event.kind, event.detail["due_at"]) for event in rearmed.history if event.kind == "sla_at_risk"]
    assert alerts == [
        ("sla_at_risk", DUE.astimezone(timezone.utc).isoformat()),
        ("sla_at_risk", (DUE + timedelta(hours=1)).astimezone(timezone.utc).isoformat()),
    ]


def test_an_unknown_alert_is_refused(store, make_draft):
    store.create(make_draft(), FILED, DUE)

    with pytest.raises(ValueError, match="sla_at_risk"):
        store.raise_sla_alert("HLP-0001", "sla_panic", LATER, "watch")


def test_a_database_from_before_first_responses_gains_the_column_and_keeps_its_tickets(tmp_path, make_draft):
    path = tmp_path / "old.db"
    TicketStore(f"sqlite:///{path}", "HLP-").create(make_draft(), FILED, DUE)
    with sqlite3.connect(path) as connection:
        connection.execute("ALTER TABLE tickets DROP COLUMN first_response_at")

    reopened = TicketStore(f"sqlite:///{path}", "HLP-")

    assert reopened.get("HLP-0001").first_response_at is None
    assert reopened.record_first_response("HLP-0001", LATER, "agent").first_response_at == LATER


def test_the_rating_question_is_claimed_once_per_ticket(store, make_draft):
    store.create(make_draft(), FILED, DUE)
    store.set_status("HLP-0001", "resolved", LATER, "agent")

    assert store.get("HLP-0001").awaits_rating
    assert [store.claim_rating_question("HLP-0001", LATER) for _ in range(3)] == [True, False, False]
    assert not store.get("HLP-0001").awaits_rating


def test_a_rating_is_stored_with_its_comment_and_recorded_in_the_history(store, make_draft):
    store.create(make_draft(), FILED, DUE)

    rated = store.record_satisfaction("HLP-0001", 4, "  quick and kind ", LATER, "priya@example.com")

    assert (rated.satisfaction_rating, rated.satisfaction_comment) == (4, "quick and kind")
    assert rated.satisfaction_asked_at == LATER
    assert rated.history[-1].kind == "satisfaction_rated" and rated.history[-1].detail == {
        "rating": 4,
        "comment": "quick and kind",
    }
    with pytest.raises(ValueError, match="from 1 to 5"):
        store.record_satisfaction("HLP-0001", 6, None, LATER, "priya@example.com")
