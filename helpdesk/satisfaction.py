"""Asking a user, once per finished ticket, how support did: the question, reading the
answer as people type it ("4", "4/5", "five stars, quick reply"), and the thanks.

Pure: the actions pick the ticket, claim the question in the store (so it is asked once
whatever the number of conversations) and record the rating.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from helpdesk.answers import Button, Reply
from helpdesk.tickets import RATINGS, Ticket

RATE_INTENT = "rate_support"
RATING_ENTITY = "support_rating"
SKIP = Button("Skip", "/deny")
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_RATING = re.compile(
    r"^\s*(?:i(?:'d| would)? (?:rate|give)(?: it| you| support)?\s*)?(?:a\s+)?"
    r"(?P<score>[1-5]|one|two|three|four|five)\b\s*(?:/\s*5|out of (?:5|five)|stars?)?\s*[.!,:;-]*\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def ticket_to_rate(tickets: Iterable[Ticket]) -> Ticket | None:
    """The user's most recently finished ticket, if they were never asked to rate it; older
    ones are let go, so a user is asked at most once per hello, never a backlog."""
    finished = [ticket for ticket in tickets if not ticket.is_open]
    latest = max(finished, key=lambda ticket: ticket.updated_at, default=None)
    return latest if latest is not None and latest.awaits_rating else None


def rating_question(ticket: Ticket) -> Reply:
    buttons = tuple(
        Button(f"{score}", f"/{RATE_INTENT}" + json.dumps({RATING_ENTITY: str(score), "ticket_ref": ticket.reference}))
        for score in RATINGS
    )
    return Reply(
        f"Your ticket {ticket.reference} (\u201c{ticket.title}\u201d) is {ticket.status}. How did support do? "
        f"Tap 1 (poor) to 5 (great), or type a number with anything you'd like them to know.",
        (*buttons, SKIP),
    )


def read_rating(text: str) -> tuple[int, str | None] | None:
    """The score (1-5) and the comment around it, or None when the text holds no rating."""
    match = _RATING.match(text or "")
    if match is None:
        return None
    score = match["score"].lower()
    rating = WORDS.get(score) or int(score)
    return rating, match["rest"].strip() or None


def thanks(ticket: Ticket, rating: int) -> Reply:
    follow = " Sorry it wasn't better: the support team reads every rating." if rating <= 2 else ""
    return Reply(f"Thank you for rating support {rating}/5 on {ticket.reference}.{follow}")
