"""SeverityAssessor: judges the support severity (S0-S3) of a free-form problem description.

A Rasa 3.6 graph component. It learns from NLU training examples whose intent-level (or
example-level) metadata names a severity, for example in data/ticket/severity.yml::

    - intent: report_problem
      metadata:
        severity: S1
      examples: |
        - analytics report won't download since this morning

At inference it adds a top-level field to every parsed message (so `/model/parse`
returns it and actions read it from `tracker.latest_message["severity"]`)::

    "severity": {
        "name": "S1",                    # the most likely level
        "confidence": 0.87,              # its probability, 0..1
        "ranking": [{"name": "S1", "confidence": 0.87}, ...],   # every level, best first
        "cues": ["won't download", "report"],   # up to `max_cues` words/phrases of the
    }                                            # message that pushed most toward `name`

and `severity` None for a message without text, or for a `/intent{...}` button payload.
Rasa drops None-valued keys from the parse output, so then `/model/parse` has no
`severity` key at all: read it with `.get("severity")`.

Every message with text is assessed, whatever its intent: use the field when the
intent is a problem report (on small talk like "hi" it is meaningless, with a low
confidence).

The model is a linear classifier over TF-IDF features of word n-grams and
character n-grams inside word boundaries (like scikit-learn's `char_wb` analyzer), trained
with scikit-learn's LogisticRegression. Featurization and prediction at run time are done
here with numpy, so the persisted model is plain JSON (vocabularies, settings) plus a
numpy `.npz` of arrays loaded with `allow_pickle=False`: no pickle, no scikit-learn
version coupling, a fraction of a millisecond per message.

Training data without any severity example fails with `SeverityTrainingError`, unless
the config sets `allow_missing_training_data: true`, in which case an empty model is
stored and every message gets severity None.

Config keys (see `get_default_config`): levels, metadata_key, word_ngram_range,
char_ngram_range, sublinear_tf, min_df, C, class_weight, max_iter, random_state,
level_bias (default {"S0": 0.25}: a small push toward S0, since missing a blocker costs
more than over-flagging one), max_cues, max_chars, skip_intent_payloads,
allow_missing_training_data.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter, defaultdict
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.exceptions import InvalidConfigException, RasaException
from rasa.shared.nlu.constants import METADATA, METADATA_EXAMPLE, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
import rasa.shared.utils.io

logger = logging.getLogger(__name__)

SEVERITY = "severity"
MODEL_FILE = "severity_model.json"
WEIGHTS_FILE = "severity_weights.npz"
FORMAT_VERSION = 1

# Same token definition as scikit-learn's default `token_pattern`.
_WORD_RE = re.compile(r"(?u)\b\w\w+\b")
_EDGE_PUNCT_RE = re.compile(r"^[^\w]+|[^\w]+$")
# Function words never reported as cues (they may still carry weight in the model).
_CUE_STOPWORDS = frozenset(
    """a an the is are was were be been being am to of in on for and or but if it its
    it's this that these those with at by from as into onto up out over about than then
    i i'm we we're our ours my me us you your they their them he she his her has have
    had do does did so just also please pls plz kindly hi hello hey team sir maam ma'am
    dear can could would should will shall there here what which who whom when where
    why how some getting get got being since after before till until while even still
    yet very too now""".split()
)
# Negations are reported only together with the word they negate ("not replying").
_NEGATIONS = frozenset(
    """not no never cannot cant can't dont don't doesnt doesn't didnt didn't isnt isn't
    arent aren't wasnt wasn't wont won't nt""".split()
)


class SeverityTrainingError(RasaException):
    """The training data cannot train the severity assessor."""


class _NgramSpace:
    """TF-IDF feature space over word n-grams and `char_wb` character n-grams.

    Mirrors scikit-learn's TfidfVectorizer (lowercase, default token pattern, smooth
    idf, l2 norm per block) but also tells which whitespace-separated token of the text
    each feature occurrence came from, which is what the cues are built on.
    """

    def __init__(
        self,
        word_ngram_range: Sequence[int],
        char_ngram_range: Sequence[int],
        sublinear_tf: bool,
        word_vocab: Optional[List[Text]] = None,
        char_vocab: Optional[List[Text]] = None,
        word_idf: Optional[np.ndarray] = None,
        char_idf: Optional[np.ndarray] = None,
    ) -> None:
        self.word_range = (int(word_ngram_range[0]), int(word_ngram_range[1]))
        self.char_range = (int(char_ngram_range[0]), int(char_ngram_range[1]))
        self.sublinear_tf = bool(sublinear_tf)
        self.word_vocab = list(word_vocab or [])
        self.char_vocab = list(char_vocab or [])
        self.word_idf = word_idf if word_idf is not None else np.zeros(0)
        self.char_idf = char_idf if char_idf is not None else np.zeros(0)
        self._index()

    def _index(self) -> None:
        self._word_index = {g: i for i, g in enumerate(self.word_vocab)}
        self._char_index = {g: i for i, g in enumerate(self.char_vocab)}

    @property
    def size(self) -> int:
        return len(self.word_vocab) + len(self.char_vocab)

    # ---- analysis -------------------------------------------------------------------

    def analyse(
        self, text: Text
    ) -> Tuple[List[Text], List[Tuple[Text, Tuple[int, ...]]], List[Tuple[Text, int]]]:
        """Splits text into tokens, word n-grams and char n-grams (with token indices)."""
        tokens = text.split()
        words: List[Tuple[Text, int]] = []
        chars: List[Tuple[Text, int]] = []
        cmin, cmax = self.char_range
        for ti, token in enumerate(tokens):
            low = token.lower()
            words.extend((w, ti) for w in _WORD_RE.findall(low))
            padded = f" {low} "
            length = len(padded)
            for n in range(cmin, cmax + 1):
                if length <= n:
                    # scikit-learn counts a word not longer than n once, as a whole
                    chars.append((padded, ti))
                    break
                chars.extend((padded[i : i + n], ti) for i in range(length - n + 1))
        word_grams: List[Tuple[Text, Tuple[int, ...]]] = []
        wmin, wmax = self.word_range
        for n in range(wmin, wmax + 1):
            for i in range(len(words) - n + 1):
                span = words[i : i + n]
                word_grams.append(
                    (" ".join(w for w, _ in span), tuple(t for _, t in span))
                )
        return tokens, word_grams, chars

    # ---- fitting --------------------------------------------------------------------

    def fit_transform(self, texts: Sequence[Text], min_df: int) -> "Any":
        """Learns vocabularies and idf from `texts`; returns their CSR matrix."""
        word_df: Counter = Counter()
        char_df: Counter = Counter()
        analysed = [self.analyse(t) for t in texts]
        for _, word_grams, chars in analysed:
            word_df.update({g for g, _ in word_grams})
            char_df.update({g for g, _ in chars})
        n_docs = len(texts)
        self.word_vocab = sorted(g for g, df in word_df.items() if df >= min_df)
        self.char_vocab = sorted(g for g, df in char_df.items() if df >= min_df)
        self.word_idf = self._idf([word_df[g] for g in self.word_vocab], n_docs)
        self.char_idf = self._idf([char_df[g] for g in self.char_vocab], n_docs)
        self._index()

        from scipy.sparse import csr_matrix

        indptr, indices, data = [0], [], []
        for _, word_grams, chars in analysed:
            idx, vals, _ = self._vectorize(word_grams, chars)
            indices.extend(idx.tolist())
            data.extend(vals.tolist())
            indptr.append(len(indices))
        return csr_matrix((data, indices, indptr), shape=(n_docs, self.size))

    @staticmethod
    def _idf(dfs: List[int], n_docs: int) -> np.ndarray:
        df = np.asarray(dfs, dtype=np.float64)
        return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0

    # ---- transforming ---------------------------------------------------------------

    def _block(
        self,
        grams: Iterable[Tuple[Text, Any]],
        index: Dict[Text, int],
        idf: np.ndarray,
        offset: int,
    ) -> Tuple[List[int], List[float], Dict[int, List[Any]]]:
        counts: Dict[int, int] = defaultdict(int)
        sources: Dict[int, List[Any]] = defaultdict(list)
        for gram, source in grams:
            j = index.get(gram)
            if j is not None:
                counts[j] += 1
                sources[j + offset].append(source)
        if not counts:
            return [], [], {}
        cols = list(counts)
        tf = np.fromiter((counts[j] for j in cols), dtype=np.float64, count=len(cols))
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        vals = tf * idf[cols]
        norm = math.sqrt(float(vals @ vals))
        if norm > 0:
            vals = vals / norm
        return [j + offset for j in cols], vals.tolist(), sources

    def _vectorize(
        self,
        word_grams: List[Tuple[Text, Tuple[int, ...]]],
        chars: List[Tuple[Text, int]],
    ) -> Tuple[np.ndarray, np.ndarray, Dict[int, List[Any]]]:
        wi, wv, ws = self._block(word_grams, self._word_index, self.word_idf, 0)
        ci, cv, cs = self._block(
            chars, self._char_index, self.char_idf, len(self.word_vocab)
        )
        ws.update(cs)
        return (
            np.asarray(wi + ci, dtype=np.int64),
            np.asarray(wv + cv, dtype=np.float64),
            ws,
        )

    def transform(
        self, text: Text
    ) -> Tuple[List[Text], np.ndarray, np.ndarray, Dict[int, List[Any]]]:
        """Returns tokens, feature indices, values and each feature's source tokens."""
        tokens, word_grams, chars = self.analyse(text)
        idx, vals, sources = self._vectorize(word_grams, chars)
        return tokens, idx, vals, sources


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class SeverityAssessor(GraphComponent):
    """Adds a `severity` assessment (S0-S3) to every parsed message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The component's default config."""
        return {
            # Severity levels, most severe first; training labels must be among them.
            "levels": ["S0", "S1", "S2", "S3"],
            # Key of the intent-level (or example-level) metadata holding the label.
            "metadata_key": SEVERITY,
            # Features: TF-IDF on word n-grams and char n-grams within word boundaries.
            "word_ngram_range": [1, 2],
            "char_ngram_range": [2, 5],
            "sublinear_tf": True,
            "min_df": 1,
            # LogisticRegression (multinomial) settings.
            "C": 10.0,
            "class_weight": "balanced",
            "max_iter": 2000,
            "random_state": 42,
            # Added to a level's log-score before the softmax: a prior shift that trades
            # precision for recall on that level. Missing a blocker costs more than
            # over-flagging one, so S0 gets a small push (0.25 was the least that gave
            # >= 95% S0 recall in 5-fold cross-validation on data/ticket/severity.yml).
            "level_bias": {"S0": 0.25},
            # Output.
            "max_cues": 3,
            # Only the first this many characters of a message are assessed.
            "max_chars": 2000,
            # Messages like "/report_problem{...}" (button payloads) get null.
            "skip_intent_payloads": True,
            # True: training data without severity examples stores an empty model that
            # outputs null; False: such training fails with SeverityTrainingError.
            "allow_missing_training_data": False,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        space: Optional[_NgramSpace] = None,
        classes: Optional[List[Text]] = None,
        coef: Optional[np.ndarray] = None,
        intercept: Optional[np.ndarray] = None,
    ) -> None:
        """Creates the component, trained if `space`, `classes` and weights are given."""
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._space = space
        self._classes = list(classes or [])
        self._coef = coef
        self._intercept = intercept
        self._bias = self._bias_vector()

    def _bias_vector(self) -> np.ndarray:
        bias = self.config.get("level_bias") or {}
        return np.array([float(bias.get(c, 0.0)) for c in self._classes])

    # ---- graph component API --------------------------------------------------------

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SeverityAssessor":
        """Creates a new untrained component."""
        return cls(config, model_storage, resource)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Fails early on a malformed configuration."""
        config = {**cls.get_default_config(), **config}
        for key in ("word_ngram_range", "char_ngram_range"):
            value = config[key]
            if (
                not isinstance(value, (list, tuple))
                or len(value) != 2
                or not all(isinstance(v, int) for v in value)
                or not 1 <= value[0] <= value[1]
            ):
                raise InvalidConfigException(
                    f"SeverityAssessor: '{key}' must be [min, max] with "
                    f"1 <= min <= max, got {value!r}."
                )
        levels = config["levels"]
        if (
            not isinstance(levels, (list, tuple))
            or len(levels) < 2
            or len(set(levels)) != len(levels)
        ):
            raise InvalidConfigException(
                "SeverityAssessor: 'levels' must list at least two distinct levels."
            )
        if not float(config["C"]) > 0:
            raise InvalidConfigException("SeverityAssessor: 'C' must be positive.")
        bias = config.get("level_bias") or {}
        if not isinstance(bias, dict) or not set(bias) <= set(levels):
            raise InvalidConfigException(
                f"SeverityAssessor: 'level_bias' must map levels among {list(levels)} "
                f"to numbers, got {bias!r}."
            )
        if int(config["max_cues"]) < 0 or int(config["min_df"]) < 1:
            raise InvalidConfigException(
                "SeverityAssessor: 'max_cues' must be >= 0 and 'min_df' >= 1."
            )

    def train(self, training_data: TrainingData) -> Resource:
        """Trains on the examples that carry a severity label, then persists."""
        self.validate_config(self.config)
        texts, labels = self._labelled_examples(training_data)
        if not texts:
            self._no_training_data()
            self._persist()
            return self._resource
        present = sorted(set(labels), key=self.config["levels"].index)
        if len(present) < 2:
            raise SeverityTrainingError(
                f"SeverityAssessor needs examples of at least two severity levels to "
                f"learn from, but all {len(texts)} labelled examples are {present[0]}."
            )
        self._fit(texts, labels)
        self._persist()
        counts = Counter(labels)
        logger.info(
            "SeverityAssessor trained on %d examples (%s), %d features.",
            len(texts),
            ", ".join(f"{lvl}: {counts[lvl]}" for lvl in present),
            self._space.size if self._space else 0,
        )
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `severity` (a dict, or None) on each message, as an output property."""
        for message in messages:
            message.set(SEVERITY, self.assess(message.get(TEXT)), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leaves training data unchanged (nothing downstream needs the assessment)."""
        return training_data

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SeverityAssessor":
        """Loads the trained model from model storage (untrained if there is none)."""
        try:
            with model_storage.read_from(resource) as model_dir:
                meta = json.loads((model_dir / MODEL_FILE).read_text(encoding="utf-8"))
                if meta.get("format_version") != FORMAT_VERSION:
                    raise ValueError(f"unknown format {meta.get('format_version')!r}")
                if not meta.get("classes"):
                    return cls(config, model_storage, resource)
                with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as arrays:
                    weights = {k: arrays[k] for k in arrays.files}
        except (ValueError, FileNotFoundError, KeyError) as e:
            rasa.shared.utils.io.raise_warning(
                f"SeverityAssessor could not load its model from resource "
                f"'{resource.name}' ({e}); every message will get severity null."
            )
            return cls(config, model_storage, resource)
        space = _NgramSpace(
            meta["word_ngram_range"],
            meta["char_ngram_range"],
            meta["sublinear_tf"],
            word_vocab=meta["word_vocab"],
            char_vocab=meta["char_vocab"],
            word_idf=weights["word_idf"],
            char_idf=weights["char_idf"],
        )
        return cls(
            config,
            model_storage,
            resource,
            space=space,
            classes=meta["classes"],
            coef=weights["coef"],
            intercept=weights["intercept"],
        )

    # ---- inference ------------------------------------------------------------------

    @property
    def is_trained(self) -> bool:
        """Whether a model is present (an empty model assesses nothing)."""
        return self._space is not None and self._coef is not None

    def assess(self, text: Optional[Text]) -> Optional[Dict[Text, Any]]:
        """Assesses one text; None for empty text, payloads, or without a model."""
        if not text or not text.strip() or not self.is_trained:
            return None
        if self.config["skip_intent_payloads"] and text.lstrip().startswith(
            INTENT_MESSAGE_PREFIX
        ):
            return None
        tokens, idx, vals, sources = self._space.transform(
            text[: int(self.config["max_chars"])]
        )
        weights = self._coef[:, idx]  # (n_classes, n_present_features)
        scores = self._intercept + weights @ vals + self._bias
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        best = int(np.argmax(probs))
        by_level = dict(zip(self._classes, probs.tolist()))
        ranking = sorted(
            (
                {"name": lvl, "confidence": round(float(by_level.get(lvl, 0.0)), 4)}
                for lvl in self.config["levels"]
            ),
            key=lambda r: -r["confidence"],
        )
        # Contribution of each feature to log p(best): x_j * (w_best,j - E_p[w_.,j]).
        contrib = vals * (weights[best] - probs @ weights)
        return {
            "name": self._classes[best],
            "confidence": round(float(probs[best]), 4),
            "ranking": ranking,
            "cues": self._cues(tokens, idx, contrib, sources),
        }

    def _cues(
        self,
        tokens: List[Text],
        idx: np.ndarray,
        contrib: np.ndarray,
        sources: Dict[int, List[Any]],
    ) -> List[Text]:
        """The words (adjacent ones joined as phrases) that pushed most toward a level."""
        max_cues = int(self.config["max_cues"])
        if max_cues == 0 or not tokens:
            return []
        per_token = np.zeros(len(tokens))
        for j, c in zip(idx.tolist(), contrib.tolist()):
            srcs = sources.get(j)
            if not srcs:
                continue
            share = c / len(srcs)
            for src in srcs:
                if isinstance(src, tuple):  # word n-gram spanning these tokens
                    for t in src:
                        per_token[t] += share / len(src)
                else:
                    per_token[src] += share
        words = [_EDGE_PUNCT_RE.sub("", t) for t in tokens]
        chosen: List[List[int]] = []
        seen: set = set()
        for i in np.argsort(-per_token).tolist():
            low = words[i].lower()
            if len(chosen) == max_cues or per_token[i] <= 0:
                break
            if len(low) < 2 or low in _CUE_STOPWORDS or low in _NEGATIONS:
                continue
            if low in seen:
                continue
            seen.add(low)
            span = [i]
            if i > 0 and words[i - 1].lower() in _NEGATIONS:
                span.insert(0, i - 1)
            chosen.append(span)
        # Adjacent picks read better as one phrase ("bot down" rather than two cues).
        chosen.sort()
        merged: List[List[int]] = []
        for span in chosen:
            if merged and merged[-1][-1] >= span[0] - 1:
                merged[-1] = sorted(set(merged[-1]) | set(span))
            else:
                merged.append(span)
        merged.sort(key=lambda sp: -max(per_token[i] for i in sp))
        return [" ".join(words[i] for i in span) for span in merged]

    # ---- training helpers -----------------------------------------------------------

    def _label_of(self, message: Message) -> Optional[Text]:
        metadata = message.get(METADATA) or {}
        if not isinstance(metadata, dict):
            return None
        key = self.config["metadata_key"]
        for scope in (METADATA_EXAMPLE, METADATA_INTENT):  # example-level wins
            scoped = metadata.get(scope)
            if isinstance(scoped, dict) and scoped.get(key) is not None:
                return str(scoped[key]).strip()
        return None

    def _labelled_examples(
        self, training_data: TrainingData
    ) -> Tuple[List[Text], List[Text]]:
        levels = list(self.config["levels"])
        canonical = {lvl.lower(): lvl for lvl in levels}
        texts, labels, seen = [], [], {}
        for message in training_data.training_examples:
            text = message.get(TEXT)
            label = self._label_of(message)
            if not text or label is None:
                continue
            if label.lower() not in canonical:
                raise SeverityTrainingError(
                    f"Training example '{text}' has {self.config['metadata_key']} "
                    f"'{label}', which is not one of the configured levels {levels}."
                )
            label = canonical[label.lower()]
            if seen.get(text, label) != label:
                rasa.shared.utils.io.raise_warning(
                    f"SeverityAssessor: '{text}' is labelled both {seen[text]} and "
                    f"{label}; both examples are used."
                )
            seen[text] = label
            texts.append(text)
            labels.append(label)
        return texts, labels

    def _no_training_data(self) -> None:
        key = self.config["metadata_key"]
        if not self.config["allow_missing_training_data"]:
            raise SeverityTrainingError(
                f"SeverityAssessor found no training example with a '{key}' label. "
                f"Add NLU examples whose intent metadata names a level, e.g.\n"
                f"  - intent: report_problem\n    metadata:\n      {key}: S1\n"
                f"    examples: |\n      - analytics report won't download\n"
                f"(the project keeps them in data/ticket/severity.yml), or set "
                f"'allow_missing_training_data: true' on the component to train an "
                f"empty model whose output is always null."
            )
        rasa.shared.utils.io.raise_warning(
            f"SeverityAssessor found no training example with a '{key}' label; "
            f"every message will get severity null."
        )

    def _fit(self, texts: List[Text], labels: List[Text]) -> None:
        from sklearn.linear_model import LogisticRegression

        cfg = self.config
        space = _NgramSpace(
            cfg["word_ngram_range"], cfg["char_ngram_range"], cfg["sublinear_tf"]
        )
        X = space.fit_transform(texts, int(cfg["min_df"]))
        clf = LogisticRegression(
            C=float(cfg["C"]),
            class_weight=cfg["class_weight"],
            max_iter=int(cfg["max_iter"]),
            random_state=cfg["random_state"],
            solver="lbfgs",
            multi_class="multinomial",
        )
        clf.fit(X, labels)
        coef, intercept = clf.coef_, clf.intercept_
        if coef.shape[0] == 1:  # binary: sigmoid(s) == softmax([-s/2, s/2])
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        self._space = space
        self._classes = [str(c) for c in clf.classes_]
        self._coef = np.ascontiguousarray(coef, dtype=np.float64)
        self._intercept = np.asarray(intercept, dtype=np.float64)
        self._bias = self._bias_vector()

    def _persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            meta: Dict[Text, Any] = {"format_version": FORMAT_VERSION, "classes": []}
            if self.is_trained:
                space = self._space
                meta.update(
                    classes=self._classes,
                    word_ngram_range=list(space.word_range),
                    char_ngram_range=list(space.char_range),
                    sublinear_tf=space.sublinear_tf,
                    word_vocab=space.word_vocab,
                    char_vocab=space.char_vocab,
                )
                np.savez(
                    model_dir / WEIGHTS_FILE,
                    word_idf=space.word_idf,
                    char_idf=space.char_idf,
                    coef=self._coef,
                    intercept=self._intercept,
                )
            (model_dir / MODEL_FILE).write_text(
                json.dumps(meta, ensure_ascii=False), encoding="utf-8"
            )
