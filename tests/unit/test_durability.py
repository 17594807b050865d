"""Filing while the database is down: reserved references, the journal, its replay, and
what the bot says about it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import OperationalError

from helpdesk import filing
from helpdesk.config import load_settings
from helpdesk.durability.intake import file_ticket, open_journal
from helpdesk.durability.journal import Journal
from helpdesk.durability.references import NoReferenceLeft, ReservedReferences
from helpdesk.store import TicketStore

FILED = datetime(2026, 11, 25, 4, 30, tzinfo=timezone.utc)
DUE = FILED + timedelta(hours=1)


@pytest.fixture
def store(tmp_path) -> TicketStore:
    return TicketStore(f"sqlite:///{tmp_path}/db/tickets.db", "HLP-")


@pytest.fixture
def journal(tmp_path, store) -> Journal:
    references = ReservedReferences(tmp_path / "var/references.json")
    references.top_up(store, 3, FILED)
    return Journal(tmp_path / "var/journal.jsonl", references)


def test_without_a_reserved_reference_nothing_can_be_taken(tmp_path):
    with pytest.raises(NoReferenceLeft):
        ReservedReferences(tmp_path / "refs.json").take()


def test_references_are_taken_in_order_and_topped_up_by_a_block_when_low(tmp_path, store):
    references = ReservedReferences(tmp_path / "refs.json")

    assert references.top_up(store, 3, FILED) == 3
    assert references.top_up(store, 3, FILED) == 3
    assert [references.take(), references.take()] == ["HLP-J0001", "HLP-J0002"]
    assert references.top_up(store, 3, FILED) == 4
    assert [references.take() for _ in range(4)] == ["HLP-J0003", "HLP-J0004", "HLP-J0005", "HLP-J0006"]


def test_two_hosts_never_hold_the_same_reference(tmp_path, store):
    here, there = ReservedReferences(tmp_path / "a/refs.json"), ReservedReferences(tmp_path / "b/refs.json")
    here.top_up(store, 5, FILED)
    there.top_up(store, 5, FILED)

    taken = [here.take() for _ in range(5)] + [there.take() for _ in range(5)]

    assert len(set(taken)) == 10


def test_a_journaled_ticket_is_on_disk_with_its_reference_and_reads_like_a_filed_one(tmp_path, journal, make_draft):
    entry = journal.append(make_draft(idempotency_key="draft-1"), FILED, DUE)

    ticket = entry.provisional_ticket()
    assert (ticket.reference, ticket.status, ticket.filed_at, ticket.due_at) == ("HLP-J0001", "open", FILED, DUE)
    assert ticket.title == "Chats are not assigned to agents"
    (line,) = (tmp_path / "var/journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["reference"] == "HLP-J0001"
    assert json.loads(line)["draft"]["idempotency_key"] == "draft-1"
    assert Journal(tmp_path / "var/journal.jsonl", journal.references).pending() == [entry]


def test_a_repeated_confirmation_journals_once_under_one_reference(journal, make_draft):
    first = journal.append(make_draft(idempotency_key="draft-1"), FILED, DUE)
    again = journal.append(make_draft(idempotency_key="draft-1"), FILED, DUE)

    assert again == first
    assert len(journal.pending()) == 1
    assert journal.references.take() == "HLP-J0002"


def test_a_draft_without_a_key_gets_one_so_its_replay_is_exactly_once(journal, make_draft):
    entry = journal.append(make_draft(idempotency_key=None), FILED, DUE)

    assert entry.draft.idempotency_key == "journal-HLP-J0001"


def test_replay_files_each_journaled_ticket_once_under_its_reference(journal, store, make_draft):
    journal.append(make_draft(idempotency_key="draft-1", title="one"), FILED, DUE)
    journal.append(make_draft(idempotency_key="draft-2", title="two"), FILED, DUE)

    assert journal.replay(store) == 2
    assert journal.replay(store) == 0

    assert journal.pending() == []
    assert sorted((ticket.reference, ticket.title) for ticket in store.list()) == [
        ("HLP-J0001", "one"),
        ("HLP-J0002", "two"),
    ]
    assert store.get("HLP-J0001").filed_at == FILED


def test_a_replay_cut_short_between_filing_and_marking_still_files_once(journal, store, make_draft):
    entry = journal.append(make_draft(idempotency_key="draft-1"), FILED, DUE)
    store.create(entry.draft, entry.filed_at, entry.due_at, reference=entry.reference)  # the crashed replay's work

    assert journal.replay(store) == 1

    assert [ticket.reference for ticket in store.list()] == ["HLP-J0001"]
    assert journal.pending() == []


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_next_entry_starts_a_fresh_line(tmp_path, journal, make_draft):
    journal.append(make_draft(idempotency_key="draft-1"), FILED, DUE)
    with open(tmp_path / "var/journal.jsonl", "a", encoding="utf-8") as file:
        file.write('{"type": "ticket", "reference": "HLP-J00')

    journal.append(make_draft(idempotency_key="draft-3"), FILED, DUE)

    assert [entry.draft.idempotency_key for entry in journal.pending()] == ["draft-1", "draft-3"]


@pytest.fixture
def settings(tmp_path):
    return load_settings(
        env={
            "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/db/tickets.db",
            "HELPDESK_JOURNAL_FILE": str(tmp_path / "var/journal.jsonl"),
            "HELPDESK_RESERVED_REFERENCES_FILE": str(tmp_path / "var/references.json"),
        }
    )


def test_filing_with_the_database_up_stores_the_ticket(store, settings, make_draft):
    filed = file_ticket(lambda: store, make_draft(idempotency_key="draft-1"), FILED, DUE, settings)

    assert (filed.journaled, filed.ticket.reference) == (False, "HLP-0001")
    assert open_journal(settings).pending() == []


def test_filing_with_the_database_unopenable_journals_the_ticket(tmp_path, store, settings, make_draft):
    open_journal(settings).references.top_up(store, 2, FILED)
    (tmp_path / "gone").write_text("a file where the database's folder should be")

    def unopenable() -> TicketStore:
        return TicketStore(f"sqlite:///{tmp_path}/gone/tickets.db", "HLP-")

    filed = file_ticket(unopenable, make_draft(idempotency_key="draft-1"), FILED, DUE, settings)
    again = file_ticket(unopenable, make_draft(idempotency_key="draft-1"), FILED, DUE, settings)

    assert (filed.journaled, filed.ticket.reference) == (True, "HLP-J0001")
    assert again == filed
    assert [entry.reference for entry in open_journal(settings).pending()] == ["HLP-J0001"]


def test_a_database_that_fails_to_write_journals_too(store, settings, make_draft, monkeypatch):
    open_journal(settings).references.top_up(store, 2, FILED)

    def locked_out(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(store, "create", locked_out)

    assert file_ticket(lambda: store, make_draft(), FILED, DUE, settings).journaled


def test_errors_other_than_unavailability_are_not_hidden_in_the_journal(store, settings, make_draft, monkeypatch):
    def bug(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(store, "create", bug)

    with pytest.raises(RuntimeError):
        file_ticket(lambda: store, make_draft(), FILED, DUE, settings)
    assert open_journal(settings).pending() == []


def test_with_no_reference_left_the_caller_learns_it_could_not_file(tmp_path, settings, make_draft):
    def down() -> TicketStore:
        raise OperationalError("connect", {}, Exception("unable to open database file"))

    with pytest.raises(NoReferenceLeft):
        file_ticket(down, make_draft(), FILED, DUE, settings)


def test_the_delayed_receipt_gives_the_reference_and_says_plainly_what_waits(real_policy, journal, make_draft):
    ticket = journal.append(make_draft(final_severity="S1"), FILED, DUE).provisional_ticket()

    text = filing.delayed_receipt(real_policy, ticket).text

    assert text.startswith(filing.receipt(real_policy, ticket).text)
    assert "Your ticket HLP-J0001 is filed as S1 (High)" in text
    assert "by Wed 25 Nov, 11:00 IST" in text
    assert "it will reach the support team as soon as the database is back" in text
