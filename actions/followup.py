"""Following up on tickets: status, the user's open tickets, adding details, changing the
severity, closing, and asking for a person.

Every action here that touches an existing ticket first establishes who the user is from
the platform's signed token, and only ever looks at that user's tickets: someone else's
reference is answered exactly like one that does not exist.
"""

from __future__ import annotations

import asyncio
import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    as_typed,
    full_text,
    latest_intent,
    latest_text,
    now,
    policy,
    send,
    signed_in_user,
    stated_level,
    store,
)
from actions.form_validation import PatientFormValidation
from helpdesk import followup, sla
from helpdesk.answers import Button, Reply
from helpdesk.identity import Unverified, VerifiedUser
from helpdesk.tickets import Ticket
from helpdesk.wording import format_target

REFERENCE = re.compile(r"\b[A-Za-z]{2,6}-\d{1,8}\b")
FORMS = {"add_details": "comment_form", "escalate": "escalation_form", "close_ticket": "close_form"}
"""Which form each follow-up request opens."""
FOLLOWUP_SLOTS = ("followup_ref", "comment_text", "new_severity", "escalation_reason", "close_confirmed", "rejected_answers")
"""Every slot of one follow-up, cleared when it starts or ends (the refusal counts too, so an
earlier form's refusals never make this one give up early)."""
TRANSCRIPT_TURNS = 30


def mentioned_reference(tracker: Tracker) -> str | None:
    """A ticket reference in the latest message: NLU's entity, or one typed in the text."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "ticket_ref" and entity.get("value"):
            return str(entity["value"]).upper()
    match = REFERENCE.search(latest_text(tracker))
    return match.group(0).upper() if match else None


def own_ticket(user: VerifiedUser, reference: str) -> Ticket | None:
    """The ticket if it exists and is the user's; otherwise None, whichever the reason."""
    ticket = store().get(reference)
    if ticket is None or ticket.requester.email.casefold() != user.email.casefold():
        return None
    return ticket


def open_tickets(user: VerifiedUser) -> list[Ticket]:
    return [t for t in store().list(requester_email=user.email) if t.is_open]


def transcript(tracker: Tracker) -> str:
    """The conversation so far, as support reads it when a person takes over."""
    lines = []
    for event in tracker.events:
        text = (full_text(event) if event.get("event") == "user" else event.get("text") or "").strip()
        if text and event.get("event") in ("user", "bot"):
            lines.append(f"{'User' if event['event'] == 'user' else 'Assistant'}: {text}")
    return "\n".join(lines[-TRANSCRIPT_TURNS:])


class _UserAction(Action, ABC):
    """An action about the user's existing tickets: refuses plainly without a verified user."""

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        user = signed_in_user(tracker)
        if isinstance(user, Unverified):
            send(dispatcher, followup.no_access(policy(), user))
            return self.refused()
        return await asyncio.to_thread(self.act, dispatcher, tracker, user)

    def refused(self) -> list[dict[str, Any]]:
        return []

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        """Runs off the event loop: the store is blocking I/O."""


class ActionTicketStatus(_UserAction):
    def name(self) -> str:
        return "action_ticket_status"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        reference = mentioned_reference(tracker)
        if reference:
            ticket = own_ticket(user, reference)
            send(dispatcher, followup.status(policy(), ticket, now()) if ticket else followup.not_found(reference))
            return []
        tickets = open_tickets(user)
        if len(tickets) == 1:
            send(dispatcher, followup.status(policy(), tickets[0], now()))
        elif tickets:
            send(dispatcher, followup.which_ticket(tickets, "ticket_status"))
        else:
            send(dispatcher, followup.no_open_tickets())
        return []


class ActionMyTickets(_UserAction):
    def name(self) -> str:
        return "action_my_tickets"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        send(dispatcher, followup.my_tickets(policy(), open_tickets(user)))
        return []


class ActionStartFollowup(_UserAction):
    """Finds the ticket a request is about, then opens the form for it."""

    def name(self) -> str:
        return "action_start_followup"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        intent = latest_intent(tracker) or ""
        reference = mentioned_reference(tracker)
        if reference:
            ticket = own_ticket(user, reference)
            if ticket is None:
                send(dispatcher, followup.not_found(reference))
                return []
        else:
            tickets = open_tickets(user)
            if len(tickets) != 1:
                send(dispatcher, followup.which_ticket(tickets, intent) if tickets else followup.no_open_tickets())
                return []
            ticket = tickets[0]
        slots = [SlotSet(slot, None) for slot in FOLLOWUP_SLOTS] + [SlotSet("followup_ref", ticket.reference)]
        if intent == "escalate" and stated_level(tracker):
            slots.append(SlotSet("new_severity", stated_level(tracker)))
        return slots + [FollowupAction(FORMS[intent])]


class _FollowupFormValidation(PatientFormValidation, ABC):
    """Answers to the follow-up forms; after three unreadable answers the request is dropped."""

    @abstractmethod
    def name(self) -> str: ...

    def give_up(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        send(dispatcher, Reply(f"I couldn't follow, so I've left the ticket as it was. You can also email support at {policy().contact.email}."))
        return {"requested_slot": None, "followup_ref": None}

    def _text(self, slot: str, value: Any, reason: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        text = as_typed(value, tracker)
        return {slot: text} if text else self.reject(slot, reason, dispatcher, tracker)


class ValidateCommentForm(_FollowupFormValidation):
    def name(self) -> str:
        return "validate_comment_form"

    def validate_comment_text(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._text("comment_text", value, "What should I add to the ticket?", dispatcher, tracker)


class ValidateEscalationForm(_FollowupFormValidation):
    def name(self) -> str:
        return "validate_escalation_form"

    def validate_new_severity(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        level = value if value in policy().severities else stated_level(tracker)
        if level:
            return {"new_severity": level}
        return self.reject("new_severity", "Please pick a level from the buttons.", dispatcher, tracker)

    def validate_escalation_reason(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._text("escalation_reason", value, "A few words on why, please.", dispatcher, tracker)


class ValidateCloseForm(_FollowupFormValidation):
    def name(self) -> str:
        return "validate_close_form"

    def validate_close_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = {"affirm": "yes", "deny": "no"}.get(latest_intent(tracker) or "")
        if answer:
            return {"close_confirmed": answer}
        return self.reject("close_confirmed", "Shall I close it? Yes or no.", dispatcher, tracker)


class ActionAskNewSeverity(Action):
    def name(self) -> str:
        return "action_ask_new_severity"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        user, reference = signed_in_user(tracker), tracker.get_slot("followup_ref")
        ticket = await asyncio.to_thread(own_ticket, user, reference) if isinstance(user, VerifiedUser) and reference else None
        current = f"{ticket.reference} is {policy().severity(ticket.final_severity).label}. " if ticket else ""
        levels = policy().severities.values()
        send(dispatcher, Reply(
            f"{current}Which level should it be?",
            tuple(Button(f"{s.label}: first response {format_target(s)}", f'/inform{{"severity": "{s.level}"}}') for s in levels),
        ))
        return []


class ActionAskCloseConfirmed(Action):
    def name(self) -> str:
        return "action_ask_close_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        reference = tracker.get_slot("followup_ref")
        send(dispatcher, Reply(f"Close {reference}? Support stops working on it.", (Button("Yes, close it", "/affirm"), Button("No, keep it open", "/deny"))))
        return []


class _FinishFollowup(_UserAction, ABC):
    """Applies a finished follow-up form to the user's own ticket, checked again at this point."""

    def refused(self) -> list[dict[str, Any]]:
        return [SlotSet(slot, None) for slot in FOLLOWUP_SLOTS]

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        reference = tracker.get_slot("followup_ref")
        ticket = own_ticket(user, reference) if reference else None
        if ticket is not None:
            send(dispatcher, self.apply(ticket, tracker, user))
        return self.refused()

    @abstractmethod
    def apply(self, ticket: Ticket, tracker: Tracker, user: VerifiedUser) -> Reply:
        """Changes the ticket and says what changed."""


class ActionAddComment(_FinishFollowup):
    def name(self) -> str:
        return "action_add_comment"

    def apply(self, ticket: Ticket, tracker: Tracker, user: VerifiedUser) -> Reply:
        updated = store().add_comment(ticket.reference, tracker.get_slot("comment_text"), now(), user.email)
        return followup.comment_added(updated)


class ActionChangeSeverity(_FinishFollowup):
    def name(self) -> str:
        return "action_change_severity"

    def apply(self, ticket: Ticket, tracker: Tracker, user: VerifiedUser) -> Reply:
        level = tracker.get_slot("new_severity")
        if level == ticket.final_severity:
            return followup.severity_unchanged(policy(), ticket)
        at = now()
        due = sla.due_at(level, at, policy())
        updated = store().change_severity(ticket.reference, level, due, tracker.get_slot("escalation_reason"), at, user.email)
        return followup.severity_changed(policy(), updated, ticket.final_severity, at)


class ActionCloseTicket(_FinishFollowup):
    def name(self) -> str:
        return "action_close_ticket"

    def apply(self, ticket: Ticket, tracker: Tracker, user: VerifiedUser) -> Reply:
        if tracker.get_slot("close_confirmed") != "yes":
            return followup.kept_open(ticket)
        closed = store().set_status(ticket.reference, "closed", now(), user.email, note="closed by the requester in the Help assistant")
        return followup.closed(closed)


class ActionCancelFollowup(Action):
    def name(self) -> str:
        return "action_cancel_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="OK, I've left the ticket as it was.")
        return [SlotSet(slot, None) for slot in FOLLOWUP_SLOTS]


class ActionTalkToHuman(Action):
    """A person: on the user's open ticket when someone is there to answer, else when they will be."""

    def name(self) -> str:
        return "action_talk_to_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        user = signed_in_user(tracker)
        tickets = await asyncio.to_thread(open_tickets, user) if isinstance(user, VerifiedUser) else []
        at = now()
        staffed = sla.is_open(at, policy())
        # The newest open ticket; outside business hours, the newest round-the-clock one (only those are worked then).
        ticket = next((t for t in tickets if staffed or policy().severity(t.final_severity).round_the_clock), None)
        if not staffed and ticket is None:
            send(dispatcher, followup.support_closed(policy(), at))
        elif ticket is None:
            send(dispatcher, followup.handoff_needs_a_ticket(policy()))
        else:
            note = f"Handoff requested: the user asked for a person.\n\n{transcript(tracker)}"
            await asyncio.to_thread(store().add_comment, ticket.reference, note, at, "assistant")
            send(dispatcher, followup.handoff_recorded(policy(), ticket, sla.due_at(ticket.final_severity, at, policy())))
        return []
