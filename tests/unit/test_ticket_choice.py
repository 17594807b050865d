"""Which of the user's own tickets a follow-up is about (helpdesk/ticket_choice.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from helpdesk.references import read_references
from helpdesk.ticket_choice import (
    Ambiguous,
    Found,
    NotFound,
    NoTicket,
    best_described,
    by_description,
    choose,
    described_topic,
)
from helpdesk.tickets import Requester, Ticket

FILED = datetime(2025, 3, 12, 5, 30, tzinfo=timezone.utc)


def ticket(reference: str, title: str, status: str = "open", description: str = "", area: str | None = None) -> Ticket:
    return Ticket(
        requester=Requester("priya@acme.example"),
        title=title,
        description=description or title,
        bot_or_area=area,
        final_severity="S2",
        reference=reference,
        filed_at=FILED,
        due_at=FILED + timedelta(hours=4),
        status=status,
        updated_at=FILED,
        history=(),
    )


ANALYTICS = ticket("HLP-0123", "Analytics report won't download", area="Analytics")
TYPO = ticket("HLP-0121", "Typo in the welcome message of the FAQ bot", area="FAQ bot")
CLOSED = ticket("HLP-0101", "WhatsApp messages delayed", status="closed")
OWN = [ANALYTICS, TYPO, CLOSED]


def mentions(text: str):
    return read_references(text, "HLP-", bare_numbers=True)


def test_a_named_reference_is_that_ticket_whatever_its_status():
    assert choose(mentions("reopen hlp 101"), OWN) == [Found(CLOSED, named=True)]


def test_a_reference_that_is_not_the_users_is_not_found_with_their_own_near_misses_only():
    assert choose(mentions("status of HLP-0122"), OWN) == [NotFound("HLP-0122", (ANALYTICS, TYPO))]
    assert choose(mentions("status of HLP-0999"), OWN) == [NotFound("HLP-0999", ())]


def test_a_closed_ticket_is_a_near_miss_too_newest_first():
    assert choose(mentions("HLP-0111"), OWN) == [NotFound("HLP-0111", (TYPO, CLOSED))]


def test_several_references_give_one_choice_each():
    assert choose(mentions("status of HLP-0121 and 0123"), OWN) == [Found(TYPO, True), Found(ANALYTICS, True)]


def test_without_a_reference_the_described_ticket_wins():
    assert choose((), OWN, described_by="the typo one") == [Found(TYPO, named=True)]
    assert choose((), OWN, described_by="analytics") == [Found(ANALYTICS, named=True)]


def test_without_a_reference_or_description_the_ticket_in_focus_is_chosen_if_it_is_the_users():
    assert choose((), OWN, focus=("HLP-0777", "HLP-0121")) == [Found(TYPO, named=False)]


def test_otherwise_the_only_open_ticket_or_a_question():
    assert choose((), [ANALYTICS, CLOSED]) == [Found(ANALYTICS, named=False)]
    assert choose((), OWN) == [Ambiguous((ANALYTICS, TYPO))]
    assert choose((), [CLOSED]) == [NoTicket()]


def test_a_description_matching_two_tickets_equally_picks_none():
    weekly = ticket("HLP-0130", "Weekly report is empty")
    assert by_description("the report", [ANALYTICS, weekly]) is None
    assert best_described("the report", [ANALYTICS, TYPO, weekly]) == (ANALYTICS, weekly)
    assert by_description("hello", OWN) is None
    assert best_described("hello", OWN) == ()


def test_a_description_fitting_several_asks_among_those_unless_one_is_in_focus():
    weekly = ticket("HLP-0130", "Weekly report is empty")
    own = [weekly, TYPO, ANALYTICS]
    assert choose((), own, described_by="report") == [Ambiguous((weekly, ANALYTICS))]
    assert choose((), own, focus=("HLP-0121", "HLP-0123"), described_by="report") == [Found(ANALYTICS, named=False)]


def test_the_words_describing_a_ticket_are_found_in_a_message():
    assert described_topic("did anyone from support reply to my FAQ ticket yet?") == "FAQ"
    assert described_topic("close the one about analytics") == "analytics"
    assert described_topic("what's the status") is None


def test_a_position_points_into_the_tickets_just_offered():
    from helpdesk.ticket_choice import by_position

    assert by_position("the second one", [ANALYTICS, TYPO]) == TYPO
    assert by_position("last one pls", [ANALYTICS, TYPO]) == TYPO
    assert by_position("the third one", [ANALYTICS, TYPO]) is None
    assert by_position("the first or the second", [ANALYTICS, TYPO]) is None
