"""A ticket's title: what is wrong, where, in one line support can scan in a queue.

Users open with greetings, pleasantries and, after a misunderstanding, complaints about
the bot ("Hello sir, kindly do the needful.", "I JUST TOLD YOU."). None of that says
what is wrong, so the title is the first sentence of the description that still says
something once those are set aside, with the bot or area and the environment added
when the sentence does not name them.
"""

from __future__ import annotations

import re

from helpdesk import details

TITLE_LENGTH = 80
FALLBACK = "Support request"
ENVIRONMENTS = ("production", "staging")

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|hiya|dear|greetings|good\s+(?:morning|afternoon|evening)|namaste)"
    r"(?:\s+(?:there|team|sir|madam|ma'am|all|everyone|folks|support|guys|bot))*)\b[\s,!.:;-]*",
    re.IGNORECASE,
)
_NOISE = re.compile(
    r"\b(?:kindly\s+do\s+the\s+needful|(?:please|pls|plz|kindly)\s+help(?:\s+(?:me|us))?|help\s+(?:me|us)"
    r"|(?:urgent(?:ly)?|asap)(?:\s+please)?|thanks?(?:\s+you)?(?:\s+in\s+advance)?|regards"
    r"|i\s+(?:just\s+|already\s+)?(?:told|said\s+(?:it\s+)?to)\s+you|are\s+you\s+(?:even\s+)?listening"
    r"|(?:this|you|the)\s+(?:stupid\s+)?(?:bot\s+)?(?:is|are|'re)\s+(?:useless|stupid|dumb|annoying|terrible|not\s+helping)"
    r"|(?:useless|stupid|dumb)\s+bot|why\s+(?:do|are)\s+you\s+(?:keep\s+)?(?:asking|repeating)(?:\s+(?:me|this|that))*"
    r"|waste\s+of\s+(?:my\s+)?time)\b",
    re.IGNORECASE,
)
"""Pleasantries and complaints about the bot: they say nothing about the problem."""
_MIN_WORDS = 2
_ARTICLE = re.compile(r"^(?:the|our|my|their|a|an)\s+", re.IGNORECASE)


def title_for(description: str, bot_or_area: str | None = None, environment: str | None = None) -> str:
    """The problem in one line, with the bot or area and the environment when not already in it."""
    problem = _problem_sentence(description, _MIN_WORDS) or _problem_sentence(description, 1)
    context = []
    if bot_or_area and _ARTICLE.sub("", bot_or_area).casefold() not in problem.casefold():
        context.append(bot_or_area)
    if environment in ENVIRONMENTS and details.environment(problem) != environment:
        context.append(environment)
    if not problem:
        problem = (
            f"Problem with {context.pop(0)}" if bot_or_area and context and context[0] == bot_or_area else FALLBACK
        )
    suffix = f" ({', '.join(context)})" if context else ""
    return _cut(problem, max(TITLE_LENGTH - len(suffix), TITLE_LENGTH // 2)) + suffix


def _problem_sentence(description: str, min_words: int) -> str:
    """The first sentence of `min_words` words or more once greetings and complaints are set aside."""
    for sentence in _SENTENCE_END.split(description.strip()):
        kept = _NOISE.sub(" ", _GREETING.sub("", sentence))
        kept = " ".join(kept.split()).strip(" ,;:-–—.")
        if len(re.findall(r"[^\W\d_]{2,}|\d+", kept)) >= min_words:
            return kept[:1].upper() + kept[1:]
    return ""


def _cut(text: str, limit: int) -> str:
    """Whole clauses when they fit ("X won't download, it errors out ..." -> "X won't download"),
    else words, with an ellipsis."""
    if len(text) <= limit:
        return text
    clause = text[:limit].rsplit(", ", 1)[0]
    if len(clause) < limit and len(clause) >= limit // 2:
        return clause
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",;:-") + "…"
