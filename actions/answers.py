"""Questions about support, answered from the policy whatever their phrasing."""

from __future__ import annotations

from typing import Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_intent, nlu_severity, now, policy, send, stated_level
from helpdesk import answers
from helpdesk.answers import Reply
from helpdesk.policy import Policy


def _response_time(p: Policy, tracker: Tracker) -> Reply:
    level = stated_level(tracker)
    return answers.response_time(p, level) if level else answers.response_times(p)


def _severity_of_problem(p: Policy, tracker: Tracker) -> Reply:
    reading = nlu_severity(tracker)
    return answers.severity_of_problem(p, reading["name"] if reading else None)


ANSWERS: dict[str, Callable[[Policy, Tracker], Reply]] = {
    "ask_response_time": _response_time,
    "ask_response_times_all": lambda p, t: answers.response_times(p),
    "ask_severity_levels": lambda p, t: answers.severity_levels(p, stated_level(t)),
    "ask_severity_of_problem": _severity_of_problem,
    "ask_business_hours": lambda p, t: answers.business_hours(p),
    "ask_open_now": lambda p, t: answers.open_now(p, now()),
    "ask_when_reply": lambda p, t: answers.when_reply(p, now()),
    "ask_contact": lambda p, t: answers.contact(p),
    "ask_after_filing": lambda p, t: answers.after_filing(p),
    "ask_docs": lambda p, t: answers.docs(p),
    "help_menu": lambda p, t: answers.help_menu(),
}
"""Which answer each question intent gets."""


class ActionAnswerQuestion(Action):
    """Answers any question about support; inside the ticket form it keeps the form's place."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        answer = ANSWERS.get(latest_intent(tracker) or "")
        in_form = tracker.active_loop.get("name") is not None
        if answer is None:
            dispatcher.utter_message(text=answers.change_at_summary())
        elif in_form:
            send(dispatcher, Reply(answer(policy(), tracker).text))
        else:
            send(dispatcher, answer(policy(), tracker))
        if in_form:
            dispatcher.utter_message(text=answers.back_to_the_ticket())
        return []
