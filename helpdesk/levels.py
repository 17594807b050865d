"""Levels the user states in their own words: "P0", "sev 2", "Priority: High", "low, no rush".

One reader for the whole bot: the NLU entity (components.stated_level), the actions
(actions.conversation.stated_level) and the answers to questions that name levels all call it.

A level is *stated* when the user rates the issue with it: a code (S0-S3, P0-P3, sev N,
severity N, priority N), a level's name or a common word for it (blocker, critical,
urgent, high, medium, low, "no rush") used as a rating: on its own ("high", "urgent!!"),
as a label ("Priority: Low", "sev - critical"), before a rating noun ("high priority",
"a critical issue"), or after a rating verb or "it is" ("mark it high", "this is
urgent"). The same words describing the problem ("high latency", "critical
functionality", "low volume", "the latency is high") are not a rating.

A negated mention rules a level out and names nothing ("not critical"); the last mention
that is not negated is the level ("not a P0, call it a P2" -> S2).

Level numbers are positions in the policy's list (P0 is its first, most severe level);
the words' meanings are positions too, so the reader names whatever the policy calls its
levels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpdesk.policy import Policy

WORD_RANKS: dict[str, int] = {
    "blocker": 0,
    "showstopper": 0,
    "show stopper": 0,
    "critical": 0,
    "urgent": 0,
    "highest": 0,
    "top": 0,
    "emergency": 0,
    "high": 1,
    "major": 1,
    "medium": 2,
    "moderate": 2,
    "normal": 2,
    "minor": 2,
    "low": -1,
    "lowest": -1,
    "no rush": -1,
    "no hurry": -1,
}
"""Words for a level by its position in the policy (negative: from the end). One home."""

ALWAYS_RATINGS = frozenset({"blocker", "showstopper", "show stopper", "no rush", "no hurry"})
"""Words that rate wherever they stand: they never describe a problem."""

NOUN_ONLY_RATINGS = frozenset({"top", "normal", "moderate"})
"""Words that rate only as a label's value or before a rating noun ("normal priority")."""

_CODE = re.compile(
    r"(?<![\w'’])(?:(?P<letter>[sp])\s?-?\s?|(?:sev(?:erity)?|prio(?:rity)?|pri|level)\s*[-:#=]?\s*(?:is\s+)?)"
    r"(?P<number>[0-9])(?!\w|\.\d)",
    re.IGNORECASE,
)
_WORDS = "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in WORD_RANKS), key=len, reverse=True))
_WORD = re.compile(rf"(?<![\w-])(?P<word>{_WORDS})(?![\w-])", re.IGNORECASE)
_RATING_NOUN = re.compile(
    r"\s*-?\s*(?:priority|prio|pri|severity|sev|urgency|issue|bug|ticket|problem|incident|case|request)s?\b",
    re.IGNORECASE,
)
_LABEL_BEFORE = re.compile(
    r"(?:priority|prio|severity|sev|urgency|importance|level)\s*(?:level\s*)?(?:[:=\-–—#>]+|\bis\b|\bof\b|\bset to\b|\bwould be\b|\bshould be\b)?\s*[\"'(\[]*\s*$",
    re.IGNORECASE,
)
_VERB_BEFORE = re.compile(
    r"\b(?:it'?s|it is|its|this is|this'?s|that'?s|that is|issue is|problem is|ticket is|bug is|"
    r"make|mark|set|call|treat|consider|keep|log|file|raise|put|flag|tag|rate|classify|say|"
    r"go with|choose|pick|select|want|need|prefer|as|to|at|hai|he|h)"
    r"(?:\s+(?:it|this|that|the ticket|the issue|one|them))?(?:\s+(?:as|to|at|with|a|an|like))*"
    r"(?:\s+(?:a|an|very|really|pretty|quite|super|extremely|kinda|definitely|totally|more of a|more like|actually|just))*\s*$",
    re.IGNORECASE,
)
_FILLER = frozenset(
    """please pls plz kindly very really pretty quite super extremely its it's it is
    this that thats that's one i'd i say would be id go with guess think maybe probably
    actually definitely just hai he h yaar bhai ji sir mam ok okay so then
    and a an the for us me fine enough good works""".split()
)
_CLAUSE_END = re.compile(
    r"[,.;:!?\n()\[\]/|]|\s-\s|\s–\s|\bbut\b|\brather\b|\bmore like\b|\bmore of\b|\bcall it\b|\bmake it\b|\bso\b|\binstead\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"(?:\b(?:not|never|no|hardly|than|instead of)|n'?t)"
    r"(?:\s+(?:a|an|the|really|very|that|so|too|exactly|quite|it|is|be|as|of|considered|at all|even|yet|sure|say|call it|think it'?s|its|it'?s))*\s*$",
    re.IGNORECASE,
)
"""A negation that governs the level right after it ("not a P0", "isn't really critical"),
not one that negates the problem's verb ("the widget is not loading, P1")."""
_LABEL_NOUN_AFTER = re.compile(r"\s*-?\s*(?:priority|prio)\b", re.IGNORECASE)
_NEGATION_AFTER = re.compile(r"^\s*(?:nahi|nahin|nhi|not really|is not|isn'?t)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A level the user named, where, and whether they ruled it out."""

    level: str
    start: int
    end: int
    negated: bool


def stated_level(text: str, policy: Policy) -> str | None:
    """The level the user rates their issue with, or None if they name none."""
    mention = stated_mention(text, policy)
    return mention.level if mention else None


def stated_mention(text: str, policy: Policy) -> Mention | None:
    """The last level mention that rates the issue and is not ruled out."""
    kept = [m for m in mentions(text, policy, ratings_only=True) if not m.negated]
    return kept[-1] if kept else None


def named_levels(text: str, policy: Policy) -> list[str]:
    """Every level a question names ("S0 vs S1", "how is high different from low"), in order, once each.

    In a question a bare level name names a level wherever it stands, unless it describes
    something ("high latency").
    """
    found: list[str] = []
    for mention in mentions(text, policy, ratings_only=False):
        if mention.level not in found:
            found.append(mention.level)
    return found


def mentions(text: str, policy: Policy, ratings_only: bool) -> list[Mention]:
    """Codes and level words in `text`, in order; words only where they rate (see the module)."""
    order = list(policy.severities)
    names = {severity.name.lower(): i for i, severity in enumerate(policy.severities.values())}
    ranks = {**WORD_RANKS, **names}
    found: list[Mention] = []
    for match in _CODE.finditer(text):
        number = int(match.group("number"))
        if number < len(order):
            found.append(_mention(order[number], match.start(), match.end(), text))
    for match in _WORD.finditer(text):
        word = re.sub(r"\s+", " ", match.group("word").lower())
        if word not in ranks or not _rates(word, text, match.start(), match.end(), ratings_only):
            continue
        noun = _LABEL_NOUN_AFTER.match(text, match.end())
        found.append(_mention(order[ranks[word]], match.start(), noun.end() if noun else match.end(), text))
    return sorted(found, key=lambda m: m.start)


def _rates(word: str, text: str, start: int, end: int, ratings_only: bool) -> bool:
    """Whether a level word at text[start:end] rates the issue rather than describes the problem."""
    before, after = text[:start], text[end:]
    if word in ALWAYS_RATINGS or _RATING_NOUN.match(after) or _LABEL_BEFORE.search(before):
        return True
    if word in NOUN_ONLY_RATINGS or _describes(after):
        return False
    if not ratings_only or _VERB_BEFORE.search(_clause_before(before)):
        return True
    return _alone_in_clause(before, after)


def _describes(after: str) -> bool:
    """A word right after the level word that is not a clause end, a filler or a conjunction."""
    nxt = re.match(r"\s*([A-Za-z']+)", after)
    if not nxt or re.match(r"\s*[,.;:!?\n)]", after):
        return False
    return nxt.group(1).lower() not in _FILLER | {
        "or",
        "vs",
        "versus",
        "and",
        "then",
        "now",
        "pe",
        "par",
        "rakho",
        "rakh",
        "kar",
        "karo",
    }


def _clause_before(before: str) -> str:
    ends = list(_CLAUSE_END.finditer(before))
    return before[ends[-1].end() :] if ends else before


def _alone_in_clause(before: str, after: str) -> bool:
    """The level word with nothing but fillers around it in its clause ("low, no rush", "High pls")."""
    head = _clause_before(before)
    tail_end = _CLAUSE_END.search(after)
    tail = after[: tail_end.start()] if tail_end else after
    words = re.findall(r"[a-z']+", (head + " " + tail).lower())
    return all(w in _FILLER or w in WORD_RANKS or w in ("priority", "prio") for w in words)


def _mention(level: str, start: int, end: int, text: str) -> Mention:
    """The mention spans the rating ("high priority"); it is negated by a negation right before or after."""
    negated = bool(_NEGATION.search(_clause_before(text[:start]))) or bool(_NEGATION_AFTER.match(text[end:]))
    return Mention(level, start, end, negated)
