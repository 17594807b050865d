"""Filing a ticket: start a draft from the opening message, ask only what changes the
ticket, confirm once (where a typed correction updates the draft in place), and file
exactly once. Which questions remain is decided in helpdesk.form_questions; what the bot says
in helpdesk.filing; this module turns the conversation's state into calls on them."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.answers import PROBLEM_INTENTS, answer_instead_of_filing, offered_to_file, timing_for_problem
from actions.conversation import (
    as_typed,
    full_text,
    last_typed_message,
    latest_full_text,
    latest_intent,
    nlu_severity,
    previous_user_event,
    reads_a_new_message,
    send,
    severity_reading,
    stated_level,
)
from actions.draft_hold import DROPPED, ON_HOLD, PAUSED_SLOT, ask_to_go_on, draft_title, kept_draft, on_hold
from actions.followup import follow_up_instead
from actions.form_validation import PatientFormValidation
from actions.runtime import now, policy, settings, store
from actions.user import reader_policy, requester
from helpdesk import details, filing, sla
from helpdesk.answers import Reply
from helpdesk.durability.intake import file_ticket
from helpdesk.form_questions import DraftState, next_question
from helpdesk.requests import Interruption, interruption
from helpdesk.tickets import Requester, TicketDraft
from helpdesk.titles import title_for
from helpdesk.triage import Decision, Facts, decide
from helpdesk.vagueness import describes_beside_request

logger = logging.getLogger(__name__)

DETAIL_SLOTS = ("description", "bot_or_area", "environment", "since", "impact", "requester_email", "links")
DRAFT_SLOTS = (
    *DETAIL_SLOTS,
    "requester_name",
    "requester_account",
    "user_severity",
    "assessed_severity",
    "assessed_cues",
    "ticket_confirmed",
    "confirm_step",
    "ticket_draft_id",
    "rejected_answers",
    PAUSED_SLOT,
)
"""Every slot that belongs to one ticket draft, cleared when a draft is filed, cancelled or replaced."""

ENVIRONMENTS = ("production", "staging", "unknown")
MIN_STATEMENT_WORDS = 3
RULE_STARTED = ("report_problem", "file_ticket", "inform")
"""Intents after which data/ticket/rules.yml itself opens the ticket form."""
NOT_SURE = re.compile(r"\b(not sure|don'?t know|dunno|no idea|unsure|both|either)\b", re.IGNORECASE)
CONFIRMING = ("affirm", "file_ticket")
"""At the summary, "yes" and "file it" both file the draft."""
NOT_AN_ANSWER = ("affirm", "deny", "greet", "thank", "goodbye", "out_of_scope", "nlu_fallback")
"""Intents of messages that answer no open question ("yes" to "who is affected?")."""
STEP_SEVERITY, STEP_DETAILS = "severity", "details"
"""What the confirmation is showing instead of the summary: the levels, or the open question."""


@dataclass(frozen=True)
class Problem:
    """A problem as the user described it, and NLU's severity reading of that message."""

    text: str
    reading: dict[str, Any] | None


def opening_problem(tracker: Tracker) -> Problem | None:
    """The problem the opening message describes, if it describes one.

    A problem report is one; so is a longer statement made outside any question (NLU's
    "inform"), which in a Help widget is nearly always a problem in few words, and a
    request to file that also says what stopped ("raise a ticket, the export fails"). A "did you
    mean ...?" button stands for the message it clarified, and a "yes" or "file a ticket"
    right after the bot rated a described problem stands for that description.
    """
    intent, text = latest_intent(tracker), latest_full_text(tracker).strip()
    earlier = previous_user_event(tracker)
    if intent in ("affirm", "file_ticket") and earlier and offered_to_file(policy(), earlier):
        return _problem_in(earlier)
    if intent == "report_problem" and text.startswith("/"):
        clarified = last_typed_message(tracker)
        return _problem_in(clarified) if clarified else None
    describes = (
        intent == "report_problem"
        or (intent == "inform" and len(text.split()) >= MIN_STATEMENT_WORDS)
        or (intent == "file_ticket" and describes_beside_request(text))
    )
    return Problem(text, nlu_severity(tracker)) if describes and text and not text.startswith("/") else None


def _problem_in(event: dict[str, Any]) -> Problem:
    return Problem(full_text(event).strip(), severity_reading(event.get("parse_data") or {}))


def from_description(problem: Problem, tracker: Tracker, keep_filled: bool = True) -> dict[str, Any]:
    """The description, NLU's severity reading of it, and every detail it already answers.

    Details already in the slots are kept unless `keep_filled` is false (a new draft,
    whose slots may still hold an abandoned draft's values).
    """
    text, reading = problem.text, problem.reading
    slots: dict[str, Any] = {
        "description": text,
        "assessed_severity": reading["name"] if reading else None,
        "assessed_cues": list(reading.get("cues") or []) if reading else None,
    }
    for slot, value in detail_slots(details.read_details(text)).items():
        if not (keep_filled and tracker.get_slot(slot)):
            slots[slot] = value
    return slots


def detail_slots(found: details.Details) -> dict[str, str]:
    """The details a message gives, under the ticket form's slot names; only those it gives."""
    named = {
        "environment": found.environment,
        "since": found.since,
        "impact": found.impact,
        "bot_or_area": found.bot_or_area,
        "links": found.links,
        "requester_email": found.email,
    }
    return {slot: value for slot, value in named.items() if value}


def decision(tracker: Tracker) -> Decision:
    """The severity for the draft as it stands: the user's own level, else triage's."""
    facts = Facts(environment=tracker.get_slot("environment"), impact=tracker.get_slot("impact"))
    cues = tuple(tracker.get_slot("assessed_cues") or ())
    return decide(
        policy(), tracker.get_slot("assessed_severity"), facts, stated=tracker.get_slot("user_severity"), cues=cues
    )


def draft(tracker: Tracker) -> TicketDraft:
    """The ticket as the form has collected it so far."""
    description = tracker.get_slot("description") or ""
    links = tracker.get_slot("links")
    level = decision(tracker)
    return TicketDraft(
        requester=Requester(
            email=tracker.get_slot("requester_email") or "",
            name=tracker.get_slot("requester_name"),
            account=tracker.get_slot("requester_account"),
        ),
        title=title_for(description, tracker.get_slot("bot_or_area"), tracker.get_slot("environment")),
        description=description,
        bot_or_area=tracker.get_slot("bot_or_area"),
        environment=tracker.get_slot("environment"),
        since=tracker.get_slot("since"),
        impact=tracker.get_slot("impact"),
        links=(links,) if links else (),
        assessed_severity=tracker.get_slot("assessed_severity"),
        final_severity=level.level,
        severity_set_by_user=level.set_by_user,
        conversation_id=tracker.sender_id,
        idempotency_key=tracker.get_slot("ticket_draft_id"),
    )


def draft_state(tracker: Tracker) -> DraftState:
    return DraftState(
        description=tracker.get_slot("description"),
        environment=tracker.get_slot("environment"),
        impact=tracker.get_slot("impact"),
        email=tracker.get_slot("requester_email"),
        assessed=tracker.get_slot("assessed_severity"),
        stated=tracker.get_slot("user_severity"),
    )


def message_updates(tracker: Tracker) -> dict[str, Any]:
    """What the latest message says to the draft, read as a whole before it answers anything.

    A detail the message gives replaces the one in the draft (a correction), a link is
    added to the links, a level stated in any wording becomes the user's level. A button
    click carries no details of its own, only the level it may name.
    """
    text = latest_full_text(tracker).strip()
    updates: dict[str, Any] = {}
    answering = tracker.slots_to_validate()
    if not text.startswith("/"):
        found = detail_slots(details.read_details(text))
        links = found.pop("links", None)
        for slot, value in found.items():
            # The slot the message answers holds the raw message as its candidate, not a detail.
            if slot in answering or value != tracker.get_slot(slot):
                updates[slot] = value
        known = tracker.get_slot("links")
        if links and links not in (known or ""):
            updates["links"] = f"{known}, {links}" if known else links
    level = stated_level(tracker)
    if level and level != tracker.get_slot("user_severity"):
        updates["user_severity"] = level
    return updates


def noted(updates: dict[str, Any]) -> Reply:
    """Says what a message changed in the draft, in the summary's labels."""
    labels = {**filing.DETAIL_LABELS, "user_severity": "Severity"}
    shown = {
        slot: policy().severity(value).label if slot == "user_severity" else value for slot, value in updates.items()
    }
    return Reply("Updated: " + "; ".join(f"{labels[slot]}: {value}" for slot, value in shown.items()) + ".")


def free_text(text: str) -> bool:
    """Typed words, not a button's payload ("/intent{...}"): only these can be stored as a detail."""
    return bool(re.search(r"[^\W\d_]{2,}", text)) and not text.lstrip().startswith("/")


def cleared_draft() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in DRAFT_SLOTS]


class ActionStartTicket(Action):
    """Opens a fresh draft and keeps whatever the opening message already told us, or
    resumes a draft the user left unfinished."""

    def name(self) -> str:
        return "action_start_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        # Rules open the form after a report, a request to file or a yes to the draft on
        # hold; a "yes" to an offer reaches here through action_acknowledge, so the form is
        # opened from here.
        resuming = latest_intent(tracker) == "affirm" and on_hold(tracker) and kept_draft(tracker)
        opens_form = [] if resuming or latest_intent(tracker) in RULE_STARTED else [FollowupAction("ticket_form")]
        problem = None if resuming else opening_problem(tracker)
        if kept_draft(tracker) and not problem:
            dispatcher.utter_message(text="Let's finish the ticket you started; everything you told me is kept.")
            return [SlotSet("ticket_confirmed", None), SlotSet("confirm_step", None), *opens_form]
        slots: dict[str, Any] = {slot: None for slot in DRAFT_SLOTS}
        slots["ticket_draft_id"] = uuid.uuid4().hex
        who = requester(tracker)
        if who:
            slots.update(requester_email=who.email, requester_name=who.name, requester_account=who.account)
        if problem and latest_intent(tracker) in PROBLEM_INTENTS:
            # "would X be an S0?" or a how-to question: answered, with the offer to file instead.
            instead = answer_instead_of_filing(policy(), tracker)
            if instead:
                send(dispatcher, instead)
                return [FollowupAction("action_listen")]
            timing = timing_for_problem(policy(), tracker)
            if timing:
                dispatcher.utter_message(text=timing)
        if problem:
            slots.update(from_description(problem, tracker, keep_filled=False))
            dispatcher.utter_message(text="Sorry to hear that. I'll file a ticket for the support team.")
        else:
            dispatcher.utter_message(text="Sure, let's file a ticket.")
        slots["user_severity"] = stated_level(tracker)
        return [SlotSet(slot, value) for slot, value in slots.items()] + opens_form


class ValidateTicketForm(PatientFormValidation):
    """Reads each message of the ticket form as a whole, then lets it answer the question asked.

    Corrections, a stated level and details given in passing update the draft whatever
    was asked; an answer that does not answer is refused once with a reason, then the
    form moves on without it; the confirmation never gives up on the draft.
    """

    max_attempts = 2

    def name(self) -> str:
        return "validate_ticket_form"

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        asked = tracker.get_slot(REQUESTED_SLOT)
        candidates = tracker.slots_to_validate()
        if reads_a_new_message(tracker):
            other = interruption(latest_full_text(tracker), latest_intent(tracker), settings().reference_prefix)
            if other is not None:
                return await self.leave_for_follow_up(other, dispatcher, tracker)
        if asked not in candidates:
            # At activation the opening was read by action_start_ticket; back from a
            # question there is no new answer: only the next question is decided. A draft
            # back from hold (the rule that resumed it read the slot) is a draft like any other.
            return [SlotSet(PAUSED_SLOT, None)] if tracker.get_slot(PAUSED_SLOT) else []
        read = getattr(self, f"read_{asked}", None)
        if read is None:
            # A question this form no longer asks (a conversation from an earlier version).
            return []
        return [SlotSet(slot, value) for slot, value in read(candidates[asked], dispatcher, tracker).items()]

    async def leave_for_follow_up(
        self, other: Interruption, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """A follow-up on an existing ticket typed into the form: carried out on that ticket,
        never stored in the draft. The form ends with the draft kept: on hold (the bot asks
        once whether to go on with it, when the form ends or after the follow-up's own form)
        or left unfiled, as the message says."""
        events = await asyncio.to_thread(follow_up_instead, other.intent, dispatcher, tracker)
        form = [event for event in events if event.get("event") == "followup"]
        kept = kept_draft(tracker)
        if other.drops_draft and kept:
            send(dispatcher, filing.draft_left(draft_title(tracker)))
        return [
            *(event for event in events if event.get("event") != "followup"),
            SlotSet(PAUSED_SLOT, ON_HOLD if kept and not other.drops_draft else DROPPED),
            SlotSet(REQUESTED_SLOT, None),
            ActiveLoop(None),
            *form,
        ]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(PAUSED_SLOT) or tracker.get_slot("ticket_confirmed") == "yes":
            return SlotSet(REQUESTED_SLOT, None)
        counts = tracker.get_slot("rejected_answers") or {}
        given_up = frozenset(slot for slot, count in counts.items() if count >= self.max_attempts)
        return SlotSet(REQUESTED_SLOT, next_question(policy(), draft_state(tracker), given_up))

    def read_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        text = as_typed(value, tracker)
        if len(re.findall(r"\w", text)) < 3:
            return self.reject(
                "description",
                'Could you describe the problem in a few words? For example: "the bot stopped replying on WhatsApp".',
                dispatcher,
                tracker,
            )
        return {**from_description(Problem(text, nlu_severity(tracker)), tracker), **self._level(tracker)}

    def read_environment(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        updates = message_updates(tracker)
        answer = str(value or "").strip().lower()
        button = next(
            (e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "environment"),
            None,
        )
        chosen = updates.get("environment") or next((v for v in (answer, button) if v in ENVIRONMENTS), None)
        if chosen or NOT_SURE.search(answer):
            return {**updates, "environment": chosen or "unknown"}
        text = as_typed(value, tracker)
        # Something said about the problem instead of the answer still reaches support.
        said = self._added(text, dispatcher, tracker) if not updates and self._statement(text, tracker) else {}
        return {
            **said,
            **self._not_answered(
                "environment",
                updates,
                "Please choose production (live) or staging, or say you're not sure.",
                dispatcher,
                tracker,
            ),
        }

    def read_impact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """The answer to what the problem stops, asked when the description did not say:
        the level is read from the answer (helpdesk.form_questions.impact_hinges)."""
        updates = message_updates(tracker)
        text = as_typed(value, tracker)
        answers = "impact" in updates or (
            free_text(text) and (NOT_SURE.search(text) or (not updates and latest_intent(tracker) not in NOT_AN_ANSWER))
        )
        if answers:
            # The answer to the question, whole: "no customer gets any reply", not "no customer gets".
            return {**updates, "impact": text, **self._reading_of_answer(text, tracker)}
        return self._not_answered(
            "impact",
            updates,
            'Does it stop every conversation, or is one part not working? For example "no customer gets a reply" '
            'or "only the order status flow fails".',
            dispatcher,
            tracker,
        )

    @staticmethod
    def _reading_of_answer(text: str, tracker: Tracker) -> dict[str, Any]:
        """NLU's level of the answer, for a draft whose description gave none; nothing for "not sure"."""
        reading = nlu_severity(tracker)
        if tracker.get_slot("assessed_severity") or not reading or NOT_SURE.search(text):
            return {}
        return {"assessed_severity": reading["name"], "assessed_cues": list(reading.get("cues") or [])}

    def read_requester_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        updates = message_updates(tracker)
        if "requester_email" in updates:
            return updates
        return self._not_answered(
            "requester_email",
            updates,
            "That doesn't look like an email address. Please type it like name@company.com so support can reach you.",
            dispatcher,
            tracker,
        )

    def read_ticket_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """The summary's answer: file, a correction, a button's step, or a note to add."""
        step, intent = tracker.get_slot("confirm_step"), latest_intent(tracker)
        text = as_typed(value, tracker)
        updates = message_updates(tracker)
        back_to_summary = {"ticket_confirmed": None, "confirm_step": None}
        if step == STEP_DETAILS:
            if intent == "deny" or intent in NOT_AN_ANSWER or not free_text(text) or details.says_nothing(text):
                return {**updates, **back_to_summary}
            if updates:
                send(dispatcher, noted(updates))
            return {**updates, **self._added(text, dispatcher, tracker), **back_to_summary}
        if updates:
            send(dispatcher, noted(updates))
            return {**updates, **back_to_summary}
        if step == STEP_SEVERITY:
            return self.reject(
                "ticket_confirmed",
                "I didn't catch a level there: pick one of the buttons, e.g. S2.",
                dispatcher,
                tracker,
            )
        if intent in CONFIRMING:
            return {"ticket_confirmed": "yes"}
        if self._chosen_detail(tracker) == "severity" or intent == "escalate":
            return {"ticket_confirmed": None, "confirm_step": STEP_SEVERITY}
        if intent in ("add_details", "change_details", "deny"):
            return {"ticket_confirmed": None, "confirm_step": STEP_DETAILS}
        if self._statement(text, tracker):
            return {**self._added(text, dispatcher, tracker), **back_to_summary}
        return self.reject(
            "ticket_confirmed",
            "Sorry, I didn't catch that. Your draft is kept: file it, change it, or type a correction such as \"it's on staging\".",
            dispatcher,
            tracker,
        )

    def give_up(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Moves on without the detail; the draft itself is never dropped."""
        if slot == "environment":
            return {"environment": "unknown"}
        if slot == "description":
            return {"description": latest_full_text(tracker).strip()}
        if slot == "requester_email":
            send(dispatcher, Reply("I'll go on without an email address; keep the ticket reference to follow it up."))
            return {}
        if slot == "ticket_confirmed":
            send(
                dispatcher,
                Reply(
                    "I still didn't catch that, but your draft is kept. Use the buttons below, or type what to change."
                ),
            )
            return {"ticket_confirmed": None, "confirm_step": None}
        return {}

    def _not_answered(
        self, slot: str, updates: dict[str, Any], reason: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """A message that said other things updates the draft and the question is asked again;
        one that said nothing is refused with a reason."""
        if updates:
            send(dispatcher, noted(updates))
            return {**updates, slot: None}
        return self.reject(slot, reason, dispatcher, tracker)

    def _added(self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Free text that is no known detail still reaches support: it joins the description."""
        send(dispatcher, Reply("Added to the description."))
        return {"description": f"{tracker.get_slot('description') or ''}\n\nAdded: {text}".strip()}

    @staticmethod
    def _statement(text: str, tracker: Tracker) -> bool:
        """A few typed words that say something, not a yes, a no or a greeting."""
        return (
            latest_intent(tracker) not in NOT_AN_ANSWER and free_text(text) and len(text.split()) >= MIN_STATEMENT_WORDS
        )

    @staticmethod
    def _level(tracker: Tracker) -> dict[str, Any]:
        level = stated_level(tracker)
        return {"user_severity": level} if level else {}

    @staticmethod
    def _chosen_detail(tracker: Tracker) -> str | None:
        """The detail a "change ..." button names (its `detail` entity)."""
        return next(
            (e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "detail"), None
        )


class ActionAskTicketConfirmed(Action):
    """The one confirmation: the summary, or behind its buttons the levels or the open question."""

    def name(self) -> str:
        return "action_ask_ticket_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        step = tracker.get_slot("confirm_step")
        if step == STEP_SEVERITY:
            send(dispatcher, filing.severity_choices(policy()))
        elif step == STEP_DETAILS:
            send(dispatcher, filing.details_prompt(draft(tracker)))
        else:
            ticket = draft(tracker)
            due = sla.due_at(ticket.final_severity, now(), policy())
            send(dispatcher, filing.summary(reader_policy(tracker), ticket, decision(tracker), due))
        return []


class ActionFinishTicketForm(Action):
    """Files the confirmed draft once, however often the confirmation arrives; a draft the
    form left on hold for a follow-up on another ticket is not filed, and the user is asked
    whether to go on with it.

    While the ticket database is down the ticket goes to the journal under a reserved
    reference, and the user is told it reaches support once the database is back.
    Delivery to the support team happens later, in the worker, never in the conversation.
    """

    def name(self) -> str:
        return "action_finish_ticket_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if tracker.get_slot("ticket_confirmed") != "yes":
            ask_to_go_on(dispatcher, tracker)
            return []
        ticket_draft = draft(tracker)
        filed_at = now()
        try:
            due = sla.due_at(ticket_draft.final_severity, filed_at, policy())
            filed = await asyncio.to_thread(file_ticket, store, ticket_draft, filed_at, due, settings())
        except Exception:
            logger.exception("could not file ticket draft %s", ticket_draft.idempotency_key)
            send(
                dispatcher,
                Reply(
                    "I'm sorry: I couldn't save your ticket just now. Your details are kept; say \"yes\" to try again "
                    f"in a minute, or email them to support at {policy().contact.email}."
                ),
            )
            # Back into the form at the summary, so a later "yes" files it.
            return [SlotSet("ticket_confirmed", None), FollowupAction("ticket_form")]
        receipt = filing.delayed_receipt if filed.journaled else filing.receipt
        send(dispatcher, receipt(reader_policy(tracker), filed.ticket))
        return [*cleared_draft(), SlotSet("last_ticket_ref", filed.ticket.reference)]


class ActionAbandonTicket(Action):
    """A no to going on with the draft on hold: nothing is filed, and its details stay for later."""

    def name(self) -> str:
        return "action_abandon_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        send(dispatcher, filing.draft_left(draft_title(tracker)))
        return [SlotSet(PAUSED_SLOT, DROPPED)]


class ActionCancelTicket(Action):
    def name(self) -> str:
        return "action_cancel_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="OK, I've dropped that ticket; nothing was filed. Anything else I can help with?")
        return cleared_draft()
