"""A form validation that asks again with a reason and gives up gracefully.

A bot that repeats the same question forever is the classic support-bot failure. Every
rejected answer is counted per slot (in the `rejected_answers` slot); the reason is
said, the question asked again, and after `max_attempts` the form hands over to
`give_up`, which the concrete form defines.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

REJECTED_ANSWERS_SLOT = "rejected_answers"


class PatientFormValidation(FormValidationAction, ABC):
    max_attempts = 3

    def reject(self, slot: str, reason: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Refuses an answer: says why and asks again, or gives up after too many tries.

        A slot an action cleared (None) is no answer at all, so it is refused silently:
        the form then asks its question without scolding the user first.
        """
        if tracker.slots_to_validate().get(slot, "") is None:
            return {slot: None}
        counts = dict(tracker.get_slot(REJECTED_ANSWERS_SLOT) or {})
        counts[slot] = counts.get(slot, 0) + 1
        if counts[slot] >= self.max_attempts:
            return {**self.give_up(slot, dispatcher, tracker), REJECTED_ANSWERS_SLOT: counts}
        dispatcher.utter_message(text=reason)
        return {slot: None, REJECTED_ANSWERS_SLOT: counts}

    @abstractmethod
    def give_up(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """What to do once an answer was refused `max_attempts` times."""
