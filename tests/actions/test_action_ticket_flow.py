"""Whole tickets through the actions, with the form's part played the way Rasa plays it:
the opening read by action_start_ticket, the prefilled slots validated at activation,
then each answer validated and the question validate_ticket_form picks asked (by its
response, or by action_ask_ticket_confirmed for the one confirmation), until the ticket
is filed."""

from __future__ import annotations

from typing import Any

from action_helpers import SIGNED_IN_USER, entity, severity_reading, slot_sets, texts

import actions.conversation
import actions.runtime
import actions.user
from actions.ticket import (
    ActionAskTicketConfirmed,
    ActionFinishTicketForm,
    ActionStartTicket,
    ValidateTicketForm,
)

REPORT = "our bot takes 25 seconds to answer customers on the live site since 10am, all users affected"
ANALYTICS = "the weekly analytics report won't download, it errors out after a minute"


class Conversation:
    def __init__(self, make_tracker, run, domain, user=SIGNED_IN_USER):
        self.make_tracker, self.run, self.user = make_tracker, run, user
        self.responses = domain["responses"]
        self.slots: dict[str, Any] = {}
        self.asked: str | None = None
        self.bot_said: list[str] = []
        self.last_buttons: list[tuple[str, str]] = []

    def start(self, text, intent, **message):
        events, dispatcher = self.run(ActionStartTicket(), self.make_tracker(text, intent, user=self.user, **message))
        self.slots.update(slot_sets(events))
        self.bot_said += texts(dispatcher)
        prefilled = {slot: value for slot, value in self.slots.items() if value is not None}
        self._validate(text, intent, prefilled, message)
        self._ask(text, intent, message)

    def answer(self, text, intent="inform", **message):
        assert self.asked, "the form is not asking anything"
        self._validate(text, intent, {self.asked: text}, message)
        self._ask(text, intent, message)

    def _validate(self, text, intent, candidates, message):
        tracker = self.make_tracker(
            text,
            intent,
            slots=self.slots,
            in_form=True,
            requested_slot=self.asked,
            answering=candidates,
            user=self.user,
            **message,
        )
        events, dispatcher = self.run(ValidateTicketForm(), tracker)
        self.slots.update(slot_sets(events))
        self.bot_said += texts(dispatcher)
        self.asked = self.slots["requested_slot"]

    def _ask(self, text, intent, message):
        if self.asked == "ticket_confirmed":
            tracker = self.make_tracker(
                text, intent, slots=self.slots, in_form=True, requested_slot=self.asked, user=self.user, **message
            )
            _, dispatcher = self.run(ActionAskTicketConfirmed(), tracker)
            self.last_buttons = [
                (b["title"], b["payload"]) for m in dispatcher.messages for b in m.get("buttons") or []
            ]
            self.bot_said += texts(dispatcher)
        elif self.asked:
            self.bot_said.append(self.responses[f"utter_ask_{self.asked}"][0]["text"])

    def finish(self):
        events, dispatcher = self.run(
            ActionFinishTicketForm(), self.make_tracker("/affirm", "affirm", slots=self.slots)
        )
        self.slots.update(slot_sets(events))
        self.bot_said += texts(dispatcher)

    def file(self):
        self.answer("/affirm", "affirm")
        assert self.asked is None, "the form is done"
        self.finish()
        [ticket] = actions.runtime.store().list()
        return ticket


def test_a_report_that_says_everything_is_filed_in_two_messages(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)

    chat.start(REPORT, "report_problem", severity=severity_reading("S0", 0.8, cues=("25 seconds",)))
    assert chat.asked == "ticket_confirmed", "environment, impact and email were all known"
    assert chat.bot_said[-1].startswith("Here's your ticket:")
    assert "• Severity: S0 (Blocker)" in chat.bot_said[-1]
    assert chat.last_buttons[0] == ("File it", "/affirm")

    ticket = chat.file()

    assert chat.bot_said[-1].startswith("Your ticket HLP-0001 is filed as S0 (Blocker).")
    assert ticket.description == REPORT
    assert (ticket.environment, ticket.since, ticket.impact) == ("production", "since 10am", "all users")
    assert (ticket.final_severity, ticket.severity_set_by_user) == ("S0", False)
    assert ticket.requester.email == SIGNED_IN_USER["email"]
    assert chat.slots["last_ticket_ref"] == "HLP-0001" and chat.slots["ticket_draft_id"] is None


def test_only_what_changes_the_level_is_asked_and_an_anonymous_user_gives_an_email(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain, user=None)

    chat.start(ANALYTICS, "report_problem", severity=severity_reading("S1"))
    assert chat.asked == "environment"
    chat.answer('/inform{"environment": "production"}', entities=[entity("environment", "production")])
    assert chat.asked == "requester_email", "who is affected cannot move the level: a user count alone makes no blocker"
    chat.answer("dev@acme.example")
    assert chat.asked == "ticket_confirmed"

    ticket = chat.file()

    assert (ticket.environment, ticket.impact, ticket.bot_or_area) == ("production", None, "analytics")
    assert ticket.final_severity == "S1"
    assert ticket.requester.email == "dev@acme.example"
    assert ticket.title == "The weekly analytics report won't download (production)"


def test_corrections_at_the_confirmation_update_the_draft_in_place(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)
    chat.start(ANALYTICS, "report_problem", severity=severity_reading("S1"))
    chat.answer('/inform{"environment": "production"}', entities=[entity("environment", "production")])
    chat.answer("some users")
    assert chat.asked == "ticket_confirmed"

    for text, extra, shown in [
        ("it's staging actually", {}, "• Environment: staging"),
        ("make it a P1", {"entities": [entity("severity", "S1", "P1")]}, "because you set it to S1 (High) yourself"),
        ("started around 9am", {}, "• Since: started around 9am"),
        ("https://acme.example/conversations/981", {}, "• Links: https://acme.example/conversations/981"),
        ("the bot is called InitechHelpBot, fix that", {"intent": "change_details"}, "• Bot or area: InitechHelpBot"),
    ]:
        chat.answer(text, extra.pop("intent", "inform"), **extra)
        assert chat.asked == "ticket_confirmed"
        assert chat.bot_said[-2].startswith("Updated: ")
        assert chat.bot_said[-1].startswith("Here's your ticket:") and shown in chat.bot_said[-1]

    ticket = chat.file()
    assert (ticket.environment, ticket.since, ticket.bot_or_area) == ("staging", "started around 9am", "InitechHelpBot")
    assert ticket.links == ("https://acme.example/conversations/981",)
    assert (ticket.final_severity, ticket.severity_set_by_user) == ("S1", True)


def test_change_severity_and_add_details_behind_the_buttons(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)
    chat.start(REPORT, "report_problem", severity=severity_reading("S0"))

    chat.answer('/change_details{"detail": "severity"}', "change_details", entities=[entity("detail", "severity")])
    assert chat.bot_said[-1] == "Please pick the level that fits best:"
    chat.answer('/inform{"severity": "S2"}', entities=[entity("severity", "S2")])
    assert "• Severity: S2 (Medium)" in chat.bot_said[-1] and "you set it to S2 (Medium) yourself" in chat.bot_said[-1]

    chat.answer("/add_details", "add_details")
    assert (
        chat.bot_said[-1]
        == "What would you like to add or correct (for example which bot or area and links or conversation ids)? Put it all in one message."
    )
    chat.answer("started 3 days ago, and agents also see a blank screen")
    assert chat.bot_said[-3:-1] == ["Updated: Since: started 3 days ago.", "Added to the description."]

    ticket = chat.file()
    assert ticket.final_severity == "S2"
    assert ticket.since == "started 3 days ago"
    assert ticket.description == f"{REPORT}\n\nAdded: started 3 days ago, and agents also see a blank screen"


def test_an_answer_that_does_not_answer_is_asked_once_more_then_left_out(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain, user=None)
    chat.start(REPORT, "report_problem", severity=severity_reading("S0"))
    assert chat.asked == "requester_email"

    chat.answer("yes", "affirm")
    assert chat.bot_said[-2].startswith("That doesn't look like an email address.")
    assert chat.asked == "requester_email"
    chat.answer("priya at acme")
    assert chat.asked == "ticket_confirmed", "the form moves on without it"
    assert "• Contact" not in chat.bot_said[-1]

    ticket = chat.file()
    assert ticket.requester.email == ""
    assert "I have no email address for you" in chat.bot_said[-1]


def test_yes_is_no_answer_to_who_is_affected(make_tracker, run, domain, monkeypatch):
    monkeypatch.setattr("helpdesk.form_questions.impact_hinges", lambda *args: True)  # a level that hinges on it
    chat = Conversation(make_tracker, run, domain)
    chat.start(ANALYTICS, "report_problem", severity=severity_reading("S1"))
    chat.answer('/inform{"environment": "production"}', entities=[entity("environment", "production")])

    chat.answer("yes", "affirm")

    assert chat.slots["impact"] is None and chat.asked == "impact"
    assert chat.bot_said[-2] == (
        'Does it stop every conversation, or is one part not working? For example "no customer gets a reply" '
        'or "only the order status flow fails".'
    )


def test_repeated_misunderstanding_at_the_confirmation_keeps_the_draft(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)
    chat.start(REPORT, "report_problem", severity=severity_reading("S0"))

    for _ in range(4):
        chat.answer("hmm", "nlu_fallback")
        assert chat.asked == "ticket_confirmed"
        assert chat.slots["description"] == REPORT and chat.slots["ticket_draft_id"]
    assert "your draft is kept" in chat.bot_said[-2]

    assert chat.file().description == REPORT


def test_a_level_named_in_the_opening_is_kept_and_nothing_is_asked_about_it(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)

    chat.start("file a ticket, it's a blocker", "file_ticket", entities=[entity("severity", "S0", "blocker")])
    assert chat.asked == "description"
    chat.answer("the checkout bot replies with errors to every customer on prod")
    assert chat.asked == "ticket_confirmed"
    assert "because you set it to S0 (Blocker) yourself" in chat.bot_said[-1]

    assert chat.file().final_severity == "S0"


VAGUE = "the bot is broken"
DECIDING_QUESTION = "Your message doesn't say what stopped, and that decides the severity."


def test_a_vague_report_is_no_confident_blocker_but_gets_the_question_that_decides_it(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)

    # NLU reads something from any words; "broken" alone says nothing about what stopped.
    chat.start(VAGUE, "report_problem", severity=severity_reading("S0", 0.9, cues=("broken",)))
    assert chat.slots["assessed_severity"] is None
    assert chat.asked == "environment"
    assert not any("S0" in said for said in chat.bot_said)
    chat.answer('/inform{"environment": "production"}', entities=[entity("environment", "production")])
    assert chat.asked == "impact"
    assert chat.bot_said[-1].startswith(DECIDING_QUESTION)

    chat.answer("no customer gets any reply from the bot", severity=severity_reading("S0", cues=("any reply",)))
    assert chat.asked == "ticket_confirmed"
    assert "• Severity: S0 (Blocker): critical functionality has stopped working" in chat.bot_said[-1]
    assert '"any reply"' in chat.bot_said[-1]

    ticket = chat.file()
    assert (ticket.final_severity, ticket.impact) == ("S0", "no customer gets any reply from the bot")
    assert ticket.assessed_severity == "S0"


def test_one_part_failing_while_the_bot_replies_is_read_from_the_answer(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)
    chat.start("something's wrong with our bot on live", "report_problem", severity=severity_reading("S0", 0.7))
    assert chat.asked == "impact", "the opening said production: one question decides the level"

    chat.answer("only the order status flow fails", severity=severity_reading("S1", cues=("order status",)))

    assert chat.asked == "ticket_confirmed"
    assert "• Severity: S1 (High)" in chat.bot_said[-1]


def test_a_vague_report_with_no_answer_to_it_starts_from_the_middle_and_says_why(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)
    chat.start(VAGUE, "report_problem", severity=severity_reading("S0", 0.9))
    chat.answer('/inform{"environment": "production"}', entities=[entity("environment", "production")])

    chat.answer("not sure", "deny", severity=severity_reading("S0", 0.4))

    assert chat.asked == "ticket_confirmed"
    assert (
        "• Severity: S2 (Medium): minor functionality has stopped working, limited business impact "
        "(because I could not tell from the description, so I started from S2 (Medium))"
    ) in chat.bot_said[-1]


def test_a_vague_report_on_staging_needs_no_question_about_what_stopped(make_tracker, run, domain):
    chat = Conversation(make_tracker, run, domain)

    chat.start("our bot on staging is broken", "report_problem", severity=severity_reading("S0", 0.9))

    assert chat.asked == "ticket_confirmed", "outside production the level stays below a blocker whatever stopped"
    assert "• Severity: S2 (Medium)" in chat.bot_said[-1]
