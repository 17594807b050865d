"""What a problem report says is *not* broken, so a severity is read from what is.

Customers reassure as often as they alarm: "customers aren't affected", "no outage, the
bot is up", "chats go through fine, only the logo is blurred". Read as a bag of words,
those reassurances are full of the words outages are made of (customers, chats, outage,
live bot) and push a cosmetic glitch or a setup question toward a blocker. The severity
is about what stopped working, so these readers find the clauses that say something
still works or is unaffected, and leave them out of what is assessed.

Only clear reassurances are removed: a negation that describes the breakage itself
("the bot is not replying", "nothing works", "no one gets an answer") stays.
"""

from __future__ import annotations

import re

_CLAUSE = re.compile(
    r"(?<=[.?!;:])\s+|\n+|\s*[,(]\s*|\s+-+\s+|\)\s*|\s+(?=(?:but|though|although|however|while|whereas)\b)",
    re.IGNORECASE,
)
"""Clause boundaries: sentence ends, commas, brackets, dashes, and a contrast ("..., but ...")."""

_HARM = r"(?:affected|impacted|affecting|impacting|blocked|blocking|down|broken|dead|disrupted|hit|lost|stuck|an? (?:outage|blocker|emergency))"
_NEGATED_HARM = re.compile(
    rf"\b(?:not|never|isn'?t|aren'?t|wasn'?t|weren'?t|hasn'?t|haven'?t|doesn'?t|don'?t|didn'?t)\s+(?:been\s+|really\s+|actually\s+|at all\s+|in any way\s+)?(?:be\s+)?{_HARM}\b"
    r"|\b(?:doesn'?t|does not|don'?t|do not|isn'?t|is not|aren'?t|are not|not)\s+(?:seem to\s+)?(?:affect|impact|block)(?:ing)?\b",
    re.IGNORECASE,
)
"""Harm denied: "customers aren't affected", "it's not down", "doesn't affect the live bot"."""
_NO_HARM = re.compile(
    r"\bno\s+(?:\w+\s+)?(?:outage|downtime|disruption|impact|loss|customer complaints?|complaints?|errors? for (?:users|customers))\b"
    rf"|\b(?:nothing|none|nobody|no one|no-one|no (?:users?|customers?|visitors?|chats?|agents?))\s+(?:else\s+)?(?:of (?:them|our \w+|the \w+)\s+)?(?:is|are|was|were|has been|have been|seems?|got|gets?)?\s*(?:else\s+)?(?:really\s+)?{_HARM}\b"
    r"|\b(?:nothing|none) (?:else )?(?:is|seems|looks) (?:wrong|off|broken)\b",
    re.IGNORECASE,
)
"""Harm ruled out: "no outage", "no customer impact", "nothing is down", "nobody is blocked"."""
_STILL_WORKS = re.compile(
    r"\b(?:still|otherwise|else)\b[^.,;]{0,30}?\b(?:works?|working|fine|ok|okay|normal(?:ly)?|unaffected|"
    r"gets?|getting|repl(?:y|ies|ying)|answer(?:s|ing)?|chat(?:s|ting)?|go(?:es)? through|load(?:s|ing)?|respond(?:s|ing)?)\b"
    r"|(?<!not )(?<!n't )\b(?:works?|working|runs?|running|is|are|seems?|looks?|behaves?|behaving|chat(?:s|ting)?|"
    r"repl(?:ies|ying)|answer(?:s|ing)|respond(?:s|ing)|load(?:s|ing)|goes through|go through)\s+"
    r"(?:perfectly\s+|completely\s+|absolutely\s+|totally\s+|just\s+)?"
    r"(?:fine|ok|okay|normal(?:ly)?|as (?:expected|usual|normal)|unaffected|perfectly|smoothly)\b"
    r"|\bunaffected\b"
    r"|\b(?:baaki|baki|baaqi)\s+(?:sab|sb)\b|\b(?:theek|thik|sahi)\s+(?:hai|h|chal raha|chal rahi|chal rahe)\b",
    re.IGNORECASE,
)
"""Something still working: "users can still chat", "otherwise fine", "the bot answers normally", "baaki sab theek hai"."""
_BREAKAGE = re.compile(
    r"\b(?:not|never|no|nothing|nobody|none|can'?t|cannot|won'?t|doesn'?t|don'?t|didn'?t|isn'?t|aren'?t|nahi|nhi)\s+"
    r"(?:\w+\s+){0,2}?(?:work(?:s|ing)?|repl(?:y|ies|ying)|respond(?:s|ing)?|answer(?:s|ing)?|load(?:s|ing)?|"
    r"reach(?:es|ing)?|get(?:s|ting)?|open(?:s|ing)?)\b"
    r"|\b(?:errors?|fail\w*|crash\w*|down|broken|stuck|time[sd]? ?out|timing out|wrong|late|slow\w*|delay\w*|missing|lost)\b",
    re.IGNORECASE,
)
"""A clause that also says something stopped or went wrong ("still getting errors") is no reassurance."""
_CONTRAST_ONLY = re.compile(r"^(?:but\s+)?(?:not|except|only not)\b", re.IGNORECASE)
"""A clause that names the broken part only by contrast ("works on staging, but not on live") needs the one before."""


def reassures(clause: str) -> bool:
    """Whether a clause says only that something is unaffected or still works."""
    if _NEGATED_HARM.search(clause) or _NO_HARM.search(clause):
        return True
    return bool(_STILL_WORKS.search(clause)) and not _BREAKAGE.search(clause)


def what_broke(text: str) -> str:
    """The report without its reassurances ("the logo is blurred, customers aren't affected" -> "the logo is blurred").

    The whole text when every clause reassures or none does: then there is nothing to separate.
    """
    clauses = [clause.strip() for clause in _CLAUSE.split(text) if clause and clause.strip()]
    kept = [
        clause
        for i, clause in enumerate(clauses)
        if not reassures(clause) or (i + 1 < len(clauses) and _CONTRAST_ONLY.match(clauses[i + 1]))
    ]
    return " ".join(kept) if kept and len(kept) < len(clauses) else text
