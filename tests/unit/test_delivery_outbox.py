"""The outbox: rows written with the ticket's own transaction, claimed with a lease, retried
with backoff, dead after the limit; and references reserved for the journal."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

import helpdesk.store
from helpdesk.delivery.outbox import Route, Schedule
from helpdesk.store import TicketStore

FILED = datetime(2026, 11, 25, 4, 30, tzinfo=timezone.utc)
DUE = FILED + timedelta(hours=1)
ALL = frozenset({"created", "comment_added", "severity_changed", "status_changed"})
ROUTES = (Route("hook", ALL), Route("mail", frozenset({"created"})))
SCHEDULE = Schedule(max_attempts=3, backoff_seconds=30, backoff_max_seconds=100, lease_seconds=60)
NOW = 4_000_000_000.0
"""Any moment after the rows were queued (they are due from the wall-clock time they were queued)."""


@pytest.fixture
def store(tmp_path) -> TicketStore:
    return TicketStore(f"sqlite:///{tmp_path}/tickets.db", "HLP-", ROUTES)


def test_filing_queues_one_row_per_target_that_takes_new_tickets_with_the_ticket_inside(store, make_draft):
    ticket = store.create(make_draft(idempotency_key="draft-1"), FILED, DUE)

    rows = store.outbox.rows()
    assert [(row.target, row.event, row.status, row.attempts, row.ticket_reference) for row in rows] == [
        ("hook", "created", "pending", 0, "HLP-0001"),
        ("mail", "created", "pending", 0, "HLP-0001"),
    ]
    assert rows[0].idempotency_key == rows[1].idempotency_key
    delivery = store.outbox.claim({"hook"}, "w1", SCHEDULE, NOW + 10)
    assert delivery.message["event"] == "created"
    assert delivery.message["idempotency_key"] == delivery.idempotency_key
    assert delivery.message["ticket"]["reference"] == ticket.reference
    assert delivery.message["ticket"]["severity"] == "S0"
    assert delivery.message["ticket"]["due_at"] == DUE.isoformat()
    assert delivery.message["ticket"]["requester"] == {
        "email": "priya@example.com",
        "name": "Priya",
        "account": "Acme Retail",
    }


def test_a_repeated_key_queues_nothing_more(store, make_draft):
    store.create(make_draft(idempotency_key="draft-1"), FILED, DUE)
    store.create(make_draft(idempotency_key="draft-1"), FILED, DUE)

    assert len(store.outbox.rows()) == 2


def test_every_change_queues_its_event_for_the_targets_that_take_it(store, make_draft):
    store.create(make_draft(final_severity="S2"), FILED, DUE)
    store.add_comment("HLP-0001", "Logs attached.", FILED, "priya@example.com")
    store.change_severity("HLP-0001", "S1", DUE, "every agent", FILED, "agent")
    store.set_status("HLP-0001", "in_progress", FILED, "agent", note="looking")

    rows = store.outbox.rows()
    assert [(row.target, row.event) for row in rows] == [
        ("hook", "created"),
        ("mail", "created"),
        ("hook", "comment_added"),
        ("hook", "severity_changed"),
        ("hook", "status_changed"),
    ]
    assert len({row.idempotency_key for row in rows}) == 4
    messages = []
    while (delivery := store.outbox.claim({"hook"}, "w1", SCHEDULE, NOW + 10)) is not None:
        messages.append(delivery.message)
    assert messages[1]["detail"] == {"text": "Logs attached."}
    assert messages[2]["detail"]["to"] == "S1" and messages[2]["ticket"]["severity"] == "S1"
    assert messages[3]["ticket"]["status"] == "in_progress" and messages[3]["author"] == "agent"


def test_a_store_without_routes_queues_nothing(tmp_path, make_draft):
    store = TicketStore(f"sqlite:///{tmp_path}/t.db", "HLP-")
    store.create(make_draft(), FILED, DUE)

    assert store.outbox.rows() == []


def test_a_ticket_is_never_stored_without_its_deliveries(store, make_draft, monkeypatch):
    store.create(make_draft(), FILED, DUE)

    def broken(*args, **kwargs):
        raise RuntimeError("outbox write failed")

    monkeypatch.setattr(helpdesk.store, "enqueue_deliveries", broken)
    with pytest.raises(RuntimeError):
        store.create(make_draft(title="second"), FILED, DUE)
    with pytest.raises(RuntimeError):
        store.set_status("HLP-0001", "resolved", FILED, "agent")

    assert [ticket.title for ticket in store.list()] == ["Chats are not assigned to agents"]
    assert store.get("HLP-0001").status == "open"
    assert len(store.outbox.rows()) == 2


def test_claims_take_due_rows_oldest_first_and_never_the_same_row_twice(store, make_draft):
    store.create(make_draft(), FILED, DUE)

    first = store.outbox.claim({"hook", "mail"}, "w1", SCHEDULE, NOW)
    second = store.outbox.claim({"hook", "mail"}, "w2", SCHEDULE, NOW)

    assert (first.target, first.attempt, second.target) == ("hook", 1, "mail")
    assert store.outbox.claim({"hook", "mail"}, "w3", SCHEDULE, NOW) is None
    assert [row.status for row in store.outbox.rows()] == ["sending", "sending"]


def test_only_the_workers_own_targets_are_claimed(store, make_draft):
    store.create(make_draft(), FILED, DUE)

    assert store.outbox.claim(set(), "w1", SCHEDULE, NOW) is None
    assert store.outbox.claim({"mail"}, "w1", SCHEDULE, NOW).target == "mail"
    assert store.outbox.claim({"mail", "elsewhere"}, "w1", SCHEDULE, NOW) is None


def test_a_success_marks_the_row_sent_and_records_the_attempt(store, make_draft):
    store.create(make_draft(), FILED, DUE)
    delivery = store.outbox.claim({"hook"}, "w1", SCHEDULE, NOW)

    store.outbox.succeeded(delivery, "w1", NOW, NOW + 1)

    row = store.outbox.rows(status="sent")[0]
    assert (row.id, row.attempts, row.sent_at, row.last_error) == (
        delivery.id,
        1,
        datetime.fromtimestamp(NOW + 1, timezone.utc),
        None,
    )
    assert [(a.number, a.worker, a.error) for a in store.outbox.attempts(delivery.id)] == [(1, "w1", None)]


def test_a_failure_waits_out_an_exponential_backoff_then_goes_dead_at_the_limit(store, make_draft):
    store.create(make_draft(), FILED, DUE)
    now, statuses = NOW, []
    for _ in range(SCHEDULE.max_attempts):
        delivery = store.outbox.claim({"hook"}, "w1", SCHEDULE, now)
        statuses.append(
            store.outbox.failed(delivery, "w1", f"HTTP 503 try {delivery.attempt}", False, SCHEDULE, now, now)
        )
        row = store.outbox.rows()[0]
        if statuses[-1] == "pending":
            wait = row.next_attempt_at.timestamp() - now
            assert wait == SCHEDULE.delay(delivery.attempt)
            assert store.outbox.claim({"hook"}, "w1", SCHEDULE, now + wait - 1) is None
            now += wait

    assert statuses == ["pending", "pending", "dead"]
    row = store.outbox.rows(status="dead")[0]
    assert (row.attempts, row.last_error) == (3, "HTTP 503 try 3")
    assert [a.error for a in store.outbox.attempts(row.id)] == ["HTTP 503 try 1", "HTTP 503 try 2", "HTTP 503 try 3"]
    assert store.outbox.claim({"hook"}, "w1", SCHEDULE, now + 10_000) is None


def test_backoff_doubles_from_the_base_up_to_the_cap():
    assert [SCHEDULE.delay(attempt) for attempt in range(1, 6)] == [30, 60, 100, 100, 100]


def test_a_permanent_failure_is_dead_at_once(store, make_draft):
    store.create(make_draft(), FILED, DUE)
    delivery = store.outbox.claim({"hook"}, "w1", SCHEDULE, NOW)

    assert store.outbox.failed(delivery, "w1", "HTTP 401", True, SCHEDULE, NOW, NOW) == "dead"


def test_a_lease_that_ran_out_lets_another_worker_take_over_and_the_first_changes_nothing(store, make_draft):
    store.create(make_draft(), FILED, DUE)
    stalled = store.outbox.claim({"hook"}, "w1", SCHEDULE, NOW)
    assert store.outbox.claim({"hook"}, "w2", SCHEDULE, NOW + SCHEDULE.lease_seconds - 1) is None

    taken_over = store.outbox.claim({"hook"}, "w2", SCHEDULE, NOW + SCHEDULE.lease_seconds + 1)
    store.outbox.failed(stalled, "w1", "late", False, SCHEDULE, NOW, NOW + 70)

    assert (taken_over.id, taken_over.attempt) == (stalled.id, 2)
    assert store.outbox.rows()[0].status == "sending"
    store.outbox.succeeded(taken_over, "w2", NOW + 61, NOW + 62)
    assert store.outbox.rows()[0].status == "sent"
    assert [(a.number, a.worker, a.error) for a in store.outbox.attempts(stalled.id)] == [
        (1, "w1", "late"),
        (2, "w2", None),
    ]


def test_an_operator_retries_one_dead_row_or_all_of_them(store, make_draft):
    store.create(make_draft(), FILED, DUE)
    store.create(make_draft(), FILED, DUE)
    for _ in range(4):
        delivery = store.outbox.claim({"hook", "mail"}, "w1", SCHEDULE, NOW)
        store.outbox.failed(delivery, "w1", "HTTP 404", True, SCHEDULE, NOW, NOW)
    first, *others = store.outbox.rows()

    store.outbox.retry(first.id, NOW + 5)
    assert store.outbox.rows(status="pending")[0].id == first.id
    assert store.outbox.rows(status="pending")[0].attempts == 0
    assert store.outbox.retry_dead(NOW + 5) == len(others)
    assert store.outbox.rows(status="dead") == []
    assert store.outbox.claim({"hook", "mail"}, "w1", SCHEDULE, NOW + 5).attempt == 1


def test_retry_refuses_rows_that_are_sent_or_unknown(store, make_draft):
    store.create(make_draft(), FILED, DUE)
    delivery = store.outbox.claim({"hook"}, "w1", SCHEDULE, NOW)
    store.outbox.succeeded(delivery, "w1", NOW, NOW)

    with pytest.raises(ValueError, match="sent"):
        store.outbox.retry(delivery.id, NOW)
    with pytest.raises(LookupError, match="404"):
        store.outbox.retry(404, NOW)
    with pytest.raises(LookupError, match="404"):
        store.outbox.attempts(404)
    with pytest.raises(ValueError, match="pending, sending, sent, dead"):
        store.outbox.rows(status="lost")


def test_twelve_workers_claiming_at_once_hold_each_row_exactly_once(store, make_draft):
    for number in range(30):
        store.create(make_draft(title=f"ticket {number}"), FILED, DUE)
    start = threading.Barrier(12)

    def drain(worker: int) -> list[int]:
        start.wait()
        held = []
        while (delivery := store.outbox.claim({"hook", "mail"}, f"w{worker}", SCHEDULE, NOW)) is not None:
            held.append(delivery.id)
        return held

    with ThreadPoolExecutor(max_workers=12) as pool:
        claimed = [row_id for held in pool.map(drain, range(12)) for row_id in held]

    assert sorted(claimed) == [row.id for row in store.outbox.rows()]
    assert len(claimed) == 60


def test_reserved_references_are_never_handed_out_twice_and_never_meet_row_references(store, make_draft, tmp_path):
    first = store.reserve_references(3, FILED)
    other_host = TicketStore(f"sqlite:///{tmp_path}/tickets.db", "HLP-").reserve_references(2, FILED)

    assert first == ("HLP-J0001", "HLP-J0002", "HLP-J0003")
    assert other_host == ("HLP-J0004", "HLP-J0005")
    assert store.create(make_draft(), FILED, DUE).reference == "HLP-0001"


def test_a_journaled_ticket_keeps_its_reserved_reference(store, make_draft):
    (reference,) = store.reserve_references(1, FILED)

    ticket = store.create(make_draft(idempotency_key="draft-9"), FILED, DUE, reference=reference)

    assert ticket.reference == "HLP-J0001"
    assert store.get("hlp-j0001") == ticket
    assert store.create(make_draft(), FILED, DUE).reference == "HLP-0002"
    assert store.outbox.rows()[0].ticket_reference == "HLP-J0001"
