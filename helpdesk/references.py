"""Ticket references as people type them: "HLP-0121", "hlp 121", "HPL-0121", "#121", "0121".

A pure reader of text: it knows the configured prefix (e.g. "HLP-") and nothing about
which tickets exist, so what it reads can never depend on someone else's tickets.
Canonical references are the store's: the prefix, an optional "J" for tickets filed
while the database was down, and the number with at least four digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_WITH_LETTERS = re.compile(
    r"(?<![\w-])(?P<letters>[A-Za-z]{2,6})(?P<separator>\s*[-#]\s*|\s+#?|)(?P<journal>[Jj](?=\d))?(?P<digits>\d{1,8})\b(?![.:/]\d)"
)
"""Letters, then a dash, a space or nothing, then digits: "HLP-0121", "hlp 121", "hlp0121", "HLP-J0003"."""

_BARE = re.compile(r"(?<![\w.,:/#-])(?P<hash>#)?(?P<digits>\d{1,8})\b(?![.:/%]\d|\s*(?:%|am\b|pm\b|x\b))")
"""A number standing alone: "0121", "#121"; not part of a time, a decimal, an id in a link or a percentage."""
_ENDS_A_CLAUSE = re.compile(r"\s*(?:[?.!,;:)]|$|\b(?:and|also|please|pls|plz|too|then)\b)", re.I)


@dataclass(frozen=True)
class Mention:
    """One reference read from a message, already in the store's canonical form."""

    reference: str
    start: int
    end: int
    bare: bool
    """Typed without a prefix ("0121"): read only where the conversation is about tickets."""


def read_references(text: str, prefix: str, *, bare_numbers: bool = False) -> tuple[Mention, ...]:
    """Every reference in `text`, in order of appearance, each once.

    Read: any case, with or without the dash, missing leading zeros, a prefix typed with
    one letter wrong, missing, extra or swapped ("HPL", "HLPP", "HL"). A misspelt prefix
    counts only when it is attached to the number or the number has a leading zero, so
    "help 2 users" is not a reference. With `bare_numbers`, a number alone counts too if
    it looks like one: a leading zero or a "#" ("and 0121?", "#121"), or three digits or more
    ending a clause ("status of 121"), so "300 users" is not one.
    """
    letters = _letters(prefix)
    found: list[Mention] = []
    taken: list[range] = []
    for match in _WITH_LETTERS.finditer(text):
        typed = match.group("letters").upper()
        attached = match.group("separator").strip() != "" or match.group("separator") == ""
        exact = typed == letters
        if not exact and not (_one_edit_apart(typed, letters) and (attached or match.group("digits").startswith("0"))):
            continue
        found.append(
            Mention(
                _canonical(prefix, match.group("journal"), match.group("digits")), match.start(), match.end(), False
            )
        )
        taken.append(range(match.start(), match.end()))
    if bare_numbers:
        for match in _BARE.finditer(text):
            digits = match.group("digits")
            marked = digits.startswith("0") or match.group("hash") is not None
            alone = len(digits) >= 3 and _ENDS_A_CLAUSE.match(text, match.end()) is not None
            if any(match.start() in span for span in taken) or not (marked or alone):
                continue
            found.append(Mention(_canonical(prefix, None, digits), match.start(), match.end(), True))
    unique: dict[str, Mention] = {}
    for mention in sorted(found, key=lambda m: m.start):
        unique.setdefault(mention.reference, mention)
    return tuple(unique.values())


def near_misses(reference: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """The candidates one typing slip away from `reference`: one digit wrong, missing,
    extra or two swapped ("HLP-0112" for "HLP-0121"). Give only the user's own references."""
    typed = _number_part(reference)
    return tuple(c for c in candidates if c != reference and _one_edit_apart(_number_part(c), typed))


def _canonical(prefix: str, journal: str | None, digits: str) -> str:
    return f"{prefix.upper()}{'J' if journal else ''}{int(digits):04d}"


def _letters(prefix: str) -> str:
    return re.sub(r"[^A-Za-z]", "", prefix).upper()


def _number_part(reference: str) -> str:
    """The digits of a canonical reference, with its journal mark: "J0003", "0121"."""
    match = re.search(r"J?\d+$", reference.upper())
    return match.group(0) if match else reference.upper()


def _one_edit_apart(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours turns `a` into `b`."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
        if len(differ) == 1:
            return True
        first, second = differ[0], differ[-1]
        return len(differ) == 2 and second == first + 1 and a[first] == b[second] and a[second] == b[first]
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
