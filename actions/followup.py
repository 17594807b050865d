"""Following up on tickets: status, the user's open tickets, adding details, changing the
severity, closing, reopening, and asking for a person.

Every action here that touches an existing ticket first establishes who the user is from
the platform's signed token, and only ever looks at that user's tickets: someone else's
reference is answered exactly like one that does not exist. Which ticket a request is
about, and what the message already gives, is read by helpdesk.ticket_choice and
helpdesk.requests; this module turns their answers into replies, changes and forms.
"""

from __future__ import annotations

import asyncio
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.conversation import (
    as_typed,
    full_text,
    latest_full_text,
    latest_intent,
    latest_text,
    previous_user_event,
    reads_a_new_message,
    send,
    value_before_message,
)
from actions.draft_hold import ask_to_go_on, put_on_hold
from actions.form_validation import PatientFormValidation
from actions.runtime import now, policy, settings, store
from actions.user import reader_policy, signed_in_user
from helpdesk import followup, sla
from helpdesk.answers import Button, Reply
from helpdesk.identity import Unverified, VerifiedUser
from helpdesk.levels import stated_mention
from helpdesk.references import Mention, read_references
from helpdesk.requests import Interruption, Request, details_given, interruption, read_requests, reason_given
from helpdesk.store import TicketNotReopenable
from helpdesk.ticket_choice import (
    Ambiguous,
    Choice,
    Found,
    NotFound,
    NoTicket,
    by_description,
    by_position,
    choose,
    described_topic,
)
from helpdesk.tickets import ASSISTANT, Ticket
from helpdesk.wording import format_target

FORMS = {
    "add_details": "comment_form",
    "escalate": "escalation_form",
    "close_ticket": "close_form",
    "reopen_ticket": "reopen_form",
}
"""Which form each follow-up request opens when the message did not give all it needs."""
FOLLOWUP_SLOTS = (
    "followup_ref",
    "comment_text",
    "new_severity",
    "escalation_reason",
    "close_confirmed",
    "reopen_reason",
    "reopen_confirmed",
    "rejected_answers",
    "next_requests",
)
"""Every slot of one follow-up, cleared when it starts or ends (the refusal counts too, so an
earlier form's refusals never make this one give up early)."""
FOCUS_SLOTS = ("focus_ref", "last_ticket_ref")
"""The slots naming the ticket the conversation is about: the one last shown or acted on, the one just filed."""
BARE_NUMBERS = ("ticket_status", "close_ticket", "reopen_ticket")
"""Requests where a number alone ("and 0121?") is a reference; details and phone numbers are not."""
TRANSCRIPT_TURNS = 30
_REASON_START = re.compile(r",|;|\s[-–—]\s|\bbecause\b|\bsince\b|\bas\b", re.IGNORECASE)


def own_ticket(user: VerifiedUser, reference: str) -> Ticket | None:
    """The ticket if it exists and is the user's; otherwise None, whichever the reason."""
    ticket = store().get(reference)
    if ticket is None or ticket.requester.email.casefold() != user.email.casefold():
        return None
    return ticket


def own_tickets(user: VerifiedUser) -> list[Ticket]:
    """Every ticket of the user, newest first: the only tickets a follow-up ever chooses from."""
    return store().list(requester_email=user.email)


def open_tickets(user: VerifiedUser) -> list[Ticket]:
    return [t for t in own_tickets(user) if t.is_open]


def in_focus(tracker: Tracker) -> tuple[str, ...]:
    """The references the conversation was about, newest first (shown, acted on, filed)."""
    found: list[str] = []
    for event in reversed(tracker.applied_events()):
        value = event.get("value") if event.get("event") == "slot" and event.get("name") in FOCUS_SLOTS else None
        if isinstance(value, str) and value not in found:
            found.append(value)
    return tuple(found)


def requests_in(tracker: Tracker, intent: str, bare_numbers: bool) -> tuple[Request, ...]:
    """The requests the latest message makes; a button's payload carries its ticket as an entity."""
    text = latest_full_text(tracker)
    if not text.startswith("/"):
        return read_requests(text, intent, settings().reference_prefix, bare_numbers=bare_numbers)
    mentions: list[Mention] = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "ticket_ref" and entity.get("value"):
            mentions += read_references(str(entity["value"]), settings().reference_prefix)
    return (Request(intent, tuple(mentions), "", 0),)


def stated_level_in(tracker: Tracker, request: Request) -> tuple[str | None, int]:
    """The level a request names, and where it ends in the message (0 when none is named)."""
    levels = policy().severities
    mention = stated_mention(request.text, policy())
    if mention is not None:
        return mention.level, request.start + mention.end
    end = request.start + len(request.text)
    for entity in tracker.latest_message.get("entities") or []:
        within = not request.text or request.start <= (entity.get("start") or 0) < end
        if entity.get("entity") == "severity" and entity.get("value") in levels and within:
            return entity["value"], entity.get("end") or 0
    return None, 0


def reason_in(request: Request, after: int) -> str | None:
    """A reason the request gives after `after`, or after its first comma or "because"."""
    if not after:
        start = _REASON_START.search(request.text)
        after = request.start + start.start() if start else 0
    return reason_given(request, after) if after else None


def transcript(tracker: Tracker) -> str:
    """The conversation so far, as support reads it when a person takes over."""
    lines = []
    for event in tracker.applied_events():
        text = (full_text(event) if event.get("event") == "user" else event.get("text") or "").strip()
        if text and event.get("event") in ("user", "bot"):
            lines.append(f"{'User' if event['event'] == 'user' else 'Assistant'}: {text}")
    return "\n".join(lines[-TRANSCRIPT_TURNS:])


def said_before(tracker: Tracker) -> str | None:
    """What "add that to HLP-0121" points at: the problem being drafted, else the message before."""
    drafted = tracker.get_slot("description")
    if drafted:
        return str(drafted)
    earlier = previous_user_event(tracker)
    return full_text(earlier) if earlier else None


def later_request(intent: str, ticket: Ticket, level: str | None = None) -> tuple[str, str]:
    """A request left for later, as a button: its words and the payload that makes it again."""
    what = {
        "add_details": f"add details to {ticket.reference}",
        "escalate": f"change {ticket.reference} to {level}" if level else f"change the severity of {ticket.reference}",
        "close_ticket": f"close {ticket.reference}",
        "reopen_ticket": f"reopen {ticket.reference}",
    }[intent]
    entities = {"ticket_ref": ticket.reference, **({"severity": level} if level else {})}
    payload = "{" + ", ".join(f'"{key}": "{value}"' for key, value in entities.items()) + "}"
    return what, f"/{intent}{payload}"


@dataclass
class _Turn:
    """One message's follow-up requests, carried out in order: what can be done at once is
    done, the first that needs more from the user opens its form, and the rest are offered
    as buttons for afterwards; nothing is dropped."""

    dispatcher: CollectingDispatcher
    tracker: Tracker
    user: VerifiedUser
    own: list[Ticket]
    form: str | None = None
    prefill: dict[str, Any] = field(default_factory=dict)
    asked_which: tuple[str, tuple[str, ...]] | None = None
    later: list[tuple[str, str]] = field(default_factory=list)
    focus: str | None = None

    def handle(self, request: Request, choice: Choice) -> None:
        if isinstance(choice, NotFound):
            send(self.dispatcher, followup.not_found(choice.reference, choice.suggestions, request.intent))
        elif isinstance(choice, NoTicket):
            send(self.dispatcher, self._nothing_to_act_on(request.intent))
        elif isinstance(choice, Ambiguous):
            self._ask_which(request.intent, choice.candidates)
        else:
            self.focus = choice.ticket.reference
            _HANDLERS[request.intent](self, request, choice.ticket)

    def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        if self.form:
            events += [SlotSet(slot, None) for slot in FOLLOWUP_SLOTS]
            events += [SlotSet(slot, value) for slot, value in self.prefill.items() if value is not None]
            if self.later:
                events.append(SlotSet("next_requests", [list(pair) for pair in self.later]))
        elif self.later:
            send(self.dispatcher, followup.also_asked(self.later))
        if self.asked_which:
            intent, offered = self.asked_which
            events += [SlotSet("followup_request", intent), SlotSet("offered_tickets", list(offered))]
        elif self.tracker.get_slot("followup_request"):
            events.append(SlotSet("followup_request", None))
        if self.focus:
            events.append(SlotSet("focus_ref", self.focus))
        return events + ([FollowupAction(self.form)] if self.form else [])

    def open_form(self, intent: str, ticket: Ticket, level: str | None = None, **prefill: Any) -> None:
        """The form for what the message left open; if one is already open, a button for later."""
        if self.form is not None or self.asked_which is not None:
            self.later.append(later_request(intent, ticket, level))
            return
        self.form = FORMS[intent]
        self.prefill = {"followup_ref": ticket.reference, "new_severity": level, **prefill}

    def status(self, request: Request, ticket: Ticket) -> None:
        send(self.dispatcher, followup.status(reader_policy(self.tracker), ticket, now()))

    def add_details(self, request: Request, ticket: Ticket) -> None:
        details = details_given(request, said_before(self.tracker))
        if not ticket.is_open:
            if details:
                self.open_form("reopen_ticket", ticket, comment_text=details, reopen_reason=details)
            else:
                send(self.dispatcher, followup.not_open(ticket))
        elif details:
            send(
                self.dispatcher,
                followup.comment_added(store().add_comment(ticket.reference, details, now(), self.user.email)),
            )
        else:
            self.open_form("add_details", ticket)

    def escalate(self, request: Request, ticket: Ticket) -> None:
        if not ticket.is_open:
            send(self.dispatcher, followup.not_open(ticket))
            return
        level, level_end = stated_level_in(self.tracker, request)
        reason = reason_in(request, max([level_end] + [m.end for m in request.mentions])) if request.text else None
        if level and reason:
            send(self.dispatcher, change_severity(ticket, level, reason, self.user))
        else:
            self.open_form("escalate", ticket, level, escalation_reason=reason)

    def close(self, request: Request, ticket: Ticket) -> None:
        if ticket.is_open:
            self.open_form("close_ticket", ticket)
        else:
            send(self.dispatcher, followup.already_closed(ticket))

    def reopen(self, request: Request, ticket: Ticket) -> None:
        if ticket.is_open:
            send(self.dispatcher, followup.already_open(ticket))
            return
        reason = reason_in(request, max(m.end for m in request.mentions)) if request.mentions and request.text else None
        if reason:
            send(self.dispatcher, reopen(ticket, reason, None, self.user))
        else:
            self.open_form("reopen_ticket", ticket, reopen_confirmed="yes")

    def hand_over(self, request: Request, ticket: Ticket) -> None:
        if not ticket.is_open:
            send(self.dispatcher, followup.handoff_on_a_closed_ticket(ticket))
            return
        at = now()
        updated = store().request_handoff(ticket.reference, transcript(self.tracker), at, ASSISTANT)
        send(self.dispatcher, followup.handoff_recorded(reader_policy(self.tracker), updated, at))

    def _ask_which(self, intent: str, candidates: tuple[Ticket, ...]) -> None:
        if self.form is not None or self.asked_which is not None:
            self.later.append((f"{intent.replace('_', ' ')} for another ticket", f"/{intent}"))
            return
        send(self.dispatcher, followup.which_ticket(candidates, intent))
        self.asked_which = (intent, tuple(t.reference for t in candidates))

    def _nothing_to_act_on(self, intent: str) -> Reply:
        if intent != "talk_to_human":
            return followup.no_open_tickets()
        at = now()
        return (
            followup.handoff_needs_a_ticket(policy())
            if sla.is_open(at, policy())
            else followup.support_closed(policy(), at)
        )


_HANDLERS: dict[str, Callable[[_Turn, Request, Ticket], None]] = {
    "ticket_status": _Turn.status,
    "add_details": _Turn.add_details,
    "escalate": _Turn.escalate,
    "close_ticket": _Turn.close,
    "reopen_ticket": _Turn.reopen,
    "talk_to_human": _Turn.hand_over,
}
"""What each follow-up request does with the ticket it is about."""


def change_severity(ticket: Ticket, level: str, reason: str, user: VerifiedUser) -> Reply:
    """The new level with a due time counted from now, and the reason, recorded."""
    if level == ticket.final_severity:
        return followup.severity_unchanged(policy(), ticket)
    at = now()
    updated = store().change_severity(ticket.reference, level, sla.due_at(level, at, policy()), reason, at, user.email)
    return followup.severity_changed(policy(), updated, ticket.final_severity, at)


def reopen(ticket: Ticket, reason: str, details: str | None, user: VerifiedUser) -> Reply:
    """Back to open with a due time counted from now; the details, if any, added after."""
    at = now()
    try:
        updated = store().reopen(
            ticket.reference, reason, sla.due_at(ticket.final_severity, at, policy()), at, user.email
        )
    except TicketNotReopenable:
        return followup.already_open(store().get(ticket.reference) or ticket)
    if details:
        updated = store().add_comment(ticket.reference, details, at, user.email)
    return followup.reopened(policy(), updated, at, details_added=bool(details))


def follow_up(
    intent: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    user: VerifiedUser,
    answers_which: bool = False,
    meant: str | None = None,
) -> list[dict[str, Any]]:
    """Carries out every request of the latest message on the tickets it names or means;
    a message answering "which ticket?" may name it by its number alone. `meant` is the
    ticket a request naming none is about before any other (e.g. the one of the form it
    interrupted), if it is the user's own."""
    turn = _Turn(dispatcher, tracker, user, own_tickets(user))
    for request in requests_in(tracker, intent, answers_which or intent in BARE_NUMBERS):
        focus = ((turn.focus,) if turn.focus else ()) + ((meant,) if meant else ()) + in_focus(tracker)
        for choice in choose(request.mentions, turn.own, focus, described_topic(request.text)):
            turn.handle(request, choice)
    return turn.events()


def follow_up_instead(intent: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """A follow-up on a named ticket typed into a form that asked something else
    (helpdesk.requests.interruption): the slots the message filled as the form's answer are
    put back as they were, and the follow-up is carried out on the ticket it names, the
    user's own only. Blocking (the store): run it off the event loop.

    The forms decide what becomes of themselves; a `followup` event among those returned
    opens the form the follow-up itself needs."""
    restored = {
        slot: value_before_message(tracker, slot) for slot in tracker.slots_to_validate() if slot != REQUESTED_SLOT
    }
    # "add that to HLP-0121" points at what was there before this message, not at it.
    tracker.slots.update(restored)
    user = signed_in_user(tracker)
    if isinstance(user, VerifiedUser):
        events = follow_up(intent, dispatcher, tracker, user)
    else:
        send(dispatcher, followup.no_access(policy(), user))
        events = []
    return [*(SlotSet(slot, value) for slot, value in restored.items()), *events]


class _UserAction(Action, ABC):
    """An action about the user's existing tickets: refuses plainly without a verified user."""

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        user = signed_in_user(tracker)
        if isinstance(user, Unverified):
            return self.unverified(dispatcher, user)
        return await asyncio.to_thread(self.act, dispatcher, tracker, user)

    def unverified(self, dispatcher: CollectingDispatcher, why: Unverified) -> list[dict[str, Any]]:
        send(dispatcher, followup.no_access(policy(), why))
        return self.refused()

    def refused(self) -> list[dict[str, Any]]:
        return []

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        """Runs off the event loop: the store is blocking I/O."""


class ActionTicketStatus(_UserAction):
    """The status of the tickets named, described or meant (also for "when will someone answer
    HLP-0126?" and a bare "hlp 0121"); a bare reference answering "which ticket?" picks it."""

    def name(self) -> str:
        return "action_ticket_status"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        if answers_which(tracker):
            return choose_from_answer(dispatcher, tracker, user)
        return follow_up("ticket_status", dispatcher, tracker, user)


class ActionMyTickets(_UserAction):
    def name(self) -> str:
        return "action_my_tickets"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        send(dispatcher, followup.my_tickets(reader_policy(tracker), open_tickets(user)))
        return []


class ActionStartFollowup(_UserAction):
    """Adding details, changing the severity, closing or reopening: done at once when the
    message says everything, else the form for what is missing."""

    def name(self) -> str:
        return "action_start_followup"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        return follow_up(latest_intent(tracker) or "", dispatcher, tracker, user)


class ActionTalkToHuman(_UserAction):
    """A person on the ticket named or meant; without a verified user, how to reach one.

    Asked for in the middle of a follow-up form, it is the ticket that form was about, and
    the form's request is dropped; asked for while a new ticket was drafted, the draft is
    kept and the bot asks once whether to go on with it."""

    def name(self) -> str:
        return "action_talk_to_human"

    def unverified(self, dispatcher: CollectingDispatcher, why: Unverified) -> list[dict[str, Any]]:
        at = now()
        staffed = sla.is_open(at, policy())
        send(
            dispatcher, followup.handoff_needs_a_ticket(policy()) if staffed else followup.support_closed(policy(), at)
        )
        return []

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        interrupted = tracker.get_slot("followup_ref")
        left_form = [SlotSet(slot, None) for slot in FOLLOWUP_SLOTS] if interrupted else []
        events = left_form + follow_up("talk_to_human", dispatcher, tracker, user, meant=interrupted)
        if left_form:
            offer_the_rest(dispatcher, tracker)
        else:
            events += put_on_hold(dispatcher, tracker)
        return events


class ActionChooseTicket(_UserAction):
    """The user's answer to "which ticket?" that NLU took for a statement ("the one about analytics")."""

    def name(self) -> str:
        return "action_choose_ticket"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        return choose_from_answer(dispatcher, tracker, user)


def answers_which(tracker: Tracker) -> bool:
    """The latest message is the answer to "which ticket do you mean?", not a request of its own."""
    return bool(tracker.get_slot("followup_request")) and latest_intent(tracker) in ("inform", "nlu_fallback")


def choose_from_answer(dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
    """Carries on the request that asked "which ticket?" with the ticket the answer names (its
    reference), points at ("the second one") or describes ("the typo one"), among the user's own."""
    intent = tracker.get_slot("followup_request") or "ticket_status"
    text = latest_full_text(tracker)
    if read_references(text, settings().reference_prefix, bare_numbers=True):
        return follow_up(intent, dispatcher, tracker, user, answers_which=True)
    turn = _Turn(dispatcher, tracker, user, own_tickets(user))
    offered = [t for ref in tracker.get_slot("offered_tickets") or [] for t in turn.own if t.reference == ref]
    candidates = offered or [t for t in turn.own if t.is_open]
    ticket = by_position(text, offered) or by_description(text, candidates)
    if ticket is None:
        send(dispatcher, followup.no_pick(candidates, intent) if candidates else followup.no_open_tickets())
        return [SlotSet("followup_request", None)]
    turn.handle(Request(intent, (), "", 0), Found(ticket, named=True))
    return turn.events()


class _FollowupFormValidation(PatientFormValidation, ABC):
    """Answers to the follow-up forms; after three unreadable answers the request is dropped.

    A follow-up on another ticket typed as the answer ("status of HLP-0002", "raise
    HLP-0002 to S1") is no answer: it is carried out on the ticket it names, as in the
    new-ticket form (helpdesk.requests.interruption), and nothing of it is stored here.
    This form then asks its question again; or, when that follow-up needs a form of its
    own, it gives way and comes back as a button once the other is done."""

    @abstractmethod
    def name(self) -> str: ...

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if reads_a_new_message(tracker):
            other = interruption(
                latest_full_text(tracker), latest_intent(tracker), settings().reference_prefix, words_suffice=False
            )
            if other is not None and set(other.references) - {tracker.get_slot("followup_ref")}:
                return await asyncio.to_thread(self.leave_for_follow_up, other, dispatcher, tracker)
        return await super().get_validation_events(dispatcher, tracker, domain)

    def leave_for_follow_up(
        self, other: Interruption, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        asked = tracker.get_slot(REQUESTED_SLOT)
        interrupted = tracker.get_slot("followup_ref")
        waiting = [tuple(pair) for pair in tracker.get_slot("next_requests") or []]
        events = follow_up_instead(other.intent, dispatcher, tracker)
        form = [event for event in events if event.get("event") == "followup"]
        if not form:
            return [*events, SlotSet(asked, None)] if asked else events
        user = signed_in_user(tracker)
        ticket = own_ticket(user, interrupted) if isinstance(user, VerifiedUser) and interrupted else None
        request = {name: intent for intent, name in FORMS.items()}[self.form_name()]
        aside = [later_request(request, ticket, tracker.get_slot("new_severity"))] if ticket else []
        opened = next(
            (e["value"] for e in reversed(events) if e.get("event") == "slot" and e.get("name") == "next_requests"),
            None,
        )
        later = [tuple(pair) for pair in opened or []] + aside + waiting
        return [
            *(event for event in events if event.get("event") != "followup"),
            SlotSet("next_requests", [list(pair) for pair in later] or None),
            SlotSet(REQUESTED_SLOT, None),
            ActiveLoop(None),
            *form,
        ]

    def give_up(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        send(
            dispatcher,
            Reply(
                f"I couldn't follow, so I've left the ticket as it was. You can also email support at {policy().contact.email}."
            ),
        )
        return {"requested_slot": None, "followup_ref": None}

    def _text(
        self, slot: str, value: Any, reason: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        text = as_typed(value, tracker)
        return {slot: text} if text else self.reject(slot, reason, dispatcher, tracker)

    def _reason(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """A reason in words: a bare "yes" or "no" answers no "why?" and is never stored as one."""
        if latest_intent(tracker) in ("affirm", "deny") and len(latest_text(tracker).split()) <= 3:
            return self.reject(slot, "A few words on why, please.", dispatcher, tracker)
        return self._text(slot, value, "A few words on why, please.", dispatcher, tracker)

    def _yes_or_no(
        self, slot: str, value: Any, question: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """ "yes" or "no": as the action set it, or as the user's affirm or deny."""
        answer = value if value in ("yes", "no") else {"affirm": "yes", "deny": "no"}.get(latest_intent(tracker) or "")
        return {slot: answer} if answer else self.reject(slot, question, dispatcher, tracker)


class ValidateCommentForm(_FollowupFormValidation):
    def name(self) -> str:
        return "validate_comment_form"

    def validate_comment_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._text("comment_text", value, "What should I add to the ticket?", dispatcher, tracker)


class ValidateEscalationForm(_FollowupFormValidation):
    def name(self) -> str:
        return "validate_escalation_form"

    def validate_new_severity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        level = (
            value
            if value in policy().severities
            else stated_level_in(tracker, Request("escalate", (), latest_text(tracker), 0))[0]
        )
        if level:
            return {"new_severity": level}
        return self.reject("new_severity", "Please pick a level from the buttons.", dispatcher, tracker)

    def validate_escalation_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._reason("escalation_reason", value, dispatcher, tracker)


class ValidateCloseForm(_FollowupFormValidation):
    def name(self) -> str:
        return "validate_close_form"

    def validate_close_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._yes_or_no("close_confirmed", value, "Shall I close it? Yes or no.", dispatcher, tracker)


class ValidateReopenForm(_FollowupFormValidation):
    def name(self) -> str:
        return "validate_reopen_form"

    def validate_reopen_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._reason("reopen_reason", value, dispatcher, tracker)

    def validate_reopen_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._yes_or_no("reopen_confirmed", value, "Shall I reopen it? Yes or no.", dispatcher, tracker)


class _AskAboutTicket(Action, ABC):
    """A follow-up form's question, naming the ticket it is about (the user's own, checked again)."""

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        user, reference = signed_in_user(tracker), tracker.get_slot("followup_ref")
        ticket = (
            await asyncio.to_thread(own_ticket, user, reference)
            if isinstance(user, VerifiedUser) and reference
            else None
        )
        send(dispatcher, self.question(ticket))
        return []

    @abstractmethod
    def question(self, ticket: Ticket | None) -> Reply:
        """The question; `ticket` is None if it is not (or no longer) the user's."""


class ActionAskCommentText(_AskAboutTicket):
    def name(self) -> str:
        return "action_ask_comment_text"

    def question(self, ticket: Ticket | None) -> Reply:
        target = f" to {followup.about(ticket)}" if ticket else ""
        return Reply(f"What would you like to add{target}? Text, links or conversation ids are all fine.")


class ActionAskNewSeverity(_AskAboutTicket):
    def name(self) -> str:
        return "action_ask_new_severity"

    def question(self, ticket: Ticket | None) -> Reply:
        current = f"{ticket.reference} is {policy().severity(ticket.final_severity).label}. " if ticket else ""
        return Reply(
            f"{current}Which level should it be?",
            tuple(
                Button(f"{s.label}: first response {format_target(s)}", f'/inform{{"severity": "{s.level}"}}')
                for s in policy().severities.values()
            ),
        )


class ActionAskEscalationReason(_AskAboutTicket):
    def name(self) -> str:
        return "action_ask_escalation_reason"

    def question(self, ticket: Ticket | None) -> Reply:
        target = f" for {followup.about(ticket)}" if ticket else ""
        return Reply(f"What changed{target}? A sentence on why helps support act on it.")


class ActionAskCloseConfirmed(_AskAboutTicket):
    def name(self) -> str:
        return "action_ask_close_confirmed"

    def question(self, ticket: Ticket | None) -> Reply:
        target = followup.about(ticket) if ticket else "it"
        return Reply(
            f"Close {target}? Support stops working on it.",
            (Button("Yes, close it", "/affirm"), Button("No, keep it open", "/deny")),
        )


class ActionAskReopenReason(_AskAboutTicket):
    def name(self) -> str:
        return "action_ask_reopen_reason"

    def question(self, ticket: Ticket | None) -> Reply:
        return followup.reopen_reason(ticket) if ticket else Reply("What's happening again?")


class ActionAskReopenConfirmed(_AskAboutTicket):
    def name(self) -> str:
        return "action_ask_reopen_confirmed"

    def question(self, ticket: Ticket | None) -> Reply:
        return (
            followup.reopen_with_details(ticket)
            if ticket
            else Reply("Shall I reopen it?", (Button("Yes", "/affirm"), Button("No", "/deny")))
        )


class _FinishFollowup(_UserAction, ABC):
    """Applies a finished follow-up form to the user's own ticket, checked again at this point,
    then offers what else the same message asked."""

    def refused(self) -> list[dict[str, Any]]:
        return [SlotSet(slot, None) for slot in FOLLOWUP_SLOTS]

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, user: VerifiedUser) -> list[dict[str, Any]]:
        reference = tracker.get_slot("followup_ref")
        ticket = own_ticket(user, reference) if reference else None
        if ticket is not None:
            send(dispatcher, self.apply(ticket, tracker, user))
        offer_the_rest(dispatcher, tracker)
        return self.refused()

    @abstractmethod
    def apply(self, ticket: Ticket, tracker: Tracker, user: VerifiedUser) -> Reply:
        """Changes the ticket and says what changed."""


def offer_the_rest(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The requests of the same message that waited for this one, as buttons; then the new
    ticket put on hold for this follow-up, if there is one."""
    rest = [tuple(pair) for pair in tracker.get_slot("next_requests") or []]
    if rest:
        send(dispatcher, followup.also_asked(rest))
    ask_to_go_on(dispatcher, tracker)


class ActionAddComment(_FinishFollowup):
    def name(self) -> str:
        return "action_add_comment"

    def apply(self, ticket: Ticket, tracker: Tracker, user: VerifiedUser) -> Reply:
        if not ticket.is_open:
            return followup.not_open(ticket)
        updated = store().add_comment(ticket.reference, tracker.get_slot("comment_text"), now(), user.email)
        return followup.comment_added(updated)


class ActionChangeSeverity(_FinishFollowup):
    def name(self) -> str:
        return "action_change_severity"

    def apply(self, ticket: Ticket, tracker: Tracker, user: VerifiedUser) -> Reply:
        return change_severity(ticket, tracker.get_slot("new_severity"), tracker.get_slot("escalation_reason"), user)


class ActionCloseTicket(_FinishFollowup):
    def name(self) -> str:
        return "action_close_ticket"

    def apply(self, ticket: Ticket, tracker: Tracker, user: VerifiedUser) -> Reply:
        if tracker.get_slot("close_confirmed") != "yes":
            return followup.kept_open(ticket)
        closed = store().set_status(
            ticket.reference, "closed", now(), user.email, note="closed by the requester in the Help assistant"
        )
        return followup.closed(closed)


class ActionReopenTicket(_FinishFollowup):
    def name(self) -> str:
        return "action_reopen_ticket"

    def apply(self, ticket: Ticket, tracker: Tracker, user: VerifiedUser) -> Reply:
        if tracker.get_slot("reopen_confirmed") != "yes":
            return followup.stays_closed(ticket)
        return reopen(ticket, tracker.get_slot("reopen_reason"), tracker.get_slot("comment_text"), user)


class ActionCancelFollowup(Action):
    def name(self) -> str:
        return "action_cancel_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="OK, I've left the ticket as it was.")
        offer_the_rest(dispatcher, tracker)
        return [SlotSet(slot, None) for slot in FOLLOWUP_SLOTS]
