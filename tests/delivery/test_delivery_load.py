"""Fifty users confirm their tickets at the same moment through the real action, while the
support team's webhook fails a third of the requests and three workers deliver at once."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from delivery_helpers import WebhookReceiver, confirmed_tracker, webhook_target
from rasa_sdk.executor import CollectingDispatcher

import actions.conversation
import actions.runtime
import actions.user
from actions.ticket import ActionFinishTicketForm
from helpdesk.delivery.worker import build_worker

USERS = 50
WORKERS = 3


def test_fifty_users_at_once_with_a_flaky_webhook_store_and_deliver_each_ticket_once(
    bot, serve, policy, capsys, caplog
):
    caplog.set_level("ERROR", logger="helpdesk.delivery.worker")
    receiver = WebhookReceiver(lambda number: "fail" if number % 3 == 0 else "ok")
    settings = bot([webhook_target(serve(receiver).url)])
    start = threading.Barrier(USERS)

    def user(number: int) -> str:
        tracker = confirmed_tracker(f"draft-{number}", sender=f"user-{number}", description=f"Problem number {number}.")
        dispatcher = CollectingDispatcher()
        start.wait()
        asyncio.run(ActionFinishTicketForm().run(dispatcher, tracker, {}))
        return dispatcher.messages[0]["text"]

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=USERS) as pool:
        receipts = list(pool.map(user, range(USERS)))
    filing_seconds = time.monotonic() - began
    assert receiver.requests == 0  # every user had their reference before anything was sent

    stop = threading.Event()
    workers = [
        threading.Thread(target=build_worker(settings, policy, os.environ, name=f"w{n}").run_forever, args=(stop, 0.02))
        for n in range(WORKERS)
    ]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30
    while len(receiver.tickets()) < USERS and time.monotonic() < deadline:
        time.sleep(0.02)
    delivery_seconds = time.monotonic() - began
    stop.set()
    for worker in workers:
        worker.join(10)

    store = actions.runtime.store()
    stored = store.list()
    references = {ticket.reference for ticket in stored}
    delivered = receiver.tickets()
    duplicates = len(delivered) - len(set(delivered)) + receiver.redeliveries
    with capsys.disabled():
        print(
            f"\nload: {USERS} users filed at once in {filing_seconds:.2f} s: {len(stored)} stored, "
            f"{len(set(delivered))} delivered, {duplicates} duplicates; the webhook failed {receiver.failed} "
            f"of {receiver.requests} requests; {WORKERS} workers delivered in {delivery_seconds:.2f} s"
        )

    assert all(text.startswith("Your ticket HLP-") for text in receipts)
    assert len(stored) == len(references) == USERS
    assert sorted(delivered) == sorted(references)
    assert duplicates == 0
    assert receiver.failed >= USERS // 3 - 1
    assert receiver.bad_signatures == 0
    assert {row.status for row in store.outbox.rows()} == {"sent"}
