"""The severity classifier itself: scikit-learn, no Rasa.

Words and character n-grams within words (which survive typos, Hinglish spellings and
run-together words) go through TF-IDF into one multinomial logistic regression. Each
assessment also reports which words pushed most toward the chosen level, from each
feature's contribution to that level's log-probability.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from components.severity.cues import CueReaders, pick_cues


@dataclass(frozen=True)
class Settings:
    """How the model is trained; the component's config fills it."""

    word_ngram_range: tuple[int, int] = (1, 2)
    char_ngram_range: tuple[int, int] = (3, 5)
    C: float = 10.0
    class_weight: str | None = "balanced"
    max_iter: int = 2000
    random_state: int = 42


@dataclass(frozen=True)
class Assessment:
    """The most likely level, its probability, every level's, and the words behind it."""

    name: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    cues: tuple[str, ...]


class _FastTfidf:
    """A fitted TfidfVectorizer's transform of one text, without its per-call validation.

    scikit-learn's `transform` re-validates the fitted state and builds sparse matrices on
    every call, which costs about ten times the arithmetic for a single chat message. This
    does the same sum with the vectorizer's own analyzer, vocabulary and idf (sublinear tf,
    l2 norm), and is checked against `transform` in the tests.
    """

    def __init__(self, vectorizer: TfidfVectorizer, offset: int) -> None:
        self.analyzer = vectorizer.build_analyzer()
        self._vocabulary = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._offset = offset

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(j for j in map(self._vocabulary.get, self.analyzer(text)) if j is not None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self._idf[columns]
        return columns + self._offset, values / np.linalg.norm(values)


class SeverityModel:
    """A trained classifier from problem descriptions to severity levels."""

    def __init__(
        self, words: TfidfVectorizer, chars: TfidfVectorizer, classifier: LogisticRegression, settings: Settings
    ) -> None:
        self._words = words
        self._chars = chars
        self._classifier = classifier
        self._settings = settings
        self.levels: list[str] = [str(c) for c in classifier.classes_]
        self._fast = (_FastTfidf(words, 0), _FastTfidf(chars, len(words.vocabulary_)))
        self._weights = self._dense_weights()
        self._intercept = self._intercepts()
        self._names = list(words.get_feature_names_out()) + list(chars.get_feature_names_out())
        self._cue_readers = CueReaders.of(words, chars)

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], settings: Settings) -> SeverityModel:
        """Learns vocabularies, idf and weights from labelled descriptions (at least two levels)."""
        words = TfidfVectorizer(ngram_range=settings.word_ngram_range, sublinear_tf=True, lowercase=True)
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=settings.char_ngram_range, sublinear_tf=True, lowercase=True
        )
        features = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
        classifier = LogisticRegression(
            C=settings.C,
            class_weight=settings.class_weight,
            max_iter=settings.max_iter,
            random_state=settings.random_state,
            solver="lbfgs",
        )
        classifier.fit(features, list(labels))
        return cls(words, chars, classifier, settings)

    def assess(self, text: str, level_bias: dict[str, float] | None = None, max_cues: int = 3) -> Assessment:
        """The level of one description, with every level's probability and up to `max_cues` cues.

        `level_bias` is added to a level's log-score before the softmax: a prior shift
        that trades that level's precision for its recall.
        """
        bias = np.array([float((level_bias or {}).get(level, 0.0)) for level in self.levels])
        columns, values = self.features(text)
        weights = self._weights[:, columns]
        scores = weights @ values + self._intercept + bias
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        best = int(np.argmax(probs))
        # Each present feature's push toward the best level: x_j * (w_best,j - E_p[w_.,j]).
        contributions = values * (weights[best] - probs @ weights)
        n_words = len(self._words.vocabulary_)
        by_feature: dict[tuple[str, str], float] = {}
        for column, contribution in zip(columns.tolist(), contributions.tolist(), strict=False):
            kind = "word" if column < n_words else "char"
            by_feature[(kind, self._names[column])] = contribution
        ranking = tuple(
            sorted(((lvl, round(float(p), 4)) for lvl, p in zip(self.levels, probs, strict=False)), key=lambda r: -r[1])
        )
        cues = pick_cues(text, by_feature, self._cue_readers, max_cues)
        return Assessment(self.levels[best], round(float(probs[best]), 4), ranking, tuple(cues))

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's non-zero TF-IDF features (columns, values), words first, then characters."""
        word_columns, word_values = self._fast[0].features(text)
        char_columns, char_values = self._fast[1].features(text)
        return np.concatenate([word_columns, char_columns]), np.concatenate([word_values, char_values])

    def _dense_weights(self) -> np.ndarray:
        coef = np.asarray(self._classifier.coef_, dtype=np.float64)
        return np.vstack([-coef[0] / 2, coef[0] / 2]) if coef.shape[0] == 1 else np.ascontiguousarray(coef)

    def _intercepts(self) -> np.ndarray:
        intercept = self._classifier.intercept_
        return np.array([-intercept[0] / 2, intercept[0] / 2]) if len(intercept) == 1 else intercept

    def save(self, path: Path) -> None:
        """Persists the fitted scikit-learn objects (joblib, as Rasa's own sklearn components do)."""
        joblib.dump(
            {"words": self._words, "chars": self._chars, "classifier": self._classifier, "settings": self._settings},
            path,
        )

    @classmethod
    def load(cls, path: Path) -> SeverityModel:
        stored: dict[str, Any] = joblib.load(path)
        return cls(stored["words"], stored["chars"], stored["classifier"], stored["settings"])
