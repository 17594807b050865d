"""What NLU gets to read of a message, and whether it can read it at all.

NLU cost grows with message length (a 4,900-word message took Rasa 6.6 s and 1.5 GB it
never gave back), yet intent and severity show in the first lines. So NLU reads the
start and the whole message travels in metadata, where actions take the ticket
description from.
"""

from __future__ import annotations

import unicodedata

FOREIGN_SCRIPT_SHARE = 0.5
"""Above this share of non-Latin letters the bot, trained on English only, cannot follow."""


def for_nlu(text: str, max_chars: int) -> str:
    """The start of `text` NLU reads: at most `max_chars`, cut where a word ends.

    One word longer than the limit (a pasted token, say) is cut inside it.
    """
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    if head[-1].isspace() or text[max_chars].isspace():
        return head.rstrip()
    words = head.rsplit(maxsplit=1)
    return words[0] if len(words) == 2 else head


def mostly_foreign_script(text: str) -> bool:
    """Whether most letters of `text` are outside the Latin script (Arabic, Devanagari, CJK...).

    An offline check that needs no language model; Latin-script languages the bot does not
    speak reach NLU, whose fallback offers topics and the support email.
    """
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return False
    foreign = sum(1 for char in letters if not unicodedata.name(char, "").startswith("LATIN"))
    return foreign / len(letters) > FOREIGN_SCRIPT_SHARE
