"""Following up on tickets through the actions: who may see what, and what each request
shows and stores.

The user proves who they are with the platform's signed token (metadata.user_token),
which the channel verifies and seals;
tickets are filed straight into the test's store, and the clock the actions read is
frozen (actions.followup.now). The policy is the repo's: Monday to Friday 09:00-18:00
IST; S0 one hour 24x7, S1 one business hour, S2 and S3 four business hours.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import jwt
import pytest
from action_helpers import SIGNED_IN_USER, buttons, entity, slot_sets, texts

import actions.answers
import actions.conversation
import actions.followup
import actions.runtime
import actions.user
import helpdesk.cli
from actions.answers import ActionAnswerQuestion
from actions.draft_hold import ActionLetTheQuestionPass
from actions.followup import (
    ActionAddComment,
    ActionAskCloseConfirmed,
    ActionAskCommentText,
    ActionAskNewSeverity,
    ActionAskReopenConfirmed,
    ActionCancelFollowup,
    ActionChangeSeverity,
    ActionChooseTicket,
    ActionCloseTicket,
    ActionMyTickets,
    ActionReopenTicket,
    ActionStartFollowup,
    ActionTalkToHuman,
    ActionTicketStatus,
    ValidateCloseForm,
    ValidateCommentForm,
    ValidateEscalationForm,
    ValidateReopenForm,
)
from actions.ticket import ActionAbandonTicket, ActionFinishTicketForm, ActionStartTicket, ValidateTicketForm
from channels.identity import vouched_metadata
from helpdesk import sla
from helpdesk.identity import REASONS, mint
from helpdesk.tickets import Requester, Ticket, TicketDraft
from tests.action_wiring import restart_actions

SECRET = "the-platform-and-the-bot-share-this-secret"
PRIYA = SIGNED_IN_USER["email"]
RAJ = "raj@globex.example"
IST = ZoneInfo("Asia/Kolkata")
MON_10 = datetime(2025, 3, 10, 10, 0, tzinfo=IST)
TUE_10 = datetime(2025, 3, 11, 10, 0, tzinfo=IST)
WED_11 = datetime(2025, 3, 12, 11, 0, tzinfo=IST)
WED_NOON = datetime(2025, 3, 12, 12, 0, tzinfo=IST)
SAT_11 = datetime(2025, 3, 15, 11, 0, tzinfo=IST)
SAT_NOON = datetime(2025, 3, 15, 12, 0, tzinfo=IST)
SIGNED_IN = object()
"""Default token: a valid one for Priya, minted when the message is built."""
FOLLOWUP_SLOTS = {
    "followup_ref",
    "comment_text",
    "new_severity",
    "escalation_reason",
    "close_confirmed",
    "reopen_reason",
    "reopen_confirmed",
    "rejected_answers",
    "next_requests",
}
HOW_TO_GET_ACCESS = (
    "Open the Help widget while signed in to the platform and ask again, or email support at support@haptik.ai"
)


@pytest.fixture(autouse=True)
def identity_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_IDENTITY_SECRET", SECRET)
    restart_actions()


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch):
    """Freezes the actions' clock; call it to move the clock. Starts on Wednesday noon."""

    def set_clock(moment: datetime) -> None:
        monkeypatch.setattr(actions.followup, "now", lambda: moment)
        monkeypatch.setattr(actions.answers, "now", lambda: moment)
        monkeypatch.setattr(actions.runtime, "now", lambda: moment)

    set_clock(WED_NOON)
    return set_clock


def token_for(email: str = PRIYA, secret: str = SECRET, **kwargs: Any) -> str:
    """A token as the platform signs it, valid for an hour from the real now (what verify judges by)."""
    return mint(secret, email, **kwargs)


@pytest.fixture
def message(make_tracker):
    """A tracker whose latest user message brought `token` in metadata.user_token (None: no token),
    as the channel passes it on: verified and sealed (channels/identity.py)."""

    def build(
        text: str = "", intent: str | None = "inform", *, token: Any = SIGNED_IN, form: str | None = None, **kwargs: Any
    ):
        tracker = make_tracker(text, intent, in_form=form is not None, **kwargs)
        if token is SIGNED_IN:
            token = token_for()
        user_event = next(event for event in reversed(tracker.events) if event["event"] == "user")
        if token is not None:
            user_event["metadata"] = vouched_metadata({**user_event["metadata"], "user_token": token}, SECRET)
        if form is not None:
            tracker.active_loop = {"name": form}
            for event in tracker.events:
                if event["event"] == "active_loop":
                    event["name"] = form
        return tracker

    return build


def file_ticket(
    email: str = PRIYA,
    severity: str = "S2",
    filed: datetime = WED_11,
    status: str = "open",
    title: str = "Analytics report won't download",
) -> Ticket:
    draft = TicketDraft(
        requester=Requester(email, None, None),
        title=title,
        description=f"{title}, since this morning.",
        final_severity=severity,
    )
    store = actions.runtime.store()
    ticket = store.create(draft, filed, sla.due_at(severity, filed, actions.runtime.policy()))
    if status != "open":
        ticket = store.set_status(ticket.reference, status, filed + timedelta(minutes=5), "operator")
    return ticket


def stored(reference: str) -> Ticket:
    return actions.runtime.store().get(reference)


def ref(reference: str) -> list[dict[str, Any]]:
    return [entity("ticket_ref", reference)]


def without(reference: str, output: Any) -> str:
    """The whole output with the reference (however capitalised) blanked out."""
    return json.dumps(output, sort_keys=True).replace(reference.upper(), "<REF>").replace(reference.lower(), "<ref>")


def texts_of(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("text") or "" for m in messages]


def followups(events: list[dict[str, Any]]) -> list[str]:
    return [event["name"] for event in events if event["event"] == "followup"]


# No verified user: nothing about existing tickets, and why


def expired_token() -> str:
    return token_for(lifetime=timedelta(hours=1), now=datetime.now(timezone.utc) - timedelta(hours=2))


def tokenless_claims() -> str:
    return jwt.encode({"exp": datetime.now(timezone.utc) + timedelta(hours=1)}, SECRET, algorithm="HS256")


REFUSALS = {
    "missing": lambda: None,
    "expired": expired_token,
    "invalid": lambda: token_for(secret="someone-elses-secret-of-enough-length"),
    "incomplete": tokenless_claims,
    "unconfigured": token_for,
}
USER_ACTIONS = [
    (ActionTicketStatus(), "what's the status of HLP-0001", "ticket_status"),
    (ActionTicketStatus(), "status of my ticket", "ticket_status"),
    (ActionMyTickets(), "show my tickets", "my_tickets"),
    (ActionStartFollowup(), "add details to HLP-0001", "add_details"),
    (ActionStartFollowup(), "escalate HLP-0001 to S0", "escalate"),
    (ActionStartFollowup(), "close HLP-0001", "close_ticket"),
]


@pytest.mark.parametrize("reason", sorted(REFUSALS))
@pytest.mark.parametrize("action, text, intent", USER_ACTIONS, ids=lambda v: v if isinstance(v, str) else v.name())
def test_without_a_verified_user_no_ticket_is_shown_and_the_reason_is_given(
    message, run, monkeypatch, reason, action, text, intent
):
    file_ticket()
    if reason == "unconfigured":
        monkeypatch.delenv("HELPDESK_IDENTITY_SECRET")
        restart_actions()

    events, dispatcher = run(action, message(text, intent, token=REFUSALS[reason]()))

    [said] = texts(dispatcher)
    assert said.startswith(f"I can't show existing tickets: {REASONS[reason]}. ")
    assert HOW_TO_GET_ACCESS in said
    assert "HLP-0001" not in said and "Analytics" not in said
    assert buttons(dispatcher) == [("File a ticket", "/file_ticket")]
    assert events == []


@pytest.mark.parametrize("reason", ["missing", "expired", "invalid"])
@pytest.mark.parametrize(
    "action", [ActionAddComment(), ActionChangeSeverity(), ActionCloseTicket()], ids=lambda a: a.name()
)
def test_without_a_verified_user_a_finished_form_changes_nothing(message, run, reason, action):
    ticket = file_ticket()
    slots = {
        "followup_ref": ticket.reference,
        "comment_text": "more",
        "new_severity": "S0",
        "escalation_reason": "urgent",
        "close_confirmed": "yes",
    }

    events, dispatcher = run(action, message("yes", "affirm", slots=slots, token=REFUSALS[reason]()))

    assert REASONS[reason] in texts(dispatcher)[0]
    assert stored(ticket.reference) == ticket
    assert slot_sets(events) == dict.fromkeys(FOLLOWUP_SLOTS)


def test_the_widgets_user_claim_without_a_token_grants_no_access(message, run):
    file_ticket()

    _, dispatcher = run(ActionMyTickets(), message("my tickets", "my_tickets", token=None, user=SIGNED_IN_USER))

    assert texts(dispatcher)[0].startswith(f"I can't show existing tickets: {REASONS['missing']}.")


def test_the_widgets_user_claim_still_fills_in_the_requester_of_a_new_ticket(message, run):
    events, _ = run(
        ActionStartTicket(), message("I want to file a ticket", "file_ticket", token=None, user=SIGNED_IN_USER)
    )

    assert slot_sets(events)["requester_email"] == PRIYA


def test_a_token_for_someone_else_is_not_overridden_by_the_widgets_claim(message, run):
    file_ticket(PRIYA)

    _, dispatcher = run(
        ActionMyTickets(), message("my tickets", "my_tickets", token=token_for(RAJ), user=SIGNED_IN_USER)
    )

    assert texts(dispatcher) == ["You have no open tickets."]


# Someone else's ticket reads exactly like one that does not exist


@pytest.mark.parametrize("typed", [str.upper, str.lower], ids=["upper", "lower"])
def test_status_of_someone_elses_ticket_reads_exactly_like_a_missing_one(message, run, typed):
    file_ticket(PRIYA, title="Priya's own", filed=MON_10)

    def ask(reference):
        events, dispatcher = run(
            ActionTicketStatus(),
            message(f"status of {typed(reference)}", "ticket_status", entities=ref(typed(reference))),
        )
        return events, dispatcher.messages

    before = ask("HLP-0002")
    other = file_ticket(RAJ, title="Raj's secret project")
    assert other.reference == "HLP-0002"

    assert ask("HLP-0002") == before
    assert without("HLP-0002", ask("HLP-0002")) == without("HLP-0003", ask("HLP-0003"))
    assert texts_of(before[1]) == ["I couldn't find a ticket HLP-0002 for you. Did you mean HLP-0001 (Priya's own)?"]
    assert "Raj" not in json.dumps(before)


@pytest.mark.parametrize("intent", ["add_details", "escalate", "close_ticket"])
def test_following_up_on_someone_elses_ticket_reads_exactly_like_a_missing_one(message, run, intent):
    file_ticket(RAJ)

    outputs = {
        reference: run(ActionStartFollowup(), message(f"{intent} {reference} S0", intent, entities=ref(reference)))
        for reference in ("HLP-0001", "HLP-0042")
    }

    def whole(reference):
        events, dispatcher = outputs[reference]
        return events, dispatcher.messages

    assert without("HLP-0001", whole("HLP-0001")) == without("HLP-0042", whole("HLP-0042"))
    events, dispatcher = outputs["HLP-0001"]
    assert events == [] and followups(events) == []
    assert texts(dispatcher)[0].startswith("I couldn't find a ticket HLP-0001 for you.")


# Status


def test_status_by_reference_shows_status_severity_filed_due_overdue_and_last_update(message, run, clock):
    ticket = file_ticket(severity="S2", filed=WED_11)
    clock(datetime(2025, 3, 12, 16, 30, tzinfo=IST))

    _, dispatcher = run(ActionTicketStatus(), message("status of HLP-0001", "ticket_status", entities=ref("HLP-0001")))

    assert texts(dispatcher) == [
        "HLP-0001: Analytics report won't download\n"
        "• Status: open, waiting for support\n"
        "• Severity: S2 (Medium)\n"
        "• Filed: Wed 12 Mar, 11:00 IST\n"
        "• First response due: Wed 12 Mar, 15:00 IST (overdue by 1 hour 30 minutes)\n"
        "• Support: no response yet\n"
        "• Last update: filed, Wed 12 Mar, 11:00 IST\n"
        "I'm sorry: support has not answered HLP-0001 in the promised time. I can raise it to S0 (Blocker), "
        "which reaches the support team at once and around the clock, or ask for a person."
    ]
    assert buttons(dispatcher) == [
        ("Raise to S0", '/escalate{"ticket_ref": "HLP-0001", "severity": "S0"}'),
        ("Talk to a person", '/talk_to_human{"ticket_ref": "HLP-0001"}'),
    ]
    assert ticket.reference == "HLP-0001"


def test_status_after_support_responded_says_when_and_nothing_is_overdue(message, run, clock):
    file_ticket(severity="S2", filed=WED_11)
    actions.runtime.store().record_first_response(
        "HLP-0001", datetime(2025, 3, 12, 14, 0, tzinfo=IST), "meera@haptik.ai"
    )
    clock(datetime(2025, 3, 12, 16, 30, tzinfo=IST))

    _, dispatcher = run(ActionTicketStatus(), message("status of HLP-0001", "ticket_status", entities=ref("HLP-0001")))

    text = texts(dispatcher)[0]
    assert "• Support: responded Wed 12 Mar, 14:00 IST" in text
    assert "overdue" not in text and "sorry" not in text.lower()


def test_a_response_time_alert_is_not_a_response_from_support(message, run, clock):
    file_ticket(severity="S2", filed=WED_11)
    actions.runtime.store().raise_sla_alert(
        "HLP-0001", "sla_breached", datetime(2025, 3, 12, 15, 0, tzinfo=IST), "response-time watch"
    )
    clock(datetime(2025, 3, 12, 16, 30, tzinfo=IST))

    _, dispatcher = run(ActionTicketStatus(), message("status of HLP-0001", "ticket_status", entities=ref("HLP-0001")))

    assert "• Support: no response yet" in texts(dispatcher)[0]


def test_status_before_the_due_time_is_not_overdue(message, run, clock):
    file_ticket(severity="S2", filed=WED_11)
    clock(datetime(2025, 3, 12, 14, 59, tzinfo=IST))

    _, dispatcher = run(ActionTicketStatus(), message("status of HLP-0001", "ticket_status", entities=ref("HLP-0001")))

    assert "• First response due: Wed 12 Mar, 15:00 IST (1 minute from now)\n" in texts(dispatcher)[0]
    assert "overdue" not in texts(dispatcher)[0]


def test_a_reference_typed_without_an_entity_is_found(message, run):
    file_ticket()

    _, dispatcher = run(ActionTicketStatus(), message("any news on hlp-0001?", "ticket_status"))

    assert texts(dispatcher)[0].startswith("HLP-0001: Analytics report won't download\n")


def test_a_status_change_made_with_the_cli_shows_in_the_next_status_answer(message, run, ticket_db, clock):
    file_ticket()
    clock(datetime(2025, 3, 12, 16, 30, tzinfo=IST))

    assert helpdesk.cli.main(["tickets", "set-status", "HLP-0001", "in_progress"]) == 0
    _, dispatcher = run(ActionTicketStatus(), message("status of HLP-0001", "ticket_status", entities=ref("HLP-0001")))

    said = texts(dispatcher)[0]
    assert "• Status: in progress with support\n" in said
    assert "overdue" not in said, "support is on it"
    assert "• Last update: status changed, " in said


def test_status_without_a_reference_and_one_open_ticket_shows_that_one(message, run):
    file_ticket(title="Old and done", filed=MON_10, status="closed")
    file_ticket(title="Report won't download", filed=TUE_10)
    file_ticket(RAJ, title="Not Priya's", filed=WED_11)

    _, dispatcher = run(ActionTicketStatus(), message("what's the status of my ticket", "ticket_status"))

    assert texts(dispatcher)[0].startswith("HLP-0002: Report won't download\n• Status: open, waiting for support\n")


def test_status_without_a_reference_and_several_open_tickets_asks_which(message, run):
    file_ticket(title="First", filed=MON_10)
    file_ticket(title="Second", filed=TUE_10, status="waiting_on_customer")
    file_ticket(title="Resolved one", filed=WED_11, status="resolved")

    _, dispatcher = run(ActionTicketStatus(), message("status of my ticket", "ticket_status"))

    assert texts(dispatcher) == ["Which ticket do you mean? Tap one, or tell me what it's about."]
    assert buttons(dispatcher) == [
        ("HLP-0002: Second", '/ticket_status{"ticket_ref": "HLP-0002"}'),
        ("HLP-0001: First", '/ticket_status{"ticket_ref": "HLP-0001"}'),
    ]


def test_status_without_a_reference_and_no_open_ticket_says_so(message, run):
    file_ticket(status="resolved")
    file_ticket(RAJ)

    _, dispatcher = run(ActionTicketStatus(), message("status of my ticket", "ticket_status"))

    assert texts(dispatcher) == ["You have no open tickets."]
    assert buttons(dispatcher) == [("File a ticket", "/file_ticket")]


def test_the_status_of_a_resolved_ticket_asked_by_reference_is_shown_without_follow_up_buttons(message, run):
    file_ticket(status="resolved")

    _, dispatcher = run(ActionTicketStatus(), message("status of HLP-0001", "ticket_status", entities=ref("HLP-0001")))

    assert "• Status: resolved\n" in texts(dispatcher)[0]
    assert buttons(dispatcher) == []


# My tickets


def test_my_tickets_lists_only_open_ones_newest_first_with_their_details(message, run):
    file_ticket(title="Report fails", severity="S2", filed=MON_10)
    file_ticket(title="Old question", severity="S3", filed=TUE_10, status="resolved")
    file_ticket(title="Transfer broken", severity="S1", filed=TUE_10 + timedelta(hours=1), status="in_progress")
    file_ticket(RAJ, title="Raj's ticket", filed=WED_11)
    file_ticket(title="Closed one", severity="S3", filed=WED_11, status="closed")

    _, dispatcher = run(ActionMyTickets(), message("show my tickets", "my_tickets"))

    assert texts(dispatcher) == [
        "Your open tickets, newest first:\n"
        "• HLP-0003: Transfer broken (S1, in progress with support, first response due Tue 11 Mar, 12:00 IST)\n"
        "• HLP-0001: Report fails (S2, open, waiting for support, first response due Mon 10 Mar, 14:00 IST)"
    ]
    assert buttons(dispatcher) == [
        ("Status of HLP-0003", '/ticket_status{"ticket_ref": "HLP-0003"}'),
        ("Status of HLP-0001", '/ticket_status{"ticket_ref": "HLP-0001"}'),
    ]


def test_my_tickets_with_none_open_says_so(message, run):
    file_ticket(status="closed")

    _, dispatcher = run(ActionMyTickets(), message("show my tickets", "my_tickets"))

    assert texts(dispatcher) == ["You have no open tickets."]


def test_my_tickets_matches_the_email_whatever_its_capitals(message, run):
    file_ticket("Priya@Acme.Example")

    _, dispatcher = run(
        ActionMyTickets(), message("show my tickets", "my_tickets", token=token_for("PRIYA@acme.example"))
    )

    assert "HLP-0001" in texts(dispatcher)[0]


# Starting a follow-up


@pytest.mark.parametrize(
    "intent, form", [("add_details", "comment_form"), ("escalate", "escalation_form"), ("close_ticket", "close_form")]
)
def test_a_follow_up_on_the_only_open_ticket_opens_its_form(message, run, intent, form):
    file_ticket(status="closed", filed=MON_10)
    file_ticket(filed=TUE_10)

    events, dispatcher = run(
        ActionStartFollowup(), message("about my ticket", intent, slots={"rejected_answers": {"new_severity": 2}})
    )

    assert followups(events) == [form]
    assert events[-1] == {"event": "followup", "timestamp": None, "name": form}
    assert slot_sets(events) == {**dict.fromkeys(FOLLOWUP_SLOTS), "followup_ref": "HLP-0002", "focus_ref": "HLP-0002"}
    assert texts(dispatcher) == []


def test_a_follow_up_by_reference_opens_the_form_for_that_ticket(message, run):
    file_ticket(filed=MON_10)
    file_ticket(filed=TUE_10)

    events, _ = run(ActionStartFollowup(), message("close hlp-0001", "close_ticket"))

    assert slot_sets(events)["followup_ref"] == "HLP-0001"
    assert followups(events) == ["close_form"]


def test_an_escalation_naming_a_level_prefills_it(message, run):
    file_ticket()

    events, _ = run(
        ActionStartFollowup(),
        message("escalate HLP-0001 to S0", "escalate", entities=[*ref("HLP-0001"), entity("severity", "S0")]),
    )

    assert slot_sets(events)["new_severity"] == "S0"
    assert followups(events) == ["escalation_form"]


def test_an_escalation_typing_a_level_prefills_it(message, run):
    file_ticket()

    events, _ = run(ActionStartFollowup(), message("please make my ticket s1", "escalate"))

    assert slot_sets(events)["new_severity"] == "S1"


def test_an_escalation_without_a_level_leaves_it_to_the_form(message, run):
    file_ticket()

    events, _ = run(ActionStartFollowup(), message("escalate HLP-0001", "escalate", entities=ref("HLP-0001")))

    assert slot_sets(events)["new_severity"] is None


def test_an_unknown_reference_is_not_found_and_opens_no_form(message, run):
    file_ticket()

    events, dispatcher = run(
        ActionStartFollowup(), message("add details to HLP-0077", "add_details", entities=ref("HLP-0077"))
    )

    assert events == []
    assert texts(dispatcher) == [
        "I couldn't find a ticket HLP-0077 for you. Check the reference, or ask for your tickets to see them all."
    ]
    assert buttons(dispatcher) == [("My tickets", "/my_tickets")]


def test_several_open_tickets_and_no_reference_asks_which_for_the_same_request(message, run):
    file_ticket(title="First", filed=MON_10)
    file_ticket(title="Second", filed=TUE_10)

    events, dispatcher = run(ActionStartFollowup(), message("escalate my ticket", "escalate"))

    assert slot_sets(events) == {"followup_request": "escalate", "offered_tickets": ["HLP-0002", "HLP-0001"]}
    assert followups(events) == []
    assert buttons(dispatcher) == [
        ("HLP-0002: Second", '/escalate{"ticket_ref": "HLP-0002"}'),
        ("HLP-0001: First", '/escalate{"ticket_ref": "HLP-0001"}'),
    ]


def test_no_open_ticket_and_no_reference_opens_no_form(message, run):
    file_ticket(status="resolved")

    events, dispatcher = run(ActionStartFollowup(), message("add a screenshot to my ticket", "add_details"))

    assert events == []
    assert texts(dispatcher) == ["You have no open tickets."]


# The forms' questions


def test_the_severity_question_names_the_current_level_and_offers_every_level(message, run):
    file_ticket(severity="S2")

    _, dispatcher = run(ActionAskNewSeverity(), message("escalate", "escalate", slots={"followup_ref": "HLP-0001"}))

    assert texts(dispatcher) == ["HLP-0001 is S2 (Medium). Which level should it be?"]
    assert buttons(dispatcher) == [
        ("S0 (Blocker): first response within 1 hour, 24x7", '/inform{"severity": "S0"}'),
        ("S1 (High): first response within 1 hour during business hours", '/inform{"severity": "S1"}'),
        ("S2 (Medium): first response within 4 hours during business hours", '/inform{"severity": "S2"}'),
        ("S3 (Low): first response within 4 hours during business hours", '/inform{"severity": "S3"}'),
    ]


def test_the_severity_question_says_nothing_about_someone_elses_ticket(message, run):
    file_ticket(RAJ, severity="S0")

    _, dispatcher = run(ActionAskNewSeverity(), message("escalate", "escalate", slots={"followup_ref": "HLP-0001"}))

    assert texts(dispatcher) == ["Which level should it be?"]


def test_the_close_question_names_the_ticket_and_asks_for_a_yes_or_no(message, run):
    file_ticket()

    _, dispatcher = run(
        ActionAskCloseConfirmed(), message("close it", "close_ticket", slots={"followup_ref": "HLP-0001"})
    )

    assert texts(dispatcher) == ["Close HLP-0001 (Analytics report won't download)? Support stops working on it."]
    assert buttons(dispatcher) == [("Yes, close it", "/affirm"), ("No, keep it open", "/deny")]


# Validation of the answers


def validate(message, run, action, form, slot, value, text=None, intent="inform", **kwargs):
    tracker = message(
        value if text is None else text,
        intent,
        form=form,
        requested_slot=slot,
        answering={slot: value},
        slots={"followup_ref": "HLP-0001", **kwargs.pop("slots", {})},
        **kwargs,
    )
    events, dispatcher = run(action, tracker)
    return slot_sets(events), texts(dispatcher)


def test_details_are_kept_verbatim(message, run):
    detail = "  Also fails for https://acme.example/report?id=7&range=week — see the attached log.  "

    slots, said = validate(message, run, ValidateCommentForm(), "comment_form", "comment_text", detail)

    assert slots == {"comment_text": detail.strip()}
    assert said == []


@pytest.mark.parametrize("empty", ["", "   "])
def test_empty_details_are_refused_with_a_reason(message, run, empty):
    slots, said = validate(message, run, ValidateCommentForm(), "comment_form", "comment_text", empty)

    assert slots == {"comment_text": None, "rejected_answers": {"comment_text": 1}}
    assert said == ["What should I add to the ticket?"]


def test_a_slot_cleared_by_the_start_of_the_follow_up_is_refused_silently(message, run):
    slots, said = validate(
        message, run, ValidateCommentForm(), "comment_form", "comment_text", None, text="add details"
    )

    assert slots == {"comment_text": None}
    assert said == []


def test_the_third_refusal_gives_up_and_leaves_the_ticket(message, run):
    slots, said = validate(
        message,
        run,
        ValidateCommentForm(),
        "comment_form",
        "comment_text",
        " ",
        slots={"rejected_answers": {"comment_text": 2}},
    )

    assert slots["requested_slot"] is None and slots["followup_ref"] is None
    assert said == [
        "I couldn't follow, so I've left the ticket as it was. You can also email support at support@haptik.ai."
    ]


@pytest.mark.parametrize(
    "value, text, entities, expected",
    [
        ("S2", "S2", [entity("severity", "S2")], "S2"),
        ("S0", "it's a blocker", [entity("severity", "S0", "blocker")], "S0"),
        ("s1", "s1", [], "S1"),
        ("make it S 3 please", "make it S 3 please", [], "S3"),
    ],
)
def test_the_new_level_is_read_from_the_entity_or_the_text(message, run, value, text, entities, expected):
    slots, said = validate(
        message, run, ValidateEscalationForm(), "escalation_form", "new_severity", value, text=text, entities=entities
    )

    assert slots == {"new_severity": expected}
    assert said == []


@pytest.mark.parametrize("text", ["very bad", "it's 2 pm", "S9"])
def test_an_unreadable_level_is_refused(message, run, text):
    slots, said = validate(message, run, ValidateEscalationForm(), "escalation_form", "new_severity", text)

    assert slots == {"new_severity": None, "rejected_answers": {"new_severity": 1}}
    assert said == ["Please pick a level from the buttons."]


def test_an_empty_reason_for_the_escalation_is_refused(message, run):
    slots, said = validate(message, run, ValidateEscalationForm(), "escalation_form", "escalation_reason", " ")

    assert slots["escalation_reason"] is None
    assert said == ["A few words on why, please."]


@pytest.mark.parametrize(
    "text, intent, expected",
    [("yes", "affirm", "yes"), ("/affirm", "affirm", "yes"), ("no", "deny", "no"), ("/deny", "deny", "no")],
)
def test_the_close_confirmation_is_read_from_affirm_or_deny(message, run, text, intent, expected):
    slots, said = validate(message, run, ValidateCloseForm(), "close_form", "close_confirmed", text, intent=intent)

    assert slots == {"close_confirmed": expected}
    assert said == []


def test_a_close_confirmation_that_is_neither_is_refused(message, run):
    slots, said = validate(message, run, ValidateCloseForm(), "close_form", "close_confirmed", "hmm", intent="inform")

    assert slots["close_confirmed"] is None
    assert said == ["Shall I close it? Yes or no."]


# Adding details


def test_details_are_added_to_the_history_verbatim_with_the_time(message, run):
    detail = "It also fails for https://acme.example/report?id=7&range=week — log: https://paste.example/a1"
    file_ticket()

    events, dispatcher = run(
        ActionAddComment(), message(detail, "inform", slots={"followup_ref": "HLP-0001", "comment_text": detail})
    )

    last = stored("HLP-0001").history[-1]
    assert (last.kind, last.detail["text"], last.at, last.author) == ("comment_added", detail, WED_NOON, PRIYA)
    assert texts(dispatcher) == [
        "Added to HLP-0001 (Analytics report won't download). Support sees it in the ticket's history."
    ]
    assert slot_sets(events) == dict.fromkeys(FOLLOWUP_SLOTS)


# Changing the severity


def escalate(message, run, level, reason="the whole shop is down now", reference="HLP-0001", **kwargs):
    slots = {"followup_ref": reference, "new_severity": level, "escalation_reason": reason}
    return run(ActionChangeSeverity(), message(reason, "inform", slots=slots, **kwargs))


def test_raising_the_severity_records_the_level_and_a_due_time_counted_from_now(message, run):
    file_ticket(severity="S2", filed=WED_11)

    events, dispatcher = escalate(message, run, "S1")

    ticket = stored("HLP-0001")
    due = sla.due_at("S1", WED_NOON, actions.runtime.policy())
    assert (ticket.final_severity, ticket.due_at) == ("S1", due)
    last = ticket.history[-1]
    assert (last.kind, last.at, last.author) == ("severity_changed", WED_NOON, PRIYA)
    assert {**last.detail, "due_at": datetime.fromisoformat(last.detail["due_at"])} == {
        "from": "S2",
        "to": "S1",
        "reason": "the whole shop is down now",
        "due_at": due,
    }
    assert texts(dispatcher)[0].startswith(
        "HLP-0001 is raised from S2 (Medium) to S1 (High). "
        "First response within 1 hour during business hours, counted from now: by Wed 12 Mar, 13:00 IST."
    )
    assert slot_sets(events) == dict.fromkeys(FOLLOWUP_SLOTS)


def test_lowering_the_severity_is_allowed(message, run, clock):
    file_ticket(severity="S1", filed=WED_11)
    clock(datetime(2025, 3, 12, 16, 0, tzinfo=IST))

    _, dispatcher = escalate(message, run, "S3", reason="found a workaround")

    ticket = stored("HLP-0001")
    assert (ticket.final_severity, ticket.due_at) == ("S3", datetime(2025, 3, 13, 11, 0, tzinfo=IST))
    assert texts(dispatcher)[0].startswith("HLP-0001 is lowered from S1 (High) to S3 (Low). ")
    assert "by Thu 13 Mar, 11:00 IST." in texts(dispatcher)[0]


def test_the_same_level_changes_nothing(message, run):
    before = file_ticket(severity="S2")

    _, dispatcher = escalate(message, run, "S2")

    assert stored("HLP-0001") == before
    assert texts(dispatcher) == ["HLP-0001 is already S2 (Medium); nothing changed."]


def test_an_s0_escalation_on_a_saturday_says_s0_is_worked_24x7(message, run, clock):
    file_ticket(severity="S2", filed=SAT_11)
    clock(SAT_NOON)

    _, dispatcher = escalate(message, run, "S0", reason="all chats are failing")

    assert stored("HLP-0001").due_at == datetime(2025, 3, 15, 13, 0, tzinfo=IST)
    said = texts(dispatcher)[0]
    assert "within 1 hour, 24x7, counted from now: by Sat 15 Mar, 13:00 IST." in said
    assert "Support is outside business hours right now, but S0 is worked 24x7, so someone is on it." in said


# Closing


def test_confirming_closes_the_ticket(message, run):
    file_ticket()

    events, dispatcher = run(
        ActionCloseTicket(), message("yes", "affirm", slots={"followup_ref": "HLP-0001", "close_confirmed": "yes"})
    )

    ticket = stored("HLP-0001")
    assert ticket.status == "closed"
    assert (ticket.history[-1].kind, ticket.history[-1].detail["from"], ticket.history[-1].detail["to"]) == (
        "status_changed",
        "open",
        "closed",
    )
    assert texts(dispatcher)[0].startswith("Done: HLP-0001 is closed.")
    assert slot_sets(events) == dict.fromkeys(FOLLOWUP_SLOTS)


def test_declining_keeps_the_ticket_open(message, run):
    before = file_ticket()

    _, dispatcher = run(
        ActionCloseTicket(), message("no", "deny", slots={"followup_ref": "HLP-0001", "close_confirmed": "no"})
    )

    assert stored("HLP-0001") == before
    assert texts(dispatcher) == ["OK, HLP-0001 stays open."]


def test_cancelling_a_follow_up_clears_it(message, run):
    events, dispatcher = run(ActionCancelFollowup(), message("cancel", "cancel", slots={"followup_ref": "HLP-0001"}))

    assert slot_sets(events) == dict.fromkeys(FOLLOWUP_SLOTS)
    assert texts(dispatcher) == ["OK, I've left the ticket as it was."]


# The finishing actions check ownership again


FINISHED_FORMS = {
    "comment": (ActionAddComment(), {"comment_text": "hijack"}),
    "severity": (ActionChangeSeverity(), {"new_severity": "S0", "escalation_reason": "mine now"}),
    "close": (ActionCloseTicket(), {"close_confirmed": "yes"}),
}


@pytest.mark.parametrize("form", sorted(FINISHED_FORMS))
def test_a_followup_ref_pointing_at_someone_elses_ticket_changes_nothing(message, run, form):
    action, answers = FINISHED_FORMS[form]
    others = file_ticket(RAJ, severity="S2", title="Raj's secret project")

    outputs = {
        reference: run(action, message("yes", "affirm", slots={"followup_ref": reference, **answers}))
        for reference in ("HLP-0001", "HLP-0404")
    }

    assert stored("HLP-0001") == others
    events, dispatcher = outputs["HLP-0001"]
    assert slot_sets(events) == dict.fromkeys(FOLLOWUP_SLOTS)
    assert without("HLP-0001", (events, dispatcher.messages)) == without(
        "HLP-0404", (outputs["HLP-0404"][0], outputs["HLP-0404"][1].messages)
    )
    assert "Raj" not in json.dumps(dispatcher.messages) and "HLP-0001" not in json.dumps(dispatcher.messages)


# Talking to a person


def handoff_tracker(message, **kwargs):
    tracker = message("can I talk to a person?", "talk_to_human", **kwargs)
    listen = next(i for i, event in enumerate(tracker.events) if event["event"] == "user")
    tracker.events[listen:listen] = [
        {"event": "user", "text": "the report still fails", "metadata": {}},
        {"event": "bot", "text": "Sorry to hear that."},
    ]
    return tracker


def test_inside_business_hours_a_person_takes_over_the_open_ticket_with_the_transcript(message, run):
    file_ticket(severity="S2", filed=WED_11)

    _, dispatcher = run(ActionTalkToHuman(), handoff_tracker(message))

    last = stored("HLP-0001").history[-1]
    assert (last.kind, last.at, last.author) == ("handoff_requested", WED_NOON, "assistant")
    assert last.detail["transcript"] == (
        "User: the report still fails\nAssistant: Sorry to hear that.\nUser: can I talk to a person?"
    )
    assert texts(dispatcher) == [
        "I've asked the support team to take over HLP-0001 (Analytics report won't download) in person, with our "
        "conversation attached. A support engineer will reply to priya@acme.example by Wed 12 Mar, 16:00 IST."
    ]


def test_a_handoff_goes_to_the_ticket_named_not_the_latest(message, run):
    file_ticket(severity="S2", filed=MON_10, title="Typo in the FAQ bot")
    file_ticket(severity="S2", filed=TUE_10, title="Analytics export fails")
    file_ticket(severity="S0", filed=WED_11, title="Chats not assigned")

    _, dispatcher = run(ActionTalkToHuman(), message("talk to a human about hlp 1", "talk_to_human"))

    assert stored("HLP-0001").history[-1].kind == "handoff_requested"
    assert [len(stored(r).history) for r in ("HLP-0002", "HLP-0003")] == [1, 1]
    assert texts(dispatcher)[0].startswith(
        "I've asked the support team to take over HLP-0001 (Typo in the FAQ bot) in person"
    )


def test_outside_business_hours_the_named_ticket_is_handed_over_never_swapped_for_an_s0(message, run, clock):
    file_ticket(severity="S0", filed=SAT_11, title="Chats not assigned")
    file_ticket(severity="S3", filed=SAT_11 + timedelta(minutes=30), title="Typo in a label")
    clock(SAT_NOON)

    events, dispatcher = run(
        ActionTalkToHuman(), message("can a person look at HLP-0002?", "talk_to_human", entities=ref("HLP-0002"))
    )

    assert len(stored("HLP-0001").history) == 1
    assert stored("HLP-0002").history[-1].kind == "handoff_requested"
    assert texts(dispatcher) == [
        "I've asked the support team to take over HLP-0002 (Typo in a label) in person, with our conversation attached. "
        "Support is closed right now: a person picks up HLP-0002 when support opens, Mon 17 Mar, 09:00 IST, and replies "
        "to priya@acme.example by Mon 17 Mar, 13:00 IST. If it can't wait, I can raise it to S0 (Blocker), which is worked 24x7."
    ]
    assert buttons(dispatcher) == [("Raise HLP-0002 to S0", '/escalate{"ticket_ref": "HLP-0002", "severity": "S0"}')]
    assert slot_sets(events) == {"focus_ref": "HLP-0002"}


def test_outside_business_hours_an_open_s0_ticket_is_answered_within_the_hour(message, run, clock):
    file_ticket(severity="S0", filed=SAT_11)
    clock(SAT_NOON)

    _, dispatcher = run(ActionTalkToHuman(), handoff_tracker(message))

    assert stored("HLP-0001").history[-1].kind == "handoff_requested"
    assert texts(dispatcher)[0].endswith(
        "A support engineer will reply to priya@acme.example by Sat 15 Mar, 13:00 IST."
    )


def test_right_after_filing_a_person_is_asked_for_on_the_ticket_just_filed(message, run):
    file_ticket(severity="S2", filed=MON_10, title="Older one")
    file_ticket(severity="S3", filed=WED_11, title="Button label has a typo")
    file_ticket(severity="S2", filed=WED_11, title="Another open one")

    tracker = message(
        "can I talk to a real person about this now?", "talk_to_human", slots={"last_ticket_ref": "HLP-0002"}
    )
    tracker.events.insert(2, {"event": "slot", "name": "last_ticket_ref", "value": "HLP-0002"})
    _, dispatcher = run(ActionTalkToHuman(), tracker)

    assert stored("HLP-0002").history[-1].kind == "handoff_requested"
    assert texts(dispatcher)[0].startswith(
        "I've asked the support team to take over HLP-0002 (Button label has a typo)"
    )


def test_several_open_tickets_and_none_meant_asks_which_with_their_titles(message, run):
    file_ticket(title="Typo in the FAQ bot", filed=MON_10)
    file_ticket(title="Analytics export fails", filed=TUE_10)

    events, dispatcher = run(ActionTalkToHuman(), handoff_tracker(message))

    assert texts(dispatcher) == ["Which ticket do you mean? Tap one, or tell me what it's about."]
    assert buttons(dispatcher) == [
        ("HLP-0002: Analytics export fails", '/talk_to_human{"ticket_ref": "HLP-0002"}'),
        ("HLP-0001: Typo in the FAQ bot", '/talk_to_human{"ticket_ref": "HLP-0001"}'),
    ]
    assert [len(stored(r).history) for r in ("HLP-0001", "HLP-0002")] == [1, 1]
    assert slot_sets(events)["followup_request"] == "talk_to_human"


def test_a_handoff_on_a_closed_ticket_offers_to_reopen_it(message, run):
    before = file_ticket(status="closed")

    _, dispatcher = run(
        ActionTalkToHuman(), message("talk to a human about HLP-0001", "talk_to_human", entities=ref("HLP-0001"))
    )

    assert stored("HLP-0001") == before
    assert texts(dispatcher)[0].startswith(
        "HLP-0001 (Analytics report won't download) is closed, so nobody is working on it."
    )
    assert buttons(dispatcher)[0] == ("Reopen it", '/reopen_ticket{"ticket_ref": "HLP-0001"}')


def test_outside_business_hours_without_a_ticket_says_when_support_opens(message, run, clock):
    before = file_ticket(severity="S2", filed=SAT_11, status="closed")
    clock(SAT_NOON)

    _, dispatcher = run(ActionTalkToHuman(), handoff_tracker(message))

    assert stored("HLP-0001") == before
    said = texts(dispatcher)[0]
    assert said.startswith("Support is closed right now; people are back Mon 17 Mar, 09:00 IST. ")
    assert "You can email support@haptik.ai, or file a ticket now" in said
    assert buttons(dispatcher) == [("File a ticket", "/file_ticket")]


def test_inside_business_hours_without_a_ticket_offers_to_file_one(message, run):
    file_ticket(status="closed")

    _, dispatcher = run(ActionTalkToHuman(), handoff_tracker(message))

    assert texts(dispatcher) == [
        "A person from support can help best with a ticket that has the details. Shall I file one? Or email support at support@haptik.ai."
    ]
    assert buttons(dispatcher) == [("File a ticket", "/file_ticket")]


def test_an_unverified_user_is_never_handed_over_on_an_existing_ticket(message, run):
    before = file_ticket()

    _, dispatcher = run(ActionTalkToHuman(), handoff_tracker(message, token=None))

    assert stored("HLP-0001") == before
    assert texts(dispatcher)[0].startswith("A person from support can help best with a ticket")


# Two signed-in users of one account: Priya and Anil both work for Acme Retail. Each only
# ever reaches their own tickets, through every path below.

ANIL = "anil@acme.example"


def as_anil(**kwargs: Any) -> dict[str, Any]:
    return {"token": token_for(ANIL, name="Anil", account="Acme Retail"), **kwargs}


def shared_account() -> dict[str, Ticket]:
    """Priya's two open tickets and a closed one, Anil's open one, filed in this order."""
    return {
        "typo": file_ticket(PRIYA, title="Typo in the FAQ bot's welcome message", filed=MON_10),
        "analytics": file_ticket(PRIYA, title="Analytics export is empty", filed=TUE_10),
        "closed": file_ticket(PRIYA, title="WhatsApp replies delayed", filed=TUE_10, status="closed"),
        "anils": file_ticket(ANIL, title="Broadcast campaign stuck", filed=WED_11),
    }


def with_focus(tracker, reference: str):
    """The conversation was about `reference` (shown or filed) before this message."""
    tracker.events.insert(2, {"event": "slot", "name": "last_ticket_ref", "value": reference})
    return tracker


# References as people type them


@pytest.mark.parametrize(
    "text, intent",
    [
        ("status of hlp 2", "ticket_status"),
        ("HPL-0002?", "ticket_status"),
        ("and 0002?", "ticket_status"),
        ("hlp0002 status", "ticket_status"),
        ("what about HLP-2", "inform"),
    ],
)
def test_a_reference_typed_loosely_finds_the_users_ticket(message, run, text, intent):
    shared_account()

    events, dispatcher = run(ActionTicketStatus(), message(text, intent))

    assert texts(dispatcher)[0].startswith("HLP-0002: Analytics export is empty\n")
    assert slot_sets(events) == {"focus_ref": "HLP-0002"}


def test_a_near_miss_suggests_only_the_users_own_tickets(message, run):
    shared_account()

    def ask(reference):
        _, dispatcher = run(ActionTicketStatus(), message(f"status of {reference}", "ticket_status"))
        return dispatcher.messages

    assert texts_of(ask("HLP-0030")) == [
        "I couldn't find a ticket HLP-0030 for you. Did you mean HLP-0003 (WhatsApp replies delayed)?"
    ]
    assert without("HLP-0040", ask("HLP-0040")) == without("HLP-0050", ask("HLP-0050")), (
        "Anil's HLP-0004 is no suggestion"
    )
    assert "HLP-0004" not in json.dumps(ask("HLP-0040"))


def test_another_users_ticket_on_the_same_account_reads_like_a_missing_one(message, run):
    shared_account()

    def ask(reference):
        _, dispatcher = run(ActionTicketStatus(), message(f"status of {reference}", "ticket_status", **as_anil()))
        return dispatcher.messages

    assert without("HLP-0001", ask("HLP-0001")) == without("HLP-0007", ask("HLP-0007"))
    assert texts_of(ask("HLP-0001")) == [
        "I couldn't find a ticket HLP-0001 for you. Did you mean HLP-0004 (Broadcast campaign stuck)?"
    ]


@pytest.mark.parametrize(
    "token", [expired_token, lambda: token_for(secret="forged-secret-of-enough-length-here")], ids=["expired", "forged"]
)
def test_a_forged_or_expired_token_with_spoofed_metadata_reaches_no_ticket(message, run, token):
    shared_account()

    _, dispatcher = run(
        ActionTicketStatus(),
        message(
            "status of hlp 2",
            "ticket_status",
            token=token(),
            user={"email": PRIYA, "name": "Priya", "account": "Acme Retail"},
        ),
    )

    assert "Analytics" not in json.dumps(dispatcher.messages)
    assert texts(dispatcher)[0].startswith("I can't show existing tickets:")


def test_a_reused_conversation_never_points_another_user_at_its_ticket(message, run):
    shared_account()

    tracker = with_focus(message("can I talk to a person about this?", "talk_to_human", **as_anil()), "HLP-0002")
    _, dispatcher = run(ActionTalkToHuman(), tracker)

    assert [len(stored(r).history) for r in ("HLP-0001", "HLP-0002")] == [1, 1]
    assert stored("HLP-0004").history[-1].kind == "handoff_requested"
    assert texts(dispatcher)[0].startswith(
        "I've asked the support team to take over HLP-0004 (Broadcast campaign stuck)"
    )


# The ticket the conversation is about, or a question with the user's tickets as buttons


def test_without_a_reference_the_ticket_just_filed_is_the_one_meant(message, run):
    shared_account()

    _, dispatcher = run(ActionTicketStatus(), with_focus(message("any update?", "ticket_status"), "HLP-0001"))

    assert texts(dispatcher)[0].startswith("HLP-0001: Typo in the FAQ bot's welcome message\n")


def test_a_ticket_described_in_the_request_is_the_one_meant(message, run):
    shared_account()

    _, dispatcher = run(
        ActionTicketStatus(), message("did anyone from support reply to my FAQ ticket yet?", "ticket_status")
    )

    assert texts(dispatcher)[0].startswith("HLP-0001: Typo in the FAQ bot's welcome message\n")
    assert "• Support: no response yet" in texts(dispatcher)[0]


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("the one about analytics", "HLP-0002"),
        ("the typo one", "HLP-0001"),
        ("the second one", "HLP-0001"),
        ("hlp 1", "HLP-0001"),
        ("0001", "HLP-0001"),
    ],
)
def test_a_pick_by_description_position_or_reference_carries_on_the_request(message, run, answer, expected):
    shared_account()
    asked = {"followup_request": "escalate", "offered_tickets": ["HLP-0002", "HLP-0001"]}

    events, _dispatcher = run(ActionChooseTicket(), message(answer, "inform", slots=asked))

    assert followups(events) == ["escalation_form"]
    assert slot_sets(events)["followup_ref"] == expected
    assert slot_sets(events)["followup_request"] is None


def test_a_bare_reference_answering_which_ticket_carries_on_the_request_not_a_status(message, run):
    shared_account()
    asked = {"followup_request": "close_ticket", "offered_tickets": ["HLP-0002", "HLP-0001"]}

    events, _dispatcher = run(ActionTicketStatus(), message("hlp 2", "inform", slots=asked))

    assert followups(events) == ["close_form"]
    assert slot_sets(events)["followup_ref"] == "HLP-0002"


def test_a_pick_never_reaches_another_users_ticket(message, run):
    shared_account()
    forged = {"followup_request": "close_ticket", "offered_tickets": ["HLP-0002", "HLP-0004"]}

    events, dispatcher = run(
        ActionChooseTicket(), message("the one about analytics", "nlu_fallback", slots=forged, **as_anil())
    )

    assert followups(events) == []
    assert texts(dispatcher) == ["I couldn't tell which of your tickets you mean. Tap one, or file a new ticket:"]
    assert buttons(dispatcher) == [
        ("HLP-0004: Broadcast campaign stuck", '/close_ticket{"ticket_ref": "HLP-0004"}'),
        ("File a ticket", "/file_ticket"),
    ]
    assert slot_sets(events) == {"followup_request": None}


def test_a_description_fitting_only_another_users_ticket_is_no_description(message, run):
    shared_account()
    file_ticket(ANIL, title="Login page is blank", filed=WED_11)

    _events, dispatcher = run(
        ActionTicketStatus(), message("any news on the analytics one?", "ticket_status", **as_anil())
    )

    assert "Analytics" not in json.dumps(dispatcher.messages)
    assert texts(dispatcher) == ["Which ticket do you mean? Tap one, or tell me what it's about."]


# One message: the request, the ticket and what to do with it


@pytest.mark.parametrize(
    "text, intent",
    [
        ("add to HLP-0002: also affecting our instagram bot", "add_details"),
        ("HLP-0002: also affecting our instagram bot", "ticket_status"),
        ("also affecting our instagram bot, add that to hlp 2", "add_details"),
    ],
)
def test_details_given_with_the_request_are_added_at_once(message, run, text, intent):
    shared_account()

    events, dispatcher = run(ActionStartFollowup(), message(text, intent))

    last = stored("HLP-0002").history[-1]
    assert (last.kind, last.detail["text"], last.author) == ("comment_added", "also affecting our instagram bot", PRIYA)
    assert followups(events) == []
    assert texts(dispatcher) == [
        "Added to HLP-0002 (Analytics export is empty). Support sees it in the ticket's history."
    ]


def test_add_that_points_at_the_problem_being_drafted(message, run):
    shared_account()

    _events, _dispatcher = run(
        ActionStartFollowup(),
        message(
            "no no, add that to HLP-0002, don't open a new one",
            "add_details",
            slots={"description": "exports are empty since monday"},
        ),
    )

    assert stored("HLP-0002").history[-1].detail["text"] == "exports are empty since monday"


def test_a_level_and_a_reason_in_one_message_change_the_severity_without_questions(message, run):
    shared_account()

    events, dispatcher = run(ActionStartFollowup(), message("make HLP-0002 S1, it now hits production too", "escalate"))

    ticket = stored("HLP-0002")
    assert (ticket.final_severity, ticket.history[-1].detail["reason"]) == ("S1", "it now hits production too")
    assert ticket.due_at == sla.due_at("S1", WED_NOON, actions.runtime.policy())
    assert followups(events) == []
    assert texts(dispatcher)[0].startswith("HLP-0002 is raised from S2 (Medium) to S1 (High).")


def test_a_level_without_a_reason_asks_only_for_the_reason(message, run):
    shared_account()

    events, _ = run(ActionStartFollowup(), message("change HLP-0002 to S1", "escalate"))

    assert followups(events) == ["escalation_form"]
    assert (slot_sets(events)["new_severity"], slot_sets(events)["escalation_reason"]) == ("S1", None)


@pytest.mark.parametrize("text, intent", [("yes", "affirm"), ("no", "deny"), ("ok sure", "affirm")])
def test_a_yes_or_no_is_never_taken_as_a_reason(message, run, text, intent):
    slots, said = validate(
        message, run, ValidateEscalationForm(), "escalation_form", "escalation_reason", text, intent=intent
    )

    assert slots["escalation_reason"] is None
    assert said == ["A few words on why, please."]


# Several requests in one message


def test_one_request_about_two_tickets_answers_both(message, run):
    shared_account()

    _, dispatcher = run(ActionTicketStatus(), message("status of HLP-0003 and also hlp 1", "ticket_status"))

    assert [t.split("\n")[0] for t in texts(dispatcher)] == [
        "HLP-0003: WhatsApp replies delayed",
        "HLP-0001: Typo in the FAQ bot's welcome message",
    ]


def test_two_requests_do_what_they_can_and_leave_the_rest_as_buttons(message, run):
    shared_account()

    events, dispatcher = run(ActionStartFollowup(), message("close HLP-0001 and raise HLP-0002 to S1", "close_ticket"))

    assert followups(events) == ["close_form"]
    assert slot_sets(events)["followup_ref"] == "HLP-0001"
    assert slot_sets(events)["next_requests"] == [
        ["change HLP-0002 to S1", '/escalate{"ticket_ref": "HLP-0002", "severity": "S1"}']
    ]

    finished = {
        "followup_ref": "HLP-0001",
        "close_confirmed": "yes",
        "next_requests": slot_sets(events)["next_requests"],
    }
    _, dispatcher = run(ActionCloseTicket(), message("yes", "affirm", slots=finished))

    assert texts(dispatcher)[1] == "You also asked: change HLP-0002 to S1. Tap to do it when we're done here."
    assert buttons(dispatcher) == [("Change HLP-0002 to S1", '/escalate{"ticket_ref": "HLP-0002", "severity": "S1"}')]


def test_requests_that_need_nothing_more_are_all_carried_out(message, run):
    shared_account()

    events, dispatcher = run(
        ActionStartFollowup(),
        message("status of HLP-0001; raise HLP-0002 to S1 because the export feeds billing", "ticket_status"),
    )

    assert texts(dispatcher)[0].startswith("HLP-0001: Typo")
    assert texts(dispatcher)[1].startswith("HLP-0002 is raised from S2 (Medium) to S1 (High).")
    assert stored("HLP-0002").history[-1].detail["reason"] == "the export feeds billing"
    assert followups(events) == []


def test_several_requests_never_reach_another_users_ticket(message, run):
    shared_account()

    events, dispatcher = run(
        ActionStartFollowup(), message("close HLP-0001 and status of HLP-0004", "close_ticket", **as_anil())
    )

    assert (
        texts(dispatcher)[0]
        == "I couldn't find a ticket HLP-0001 for you. Did you mean HLP-0004 (Broadcast campaign stuck)?"
    )
    assert texts(dispatcher)[1].startswith("HLP-0004: Broadcast campaign stuck")
    assert followups(events) == [] and stored("HLP-0001").status == "open"


# Reopening, and additions to a closed ticket


@pytest.fixture
def delivered(monkeypatch):
    """A webhook target configured, so every ticket event also becomes an outbox row."""
    monkeypatch.setenv(
        "HELPDESK_DELIVERY_TARGETS",
        json.dumps(
            [
                {
                    "name": "support-hook",
                    "type": "webhook",
                    "url": "https://support.example.com/hook",
                    "secret_env": "HOOK_SECRET",
                }
            ]
        ),
    )
    restart_actions()
    return lambda: [(row.ticket_reference, row.event) for row in actions.runtime.store().outbox.rows()]


def test_reopening_with_a_reason_opens_the_ticket_with_a_new_due_time_and_delivers_it(message, run, delivered):
    shared_account()

    _events, dispatcher = run(
        ActionStartFollowup(), message("can you reopen HLP-0003? it's broken again since the update", "reopen_ticket")
    )

    ticket = stored("HLP-0003")
    assert (ticket.status, ticket.due_at) == ("open", sla.due_at("S2", WED_NOON, actions.runtime.policy()))
    assert ticket.history[-1].detail == {
        "from": "closed",
        "to": "open",
        "note": "it's broken again since the update",
        "due_at": ticket.due_at.isoformat(),
    }
    assert ("HLP-0003", "status_changed") in delivered()
    assert texts(dispatcher) == [
        "HLP-0003 (WhatsApp replies delayed) is open again. "
        "First response within 4 hours during business hours, counted from now: by Wed 12 Mar, 16:00 IST."
    ]


def test_reopening_without_a_reason_asks_for_one_then_reopens(message, run):
    shared_account()

    events, _ = run(ActionStartFollowup(), message("reopen HLP-0003", "reopen_ticket"))

    assert followups(events) == ["reopen_form"]
    assert slot_sets(events)["reopen_confirmed"] == "yes"
    _, dispatcher = run(
        ActionReopenTicket(),
        message(
            "the delay is back",
            "inform",
            slots={"followup_ref": "HLP-0003", "reopen_reason": "the delay is back", "reopen_confirmed": "yes"},
        ),
    )
    assert stored("HLP-0003").status == "open"
    assert texts(dispatcher)[0].startswith("HLP-0003 (WhatsApp replies delayed) is open again.")


def test_an_open_ticket_is_not_reopened(message, run):
    before = shared_account()["typo"]

    _, dispatcher = run(ActionStartFollowup(), message("reopen HLP-0001 because it fails", "reopen_ticket"))

    assert stored("HLP-0001") == before
    assert (
        texts(dispatcher)[0]
        == "HLP-0001 (Typo in the FAQ bot's welcome message) is still open, waiting for support; there is nothing to reopen."
    )


def test_details_for_a_closed_ticket_ask_to_reopen_it_first(message, run):
    before = shared_account()["closed"]

    events, _ = run(ActionStartFollowup(), message("add to HLP-0003: it happens on instagram too", "add_details"))

    assert stored("HLP-0003") == before
    assert followups(events) == ["reopen_form"]
    assert {k: slot_sets(events)[k] for k in ("followup_ref", "comment_text", "reopen_reason", "reopen_confirmed")} == {
        "followup_ref": "HLP-0003",
        "comment_text": "it happens on instagram too",
        "reopen_reason": "it happens on instagram too",
        "reopen_confirmed": None,
    }
    _, dispatcher = run(ActionAskReopenConfirmed(), message("", "inform", slots={"followup_ref": "HLP-0003"}))
    assert texts(dispatcher) == [
        "HLP-0003 (WhatsApp replies delayed) is closed, so nobody would read what you add. "
        "Shall I reopen it with your details added? Or I can file a new ticket instead."
    ]


def test_agreeing_reopens_the_closed_ticket_with_the_details_and_declining_adds_nothing(message, run):
    shared_account()
    answers = {
        "followup_ref": "HLP-0003",
        "comment_text": "it happens on instagram too",
        "reopen_reason": "it happens on instagram too",
    }

    _, declined = run(ActionReopenTicket(), message("no", "deny", slots={**answers, "reopen_confirmed": "no"}))
    assert stored("HLP-0003").status == "closed" and len(stored("HLP-0003").history) == 2
    assert texts(declined)[0].startswith("OK, HLP-0003 stays closed and nothing was added.")

    _, agreed = run(ActionReopenTicket(), message("yes", "affirm", slots={**answers, "reopen_confirmed": "yes"}))
    ticket = stored("HLP-0003")
    assert (ticket.status, ticket.history[-1].kind, ticket.history[-1].detail["text"]) == (
        "open",
        "comment_added",
        "it happens on instagram too",
    )
    assert texts(agreed)[0].startswith("HLP-0003 (WhatsApp replies delayed) is open again with your details added.")


def test_details_for_a_closed_ticket_without_text_say_plainly_it_is_closed(message, run):
    shared_account()

    _, dispatcher = run(ActionStartFollowup(), message("add details to HLP-0003", "add_details"))

    assert texts(dispatcher)[0].startswith("HLP-0003 (WhatsApp replies delayed) is closed, so nobody is working on it.")
    assert buttons(dispatcher) == [
        ("Reopen it", '/reopen_ticket{"ticket_ref": "HLP-0003"}'),
        ("File a ticket", "/file_ticket"),
    ]


# A handoff is delivered naming its ticket


def test_a_handoff_is_delivered_as_an_event_on_the_named_ticket(message, run, delivered):
    shared_account()

    run(ActionTalkToHuman(), message("talk to a human about HLP-0001", "talk_to_human"))

    assert delivered()[-1] == ("HLP-0001", "handoff_requested")
    [row] = [r for r in actions.runtime.store().outbox.rows() if r.event == "handoff_requested"]
    assert row.ticket_reference == "HLP-0001"


# Questions about one ticket


def test_when_will_someone_answer_a_named_ticket_is_answered_with_that_ticket(message, run, clock):
    shared_account()
    clock(datetime(2025, 3, 11, 11, 0, tzinfo=IST))

    _, dispatcher = run(
        ActionTicketStatus(),
        message("so when will someone answer HLP-0002?", "ask_when_reply", entities=ref("HLP-0002")),
    )

    said = texts(dispatcher)[0]
    assert said.startswith(
        "HLP-0002: Analytics export is empty\n• Status: open, waiting for support\n• Severity: S2 (Medium)\n"
    )
    assert "• First response due: Tue 11 Mar, 14:00 IST (3 hours from now)\n• Support: no response yet" in said


def test_a_ticket_support_has_answered_says_so(message, run):
    shared_account()
    actions.runtime.store().add_comment(
        "HLP-0002", "We are looking into it.", TUE_10 + timedelta(hours=1), "agent@haptik.ai"
    )

    _, dispatcher = run(ActionTicketStatus(), message("has support replied on HLP-0002?", "ticket_status"))

    assert "• Support: responded Tue 11 Mar, 11:00 IST" in texts(dispatcher)[0]


def test_a_request_nlu_misread_is_carried_out_as_its_words_say(message, run):
    shared_account()

    _, reopened = run(
        ActionTicketStatus(), message("can you reopen HLP-0003? the replies are slow again", "ticket_status")
    )
    events, _closing = run(ActionStartFollowup(), message("it went away on its own, close HLP-0001", "reopen_ticket"))

    assert stored("HLP-0003").status == "open"
    assert texts(reopened)[0].startswith("HLP-0003 (WhatsApp replies delayed) is open again.")
    assert followups(events) == ["close_form"] and slot_sets(events)["followup_ref"] == "HLP-0001"


def test_status_quotes_times_in_the_users_own_zone_with_supports_beside(message, run, clock):
    file_ticket(severity="S2", filed=WED_11)
    tracker = message("status of HLP-0001", "ticket_status", entities=ref("HLP-0001"))
    user_event = next(event for event in reversed(tracker.events) if event["event"] == "user")
    user_event["metadata"] = {**user_event["metadata"], "timezone": "Europe/London"}

    _, dispatcher = run(ActionTicketStatus(), tracker)

    assert "• Filed: Wed 12 Mar, 05:30 GMT (11:00 IST)" in texts(dispatcher)[0]
    assert "• First response due: Wed 12 Mar, 09:30 GMT (15:00 IST)" in texts(dispatcher)[0]


# A follow-up typed while a new ticket is drafted: done on the ticket named, the draft kept

DRAFTING = {
    "ticket_draft_id": "draft-1",
    "description": "the instagram bot sends every reply twice",
    "requester_email": PRIYA,
}
"""A new ticket being drafted: the problem is told, the form asks where it happens."""
ON_HOLD_QUESTION = (
    'Your new ticket ("The instagram bot sends every reply twice") is on hold, with everything you told me. '
    "Shall I go on with it?"
)


def in_ticket_form(message, text, intent, asked="environment", slots=DRAFTING, **kwargs):
    """The user's message to the ticket form's question `asked`: its text is that slot's candidate."""
    return message(
        text, intent, form="ticket_form", requested_slot=asked, slots=slots, answering={asked: text}, **kwargs
    )


def active_loops(events: list[dict[str, Any]]) -> list[str | None]:
    return [event["name"] for event in events if event["event"] == "active_loop"]


@pytest.mark.parametrize(
    "text, intent, asked",
    [
        ("no. status of HLP-0002", "ticket_status", "environment"),
        ("and 0002?", "inform", "environment"),
        ("hlp 2?", "inform", "ticket_confirmed"),
    ],
)
def test_a_status_asked_in_the_ticket_form_shows_that_ticket_and_puts_the_draft_on_hold(
    message, run, text, intent, asked
):
    shared_account()

    events, dispatcher = run(ValidateTicketForm(), in_ticket_form(message, text, intent, asked))

    assert texts(dispatcher)[0].startswith("HLP-0002: Analytics export is empty\n• Status: open, waiting for support")
    changed = slot_sets(events)
    assert changed[asked] is None and "description" not in changed
    assert (changed["draft_paused"], changed["requested_slot"], changed["focus_ref"]) == ("on_hold", None, "HLP-0002")
    assert active_loops(events) == [None] and followups(events) == []


def test_the_draft_on_hold_is_offered_once_when_the_form_ends(message, run):
    tracker = message("and 0002?", "inform", slots={**DRAFTING, "draft_paused": "on_hold"})

    events, dispatcher = run(ActionFinishTicketForm(), tracker)

    assert texts(dispatcher) == [ON_HOLD_QUESTION]
    assert buttons(dispatcher) == [("Yes, go on with it", "/affirm"), ("No, don't file it", "/deny")]
    assert events == []


def test_add_that_and_dont_open_a_new_one_adds_the_draft_to_the_ticket_and_leaves_it_unfiled(message, run):
    shared_account()

    events, dispatcher = run(
        ValidateTicketForm(),
        in_ticket_form(message, "no no, add that to HLP-0002, don't open a new one", "deny"),
    )

    last = stored("HLP-0002").history[-1]
    assert (last.kind, last.detail["text"]) == ("comment_added", "the instagram bot sends every reply twice")
    assert texts(dispatcher) == [
        "Added to HLP-0002 (Analytics export is empty). Support sees it in the ticket's history.",
        'OK, I won\'t file the new ticket ("The instagram bot sends every reply twice"). What you told me for it is '
        'kept: say "file a ticket" if you want it after all.',
    ]
    changed = slot_sets(events)
    assert changed["draft_paused"] == "dropped" and "description" not in changed and "ticket_draft_id" not in changed
    assert actions.runtime.store().list(requester_email=PRIYA)[0].reference == "HLP-0003"


def test_a_follow_up_that_needs_its_own_form_opens_it_and_the_draft_waits(message, run):
    shared_account()

    events, dispatcher = run(ValidateTicketForm(), in_ticket_form(message, "raise HLP-0002 to S1", "escalate"))

    assert texts(dispatcher) == []
    changed = slot_sets(events)
    assert (changed["followup_ref"], changed["new_severity"], changed["draft_paused"]) == ("HLP-0002", "S1", "on_hold")
    assert changed["environment"] is None and "description" not in changed
    assert active_loops(events) == [None] and followups(events) == ["escalation_form"]

    finished = {**DRAFTING, "draft_paused": "on_hold", "followup_ref": "HLP-0002"}
    finished.update(new_severity="S1", escalation_reason="it now hits production too")
    _, dispatcher = run(ActionChangeSeverity(), message("it now hits production too", "inform", slots=finished))

    assert texts(dispatcher)[0].startswith("HLP-0002 is raised from S2 (Medium) to S1 (High).")
    assert texts(dispatcher)[-1] == ON_HOLD_QUESTION


def test_a_yes_resumes_the_draft_on_hold_and_a_no_leaves_it_unfiled_with_its_details(message, run):
    on_hold = {**DRAFTING, "draft_paused": "on_hold"}

    events, dispatcher = run(ActionStartTicket(), message("yes", "affirm", slots=on_hold))
    assert texts(dispatcher) == ["Let's finish the ticket you started; everything you told me is kept."]
    assert followups(events) == [] and "description" not in slot_sets(events)

    events, dispatcher = run(ActionAbandonTicket(), message("no", "deny", slots=on_hold))
    assert texts(dispatcher)[0].startswith(
        'OK, I won\'t file the new ticket ("The instagram bot sends every reply twice").'
    )
    assert slot_sets(events) == {"draft_paused": "dropped"}


def test_the_form_back_for_a_draft_on_hold_asks_its_next_question(make_tracker, run):
    tracker = make_tracker(
        "yes", "affirm", in_form=True, slots={**DRAFTING, "draft_paused": "on_hold"}, after={"requested_slot": None}
    )
    tracker.events.append(
        {"event": "bot", "text": "Let's finish the ticket you started; everything you told me is kept."}
    )

    events, _ = run(ValidateTicketForm(), tracker)

    assert slot_sets(events) == {"draft_paused": None, "requested_slot": "environment"}


def test_a_description_that_mentions_a_ticket_stays_the_description(message, run):
    shared_account()
    text = "our csv export is empty again since HLP-0002 was fixed"

    events, dispatcher = run(
        ValidateTicketForm(),
        in_ticket_form(message, text, "report_problem", "description", slots={"ticket_draft_id": "d"}),
    )

    assert slot_sets(events)["description"] == text and "draft_paused" not in slot_sets(events)
    assert len(stored("HLP-0002").history) == 1 and texts(dispatcher) == []


def test_a_follow_up_in_the_ticket_form_never_reaches_another_users_ticket(message, run):
    shared_account()
    outputs = {}
    for reference in ("HLP-0002", "HLP-0404"):
        events, dispatcher = run(
            ValidateTicketForm(), in_ticket_form(message, f"no. status of {reference}", "ticket_status", **as_anil())
        )
        outputs[reference] = (events, dispatcher.messages)

    assert without("HLP-0002", outputs["HLP-0002"]) == without("HLP-0404", outputs["HLP-0404"])
    assert "Analytics" not in json.dumps(outputs["HLP-0002"])
    assert texts_of(outputs["HLP-0002"][1])[0].startswith("I couldn't find a ticket HLP-0002 for you.")
    assert len(stored("HLP-0002").history) == 1


def test_without_a_verified_user_a_follow_up_in_the_ticket_form_shows_no_ticket(message, run):
    shared_account()

    events, dispatcher = run(
        ValidateTicketForm(), in_ticket_form(message, "no. status of HLP-0002", "ticket_status", token=None)
    )

    assert "Analytics" not in json.dumps(dispatcher.messages)
    assert HOW_TO_GET_ACCESS in texts(dispatcher)[0]
    assert slot_sets(events)["draft_paused"] == "on_hold" and "description" not in slot_sets(events)


def test_a_person_asked_for_on_a_named_ticket_while_drafting_keeps_the_draft_and_asks_once(message, run):
    shared_account()

    events, dispatcher = run(
        ActionTalkToHuman(), message("talk to a human about HLP-0001", "talk_to_human", slots=DRAFTING)
    )

    assert stored("HLP-0001").history[-1].kind == "handoff_requested"
    assert texts(dispatcher)[0].startswith("I've asked the support team to take over HLP-0001 (Typo in the FAQ bot")
    assert texts(dispatcher)[-1] == ON_HOLD_QUESTION
    assert slot_sets(events)["draft_paused"] == "on_hold" and "description" not in slot_sets(events)


# A request for a person in the middle of a follow-up form


@pytest.mark.parametrize(
    "form, slots",
    [
        ("comment_form", {}),
        ("escalation_form", {"new_severity": "S1"}),
        ("close_form", {}),
    ],
)
def test_a_person_asked_for_in_a_follow_up_form_takes_over_that_ticket_and_stores_nothing(message, run, form, slots):
    shared_account()
    tracker = message(
        "talk to a human", "talk_to_human", slots={"followup_ref": "HLP-0001", "focus_ref": "HLP-0001", **slots}
    )

    events, dispatcher = run(ActionTalkToHuman(), tracker)

    typo = stored("HLP-0001")
    assert [e.kind for e in typo.history] == ["created", "handoff_requested"]
    assert (typo.final_severity, typo.status) == ("S2", "open")
    assert texts(dispatcher)[0].startswith(
        "I've asked the support team to take over HLP-0001 (Typo in the FAQ bot's welcome message) in person"
    )
    assert {slot: value for slot, value in slot_sets(events).items() if slot in FOLLOWUP_SLOTS} == dict.fromkeys(
        FOLLOWUP_SLOTS
    )


def test_a_person_asked_for_in_a_form_about_someone_elses_ticket_never_reaches_it(message, run):
    shared_account()
    forged = {"followup_ref": "HLP-0002", "focus_ref": "HLP-0002"}

    _, dispatcher = run(ActionTalkToHuman(), message("talk to a human", "talk_to_human", slots=forged, **as_anil()))

    assert len(stored("HLP-0002").history) == 1
    assert "Analytics" not in json.dumps(dispatcher.messages)
    assert texts(dispatcher)[0].startswith(
        "I've asked the support team to take over HLP-0004 (Broadcast campaign stuck)"
    )


# A question about one ticket, described by what it is about


def test_did_support_reply_to_my_described_ticket_is_answered_with_that_ticket(message, run):
    shared_account()
    actions.runtime.store().add_comment("HLP-0001", "Fixed on our side.", TUE_10, "agent@haptik.ai")

    events, dispatcher = run(
        ActionAnswerQuestion(), message("did anyone from support reply to my FAQ ticket yet?", "ask_when_reply")
    )

    said = texts(dispatcher)[0]
    assert said.startswith("HLP-0001: Typo in the FAQ bot's welcome message\n• Status: open, waiting for support\n")
    assert "• Severity: S2 (Medium)" in said and "• First response due: Mon 10 Mar, 14:00 IST" in said
    assert "• Support: responded Tue 11 Mar, 10:00 IST" in said
    assert slot_sets(events) == {"focus_ref": "HLP-0001"}


def test_when_a_described_ticket_is_due_says_the_time_left(message, run, clock):
    shared_account()
    clock(datetime(2025, 3, 11, 11, 0, tzinfo=IST))

    _, dispatcher = run(
        ActionAnswerQuestion(), message("when will someone get to the analytics one?", "ask_when_reply")
    )

    assert (
        "• First response due: Tue 11 Mar, 14:00 IST (3 hours from now)\n• Support: no response yet"
        in texts(dispatcher)[0]
    )


def test_a_question_describing_only_another_users_ticket_gets_the_general_answer(message, run):
    shared_account()
    question = "did anyone from support reply to my analytics ticket yet?"

    _, as_anil_sees = run(ActionAnswerQuestion(), message(question, "ask_when_reply", **as_anil()))
    _, unverified = run(ActionAnswerQuestion(), message(question, "ask_when_reply", token=None))
    _, general = run(ActionAnswerQuestion(), message("when will support reply?", "ask_when_reply"))

    assert "Analytics" not in json.dumps(as_anil_sees.messages) and "HLP-0002" not in json.dumps(as_anil_sees.messages)
    assert texts(as_anil_sees) == texts(unverified) == texts(general)


def test_a_question_describing_two_of_the_users_tickets_asks_which_by_their_titles(message, run):
    shared_account()
    file_ticket(PRIYA, title="Analytics dashboard is slow", filed=WED_11)

    events, dispatcher = run(
        ActionAnswerQuestion(), message("has support answered my analytics ticket?", "ask_when_reply")
    )

    assert texts(dispatcher) == ["Which ticket do you mean? Tap one, or tell me what it's about."]
    assert buttons(dispatcher) == [
        ("HLP-0005: Analytics dashboard is slow", '/ticket_status{"ticket_ref": "HLP-0005"}'),
        ("HLP-0002: Analytics export is empty", '/ticket_status{"ticket_ref": "HLP-0002"}'),
    ]
    assert slot_sets(events) == {"followup_request": "ticket_status", "offered_tickets": ["HLP-0005", "HLP-0002"]}


def test_when_a_named_ticket_is_answered_asked_in_the_ticket_form_gives_that_ticket_and_resumes(message, run):
    shared_account()
    outputs = {}
    for who, reference in (("priya", "HLP-0002"), ("anil", "HLP-0002"), ("anil", "HLP-0404")):
        tracker = message(
            f"so when will someone answer {reference}?",
            "ask_when_reply",
            form="ticket_form",
            requested_slot="environment",
            slots=DRAFTING,
            **(as_anil() if who == "anil" else {}),
        )
        events, dispatcher = run(ActionAnswerQuestion(), tracker)
        outputs[who, reference] = (events, dispatcher.messages)

    priyas = texts_of(outputs["priya", "HLP-0002"][1])
    assert priyas[0].startswith("HLP-0002: Analytics export is empty\n• Status: open, waiting for support")
    assert priyas[-1] == 'Back to your ticket (say "cancel" to stop it):'
    assert without("HLP-0002", outputs["anil", "HLP-0002"]) == without("HLP-0404", outputs["anil", "HLP-0404"])
    assert "Analytics" not in json.dumps(outputs["anil", "HLP-0002"])


def test_a_person_asked_for_while_drafting_with_several_open_tickets_asks_which_and_keeps_the_draft(message, run):
    shared_account()

    events, dispatcher = run(ActionTalkToHuman(), message("get me a human", "talk_to_human", slots=DRAFTING))

    assert texts(dispatcher) == ["Which ticket do you mean? Tap one, or tell me what it's about.", ON_HOLD_QUESTION]
    assert slot_sets(events)["followup_request"] == "talk_to_human"
    assert slot_sets(events)["draft_paused"] == "on_hold"
    assert [len(stored(r).history) for r in ("HLP-0001", "HLP-0002")] == [1, 1]


# A follow-up on another ticket typed into a follow-up form: done on the ticket named, never stored here

COMMENTING = {"followup_ref": "HLP-0001", "focus_ref": "HLP-0001"}
"""Priya is adding details to HLP-0001: the comment form asks what to add."""
REASONING = {**COMMENTING, "new_severity": "S1"}
"""Priya is raising HLP-0001 to S1: the escalation form asks why."""


def in_followup_form(message, form, asked, text, intent, slots, **kwargs):
    """The user's message to a follow-up form's question `asked`: its text is that slot's candidate."""
    return message(text, intent, form=form, requested_slot=asked, slots=slots, answering={asked: text}, **kwargs)


def test_a_status_asked_while_adding_details_shows_that_ticket_and_asks_again_adding_nothing(message, run):
    shared_account()

    events, dispatcher = run(
        ValidateCommentForm(),
        in_followup_form(message, "comment_form", "comment_text", "status of HLP-0002", "ticket_status", COMMENTING),
    )

    assert texts(dispatcher)[0].startswith("HLP-0002: Analytics export is empty\n• Status: open, waiting for support")
    assert slot_sets(events)["comment_text"] is None and active_loops(events) == [] and followups(events) == []
    assert len(stored("HLP-0001").history) == 1

    _, dispatcher = run(ActionAskCommentText(), message("status of HLP-0002", "ticket_status", slots=COMMENTING))
    assert texts(dispatcher) == [
        "What would you like to add to HLP-0001 (Typo in the FAQ bot's welcome message)? "
        "Text, links or conversation ids are all fine."
    ]


def test_a_change_with_its_reason_typed_while_asked_why_is_made_there_and_the_question_asked_again(message, run):
    shared_account()

    events, dispatcher = run(
        ValidateEscalationForm(),
        in_followup_form(
            message,
            "escalation_form",
            "escalation_reason",
            "make HLP-0002 S1, it now hits production too",
            "escalate",
            REASONING,
        ),
    )

    assert texts(dispatcher)[0].startswith("HLP-0002 is raised from S2 (Medium) to S1 (High).")
    assert stored("HLP-0002").final_severity == "S1"
    assert (stored("HLP-0001").final_severity, len(stored("HLP-0001").history)) == ("S2", 1)
    changed = slot_sets(events)
    assert changed["escalation_reason"] is None and "new_severity" not in changed and "followup_ref" not in changed
    assert active_loops(events) == [] and followups(events) == []


def test_a_change_needing_its_own_form_takes_over_and_the_first_comes_back_as_a_button(message, run):
    shared_account()

    events, dispatcher = run(
        ValidateEscalationForm(),
        in_followup_form(
            message, "escalation_form", "escalation_reason", "raise HLP-0002 to S1", "escalate", REASONING
        ),
    )

    assert texts(dispatcher) == []
    changed = slot_sets(events)
    assert (changed["followup_ref"], changed["new_severity"], changed["escalation_reason"]) == ("HLP-0002", "S1", None)
    assert changed["next_requests"] == [
        ["change HLP-0001 to S1", '/escalate{"ticket_ref": "HLP-0001", "severity": "S1"}']
    ]
    assert (changed["requested_slot"], active_loops(events), followups(events)) == (None, [None], ["escalation_form"])
    assert [len(stored(r).history) for r in ("HLP-0001", "HLP-0002")] == [1, 1]

    finished = {"followup_ref": "HLP-0002", "new_severity": "S1", "next_requests": changed["next_requests"]}
    finished["escalation_reason"] = "it now hits production too"
    _, dispatcher = run(ActionChangeSeverity(), message("it now hits production too", "inform", slots=finished))

    assert texts(dispatcher)[0].startswith("HLP-0002 is raised from S2 (Medium) to S1 (High).")
    assert texts(dispatcher)[1] == "You also asked: change HLP-0001 to S1. Tap to do it when we're done here."
    assert stored("HLP-0001").final_severity == "S2"


def test_closing_another_ticket_while_confirming_a_close_asks_about_that_one_and_closes_nothing_yet(message, run):
    shared_account()

    events, _ = run(
        ValidateCloseForm(),
        in_followup_form(message, "close_form", "close_confirmed", "close HLP-0002", "close_ticket", COMMENTING),
    )

    changed = slot_sets(events)
    assert (changed["followup_ref"], changed["close_confirmed"], followups(events)) == (
        "HLP-0002",
        None,
        ["close_form"],
    )
    assert changed["next_requests"] == [["close HLP-0001", '/close_ticket{"ticket_ref": "HLP-0001"}']]
    assert [stored(r).status for r in ("HLP-0001", "HLP-0002")] == ["open", "open"]


def test_details_that_mention_another_ticket_in_passing_are_the_details(message, run):
    shared_account()
    text = "the change in HLP-0002 broke this too"

    events, dispatcher = run(
        ValidateCommentForm(), in_followup_form(message, "comment_form", "comment_text", text, "inform", COMMENTING)
    )

    assert slot_sets(events) == {"comment_text": text} and texts(dispatcher) == []


def test_the_forms_own_request_on_its_own_ticket_is_its_answer(message, run):
    shared_account()

    events, dispatcher = run(
        ValidateEscalationForm(),
        in_followup_form(message, "escalation_form", "new_severity", "make HLP-0001 S1", "escalate", COMMENTING),
    )

    assert slot_sets(events) == {"new_severity": "S1"} and texts(dispatcher) == []


@pytest.mark.parametrize(
    "form, asked, text, intent, slots",
    [
        ("comment_form", "comment_text", "status of {ref}", "ticket_status", {}),
        ("escalation_form", "escalation_reason", "raise {ref} to S1", "escalate", {"new_severity": "S1"}),
        ("escalation_form", "escalation_reason", "make {ref} S1, it now hits production too", "escalate", {}),
        ("close_form", "close_confirmed", "close {ref}", "close_ticket", {}),
    ],
)
def test_a_follow_up_typed_into_a_form_never_reaches_a_colleagues_ticket(
    message, run, form, asked, text, intent, slots
):
    tickets = shared_account()
    anils = {"followup_ref": tickets["anils"].reference, "focus_ref": tickets["anils"].reference, **slots}
    outputs = {}
    for reference in ("HLP-0002", "HLP-0404"):
        tracker = in_followup_form(message, form, asked, text.format(ref=reference), intent, anils, **as_anil())
        events, dispatcher = run(
            {"comment_form": ValidateCommentForm, "escalation_form": ValidateEscalationForm}.get(
                form, ValidateCloseForm
            )(),
            tracker,
        )
        outputs[reference] = (events, dispatcher.messages)

    assert without("HLP-0002", outputs["HLP-0002"]) == without("HLP-0404", outputs["HLP-0404"])
    assert "Analytics" not in json.dumps(outputs["HLP-0002"])
    events, messages = outputs["HLP-0002"]
    assert texts_of(messages)[0].startswith("I couldn't find a ticket HLP-0002 for you.")
    assert slot_sets(events)[asked] is None and followups(events) == [] and active_loops(events) == []
    assert (stored("HLP-0002").final_severity, stored("HLP-0002").status, len(stored("HLP-0002").history)) == (
        "S2",
        "open",
        1,
    )
    assert len(stored("HLP-0004").history) == 1


# "Shall I go on with it?" waits for one answer only


def test_a_message_that_moves_on_lets_the_question_pass_and_the_draft_stays_for_file_a_ticket(message, run):
    on_hold = {**DRAFTING, "draft_paused": "on_hold"}

    events, dispatcher = run(
        ActionLetTheQuestionPass(), message("what are your business hours?", "ask_business_hours", slots=on_hold)
    )
    assert slot_sets(events) == {"draft_paused": "dropped"} and texts(dispatcher) == []

    events, _ = run(ActionLetTheQuestionPass(), message("what are your business hours?", "ask_business_hours"))
    assert events == []

    events, dispatcher = run(
        ActionStartTicket(), message("file a ticket", "file_ticket", slots={**DRAFTING, "draft_paused": "dropped"})
    )
    assert texts(dispatcher) == ["Let's finish the ticket you started; everything you told me is kept."]
    assert "description" not in slot_sets(events)


def test_a_status_asked_while_asked_why_to_reopen_shows_that_ticket_and_reopens_nothing(message, run):
    shared_account()
    reopening = {"followup_ref": "HLP-0003", "focus_ref": "HLP-0003", "reopen_confirmed": "yes"}

    events, dispatcher = run(
        ValidateReopenForm(),
        in_followup_form(message, "reopen_form", "reopen_reason", "and HLP-0002?", "ticket_status", reopening),
    )

    assert texts(dispatcher)[0].startswith("HLP-0002: Analytics export is empty\n• Status: open")
    assert slot_sets(events)["reopen_reason"] is None and followups(events) == [] and active_loops(events) == []
    assert (stored("HLP-0003").status, len(stored("HLP-0003").history)) == ("closed", 2)
