"""The ticket model's vocabularies: one home each, and what counts as open."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from helpdesk.tickets import EVENT_KINDS, OPEN_STATUSES, STATUSES, Requester, Ticket

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def ticket(status: str) -> Ticket:
    return Ticket(
        requester=Requester("a@b.co"),
        title="t",
        description="d",
        final_severity="S2",
        reference="HLP-0001",
        filed_at=NOW,
        due_at=NOW,
        status=status,
        updated_at=NOW,
        history=(),
    )


@pytest.mark.parametrize("status", STATUSES)
def test_open_means_support_still_owes_the_user_something(status):
    assert ticket(status).is_open is (status in ("open", "in_progress", "waiting_on_customer"))


def test_a_new_ticket_starts_open():
    assert STATUSES[0] == "open" and set(OPEN_STATUSES) < set(STATUSES)


def test_every_status_and_event_kind_has_words_for_the_user():
    from helpdesk import followup

    assert set(followup.STATUS_WORDS) == set(STATUSES)
    assert set(followup.EVENT_WORDS) == set(EVENT_KINDS)
