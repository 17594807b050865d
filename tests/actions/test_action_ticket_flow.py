"""One whole ticket through the actions, with the form's part played the way Rasa plays it:
prefilled slots validated at activation, then the first empty required slot asked (by
its action_ask_* action or its response), answered, validated, until the summary is
confirmed and the ticket filed."""

from __future__ import annotations

from typing import Any

from action_helpers import SIGNED_IN_USER, buttons, severity_reading, slot_sets, texts

import actions.common
from actions.ticket import (
    ActionAskSeverity,
    ActionAskTicketConfirmed,
    ActionFinishTicketForm,
    ActionStartTicket,
    ValidateTicketForm,
)

REPORT = "our bot takes 25 seconds to answer customers on the live site since 10am, all users affected"
ASK_ACTIONS = {"severity": ActionAskSeverity(), "ticket_confirmed": ActionAskTicketConfirmed()}


class Conversation:
    def __init__(self, make_tracker, run, domain):
        self.make_tracker, self.run = make_tracker, run
        self.required = domain["forms"]["ticket_form"]["required_slots"]
        self.responses = domain["responses"]
        self.slots: dict[str, Any] = {}
        self.asked: str | None = None
        self.bot_said: list[str] = []

    def start(self, text, intent, **message):
        events, dispatcher = self.run(ActionStartTicket(), self.make_tracker(text, intent, **message))
        self.slots.update(slot_sets(events))
        prefilled = {slot: self.slots[slot] for slot in self.required if self.slots.get(slot) is not None}
        self._validate(text, intent, prefilled, message)
        self._ask_next(text, intent, message)

    def answer(self, text, intent="inform", **message):
        assert self.asked, "the form is not asking anything"
        self._validate(text, intent, {self.asked: text}, message)
        self._ask_next(text, intent, message)

    def _validate(self, text, intent, candidates, message):
        tracker = self.make_tracker(text, intent, slots=self.slots, in_form=True, requested_slot=self.asked,
                                    answering=candidates, **message)
        events, dispatcher = self.run(ValidateTicketForm(), tracker)
        self.slots.update(slot_sets(events))
        self.bot_said += texts(dispatcher)

    def _ask_next(self, text, intent, message):
        answered, self.asked = self.asked, next((slot for slot in self.required if self.slots.get(slot) is None), None)
        if self.asked in ASK_ACTIONS:
            tracker = self.make_tracker(text, intent, slots=self.slots, in_form=True, requested_slot=answered,
                                        after={"requested_slot": self.asked}, **message)
            _, dispatcher = self.run(ASK_ACTIONS[self.asked], tracker)
            self.last_buttons = buttons(dispatcher)
            self.bot_said += [
                self.responses[m["response"]][0]["text"] if m.get("response") else m["text"] for m in dispatcher.messages
            ]
        elif self.asked:
            self.bot_said.append(self.responses[f"utter_ask_{self.asked}"][0]["text"])

    def finish(self, text, intent):
        events, dispatcher = self.run(ActionFinishTicketForm(), self.make_tracker(text, intent, slots=self.slots))
        self.slots.update(slot_sets(events))
        self.bot_said += texts(dispatcher)


def test_a_problem_report_becomes_a_ticket_in_five_answers(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)

    chat.start(REPORT, "report_problem", severity=severity_reading("S0", 0.8, cues=("25 seconds",)))
    assert chat.asked == "bot_or_area", "description, environment, since, impact and email were in the opening"

    chat.answer("the sales bot")
    assert chat.asked == "links"
    chat.answer("/deny", "deny")
    assert chat.asked == "severity"
    assert chat.bot_said[-1].startswith("I'd rate this S0 (Blocker)")
    assert chat.last_buttons[0] == ("Yes, S0 is right", "/affirm")

    chat.answer("/affirm", "affirm")
    assert chat.asked == "ticket_confirmed"
    assert chat.bot_said[-1].startswith("Here's your ticket:")
    assert f"• Contact: {SIGNED_IN_USER['email']}" in chat.bot_said[-1]

    chat.answer("/affirm", "affirm")
    assert chat.asked is None
    chat.finish("/affirm", "affirm")

    assert chat.bot_said[-1].startswith("Your ticket HLP-0001 is filed as S0 (Blocker).")
    [ticket] = actions.common.store().list()
    assert ticket.description == REPORT
    assert (ticket.environment, ticket.since, ticket.impact, ticket.bot_or_area, ticket.links) == (
        "production", "since 10am", "all users", "the sales bot", ())
    assert (ticket.final_severity, ticket.severity_set_by_user) == ("S0", False)
    assert ticket.requester.email == SIGNED_IN_USER["email"]
    assert chat.slots["last_ticket_ref"] == "HLP-0001" and chat.slots["ticket_draft_id"] is None


def test_a_blocker_the_user_named_skips_the_severity_question(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)

    chat.start("file a ticket, it's a blocker", "file_ticket",
               entities=[{"entity": "severity", "value": "S0", "start": 20, "end": 29}])
    assert (chat.slots["severity"], chat.slots["severity_set_by_user"]) == ("S0", True)

    for answer in ("checkout bot replies with errors", "checkout bot", "prod", "since 9am", "all customers"):
        chat.answer(answer)
    assert chat.asked == "links"

    chat.answer("/deny", "deny")
    assert chat.asked == "ticket_confirmed"
    assert chat.bot_said[-1].startswith("Here's your ticket:"), "the 'no' answered the links question"
    assert "• Severity: S0 (Blocker) (your choice)" in chat.bot_said[-1]

    chat.answer("/change_details", "change_details")
    assert chat.asked == "ticket_confirmed"
    assert chat.bot_said[-1] == "What would you like to change?"
