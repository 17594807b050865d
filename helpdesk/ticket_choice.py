"""Which of the user's own tickets a follow-up is about: the one named, the one described,
or the one the conversation is about.

Every function here takes the user's own tickets and nothing else, so no answer can
depend on whether a reference or a description fits someone else's ticket: another
user's ticket is, to this module, a ticket that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from helpdesk.references import Mention, near_misses
from helpdesk.tickets import Ticket


@dataclass(frozen=True)
class Found:
    """The ticket, and whether the user named or described it (else the conversation chose it)."""

    ticket: Ticket
    named: bool


@dataclass(frozen=True)
class NotFound:
    """A reference that is none of the user's tickets; `suggestions` are their own near misses."""

    reference: str
    suggestions: tuple[Ticket, ...]


@dataclass(frozen=True)
class Ambiguous:
    """No ticket named and several could be meant: the user picks one of `candidates`."""

    candidates: tuple[Ticket, ...]


@dataclass(frozen=True)
class NoTicket:
    """No ticket named, and the user has no open ticket to mean."""


Choice = Found | NotFound | Ambiguous | NoTicket

_STOPWORDS = frozenset(
    "a an the and or but to of in on at for from by with about regarding re is are was were be been it its it's this that "
    "these those my our your me we i you one ones which what when who whom whose how why any some all no not yes please "
    "pls thanks ticket tickets case cases complaint complaints issue issues problem problems request requests bug bugs "
    "support team someone anyone reply replied answer answered status update updates news yet still now just also "
    "did does do has have had will would can could should shall may might there here then than so too very "
    "mean meant ok okay hi hello hey".split()
)
"""Words that say nothing about which ticket is meant."""

_TOPIC = re.compile(
    r"\b(?:about|regarding|re:?|concerning)\s+(?:the\s+|my\s+|our\s+)?(?P<after>[\w' -]{2,60})"
    r"|\b(?:my|the|our)\s+(?P<before>[\w' -]{2,40}?)\s+(?:one|ticket|case|complaint|issue|problem)\b",
    re.IGNORECASE,
)
"""Where a message describes a ticket: "the one about analytics", "my FAQ ticket", "the typo one"."""


def choose(
    mentions: Sequence[Mention],
    own: Sequence[Ticket],
    focus: Sequence[str] = (),
    described_by: str | None = None,
) -> list[Choice]:
    """What a follow-up is about: one choice per reference named; else the ticket
    `described_by` describes; else the newest of `focus` (references the conversation was
    about, newest first) that is still the user's, among those described if several are
    equally; else the user picks among those; else their only open ticket.

    `own` is every ticket of the user, newest first.
    """
    if mentions:
        return [named(mention, own) for mention in mentions]
    described = best_described(described_by, own) if described_by else ()
    if len(described) == 1:
        return [Found(described[0], named=True)]
    by_reference = {ticket.reference: ticket for ticket in (described or own)}
    in_focus = next((by_reference[ref] for ref in focus if ref in by_reference), None)
    if in_focus is not None:
        return [Found(in_focus, named=False)]
    if described:
        return [Ambiguous(described)]
    open_ones = tuple(ticket for ticket in own if ticket.is_open)
    if len(open_ones) == 1:
        return [Found(open_ones[0], named=False)]
    return [Ambiguous(open_ones) if open_ones else NoTicket()]


def named(mention: Mention, own: Sequence[Ticket]) -> Found | NotFound:
    """The user's ticket with that reference, or their own tickets one slip away from it."""
    for ticket in own:
        if ticket.reference.upper() == mention.reference:
            return Found(ticket, named=True)
    close = set(near_misses(mention.reference, [t.reference.upper() for t in own]))
    return NotFound(mention.reference, tuple(t for t in own if t.reference.upper() in close))


def described_topic(text: str) -> str | None:
    """The words a message uses to describe a ticket ("analytics" in "the one about analytics")."""
    match = _TOPIC.search(text)
    if match is None:
        return None
    return (match.group("after") or match.group("before")).strip()


_POSITIONS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "last": -1,
}
"""Where in a list of offered tickets "the second one" points."""


def by_position(text: str, offered: Sequence[Ticket]) -> Ticket | None:
    """The ticket "the second one" or "the last one" points at in the list just offered."""
    words = [word for word in re.findall(r"[a-z0-9]+", text.lower()) if word in _POSITIONS]
    if len(words) != 1 or not offered or _POSITIONS[words[0]] >= len(offered):
        return None
    return offered[_POSITIONS[words[0]]]


def by_description(text: str, tickets: Sequence[Ticket]) -> Ticket | None:
    """The one ticket whose title, area or description shares the most telling words with
    `text`, if exactly one does best; "the typo one" finds the ticket about a typo."""
    best = best_described(text, tickets)
    return best[0] if len(best) == 1 else None


def best_described(text: str, tickets: Sequence[Ticket]) -> tuple[Ticket, ...]:
    """The tickets that share the most telling words with `text` (title and area count
    double), in the order given; none when no ticket shares a word."""
    wanted = _words(text)
    scores = [
        (2 * len(wanted & _words(f"{t.title} {t.bot_or_area or ''}")) + len(wanted & _words(t.description)), t)
        for t in tickets
    ]
    top = max((score for score, _ in scores), default=0)
    return tuple(ticket for score, ticket in scores if score == top) if top else ()


def _words(text: str) -> set[str]:
    return {_stem(word) for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in _STOPWORDS and len(word) > 1}


def _stem(word: str) -> str:
    """Enough stemming for "reports"/"report" and "typos"/"typo" to meet."""
    for suffix in ("ing", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
