"""A ticket draft the user left for a follow-up on an existing ticket ("no. status of
HLP-0121" typed into the new-ticket form): kept whole, and on hold until the user says
whether to go on with it, or dropped unfiled when they said not to open it.

Shared by the ticket form, where such a follow-up is typed, and the follow-up actions,
after which the bot asks once whether to go on with the draft. The question waits for one
answer only: the next message that is no yes or no lets it pass, and the draft stays kept.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import send
from helpdesk import filing
from helpdesk.titles import title_for

PAUSED_SLOT = "draft_paused"
ON_HOLD, DROPPED = "on_hold", "dropped"
"""The values of PAUSED_SLOT (domain.yml): waiting for a yes or no, or left unfiled (the user
said no, said not to open it, or moved on without answering)."""


def kept_draft(tracker: Tracker) -> bool:
    """A draft left unfinished (for a person, a follow-up) is resumed, never silently replaced."""
    return bool(tracker.get_slot("ticket_draft_id") and tracker.get_slot("description"))


def on_hold(tracker: Tracker) -> bool:
    return tracker.get_slot(PAUSED_SLOT) == ON_HOLD


def draft_title(tracker: Tracker) -> str:
    """The kept draft as the user recognises it: the title it would be filed under."""
    return title_for(tracker.get_slot("description") or "", tracker.get_slot("bot_or_area"), None)


def ask_to_go_on(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Asks whether to go on with the draft on hold, if there is one."""
    if on_hold(tracker) and kept_draft(tracker):
        send(dispatcher, filing.draft_on_hold(draft_title(tracker)))


def put_on_hold(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Puts a kept draft on hold and asks whether to go on with it, unless there is none or
    the user already said not to file it."""
    if not kept_draft(tracker) or tracker.get_slot(PAUSED_SLOT) == DROPPED:
        return []
    send(dispatcher, filing.draft_on_hold(draft_title(tracker)))
    return [SlotSet(PAUSED_SLOT, ON_HOLD)]


class ActionLetTheQuestionPass(Action):
    """ "Shall I go on with it?" answered by moving on: the draft is left unfiled, so a "yes"
    much later (to something else) does not bring it back, while "file a ticket" still does.

    Rasa runs this with every message no form reads that is no yes or no: it fills
    PAUSED_SLOT through the slot's custom mapping (domain.yml), before the rules that
    answer a yes or a no to the question are consulted."""

    def name(self) -> str:
        return "action_let_the_draft_question_pass"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        return [SlotSet(PAUSED_SLOT, DROPPED)] if on_hold(tracker) else []
