"""Questions about support, answered from the policy whatever their phrasing.

A question may name levels ("S0 vs S1": each is answered), ask about resolution rather
than a first reply, or come with the problem it is about ("our bot is down, how soon can
someone look?": answered for that problem's level, with the due time if filed now).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (
    full_text,
    intent_of,
    latest_full_text,
    latest_intent,
    nlu_severity,
    send,
    severity_reading,
)
from actions.followup import follow_up, own_tickets
from actions.runtime import now, policy, settings
from actions.user import reader_policy, signed_in_user
from helpdesk import answers, followup
from helpdesk.answers import Reply
from helpdesk.identity import VerifiedUser
from helpdesk.levels import named_levels
from helpdesk.policy import Policy
from helpdesk.questions import Asked, asked, asks_resolution, problem_part
from helpdesk.references import read_references
from helpdesk.ticket_choice import best_described, described_topic

TIMING_INTENTS = ("ask_response_time", "ask_response_times_all", "ask_when_reply")
"""Questions about when support replies: with a problem in the same message, they are about that problem."""
PROBLEM_INTENTS = ("report_problem", "inform")


def _levels(p: Policy, tracker: Tracker) -> list[str]:
    return named_levels(latest_full_text(tracker), p)


def _problem_level(tracker: Tracker) -> str | None:
    """The assessed level of a problem described next to the question, if the message describes one."""
    text = latest_full_text(tracker)
    reading = nlu_severity(tracker)
    return reading["name"] if reading and problem_part(text) != text else None


def _response_time(p: Policy, tracker: Tracker) -> Reply:
    levels = _levels(p, tracker)
    if levels:
        return answers.response_times_for(p, levels, now())
    return _for_problem(p, tracker) or answers.response_times(p, now())


def _when_reply(p: Policy, tracker: Tracker) -> Reply:
    levels = _levels(p, tracker)
    if len(levels) == 1:
        return answers.when_reply(p, now(), levels[0])
    if levels:
        return answers.response_times_for(p, levels, now())
    return _for_problem(p, tracker) or answers.when_reply(p, now())


def _for_problem(p: Policy, tracker: Tracker) -> Reply | None:
    level = _problem_level(tracker)
    cues = (nlu_severity(tracker) or {}).get("cues") or ()
    return answers.severity_of_problem(p, level, cues, now=now()) if level else None


def _severity_of_problem(p: Policy, tracker: Tracker) -> Reply:
    reading = nlu_severity(tracker)
    levels = _levels(p, tracker)
    return answers.severity_of_problem(
        p, reading["name"] if reading else None, (reading or {}).get("cues") or (), levels[0] if levels else None, now()
    )


ANSWERS: dict[str, Callable[[Policy, Tracker], Reply]] = {
    "ask_response_time": _response_time,
    "ask_response_times_all": lambda p, t: answers.response_times(p, now()),
    "ask_severity_levels": lambda p, t: answers.severity_levels(p, *_levels(p, t)),
    "ask_severity_of_problem": _severity_of_problem,
    "ask_business_hours": lambda p, t: answers.business_hours(p, now()),
    "ask_open_now": lambda p, t: answers.open_now(p, now()),
    "ask_when_reply": _when_reply,
    "ask_contact": lambda p, t: answers.contact(p),
    "ask_after_filing": lambda p, t: answers.after_filing(p),
    "ask_docs": lambda p, t: answers.docs(p),
    "help_menu": lambda p, t: answers.help_menu(),
}
"""Which answer each question intent gets."""


def answer(p: Policy, intent: str | None, tracker: Tracker) -> Reply | None:
    """The answer to the latest message's question, or None when its intent is no question."""
    if intent in (*TIMING_INTENTS, "ask_after_filing") and asks_resolution(latest_full_text(tracker)):
        return answers.first_response_and_resolution(p)
    compose = ANSWERS.get(intent or "")
    return compose(p, tracker) if compose else None


def answer_instead_of_filing(p: Policy, tracker: Tracker) -> Reply | None:
    """A problem report that is really a question the bot answers, offering to file, rather than a ticket:
    "would X be an S0?" (the level X would get, why, and its response time) or a how-to question about
    the setup (the documentation)."""
    text = latest_full_text(tracker)
    kind = asked(text)
    reading = nlu_severity(tracker)
    if kind is Asked.RATING:
        levels = named_levels(text, p)
        return answers.severity_of_problem(
            p,
            reading["name"] if reading else None,
            (reading or {}).get("cues") or (),
            levels[0] if levels else None,
            now(),
        )
    if kind is Asked.HOW_TO and reading and reading["name"] == list(p.severities)[-1]:
        return answers.how_to(p)
    return None


def timing_for_problem(p: Policy, tracker: Tracker) -> str | None:
    """For a problem report that also asks when support replies: the answer for that problem's level,
    or each level's due time while the report does not yet say what stopped."""
    if asked(latest_full_text(tracker)) is not Asked.TIMING:
        return None
    reading = nlu_severity(tracker)
    if reading:
        return answers.timing_for_problem(p, reading["name"], now())
    return answers.when_reply(p, now()).text


def offered_to_file(p: Policy, event: dict[str, Any]) -> bool:
    """Whether the bot answered this user message with an offer to file it (so a "yes" files it)."""
    intent, text = intent_of(event), full_text(event)
    if intent == "ask_severity_of_problem":
        return True
    reading = severity_reading(event.get("parse_data") or {})
    if intent in TIMING_INTENTS:
        return reading is not None and problem_part(text) != text and not named_levels(text, p)
    if intent in PROBLEM_INTENTS:
        kind = asked(text)
        return kind is Asked.RATING or (
            kind is Asked.HOW_TO and reading is not None and reading["name"] == list(p.severities)[-1]
        )
    return False


def names_a_ticket(tracker: Tracker) -> bool:
    """The question names a ticket reference ("so when will someone answer HLP-0126?")."""
    return bool(read_references(latest_full_text(tracker), settings().reference_prefix))


def describes_own_tickets(tracker: Tracker, user: VerifiedUser, in_form: bool) -> bool:
    """The question describes one of the user's own tickets ("did anyone from support reply
    to my FAQ ticket yet?"), or several equally outside a form, where the bot can ask which."""
    topic = described_topic(latest_full_text(tracker))
    fits = best_described(topic, own_tickets(user)) if topic else ()
    return len(fits) == 1 or (len(fits) > 1 and not in_form)


class ActionAnswerQuestion(Action):
    """Answers any question about support; inside the ticket form it keeps the form's place.
    When a reply is due on one of the user's own tickets, named or described by what it is
    about, the answer is that ticket's status: its due time, time left and whether support
    responded (if a description fits several of them equally, the bot asks which)."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = latest_intent(tracker)
        in_form = tracker.active_loop.get("name") is not None
        events = await self.about_a_ticket(dispatcher, tracker, in_form) if intent in TIMING_INTENTS else None
        if events is not None:
            if in_form:
                dispatcher.utter_message(text=answers.back_to_the_ticket())
            return events
        reply = answer(reader_policy(tracker), intent, tracker)
        if reply is None:
            dispatcher.utter_message(text=answers.change_at_summary())
        elif in_form:
            send(dispatcher, Reply(reply.text))
        else:
            send(dispatcher, reply)
        if in_form:
            dispatcher.utter_message(text=answers.back_to_the_ticket())
        return []

    @staticmethod
    async def about_a_ticket(
        dispatcher: CollectingDispatcher, tracker: Tracker, in_form: bool
    ) -> list[dict[str, Any]] | None:
        """The status of the user's own ticket the question names or describes, as a status
        request would give it; None when the question is about no ticket of theirs."""
        user = signed_in_user(tracker)
        if not isinstance(user, VerifiedUser):
            if not names_a_ticket(tracker):
                return None
            send(dispatcher, followup.no_access(policy(), user))
            return []
        if names_a_ticket(tracker) or await asyncio.to_thread(describes_own_tickets, tracker, user, in_form):
            return await asyncio.to_thread(follow_up, "ticket_status", dispatcher, tracker, user)
        return None
