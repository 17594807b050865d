"""The ticket database goes away while the bot is in use: the user still gets a reference,
the ticket waits in the journal, and the running worker replays it once the database is
back, exactly once, and delivers it."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from delivery_helpers import WebhookReceiver, confirmed_tracker, webhook_target
from rasa_sdk.executor import CollectingDispatcher

import actions.conversation
import actions.runtime
import actions.user
from actions.ticket import ActionFinishTicketForm
from helpdesk.config import load_settings
from helpdesk.delivery.worker import Worker, build_worker
from helpdesk.durability.intake import open_journal
from helpdesk.policy import Policy


def point(link: Path, at: Path) -> None:
    """Swap what `link` points to in one atomic step, as a failing mount would."""
    swap = link.with_name(link.name + ".new")
    os.symlink(at, swap)
    os.replace(swap, link)


def confirm(draft_id: str) -> tuple[str, list[dict]]:
    """The user says yes to the summary: what the bot answers, and the events it returns."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionFinishTicketForm().run(dispatcher, confirmed_tracker(draft_id), {}))
    return "\n".join(message["text"] for message in dispatcher.messages), events


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class Running:
    """A worker delivering forever in a thread, as `helpdesk deliver --forever` does."""

    def __init__(self, worker: Worker) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=worker.run_forever, args=(self.stop, 0.05), daemon=True)
        self.thread.start()

    def end(self) -> None:
        self.stop.set()
        self.thread.join(10)


def test_an_outage_journals_the_ticket_and_the_worker_replays_and_delivers_it_once(
    tmp_path, bot, serve, policy: Policy
):
    receiver = WebhookReceiver()
    database, blocker, link = tmp_path / "database", tmp_path / "not-a-folder", tmp_path / "db"
    database.mkdir()
    blocker.write_text("the database's folder is gone")
    point(link, database)
    settings = bot([webhook_target(serve(receiver).url)], HELPDESK_DATABASE_URL=f"sqlite:///{link}/tickets.db")
    worker = Running(build_worker(settings, policy, os.environ))

    text, events = confirm("draft-before")
    assert text.startswith("Your ticket HLP-0001 is filed as S1 (High).")
    wait_for(lambda: receiver.tickets() == ["HLP-0001"])
    worker.end()  # the database is swapped below only while nothing holds it open

    point(link, blocker)
    outage = Running(build_worker(settings, policy, os.environ))
    text, events = confirm("draft-during")
    again, _ = confirm("draft-during")  # the user said yes twice

    assert "Your ticket HLP-J0001 is filed as S1 (High)." in text
    assert "it will reach the support team as soon as the database is back; HLP-J0001 stays your reference" in text
    assert {"event": "slot", "timestamp": None, "name": "last_ticket_ref", "value": "HLP-J0001"} in events
    assert again == text
    journal = open_journal(load_settings())
    assert [entry.reference for entry in journal.pending()] == ["HLP-J0001"]
    time.sleep(0.3)  # the worker keeps trying while the database is away, and survives it
    assert outage.thread.is_alive()

    point(link, database)
    wait_for(lambda: sorted(receiver.tickets()) == ["HLP-0001", "HLP-J0001"])
    outage.end()

    store = actions.runtime.store()
    assert sorted(ticket.reference for ticket in store.list()) == ["HLP-0001", "HLP-J0001"]
    journaled = store.get("HLP-J0001")
    assert (journaled.idempotency_key, journaled.title) == (
        "draft-during",
        "The bot stopped replying on WhatsApp (sales bot, production)",
    )
    assert journal.pending() == []
    assert build_worker(settings, policy, os.environ).run_once().idle  # nothing replayed or sent twice
    assert len(store.list()) == 2
    assert (receiver.redeliveries, receiver.bad_signatures) == (0, 0)


def test_before_any_reference_was_reserved_the_user_is_asked_to_try_again(tmp_path, bot):
    bot([], HELPDESK_DATABASE_URL=f"sqlite:///{tmp_path}/missing-folder-is-a-file/tickets.db")
    (tmp_path / "missing-folder-is-a-file").write_text("")

    text, events = confirm("draft-1")

    assert text.startswith("I'm sorry: I couldn't save your ticket just now.")
    assert {"event": "followup", "timestamp": None, "name": "ticket_form"} in events


@pytest.fixture(autouse=True)
def _quiet_worker_logs(caplog):
    """The outage makes the worker log a failed round every poll; keep the report short."""
    caplog.set_level("CRITICAL", logger="helpdesk.delivery.worker")
