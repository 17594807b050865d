"""The words of a message that weighed most toward its level, to quote as the reason.

A reason quotes words that carry meaning ("not replying", "export", "staging"), never
filler ("right", "someone", "email", "please"): the feature contributions are summed per
whitespace token (a word n-gram's share split over its words, a character n-gram's over
the occurrences of it), function and filler words are skipped, a negation is quoted with
the word it negates, and neighbouring picks become one phrase.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer

_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
NOT_CUES = frozenset(
    """a an the is are was were be been being am to of in on for and or but if it its it's
    this that these those with at by from as into onto up out over about than then i i'm
    we we're our ours my me us you your they their them he she his her has have had do
    does did so just also please pls plz kindly hi hello hey team sir maam ma'am dear can
    could would should will shall there here what which who whom when where why how some
    getting get got being since after before till until while even still yet very too now
    right someone somebody anyone anybody something anything thing things email mail sent
    guys folks thanks thank regards hii hiii ok okay sure one any all every bhai ji yaar
    hai hain ho raha rahi rahe ka ki ke ko se me mein bhi ye yeh wo woh kya kuch aur
    issue problem help today yesterday morning unaffected""".split()
)
"""Words never quoted as a reason (they may still weigh in the model); "unaffected" stands for
what a report says still works (component.STILL_WORKS), which is no reason for a level."""
NEGATIONS = frozenset(
    """not no never cannot cant can't dont don't doesnt doesn't didnt didn't isnt isn't
    arent aren't wasnt wasn't wont won't nahi nahin nhi""".split()
)


@dataclass(frozen=True)
class CueReaders:
    """The fitted vectorizers' own text readers, built once per model."""

    preprocess: Callable[[str], str]
    tokenize: Callable[[str], list[str]]
    ngram_range: tuple[int, int]
    char_grams: Callable[[str], list[str]]

    @classmethod
    def of(cls, words: TfidfVectorizer, chars: TfidfVectorizer) -> CueReaders:
        return cls(
            words.build_preprocessor(), words.build_tokenizer(), tuple(words.ngram_range), chars.build_analyzer()
        )


def pick_cues(text: str, contributions: dict[tuple[str, str], float], readers: CueReaders, max_cues: int) -> list[str]:
    """Up to `max_cues` phrases of `text`, strongest first, that pushed toward the level."""
    tokens = text.split()
    if max_cues == 0 or not tokens:
        return []
    scores = _token_scores(tokens, contributions, readers)
    plain = [_EDGE_PUNCT.sub("", token) for token in tokens]
    chosen: list[list[int]] = []
    seen: set[str] = set()
    for i in sorted(range(len(tokens)), key=lambda k: -scores[k]):
        low = plain[i].lower()
        if len(chosen) == max_cues or scores[i] <= 0:
            break
        if len(low) < 2 or low in NOT_CUES or low in NEGATIONS or low in seen or low.isdigit():
            continue
        seen.add(low)
        span = [i - 1, i] if i > 0 and plain[i - 1].lower() in NEGATIONS else [i]
        chosen.append(span)
    merged: list[list[int]] = []
    for span in sorted(chosen):
        if merged and merged[-1][-1] >= span[0] - 1:
            merged[-1] = sorted(set(merged[-1]) | set(span))
        else:
            merged.append(span)
    merged.sort(key=lambda span: -max(scores[i] for i in span))
    return [" ".join(plain[i] for i in span) for span in merged]


def _token_scores(
    tokens: Sequence[str], contributions: dict[tuple[str, str], float], readers: CueReaders
) -> list[float]:
    """Each token's share of the contributions of the word and character n-grams it is part of."""
    low, high = readers.ngram_range
    char_grams = readers.char_grams
    sequence = [(word, i) for i, token in enumerate(tokens) for word in readers.tokenize(readers.preprocess(token))]
    word_grams: list[tuple[str, tuple[int, ...]]] = []
    for n in range(low, high + 1):
        for start in range(len(sequence) - n + 1):
            span = sequence[start : start + n]
            word_grams.append((" ".join(w for w, _ in span), tuple(i for _, i in span)))
    per_token_chars = [char_grams(token) for token in tokens]
    word_counts = Counter(gram for gram, _ in word_grams)
    char_counts = Counter(gram for grams in per_token_chars for gram in grams)
    scores = [0.0] * len(tokens)
    for gram, owners in word_grams:
        share = contributions.get(("word", gram), 0.0) / word_counts[gram] / len(owners)
        for i in owners:
            scores[i] += share
    for i, grams in enumerate(per_token_chars):
        for gram in grams:
            scores[i] += contributions.get(("char", gram), 0.0) / char_counts[gram]
    return scores
