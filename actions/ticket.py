"""Filing a ticket: start a draft from the opening message, fill the ticket form, decide
the severity with the user, confirm, and file exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    as_typed, full_text, last_typed_message, latest_full_text, latest_intent, nlu_severity, now, policy,
    previous_user_event, requester, send, severity_reading, stated_level, store,
)
from actions.answers import PROBLEM_INTENTS, answer_instead_of_filing, offered_to_file, timing_for_problem
from actions.form_validation import PatientFormValidation
from helpdesk import details, filing, sla
from helpdesk.answers import Reply
from helpdesk.delivery.intake import file_ticket
from helpdesk.store import Requester, TicketDraft
from helpdesk.triage import Decision, Facts, decide

logger = logging.getLogger(__name__)

DETAIL_SLOTS = ("description", "bot_or_area", "environment", "since", "impact", "requester_email", "links")
DRAFT_SLOTS = DETAIL_SLOTS + (
    "requester_name", "requester_account", "user_severity", "assessed_severity", "assessed_cues", "severity",
    "severity_set_by_user", "ticket_confirmed", "ticket_draft_id", "rejected_answers",
)
"""Every slot that belongs to one ticket draft, cleared when a draft starts or ends."""

ENVIRONMENTS = ("production", "staging", "unknown")
MIN_STATEMENT_WORDS = 3
RULE_STARTED = ("report_problem", "file_ticket", "inform")
"""Intents after which data/ticket/rules.yml itself opens the ticket form."""
NOT_SURE = re.compile(r"\b(not sure|don'?t know|dunno|no idea|unsure|both|either)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """A problem as the user described it, and NLU's severity reading of that message."""

    text: str
    reading: dict[str, Any] | None


def opening_problem(tracker: Tracker) -> Problem | None:
    """The problem the opening message describes, if it describes one.

    A problem report is one; so is a longer statement made outside any question (NLU's
    "inform"), which in a Help widget is nearly always a problem in few words. A "did you
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
    describes = intent == "report_problem" or (intent == "inform" and len(text.split()) >= MIN_STATEMENT_WORDS)
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
    found = details.read_details(text)
    for slot, value in (
        ("environment", found.environment), ("since", found.since), ("impact", found.impact),
        ("bot_or_area", found.bot_or_area), ("links", found.links),
    ):
        if value and not (keep_filled and tracker.get_slot(slot)):
            slots[slot] = value
    return slots


def decision(tracker: Tracker) -> Decision:
    """The severity triage proposes for the draft as it stands."""
    facts = Facts(environment=tracker.get_slot("environment"), impact=tracker.get_slot("impact"))
    cues = tuple(tracker.get_slot("assessed_cues") or ())
    return decide(policy(), tracker.get_slot("assessed_severity"), facts, cues=cues)


def draft(tracker: Tracker) -> TicketDraft:
    """The ticket as the form has collected it so far."""
    description = tracker.get_slot("description") or ""
    links = tracker.get_slot("links")
    return TicketDraft(
        requester=Requester(
            email=tracker.get_slot("requester_email") or "",
            name=tracker.get_slot("requester_name"),
            account=tracker.get_slot("requester_account"),
        ),
        title=filing.title_from(description),
        description=description,
        bot_or_area=tracker.get_slot("bot_or_area"),
        environment=tracker.get_slot("environment"),
        since=tracker.get_slot("since"),
        impact=tracker.get_slot("impact"),
        links=() if not links or links == "none" else (links,),
        assessed_severity=tracker.get_slot("assessed_severity"),
        final_severity=tracker.get_slot("severity") or decision(tracker).level,
        severity_set_by_user=bool(tracker.get_slot("severity_set_by_user")),
        conversation_id=tracker.sender_id,
        idempotency_key=tracker.get_slot("ticket_draft_id"),
    )


def asked_when_user_spoke(tracker: Tracker) -> str | None:
    """The slot the form had asked for when the latest user message arrived."""
    user_seen = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            user_seen = True
        elif user_seen and event.get("event") == "slot" and event.get("name") == "requested_slot":
            return event.get("value")
    return None


def cleared_draft() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in DRAFT_SLOTS]


class ActionStartTicket(Action):
    """Opens a fresh draft and keeps whatever the opening message already told us."""

    def name(self) -> str:
        return "action_start_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slots: dict[str, Any] = {slot: None for slot in DRAFT_SLOTS}
        slots["ticket_draft_id"] = uuid.uuid4().hex
        who = requester(tracker)
        if who:
            slots.update(requester_email=who.email, requester_name=who.name, requester_account=who.account)
        problem = opening_problem(tracker)
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
            dispatcher.utter_message(text="Sorry to hear that. I'll file a ticket for the support team; just a few quick questions first.")
        else:
            dispatcher.utter_message(text="Sure, let's file a ticket. I'll ask a few quick questions.")
        slots["user_severity"] = stated_level(tracker)
        events = [SlotSet(slot, value) for slot, value in slots.items()]
        # Rules open the form after a report or a request to file; a "yes" to an offer
        # reaches here through action_acknowledge, so the form is opened from here.
        return events if latest_intent(tracker) in RULE_STARTED else events + [FollowupAction("ticket_form")]


class ValidateTicketForm(PatientFormValidation):
    """Checks each answer of the ticket form and keeps the user's own severity."""

    def name(self) -> str:
        return "validate_ticket_form"

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        stated = tracker.get_slot("user_severity")
        if stated in policy().severities and tracker.get_slot("severity") != stated:
            events += [SlotSet("severity", stated), SlotSet("severity_set_by_user", True)]
        return events

    def validate_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = as_typed(value, tracker)
        if len(re.findall(r"\w", text)) < 3:
            return self.reject("description", "Could you describe the problem in a few words? For example: \"the bot stopped replying on WhatsApp\".", dispatcher, tracker)
        return from_description(Problem(text, nlu_severity(tracker)), tracker)

    def validate_bot_or_area(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._required_text("bot_or_area", value, "Which bot or part of the platform is it? A name is enough.", dispatcher, tracker)

    def validate_environment(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = str(value or "").strip().lower()
        if answer in ENVIRONMENTS:
            return {"environment": answer}
        if NOT_SURE.search(answer):
            return {"environment": "unknown"}
        found = details.environment(answer)
        if found:
            return {"environment": found}
        return self.reject("environment", "Please choose production (live) or staging, or say you're not sure.", dispatcher, tracker)

    def validate_since(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._required_text("since", value, "Roughly when did it start? \"This morning\" or \"after yesterday's release\" is fine.", dispatcher, tracker)

    def validate_impact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._required_text("impact", value, "Who is affected? For example \"all users\", \"a few testers\" or \"no impact yet\".", dispatcher, tracker)

    def validate_requester_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        found = details.email(str(value or ""))
        if found:
            return {"requester_email": found}
        return self.reject(
            "requester_email",
            "That doesn't look like an email address. Please type it like name@company.com so support can reach you.",
            dispatcher, tracker,
        )

    def validate_links(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if latest_intent(tracker) == "deny" or not text or details.says_nothing(text):
            return {"links": "none"}
        return {"links": text}

    def validate_severity(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        proposed = decision(tracker).level
        chosen = value if value in policy().severities else stated_level(tracker)
        if chosen:
            return {"severity": chosen, "severity_set_by_user": chosen != proposed}
        if latest_intent(tracker) == "affirm":
            return {"severity": proposed, "severity_set_by_user": False}
        return self.reject("severity", "I didn't catch a level there: pick one of the buttons, or say yes to keep my suggestion.", dispatcher, tracker)

    def validate_ticket_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        intent = latest_intent(tracker)
        if intent == "affirm":
            return {"ticket_confirmed": "yes"}
        if intent in ("change_details", "deny"):
            return {"ticket_confirmed": None, **self._reopen(tracker)}
        return self.reject("ticket_confirmed", "Shall I file it? Say yes, or choose to change something or cancel.", dispatcher, tracker)

    def give_up(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Environment falls back to "unknown"; anything else ends the form without filing."""
        if slot == "environment":
            return {"environment": "unknown"}
        send(dispatcher, Reply(
            "I'm sorry, I couldn't get that after a few tries, so I haven't filed anything. "
            f"You can email the details to support at {policy().contact.email}, or say \"file a ticket\" to start again."
        ))
        return {"requested_slot": None}

    def _required_text(self, slot: str, value: Any, reason: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        text = str(value or "").strip()
        return {slot: text} if text else self.reject(slot, reason, dispatcher, tracker)

    @staticmethod
    def _reopen(tracker: Tracker) -> dict[str, Any]:
        """Clears the detail the user asked to change, so the form asks it again."""
        detail = next((e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "detail"), None)
        if detail == "severity":
            return {"severity": None, "user_severity": None, "severity_set_by_user": None}
        return {detail: None} if detail in DETAIL_SLOTS else {}


class ActionAskSeverity(Action):
    """Proposes the triaged level, with its meaning, target and reasons."""

    def name(self) -> str:
        return "action_ask_severity"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        send(dispatcher, filing.severity_proposal(policy(), decision(tracker)))
        return []


class ActionAskTicketConfirmed(Action):
    """Shows the summary to confirm; after "change something" asks what to change instead."""

    def name(self) -> str:
        return "action_ask_ticket_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        # Only a "no" to the summary itself: a "no" to the links question comes just before it.
        wants_change = latest_intent(tracker) in ("change_details", "deny") and asked_when_user_spoke(tracker) == "ticket_confirmed"
        if wants_change:
            dispatcher.utter_message(response="utter_ask_change_detail")
        else:
            send(dispatcher, filing.summary(policy(), draft(tracker)))
        return []


class ActionFinishTicketForm(Action):
    """Files the confirmed draft once, however often the confirmation arrives.

    While the ticket database is down the ticket goes to the journal under a reserved
    reference, and the user is told it reaches support once the database is back.
    Delivery to the support team happens later, in the worker, never in the conversation.
    """

    def name(self) -> str:
        return "action_finish_ticket_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if tracker.get_slot("ticket_confirmed") != "yes":
            return cleared_draft()
        ticket_draft = draft(tracker)
        filed_at = now()
        try:
            due = sla.due_at(ticket_draft.final_severity, filed_at, policy())
            filed = await asyncio.to_thread(file_ticket, store, ticket_draft, filed_at, due)
        except Exception:
            logger.exception("could not file ticket draft %s", ticket_draft.idempotency_key)
            send(dispatcher, Reply(
                "I'm sorry: I couldn't save your ticket just now. Your details are kept; say \"yes\" to try again "
                f"in a minute, or email them to support at {policy().contact.email}."
            ))
            # Back into the form at the summary, so a later "yes" files it.
            return [SlotSet("ticket_confirmed", None), FollowupAction("ticket_form")]
        receipt = filing.delayed_receipt if filed.journaled else filing.receipt
        send(dispatcher, receipt(policy(), filed.ticket))
        return cleared_draft() + [SlotSet("last_ticket_ref", filed.ticket.reference)]


class ActionCancelTicket(Action):
    def name(self) -> str:
        return "action_cancel_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="OK, I've dropped that ticket; nothing was filed. Anything else I can help with?")
        return cleared_draft()
