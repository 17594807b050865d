"""SeverityAssessor without `rasa train`: train, persist, load and annotate messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.severity import SeverityAssessor, SeverityTrainingError
from components.severity.component import MODEL_FILE, STILL_WORKS, assessed_text

LEVELS = ["S0", "S1", "S2", "S3"]

EXAMPLES = {
    "S0": [
        "our bot is down for all users on production",
        "whatsapp bot is not replying to any customer since morning",
        "chats are not getting assigned to agents, customers waiting in queue",
        "bot replies take 20 seconds on the live site for everyone",
        "payments in the live bot fail for every customer",
        "nobody can reach the bot, complete outage",
        "the live bot is not responding at all",
        "agents receive no chats at all while customers wait",
    ],
    "S1": [
        "analytics report is not getting downloaded",
        "bot to agent transfer is not working as expected",
        "the broadcast campaign did not go out",
        "crm integration api failing for a few flows",
        "dashboard export gives an error",
        "csat survey not sent after the chat ends",
        "leads not syncing to salesforce, bot otherwise fine",
        "bot to bot transfer drops the user context",
    ],
    "S2": [
        "buttons on the intent page are misaligned",
        "changes are not reflecting on the staging bot",
        "the tool page loads slowly",
        "filter by date in chat history is not working",
        "quick reply buttons overlap in the widget",
        "staging still shows the old welcome message",
        "the font in the widget looks too small",
        "sorting in the bot list does nothing",
    ],
    "S3": [
        "entities are not getting captured in the test bot",
        "test bot is not giving logs",
        "how do I configure business hours",
        "there is a typo in one bot response",
        "where can I find the api key",
        "how to train the staging bot with new intents",
        "the city entity is not picked up while testing",
        "how to add a new agent to the team",
    ],
}


def training_data(examples: dict[str, list[str]]) -> TrainingData:
    messages = [
        Message.build(text, "report_problem", intent_metadata={"severity": level})
        for level, texts in examples.items()
        for text in texts
    ]
    # Examples of other intents, without a severity, are ignored.
    messages.append(Message.build("hello there", "greet"))
    return TrainingData(training_examples=messages)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="train_SeverityAssessor9")


def train(
    tmp: Path,
    config: dict[str, Any] | None = None,
    examples: dict[str, list[str]] | None = None,
) -> SeverityAssessor:
    storage = LocalModelStorage(tmp)
    resource = Resource("train_SeverityAssessor9")
    component = SeverityAssessor.create(config or {}, storage, resource, context())
    component.train(training_data(EXAMPLES if examples is None else examples))
    return component


def load(tmp: Path, config: dict[str, Any] | None = None) -> SeverityAssessor:
    return SeverityAssessor.load(config or {}, LocalModelStorage(tmp), Resource("train_SeverityAssessor9"), context())


@pytest.fixture(scope="module")
def storage_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("severity")
    train(path)
    return path


@pytest.fixture(scope="module")
def loaded(storage_dir: Path) -> SeverityAssessor:
    return load(storage_dir)


def assess(component: SeverityAssessor, text: str) -> Message:
    message = Message(data={"text": text})
    component.process([message])
    return message


def test_output_shape(loaded: SeverityAssessor) -> None:
    text = "Our WhatsApp bot is not replying to anyone since 10am!"
    message = assess(loaded, text)
    severity = message.get("severity")

    assert set(severity) == {"name", "confidence", "ranking", "cues"}
    assert severity["name"] in LEVELS
    assert sorted(r["name"] for r in severity["ranking"]) == LEVELS
    confidences = [r["confidence"] for r in severity["ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-3)
    best = {"name": severity["name"], "confidence": severity["confidence"]}
    assert severity["ranking"][0] == best
    assert 0 < len(severity["cues"]) <= 3
    assert all(cue.lower() in text.lower() for cue in severity["cues"])
    # An output property: /model/parse and tracker.latest_message carry it.
    assert message.as_dict(only_output_properties=True)["severity"] == severity


def test_obvious_blocker_and_setup_question_separate(loaded: SeverityAssessor) -> None:
    blocker = assess(loaded, "the bot is down for all our customers on the live site")
    setup = assess(loaded, "how do I configure an entity in my test bot")
    blocker, setup = blocker.get("severity"), setup.get("severity")

    assert blocker["name"] == "S0"
    assert setup["name"] == "S3"
    assert blocker["ranking"][-1]["name"] != "S0"


@pytest.mark.parametrize("text", ["", "   ", None, '/report_problem{"severity": "S1"}'])
def test_no_text_or_button_payload_gives_null(loaded: SeverityAssessor, text: Any) -> None:
    message = Message(data={"text": text} if text is not None else {})

    loaded.process([message])

    assert "severity" in message.data and message.get("severity") is None
    # Rasa drops None-valued keys from the parse output, so readers must use .get().
    assert "severity" not in message.as_dict(only_output_properties=True)


def test_persisted_and_loaded_model_agrees(storage_dir: Path, loaded: SeverityAssessor, tmp_path: Path) -> None:
    model_dir = storage_dir / "train_SeverityAssessor9"
    assert [p.name for p in model_dir.iterdir()] == [MODEL_FILE]

    fresh = train(tmp_path)
    for text in ["reports not downloading", "bot down for everyone", "typo in reply"]:
        assert fresh.assess(text) == loaded.assess(text)


def test_no_severity_examples_fails_with_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SeverityTrainingError, match="no training example with a 'severity'"):
        train(tmp_path, examples={})


def test_allow_missing_training_data_trains_an_empty_model(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="severity null"):
        train(tmp_path, config={"allow_missing_training_data": True}, examples={})

    assert load(tmp_path).assess("bot is down") is None


def test_unknown_level_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(SeverityTrainingError, match="'S9'"):
        train(tmp_path, examples={**EXAMPLES, "S9": ["something odd"]})


def test_lowercase_labels_are_accepted(tmp_path: Path) -> None:
    component = train(tmp_path, examples={k.lower(): v for k, v in EXAMPLES.items()})

    assert component.assess("bot is down for all users")["name"] in LEVELS


def test_level_bias_shifts_toward_that_level(storage_dir: Path) -> None:
    text = "the widget is slow for some users"
    neutral = load(storage_dir, {"level_bias": {}}).assess(text)
    pushed = load(storage_dir, {"level_bias": {"S0": 5.0}}).assess(text)

    def s0(result: dict[str, Any]) -> float:
        return next(r["confidence"] for r in result["ranking"] if r["name"] == "S0")

    assert s0(pushed) > s0(neutral)
    assert pushed["name"] == "S0"


def test_cues_quote_words_of_the_message_and_no_filler(loaded: SeverityAssessor) -> None:
    text = "Hi team, someone please check right now: the whatsapp bot is not replying to any customer"
    cues = loaded.assess(text)["cues"]

    assert cues and all(cue.lower() in text.lower() for cue in cues)
    assert not {"hi", "team", "someone", "please", "right", "now"} & {w.lower() for cue in cues for w in cue.split()}


def test_what_still_works_is_read_as_one_word_and_never_quoted(loaded: SeverityAssessor) -> None:
    """The words of "customers aren't affected" are the words of outages: the model reads that
    something still works, not which words said it."""
    glitch = "the font in the widget looks too small"
    assert assessed_text(f"{glitch}, customers are not affected") == f"{glitch} {STILL_WORKS}"
    assert assessed_text(glitch) == glitch

    cues = loaded.assess(f"{glitch}, customers are not affected and every chat goes through fine")["cues"]
    assert not {"customers", "chat", "affected", STILL_WORKS} & {w.lower() for cue in cues for w in cue.split()}


def test_fast_features_equal_scikit_learns_transform() -> None:
    from scipy.sparse import hstack

    from components.severity.model import Settings, SeverityModel

    texts = [text for level in EXAMPLES.values() for text in level]
    model = SeverityModel.fit(texts, [level for level, items in EXAMPLES.items() for _ in items], Settings())
    for text in ["Bot isn't replying to ANYONE!!", "report won't download, pls help", "zzz qqq"]:
        expected = hstack([model._words.transform([text]), model._chars.transform([text])]).toarray().ravel()
        columns, values = model.features(text)
        ours = np.zeros_like(expected)
        ours[columns] = values
        assert np.allclose(ours, expected)
