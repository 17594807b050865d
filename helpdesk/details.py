"""Details of a problem that people mention in passing, read from free text.

A user who writes "our sales bot is down on the live site since 10am, all users
affected" has already answered four of the ticket form's questions; asking them again
is what makes support bots feel robotic. These readers pick those answers out of a
message so the form can skip them. They are deliberately conservative: a phrase that
is not clearly an answer is left for the form to ask about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
"""Starts only where a run of address characters starts: same matches, linear on long text."""
URL = re.compile(r"https?://[^\s<>\"']+|www\.[^\s<>\"']+", re.IGNORECASE)
CONVERSATION_ID = re.compile(
    r"\b(?:conversation|convo|chat|session|user)[ _-]?ids?\s*[:#]?\s*[A-Za-z0-9_\-]*\d[A-Za-z0-9_\-]*",
    re.IGNORECASE,
)

_NOT_THE_LIVE_SYSTEM = r"(?!\s*-?\s*(?:chat|agents?|support)\b)"
""""Live chat" and "live agent" are product features, not the production environment."""
_PRODUCTION = re.compile(
    r"\b(?:production|prod)\b"
    r"|\blive\s+(?:site|website|bot|app|traffic|users|customers|env(?:ironment)?|instance)\b"
    rf"|\b(?:on|in|is|are|was|were|went|gone|been|the|our|it's|we're)\s+live\b{_NOT_THE_LIVE_SYSTEM}"
    r"|^\s*live\W*$",
    re.IGNORECASE,
)
_STAGING = re.compile(
    r"\b(?:staging|sandbox|uat|test(?:ing)? (?:bot|env(?:ironment)?)|dev(?:elopment)? (?:bot|env(?:ironment)?))\b"
    r"|\bstage\s+(?:bot|site|server|env(?:ironment)?|instance)\b|\b(?:on|in)\s+(?:the\s+)?stage\b(?!\s*\d)"
    r"|^\s*stage\W*$",
    re.IGNORECASE,
)

_ENVIRONMENT_WORDS = r"(?:production|prod|live(?:\s+site)?|staging|stage|sandbox|uat)"
_DENIED_ENVIRONMENT = re.compile(
    rf"(?:,\s*(?:and\s+|but\s+)?not|\brather than|\binstead of)\s+(?:on\s+|in\s+)?(?:the\s+)?{_ENVIRONMENT_WORDS}\b",
    re.IGNORECASE,
)
"""An environment named only to be set aside: "it's on staging, not production" names staging
(while in "it works on staging but not on production" the problem is on production)."""

_TIME_WORD = (
    r"(?:today|yesterday|tonight|this (?:morning|afternoon|evening|week)|last (?:night|week|month|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"(?:the )?morning|\d{1,2}(?::\d{2})?\s*(?:am|pm|hrs|h)\b|\d{1,2}(?::\d{2})\b|the (?:last|latest) (?:release|deploy(?:ment)?|update)|"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?:\s+\d{1,2}(?:st|nd|rd|th)?)?|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?)"
)
_COUNT = r"(?:\d+|an?|one|two|three|(?:a\s+)?few|(?:a\s+)?couple(?:\s+of)?)"
_SINCE = re.compile(
    rf"\b(?:since|from|starting|started|began|beginning)\s+(?:on\s+|at\s+|around\s+|about\s+)?{_TIME_WORD}"
    rf"(?:\s+(?:(?:this|today|yesterday)\s+)?(?:morning|afternoon|evening|night)|\s+(?:today|yesterday)"
    rf"|\s+at \d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)?)?"
    rf"|\b(?:for|over|since|from)\s+(?:(?:the\s+)?(?:last|past)\s+{_COUNT}\s+|the\s+(?:last|past)\s+|{_COUNT}\s+)"
    r"(?:minutes?|hours?|days?|weeks?|months?)\b(?:\s+ago)?"
    rf"|\b(?:after|post|since)\s+(?:the\s+)?(?:last\s+|latest\s+|recent\s+)?(?:release|deploy(?:ment)?|update|upgrade)"
    rf"|\b(?:{_TIME_WORD})\s+onwards"
    rf"|\b(?:(?:it\s+)?(?:started|began)\s+)?(?:{_COUNT}|\d+)\s+(?:minutes?|hours?|days?|weeks?|months?)\s+ago\b",
    re.IGNORECASE,
)

_ALL_AFFECTED = re.compile(
    r"\b(?:all|every(?:\s+single)?|each|entire|whole)\s+(?:(?:of\s+)?(?:our|the|my|their)\s+)?(?:users?|customers?|clients?|agents?|chats?|conversations?|visitors?|traffic|team|bots?)"
    r"|\b(?:everyone|everybody)\b"
    r"|\b(?:nobody|no one|no-one|no (?:single )?(?:users?|customers?|visitors?|agents?)|none of (?:our|the) (?:users|customers))(?:\s+[\w'-]+){0,4}?\s+"
    r"(?:can(?:not|'t)?|could(?:n't| not)?|is able|are able|gets?|got|receives?|is getting|are getting)\b"
    r"|\b100\s*%"
    r"|\bcompletely (?:down|broken|dead)\b"
    r"|^\s*(?:all|all of them)\W*$",
    re.IGNORECASE,
)
_NO_IMPACT = re.compile(
    r"\bno (?:real |business |customer |user |major )?impact\b"
    r"|\bnot (?:affecting|impacting|blocking) (?:any|our|the)?\s*(?:users?|customers?|business|anyone|live)\b"
    r"|\b(?:only|just) (?:(?:affects?|affecting|impacts?) )?(?:in )?(?:testing|internal(?:ly)?|(?:our |the |a few |some )?(?:testers?|qa(?: team)?)|me|qa)\b"
    r"|\b(?:no (?:users?|customers?)|nobody|no one|no-one|none of (?:our|the) (?:users|customers))\s+"
    r"(?:is |are |was |were |has been |have been )?(?:affected|impacted)\b"
    r"|^\s*(?:nobody|no one|no-one|none)(?: (?:yet|so far))?\W*$",
    re.IGNORECASE,
)
_SOME_AFFECTED = re.compile(
    r"\b(?:\d+(?:,\d{3})*\+?|some|a few|few|several|many|most|half (?:of )?(?:our|the)?)\s+(?:of\s+(?:our|the)\s+)?"
    r"(?:users?|customers?|clients?|agents?|chats?|conversations?|visitors?|people)(?:\s+(?:are\s+|were\s+)?(?:affected|impacted|facing|complaining|stuck|cannot|can't|can not|unable))?",
    re.IGNORECASE,
)

_NAMED_BOT = re.compile(
    r"\b(?:the|our|my|their)\s+((?:(?!(?:the|a|an|our|my|their|with|about|to|of|for|and|or|on|in|at|from|is|was|are)\b)"
    r"[\w&'-]+\s+){0,3}?(?:bot|assistant|chatbot|widget|skill))\b",
    re.IGNORECASE,
)
_BOT_CALLED = re.compile(
    r"\b(?:bot|assistant|chatbot)(?:'s)?\s+(?:is\s+)?(?:called|named|name\s+is)\s+[\"'“]?([\w&-]+(?:\s+[A-Z][\w&-]*){0,3})",
    re.IGNORECASE,
)
"""A bot named outright: "the bot is called InitechHelpBot", "bot name is Acme Sales"."""
PRODUCT_AREAS = (
    "intelligent analytics",
    "analytics",
    "agent chat",
    "agent inbox",
    "inbox",
    "bot builder",
    "conversation studio",
    "smart skills",
    "broadcast",
    "campaign",
    "whatsapp",
    "facebook messenger",
    "instagram",
    "web sdk",
    "android sdk",
    "ios sdk",
    "sdk",
    "live chat",
    "dashboard",
    "reports",
    "integrations",
    "api",
    "webhook",
    "crm",
    "nlu",
    "training",
    "entities",
    "bot transfer",
)
_PRODUCT_AREA = re.compile(r"\b(" + "|".join(re.escape(area) for area in PRODUCT_AREAS) + r")\b", re.IGNORECASE)

_NOTHING_WORDS = (
    r"(?:no|nope|nah|none|nothing|na|n/a|nil|skip(?: it| this(?: one)?)?|not really"
    r"|nothing (?:to add|else|more)|that's all|that is all|no (?:links?|more(?: details?)?))"
)
"""Each refusal reads one way only ("no thanks" is "no" then "thanks"), so a long non-answer fails fast."""
_NOTHING = re.compile(
    rf"^\s*{_NOTHING_WORDS}(?:[\s,.;!-]+(?:{_NOTHING_WORDS}|thanks|thank you|thx))*\W*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Details:
    """What a message already says about a problem; None where it says nothing."""

    environment: str | None = None
    since: str | None = None
    impact: str | None = None
    bot_or_area: str | None = None
    email: str | None = None
    links: str | None = None


def read_details(text: str) -> Details:
    """Everything the message says about the problem, each detail read independently."""
    return Details(
        environment=environment(text),
        since=since(text),
        impact=impact(text),
        bot_or_area=bot_or_area(text),
        email=email(text),
        links=links(text),
    )


def environment(text: str) -> str | None:
    """ "production" or "staging"; None when the message names neither or names both.

    An environment the message denies ("staging, not production") does not count as named.
    """
    text = _DENIED_ENVIRONMENT.sub(" ", text)
    on_production, on_staging = bool(_PRODUCTION.search(text)), bool(_STAGING.search(text))
    if on_production == on_staging:
        return None
    return "production" if on_production else "staging"


def since(text: str) -> str | None:
    """The phrase that says when the problem started ("since 10am", "for 2 days")."""
    match = _SINCE.search(text)
    return match.group(0).strip() if match else None


def impact(text: str) -> str | None:
    """The phrase that says who is affected, most telling first."""
    for pattern in (_NO_IMPACT, _ALL_AFFECTED, _SOME_AFFECTED):
        match = pattern.search(text)
        if match:
            return match.group(0).strip()
    return None


def impact_scope(text: str | None) -> str | None:
    """How wide the impact is: "all", "some" or "none"; None when it cannot be told."""
    if not text:
        return None
    if _NO_IMPACT.search(text):
        return "none"
    if _ALL_AFFECTED.search(text):
        return "all"
    if _SOME_AFFECTED.search(text):
        return "some"
    return None


def bot_or_area(text: str) -> str | None:
    """A named bot ("the sales bot", "the bot is called Acme") or a platform area ("analytics")."""
    called = _BOT_CALLED.search(text)
    if called:
        return called.group(1).strip()
    named = _NAMED_BOT.search(text)
    if named and named.group(1).strip().lower() not in {"bot", "chatbot", "assistant"}:
        return named.group(0).strip()
    area = _PRODUCT_AREA.search(text)
    return area.group(1) if area else None


def email(text: str) -> str | None:
    """The first email address in the text."""
    match = EMAIL.search(text)
    return match.group(0) if match else None


def links(text: str) -> str | None:
    """URLs and conversation ids, joined by commas, in the order they appear."""
    found = sorted(
        [(m.start(), m.group(0).rstrip(".,;)")) for m in URL.finditer(text)]
        + [(m.start(), m.group(0)) for m in CONVERSATION_ID.finditer(text)]
    )
    return ", ".join(value for _, value in found) or None


def says_nothing(text: str) -> bool:
    """True for answers such as "no", "none" or "skip" to an optional question."""
    return bool(_NOTHING.match(text))
