"""SeverityAssessor: the Rasa graph component around components.severity.model.

It learns from NLU training examples whose intent-level (or example-level) metadata
names a severity, for example in data/ticket/severity.yml::

    - intent: report_problem
      metadata:
        severity: S1
      examples: |
        - analytics report won't download since this morning

and adds a top-level field to every parsed message (so `/model/parse` returns it and
actions read it from `tracker.latest_message["severity"]`)::

    "severity": {"name": "S1", "confidence": 0.87,
                 "ranking": [{"name": "S1", "confidence": 0.87}, ...],
                 "cues": ["won't download", "report"]}

It is None for a message without text or a `/intent{...}` button payload; Rasa drops
None-valued keys from the parse output, so read it with `.get("severity")`. Every message
with text is assessed whatever its intent: the field means something on problem reports.

Training data without any severity example fails with `SeverityTrainingError`, unless
the config sets `allow_missing_training_data: true` (then every message gets None).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.exceptions import InvalidConfigException, RasaException
from rasa.shared.nlu.constants import METADATA, METADATA_EXAMPLE, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.severity.model import Settings, SeverityModel
from helpdesk.questions import problem_part
from helpdesk.unaffected import what_broke

logger = logging.getLogger(__name__)

SEVERITY = "severity"
MODEL_FILE = "severity_model.joblib"
STILL_WORKS = "unaffected"
"""The word standing for a report's reassurances in what the model reads (never quoted as a cue)."""


def assessed_text(text: str) -> str:
    """What the model reads of a report: what broke, and one word for each report that says something
    still works ("the crm sync fails, the bot chats fine" -> "the crm sync fails unaffected").

    The reassurance's own words are the words of outages (customers, chats, live bot) and
    would push toward a blocker; that something still works pushes away from one, so it
    stays, as the one word the model learns it by.
    """
    broke = what_broke(text)
    return text if broke == text else f"{broke} {STILL_WORKS}"


class SeverityTrainingError(RasaException):
    """The training data cannot train the severity assessor."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SeverityAssessor(GraphComponent):
    """Adds a `severity` assessment (S0-S3) to every parsed message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Severity levels, most severe first; training labels must be among them.
            "levels": ["S0", "S1", "S2", "S3"],
            # Key of the intent-level (or example-level) metadata holding the label.
            "metadata_key": SEVERITY,
            "word_ngram_range": [1, 2],
            # Measured on tests/nlu/heldout_severity.yml: 3-5 characters read 0.945 where 2-5
            # read 0.932 (5-fold cross-validation on the training data: equal); pairs of
            # letters are shared by nearly every word and mostly add noise.
            "char_ngram_range": [3, 5],
            "C": 10.0,
            "class_weight": "balanced",
            "max_iter": 2000,
            "random_state": 42,
            # Added to a level's log-score before the softmax: a prior shift trading that
            # level's precision for its recall. None by default: a false S0 pages support
            # at night, a missed one is caught when support validates the level.
            "level_bias": {},
            "max_cues": 3,
            # Only the first this many characters of a message are assessed.
            "max_chars": 2000,
            # Messages like "/report_problem{...}" (button payloads) get null.
            "skip_intent_payloads": True,
            "allow_missing_training_data": False,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: SeverityModel | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SeverityAssessor:
        """A new untrained component."""
        return cls(config, model_storage, resource)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
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
                    f"SeverityAssessor: '{key}' must be [min, max] with 1 <= min <= max, got {value!r}."
                )
        levels = config["levels"]
        if not isinstance(levels, (list, tuple)) or len(levels) < 2 or len(set(levels)) != len(levels):
            raise InvalidConfigException("SeverityAssessor: 'levels' must list at least two distinct levels.")
        if not float(config["C"]) > 0:
            raise InvalidConfigException("SeverityAssessor: 'C' must be positive.")
        bias = config.get("level_bias") or {}
        if not isinstance(bias, dict) or not set(bias) <= set(levels):
            raise InvalidConfigException(
                f"SeverityAssessor: 'level_bias' must map levels among {list(levels)} to numbers, got {bias!r}."
            )
        if int(config["max_cues"]) < 0:
            raise InvalidConfigException("SeverityAssessor: 'max_cues' must be >= 0.")

    def _settings(self) -> Settings:
        cfg = self.config
        return Settings(
            word_ngram_range=tuple(cfg["word_ngram_range"]),
            char_ngram_range=tuple(cfg["char_ngram_range"]),
            C=float(cfg["C"]),
            class_weight=cfg["class_weight"],
            max_iter=int(cfg["max_iter"]),
            random_state=int(cfg["random_state"]),
        )

    def train(self, training_data: TrainingData) -> Resource:
        """Trains on the examples that carry a severity label, then persists."""
        self.validate_config(self.config)
        texts, labels = self._labelled_examples(training_data)
        if not texts:
            self._no_training_data()
        else:
            present = sorted(set(labels), key=self.config["levels"].index)
            if len(present) < 2:
                raise SeverityTrainingError(
                    f"SeverityAssessor needs examples of at least two severity levels to learn from, "
                    f"but all {len(texts)} labelled examples are {present[0]}."
                )
            self._model = SeverityModel.fit(texts, labels, self._settings())
            counts = Counter(labels)
            logger.info(
                "SeverityAssessor trained on %d examples (%s).",
                len(texts),
                ", ".join(f"{lvl}: {counts[lvl]}" for lvl in present),
            )
        self._persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
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
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SeverityAssessor:
        """Loads the trained model from model storage (untrained if there is none)."""
        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / MODEL_FILE
                model = SeverityModel.load(path) if path.exists() else None
        except (ValueError, FileNotFoundError, KeyError) as e:
            rasa.shared.utils.io.raise_warning(
                f"SeverityAssessor could not load its model from resource '{resource.name}' ({e}); "
                f"every message will get severity null."
            )
            model = None
        return cls(config, model_storage, resource, model)

    @property
    def is_trained(self) -> bool:
        """Whether a model is present (an empty model assesses nothing)."""
        return self._model is not None

    def assess(self, text: str | None) -> dict[str, Any] | None:
        """Assesses one text; None for empty text, payloads, or without a model."""
        if not text or not text.strip() or self._model is None:
            return None
        if self.config["skip_intent_payloads"] and text.lstrip().startswith(INTENT_MESSAGE_PREFIX):
            return None
        bias = {level: float(value) for level, value in (self.config.get("level_bias") or {}).items()}
        # Only what stopped is assessed: a question about support ("how soon can you look?") says
        # nothing about it, and a reassurance ("customers aren't affected") only that something works.
        problem = assessed_text(problem_part(text[: int(self.config["max_chars"])]))
        assessment = self._model.assess(problem, bias, int(self.config["max_cues"]))
        return {
            "name": assessment.name,
            "confidence": assessment.confidence,
            "ranking": [{"name": name, "confidence": confidence} for name, confidence in assessment.ranking],
            "cues": list(assessment.cues),
        }

    def _label_of(self, message: Message) -> str | None:
        metadata = message.get(METADATA) or {}
        if not isinstance(metadata, dict):
            return None
        key = self.config["metadata_key"]
        for scope in (METADATA_EXAMPLE, METADATA_INTENT):  # example-level wins
            scoped = metadata.get(scope)
            if isinstance(scoped, dict) and scoped.get(key) is not None:
                return str(scoped[key]).strip()
        return None

    def _labelled_examples(self, training_data: TrainingData) -> tuple[list[str], list[str]]:
        levels = list(self.config["levels"])
        canonical = {lvl.lower(): lvl for lvl in levels}
        texts: list[str] = []
        labels: list[str] = []
        seen: dict[str, str] = {}
        for message in training_data.training_examples:
            text = message.get(TEXT)
            label = self._label_of(message)
            if not text or label is None:
                continue
            if label.lower() not in canonical:
                raise SeverityTrainingError(
                    f"Training example '{text}' has {self.config['metadata_key']} '{label}', "
                    f"which is not one of the configured levels {levels}."
                )
            label = canonical[label.lower()]
            if seen.get(text, label) != label:
                rasa.shared.utils.io.raise_warning(
                    f"SeverityAssessor: '{text}' is labelled both {seen[text]} and {label}; both examples are used."
                )
            seen[text] = label
            # Learnt from what broke, as it is assessed (see assess).
            texts.append(assessed_text(text))
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
            f"SeverityAssessor found no training example with a '{key}' label; every message will get severity null."
        )

    def _persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            if self._model is not None:
                self._model.save(model_dir / MODEL_FILE)
