"""Follow-up requests read from one message: what is asked, about which tickets, and what
the message already gives (the details to add, the reason for a change).

"close HLP-0135 and raise HLP-0136 to S2" is two requests; "status of HLP-0129 and also
HLP-0121" is one request about two tickets; "add to HLP-0121: also affecting our
instagram bot" is a request, its ticket and its details at once. Pure: the intent NLU
gave the whole message comes in, requests go out; tickets are chosen elsewhere.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from helpdesk.references import Mention, read_references

TICKET_REQUESTS = ("ticket_status", "add_details", "escalate", "close_ticket", "reopen_ticket", "talk_to_human")
"""The intents that act on one existing ticket, and so the requests this module reads."""

_VERBS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("reopen_ticket", re.compile(r"\b(?:re-?open|open (?:it|\S+) again|un-?close)\b", re.I)),
    (
        "close_ticket",
        re.compile(r"\b(?:close|withdraw|cancel|shut)\b|\bmark\b.{0,40}\b(?:resolved|closed|done)\b", re.I),
    ),
    (
        "escalate",
        re.compile(
            r"\b(?:raise|lower|escalate|bump|upgrade|downgrade|reduce|increase|change|make|set|move|mark)\b"
            r"|\b(?:to|as)\s+(?:an?\s+)?(?:s|sev\s?|p)[0-9]\b",
            re.I,
        ),
    ),
    ("add_details", re.compile(r"\b(?:add|attach|append|note|include)\b", re.I)),
    ("talk_to_human", re.compile(r"\b(?:human|person|agent|someone real|real person|call me)\b", re.I)),
    ("ticket_status", re.compile(r"\b(?:status|update|news|progress|what about|how about|where)\b", re.I)),
)
"""Words that say which request a clause of a many-request message makes, most telling first."""

_JOINS = re.compile(r"\s*(?:;|\band then\b|\bthen\b|,?\s*\band also\b|,?\s*\band\b|,?\s*\balso\b|,)\s*", re.I)
"""Where one request may end and the next begin."""

_DETAILS_AFTER = re.compile(r"^\s*(?::|-|–|—|,\s*(?:that|saying)\b|\bthat\b)\s*(?P<text>\S.*)$", re.S)
_ADD_THAT_TO = re.compile(r"\b(?:add|put|note|attach)\s+(?:that|this|it)\s+(?:to|on|in)\s*$", re.I)
_NO_NEW_TICKET = re.compile(
    r"\b(?:do\s*n[o']?t|no need to|never)\s+(?:open|file|create|raise|log|make|start)\w*\s+"
    r"(?:a\s+|any\s+)?(?:new\s+|another\s+|second\s+|separate\s+)?(?:one|ticket)\b"
    r"|\bno\s+(?:new|other|second|separate)\s+(?:one|ticket)\b|\bnot\s+a\s+new\s+(?:one|ticket)\b",
    re.I,
)
"""Where a message says the ticket being drafted should not be opened: "don't open a new one"."""
_GLUE = frozenset(
    "and also what about how status of on for the my ticket update any news no nope not ok okay so then "
    "with is it its hey hm hmm wait actually sorry oh ah please pls again there".split()
)
"""Words that may surround a bare number that is a reference ("and 0121?", "what about 121")."""
_REASON = re.compile(
    r"^\s*(?:[,:;.!?\-–—]+\s*)?(?:(?:because|since|as|coz|cause|cuz|bcoz|reason:?)\b\s*)?(?P<text>.*)$", re.I | re.S
)


@dataclass(frozen=True)
class Request:
    """One thing asked: `intent` is one of TICKET_REQUESTS; `text` is its part of the message."""

    intent: str
    mentions: tuple[Mention, ...]
    text: str
    start: int


def read_requests(text: str, intent: str, prefix: str, *, bare_numbers: bool = True) -> tuple[Request, ...]:
    """The requests of a message NLU read as `intent`, one per ticket-naming clause that
    asks something different; a clause that only names another ticket ("and also
    HLP-0121") shares the request before it. `bare_numbers` as in read_references."""
    mentions = read_references(text, prefix, bare_numbers=bare_numbers)
    if len(mentions) < 2:
        return (Request(_labelled(text, mentions, intent), mentions, text, 0),)
    cuts = [0]
    for previous, mention in itertools.pairwise(mentions):
        joins = [m for m in _JOINS.finditer(text, previous.end, mention.start)]
        if joins:
            cuts.append(joins[-1].end())
    cuts.append(len(text))
    requests: list[Request] = []
    for start, end in itertools.pairwise(cuts):
        clause = text[start:end]
        inside = tuple(m for m in mentions if start <= m.start < end)
        asked = _asked(clause) or (requests[-1].intent if requests else intent)
        if not requests:
            asked = intent if intent in TICKET_REQUESTS and _asked(clause) in (None, intent) else asked
        if requests and requests[-1].intent == asked and not _own_details(requests[-1]):
            last = requests[-1]
            requests[-1] = Request(asked, last.mentions + inside, text[last.start : end], last.start)
        else:
            requests.append(Request(asked, inside, clause, start))
    return tuple(requests)


def details_given(request: Request, previous_text: str | None = None) -> str | None:
    """What to add, when the message gives it with the request: "add to REF: text", "REF:
    text", "text, add that to REF"; "add that to REF" alone points at `previous_text`."""
    if not request.mentions:
        return None
    mention = request.mentions[-1]
    offset = request.start
    after = request.text[mention.end - offset :]
    match = _DETAILS_AFTER.match(after)
    if match and len(match.group("text").split()) >= 2:
        return match.group("text").strip()
    before = request.text[: request.mentions[0].start - offset]
    pointer = _ADD_THAT_TO.search(before)
    if pointer:
        earlier = before[: pointer.start()].strip(" ,.;:-–—")
        earlier = re.sub(r"^(?:no+\b[ ,.!]*)+", "", earlier, flags=re.I).strip(" ,.;:-–—")
        if len(earlier.split()) >= 2:
            return earlier
        return previous_text.strip() if previous_text and previous_text.strip() else None
    return None


def reason_given(request: Request, after: int) -> str | None:
    """The reason a message gives for a change, after the part that names the ticket and
    level (`after`, an offset in the whole message): "..., it now hits production too",
    "... because support never replied". A few words at least; never a bare "yes"."""
    rest = request.text[max(after - request.start, 0) :]
    match = _REASON.match(rest)
    text = match.group("text").strip(" .") if match else ""
    return text if len(text.split()) >= 2 else None


def _labelled(text: str, mentions: tuple[Mention, ...], intent: str) -> str:
    """The request of a one-request message: NLU's, unless the message has none of that
    request's words and another's ("close my open ticket" read as a reopening is a close);
    and "HLP-0121: it fails on staging too" adds details, whatever else NLU made of it."""
    asked = _asked(text)
    verbs = dict(_VERBS)
    if intent in verbs and asked not in (None, intent) and not verbs[intent].search(text):
        return asked
    if intent != "add_details" and asked is None and mentions and not text[: mentions[0].start].strip():
        match = _DETAILS_AFTER.match(text[mentions[0].end :])
        if match and match.group(0).lstrip().startswith(":") and len(match.group("text").split()) >= 2:
            return "add_details"
    return intent


def _asked(clause: str) -> str | None:
    return next((intent for intent, words in _VERBS if words.search(clause)), None)


def _own_details(request: Request) -> bool:
    """A clause that carries its own payload ends its request, even if the next asks the same."""
    return request.intent == "add_details" and details_given(request) is not None


@dataclass(frozen=True)
class Interruption:
    """A follow-up on an existing ticket typed into a form that asked something else."""

    intent: str
    """The request (one of TICKET_REQUESTS) the message makes first."""
    drops_draft: bool
    """The message says not to open the new ticket ("don't open a new one")."""
    references: tuple[str, ...]
    """The references the message names, as read (whether they are the user's is decided elsewhere)."""


def interruption(text: str, intent: str | None, prefix: str, *, words_suffice: bool = True) -> Interruption | None:
    """The follow-up a message typed into a form makes on a ticket it names, if it makes one:
    "no. status of HLP-0121", "add that to HLP-0121, don't open a new one", "and 0121?".

    A message counts only if it names a reference and asks something of it: its intent or
    its words ask a follow-up, or it says nothing but the reference ("HLP-0121?"). A number
    without the prefix counts only in such a message, so "error 0404 since 0900" stays a
    description. Where the form expects free text that may well name another ticket in
    passing (details to add, a reason), `words_suffice` is false: there a request's words
    count only when NLU read the message as a request too. Pure: what is drafted and which
    tickets exist are not consulted.
    """
    bare = read_references(text, prefix, bare_numbers=True)
    only_references = bool(bare) and _says_nothing_else(text, bare)
    if only_references and all(m.bare for m in bare):
        return Interruption("ticket_status", bool(_NO_NEW_TICKET.search(text)), _named(bare))
    mentions = read_references(text, prefix)
    if not mentions or not (words_suffice or only_references or intent in TICKET_REQUESTS):
        return None
    asked = _labelled(text, mentions, intent or "")
    if asked not in TICKET_REQUESTS:
        asked = _asked(text) or ("ticket_status" if only_references else "")
    return Interruption(asked, bool(_NO_NEW_TICKET.search(text)), _named(mentions)) if asked else None


def _named(mentions: tuple[Mention, ...]) -> tuple[str, ...]:
    return tuple(m.reference for m in mentions)


def _says_nothing_else(text: str, mentions: tuple[Mention, ...]) -> bool:
    """Nothing but references and a few words that only point at them ("and", "what about")."""
    rest = text
    for mention in sorted(mentions, key=lambda m: m.start, reverse=True):
        rest = rest[: mention.start] + " " + rest[mention.end :]
    words = re.findall(r"[a-z']+", rest.lower())
    return len(words) <= 4 and all(word in _GLUE for word in words)
