"""Webhook delivery against a real receiver on 127.0.0.1: failures, a hang, a crash
between sending and marking, and two worker processes at once."""

from __future__ import annotations

import threading
import time

import pytest
from delivery_helpers import (
    DUE,
    FILED,
    WebhookReceiver,
    deployment,
    make_draft,
    run_workers,
    webhook_target,
)

from helpdesk.delivery.outbox import Outbox
from helpdesk.delivery.worker import build_worker
from helpdesk.store import open_store


def test_a_receiver_failing_at_first_gets_every_event_exactly_once_and_signed(tmp_path, serve, policy):
    receiver = WebhookReceiver(lambda number: "fail" if number <= 4 else "ok")
    settings, env = deployment(tmp_path, [webhook_target(serve(receiver).url)])
    store = open_store(settings)
    for number in range(3):
        store.create(make_draft(title=f"ticket {number}", idempotency_key=f"draft-{number}"), FILED, DUE)
    store.set_status("HLP-0002", "in_progress", FILED, "agent")

    done = build_worker(settings, policy, env).run_once()

    assert (done.sent, done.retrying, done.dead) == (4, 4, 0)
    assert sorted(receiver.tickets()) == ["HLP-0001", "HLP-0002", "HLP-0003"]
    assert [event["event"] for event in receiver.accepted.values()].count("status_changed") == 1
    assert (receiver.requests, receiver.failed, receiver.bad_signatures, receiver.redeliveries) == (8, 4, 0, 0)
    assert {row.status for row in store.outbox.rows()} == {"sent"}
    errors = [attempt.error for row in store.outbox.rows() for attempt in store.outbox.attempts(row.id)]
    assert errors.count(None) == 4
    assert all(error.startswith("HTTP 503 from http://127.0.0.1") for error in errors if error)


def test_a_receiver_that_hangs_is_timed_out_and_the_row_sent_again(tmp_path, serve, policy):
    receiver = WebhookReceiver(lambda number: "hang" if number == 1 else "ok")
    target = webhook_target(serve(receiver).url, read_timeout_seconds=0.3)
    settings, env = deployment(tmp_path, [target])
    store = open_store(settings)
    store.create(make_draft(), FILED, DUE)

    worker = build_worker(settings, policy, env)
    started = time.monotonic()
    first_round = worker.run_once()
    sent = first_round.sent
    while not sent and time.monotonic() - started < 3:  # the retry waits out its short backoff
        sent += worker.run_once().sent
    elapsed = time.monotonic() - started
    receiver.release.set()

    assert first_round.retrying == 1 and sent == 1
    assert elapsed < 3
    (row,) = store.outbox.rows()
    first, second = store.outbox.attempts(row.id)
    assert first.error.startswith("request timed out")
    assert second.error is None
    assert receiver.tickets() == ["HLP-0001"]


class Crash(BaseException):
    """The worker process dying: nothing in it catches this."""


def test_a_crash_between_sending_and_marking_resends_and_the_receiver_keeps_one(tmp_path, serve, policy, monkeypatch):
    receiver = WebhookReceiver()
    settings, env = deployment(tmp_path, [webhook_target(serve(receiver).url)], HELPDESK_DELIVERY_LEASE_SECONDS="0.5")
    store = open_store(settings)
    store.create(make_draft(), FILED, DUE)

    def die(*args, **kwargs):
        raise Crash

    with monkeypatch.context() as crashing:
        crashing.setattr(Outbox, "succeeded", die)
        with pytest.raises(Crash):
            build_worker(settings, policy, env, name="doomed").run_once()
    assert store.outbox.rows()[0].status == "sending"
    assert build_worker(settings, policy, env).run_once().sent == 0  # its lease still protects the row

    time.sleep(settings.delivery_lease_seconds)
    assert build_worker(settings, policy, env, name="heir").run_once().sent == 1

    assert (receiver.requests, receiver.redeliveries) == (2, 1)
    assert receiver.tickets() == ["HLP-0001"]
    (row,) = store.outbox.rows()
    assert (row.status, row.attempts) == ("sent", 2)
    assert [attempt.worker for attempt in store.outbox.attempts(row.id)] == ["heir"]


def test_two_worker_processes_share_the_outbox_without_sending_a_row_twice(tmp_path, serve):
    both_sending = threading.Barrier(2, timeout=20)

    def script(number: int) -> str:
        if number <= 2:
            both_sending.wait()  # proceeds only once both workers have a request in flight
        return "ok"

    receiver = WebhookReceiver(script)
    settings, env = deployment(tmp_path, [webhook_target(serve(receiver).url, read_timeout_seconds=25)])
    store = open_store(settings)
    for number in range(20):
        store.create(make_draft(title=f"ticket {number}"), FILED, DUE)

    run_workers(env, lambda: len(receiver.accepted) >= 20)
    assert len(receiver.accepted) == 20
    assert (receiver.requests, receiver.redeliveries) == (20, 0)
    assert {row.status for row in store.outbox.rows()} == {"sent"}
    senders = {attempt.worker for row in store.outbox.rows() for attempt in store.outbox.attempts(row.id)}
    assert len(senders) == 2
