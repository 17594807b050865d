"""StatedLevelExtractor: the level a user states ("P0", "Priority: High", "not S1, S3") as a `severity` entity.

The domain's slot mappings (`user_severity`, `severity`) fill from this entity, and
actions.conversation.stated_level reads the same level: both go through helpdesk.levels, so
"not a P0, call it a P2" is S2 everywhere, and "high latency" is no level anywhere.
Levels are positions in the support policy, read once when the model loads.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from helpdesk.levels import stated_mention
from helpdesk.policy import Policy
from helpdesk.wiring import default_policy

ENTITY = "severity"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class StatedLevelExtractor(GraphComponent, EntityExtractorMixin):
    """Adds one `severity` entity, valued S0-S3, where the user rates their issue."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StatedLevelExtractor:
        """The extractor with the policy in force (nothing to train)."""
        return cls(default_policy())

    def process(self, messages: list[Message]) -> list[Message]:
        """Appends the stated level, if any, to each message's entities."""
        for message in messages:
            mention = stated_mention(message.get(TEXT) or "", self._policy)
            if mention is None:
                continue
            entity = {
                "entity": ENTITY,
                "start": mention.start,
                "end": mention.end,
                "value": mention.level,
                "confidence_entity": 1.0,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name([entity]), add_to_output=True)
        return messages
