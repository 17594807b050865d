"""What a message asks besides describing a problem: its level, when support replies, or how to do something.

Customers often put a problem and a question in one message ("our whatsapp bot is down,
how quickly can someone look at it?"). These readers find the question so the bot
answers it for that problem, and the problem part alone so its severity is read from
what stopped working rather than from the question's words.
"""

from __future__ import annotations

import enum
import re


class Asked(enum.Enum):
    """The kind of question a problem report carries."""

    RATING = "rating"  # "would this be an S0?", "is that a blocker?", "how severe is it?"
    TIMING = "timing"  # "how quickly can you look at it?", "when will someone reply?", "is anyone there tonight?"
    HOW_TO = "how_to"  # "how do I change the widget colour?", "where is the setting?"


_LEVEL_WORDS = r"(?:[sp]\s?-?[0-3]|sev(?:erity)?\s*-?\s*[0-3]|blocker|show\s?stopper|critical|urgent|high|medium|low|priority|severity|severe|serious)"
_RATING = re.compile(
    rf"\b(?:would|will|is|does|should|could|can|am i right|kya)\b[^.?!]*?\b(?:be|count(?:s)? as|considered|qualif(?:y|ies) as|rated|treated as|classed as|hai|a|an)\b[^.?!]*?\b{_LEVEL_WORDS}\b[^.!]*\?|"
    r"\bwhat (?:severity|priority|level)\b|\bhow (?:severe|serious|critical|urgent|bad)\b|"
    rf"\b(?:is|would) (?:this|that|it) (?:be )?(?:an? )?{_LEVEL_WORDS}\b|\b{_LEVEL_WORDS} (?:or|vs) {_LEVEL_WORDS}\s*\?",
    re.IGNORECASE,
)
_TIMING = re.compile(
    r"\bhow (?:quickly|soon|fast|long)\b|\bwhen (?:will|would|can|do|does|should|could)\b|\bby when\b|"
    r"\b(?:response|reply|resolution|turnaround) time\b|\bhow much time\b|\bkab tak\b|\bkitn[ae] (?:time|der|samay)\b|"
    r"\bget back to (?:me|us)\b|\b(?:eta|tat)\b|"
    r"\b(?:will|would|can|could|is|are)\s+(?:any\s?one|any\s?body|some\s?one|some\s?body|a person|your team|the team|support|you(?: guys)?)\s+"
    r"(?:be\s+)?(?:look(?:ing)?|check(?:ing)?|respond(?:ing)?|repl(?:y|ying)|pick(?:ing)?|attend(?:ing)?|there|available|around|working|online|on (?:it|this|duty))\b",
    re.IGNORECASE,
)
_HOW_TO = re.compile(
    r"(?:^|[.?!,;]\s*)(?:hi|hello|hey|team|please|pls)?[\s,]*(?:how (?:do|can|should|would|could) (?:i|we|you|one)\b|how to\b|"
    r"where (?:is|are|do|can|does|should)\b|is there (?:a|an|any) (?:way|option|setting)\b|"
    r"can (?:i|we) (?:change|set|add|configure|enable|disable|make|connect|edit|update|remove|customi[sz]e)\b|"
    r"what(?:'s| is) the (?:setting|option|way) (?:to|for)\b|\w+ kaise\b|kaise\b)|"
    r"\bcan'?t find (?:the|a|where|how)\b",
    re.IGNORECASE,
)
_RESOLUTION = re.compile(
    r"\b(?:resolv\w*|resolution|fix(?:ed|ing)?|solv\w*|sorted out)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(
    r"(?<=[.?!])\s+|\n+|,\s+(?=(?:and\s+)?(?:how|when|what|would|will|is|can|could|does|do|where|who|pls|please)\b)",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\s*(?:and\s+|so\s+|also\s+)?(?:how|when|what|would|will|can|could|does|do|where|who|is it|is this|is that|kab|kitna)\b",
    re.IGNORECASE,
)


_REQUEST_TO_FILE = re.compile(
    r"\b(?:raise|file|log|lodge|open|create|submit|register|make|put in|start|escalate)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:ticket|case|complaint|incident|request|issue|problem|bug)s?\b"
    r"|\b(?:ticket|complaint)\s+(?:raise|file|log|open|create|register)\b"
    r"|\b(?:to|want to|wanna|need to|like to)\s+report(?:\s+(?:an?|the|this|my|our)\s+(?:issue|problem|bug))?\b"
    r"|\breport (?:an?|this|my|our) (?:issue|problem|bug)\b",
    re.IGNORECASE,
)
"""A request to file ("raise a ticket", "log a high priority issue", "I need to report"): no part of the problem."""


def without_request_to_file(text: str) -> str:
    """The message without its request to file ("raise a ticket, the export fails" -> ", the export fails")."""
    return " ".join(_REQUEST_TO_FILE.sub(" ", text).split())


def asked(text: str) -> Asked | None:
    """The question a message asks about its own problem, if any; a rating question first."""
    if _RATING.search(text):
        return Asked.RATING
    if _TIMING.search(text):
        return Asked.TIMING
    if _HOW_TO.search(text):
        return Asked.HOW_TO
    return None


def asks_resolution(text: str) -> bool:
    """Whether the message asks about fixing or resolving, as opposed to a first reply."""
    return bool(_RESOLUTION.search(text))


def problem_part(text: str) -> str:
    """The message without its questions about support ("bot is down, how quickly ...?" -> "bot is down").

    A how-to question stays: it is what a setup problem looks like. The whole text when
    every sentence is such a question or none is: then there is nothing to separate.
    """
    parts = [part.strip() for part in _SENTENCE.split(text) if part and part.strip()]
    kept = [part for part in parts if not (_is_question(part) and asked(part) in (Asked.TIMING, Asked.RATING))]
    return " ".join(kept) if kept and len(kept) < len(parts) else text


def _is_question(sentence: str) -> bool:
    return sentence.endswith("?") or bool(_QUESTION_START.match(sentence))
