"""Rating support on a finished ticket: which ticket, the question, typed answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from helpdesk.satisfaction import rating_question, read_rating, thanks, ticket_to_rate
from helpdesk.tickets import Requester, Ticket

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def ticket(number: int, status: str, updated: datetime = NOW, asked: datetime | None = None) -> Ticket:
    return Ticket(
        requester=Requester("a@b.co"),
        title=f"problem {number}",
        description="d",
        final_severity="S2",
        reference=f"HLP-{number:04d}",
        filed_at=NOW - timedelta(days=1),
        due_at=NOW,
        status=status,
        updated_at=updated,
        history=(),
        satisfaction_asked_at=asked,
    )


def test_only_the_latest_finished_ticket_is_asked_about_and_only_once():
    tickets = [
        ticket(1, "closed", NOW - timedelta(hours=2)),
        ticket(2, "resolved", NOW - timedelta(hours=1)),
        ticket(3, "open", NOW),
        ticket(4, "closed", NOW, asked=NOW),
    ]

    assert ticket_to_rate(tickets) is None, "the latest finished ticket was asked about already"
    assert ticket_to_rate(tickets[:3]).reference == "HLP-0002"
    assert ticket_to_rate([ticket(3, "open")]) is None


def test_the_question_names_the_ticket_and_offers_each_score_and_a_skip():
    reply = rating_question(ticket(7, "resolved"))

    assert "HLP-0007" in reply.text and "problem 7" in reply.text and "resolved" in reply.text
    assert [button.title for button in reply.buttons] == ["1", "2", "3", "4", "5", "Skip"]
    assert reply.buttons[3].payload == '/rate_support{"support_rating": "4", "ticket_ref": "HLP-0007"}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4", (4, None)),
        ("5/5", (5, None)),
        ("3 out of 5", (3, None)),
        ("five stars, super quick reply", (5, "super quick reply")),
        ("2 - nobody answered for a day", (2, "nobody answered for a day")),
        ("I'd give it a 4", (4, None)),
        ("  1.  ", (1, None)),
    ],
)
def test_ratings_are_read_as_people_type_them(text, expected):
    assert read_rating(text) == expected


@pytest.mark.parametrize("text", ["", "thanks", "6", "10/10", "HLP-0004 is still broken", "0", "45 minutes late"])
def test_anything_else_is_not_a_rating(text):
    assert read_rating(text) is None


def test_a_low_rating_is_acknowledged_as_such():
    assert "Sorry" in thanks(ticket(1, "closed"), 2).text and "Sorry" not in thanks(ticket(1, "closed"), 5).text
