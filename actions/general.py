"""General conversation: the help menu, out-of-scope requests and the fallback path."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import offered_to_file
from actions.conversation import latest_intent, previous_user_event, send
from actions.runtime import policy
from actions.satisfaction import ask_for_a_rating
from helpdesk import answers


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        send(dispatcher, answers.help_menu())
        ask_for_a_rating(dispatcher, tracker)
        return []


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        send(dispatcher, answers.out_of_scope(policy()))
        return []


class ActionAskWhichTopic(Action):
    """First stage of the fallback: offers the two most likely topics instead of guessing."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        likely = [i["name"] for i in ranking if i.get("name") in answers.TOPIC_TITLES][:2]
        buttons = [{"title": answers.TOPIC_TITLES[name], "payload": f"/{name}"} for name in likely]
        buttons.append({"title": "Something else", "payload": "/out_of_scope"})
        dispatcher.utter_message(text="I'm not sure I understood. Did you mean one of these?", buttons=buttons)
        return []


class ActionGiveUp(Action):
    """Last stage of the fallback: the menu and the support address, never a dead end."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        send(dispatcher, answers.fallback(policy()))
        # Like Rasa's own fallback: forget the misunderstood message so it does not steer what follows.
        return [UserUtteranceReverted()]


class ActionAcknowledge(Action):
    """A "yes" or "no" outside any form: a "yes" to the offer to file a problem the bot just
    rated starts that ticket; otherwise, e.g. a second click on "Yes, file it", it is noted."""

    def name(self) -> str:
        return "action_acknowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        earlier = previous_user_event(tracker)
        offered = earlier is not None and offered_to_file(policy(), earlier)
        if offered and latest_intent(tracker) == "affirm":
            return [FollowupAction("action_start_ticket")]
        send(dispatcher, answers.acknowledgement(tracker.get_slot("last_ticket_ref")))
        return []
