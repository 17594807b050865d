"""What the assistant says when a user follows up on tickets (helpdesk/followup.py).

Tickets are built in memory; every time is fixed. The policy is the real one: Monday to
Friday, 09:00-18:00 IST; S0 one hour 24x7, S1 one business hour, S2 and S3 four.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk import followup, sla
from helpdesk.answers import FILE_TICKET, Button
from helpdesk.config import PROJECT_ROOT
from helpdesk.identity import REASONS, Unverified
from helpdesk.policy import load_policy
from helpdesk.tickets import ASSISTANT, Event, Requester, Ticket

POLICY = load_policy(PROJECT_ROOT / "support-policy.yml")
IST = ZoneInfo("Asia/Kolkata")
WED_11 = datetime(2025, 3, 12, 11, 0, tzinfo=IST)
"""A Wednesday inside business hours."""
SAT_NOON = datetime(2025, 3, 15, 12, 0, tzinfo=IST)
"""A Saturday: support is closed until Monday 17 March, 09:00 IST."""


def ticket(
    reference: str = "HLP-0001",
    severity: str = "S2",
    filed: datetime = WED_11,
    status: str = "open",
    title: str = "Analytics report won't download",
    history: tuple[Event, ...] | None = None,
) -> Ticket:
    created = Event("created", filed, "priya@acme.example", {"severity": severity})
    return Ticket(
        requester=Requester("priya@acme.example", "Priya", "Acme Retail"),
        title=title,
        description="The weekly analytics report fails to download.",
        final_severity=severity,
        reference=reference,
        filed_at=filed,
        due_at=sla.due_at(severity, filed, POLICY),
        status=status,
        updated_at=filed,
        history=(created,) if history is None else history,
    )


# status


def test_status_names_status_severity_filed_due_and_last_update(real_policy):
    reply = followup.status(real_policy, ticket(), WED_11 + timedelta(minutes=30))

    assert reply.text == (
        "HLP-0001: Analytics report won't download\n"
        "• Status: open, waiting for support\n"
        "• Severity: S2 (Medium)\n"
        "• Filed: Wed 12 Mar, 11:00 IST\n"
        "• First response due: Wed 12 Mar, 15:00 IST (3 hours 30 minutes from now)\n"
        "• Support: no response yet\n"
        "• Last update: filed, Wed 12 Mar, 11:00 IST"
    )
    assert reply.buttons == (
        Button("Add details", '/add_details{"ticket_ref": "HLP-0001"}'),
        Button("Change severity", '/escalate{"ticket_ref": "HLP-0001"}'),
        Button("Close it", '/close_ticket{"ticket_ref": "HLP-0001"}'),
    )


def test_an_open_ticket_past_its_due_time_is_overdue_by_how_long(real_policy):
    reply = followup.status(real_policy, ticket(), datetime(2025, 3, 12, 16, 30, tzinfo=IST))

    assert "• First response due: Wed 12 Mar, 15:00 IST (overdue by 1 hour 30 minutes)" in reply.text


def test_exactly_at_the_due_time_is_not_overdue(real_policy):
    reply = followup.status(real_policy, ticket(), datetime(2025, 3, 12, 15, 0, tzinfo=IST))

    assert "overdue" not in reply.text


def test_once_support_responded_the_status_says_when_and_counts_no_time(real_policy):
    commented = Event("comment_added", datetime(2025, 3, 12, 13, 5, tzinfo=IST), "agent@haptik.ai", {"text": "Looking"})
    mine = Event("comment_added", datetime(2025, 3, 12, 12, 0, tzinfo=IST), "priya@acme.example", {"text": "More"})
    handoff = Event("handoff_requested", datetime(2025, 3, 12, 12, 30, tzinfo=IST), ASSISTANT, {"transcript": ""})
    answered = ticket(history=(ticket().history[0], mine, handoff, commented))

    reply = followup.status(real_policy, answered, datetime(2025, 3, 12, 16, 30, tzinfo=IST))

    assert "• First response due: Wed 12 Mar, 15:00 IST\n• Support: responded Wed 12 Mar, 13:05 IST\n" in reply.text
    assert followup.support_reply(ticket(history=(ticket().history[0], mine, handoff))) is None


@pytest.mark.parametrize("status", ["in_progress", "waiting_on_customer", "resolved", "closed"])
def test_only_a_ticket_still_waiting_for_support_is_overdue(real_policy, status):
    reply = followup.status(real_policy, ticket(status=status), datetime(2025, 3, 14, 17, 0, tzinfo=IST))

    assert "overdue" not in reply.text
    assert f"• Status: {followup.STATUS_WORDS[status]}" in reply.text


def test_a_finished_ticket_offers_no_follow_up_buttons(real_policy):
    assert followup.status(real_policy, ticket(status="resolved"), WED_11).buttons == ()
    assert followup.status(real_policy, ticket(status="closed"), WED_11).buttons == ()
    assert len(followup.status(real_policy, ticket(status="waiting_on_customer"), WED_11).buttons) == 3


def test_the_last_update_is_the_newest_history_entry(real_policy):
    changed = Event(
        "status_changed", datetime(2025, 3, 12, 12, 15, tzinfo=IST), "operator", {"from": "open", "to": "in_progress"}
    )
    reply = followup.status(real_policy, ticket(status="in_progress", history=(ticket().history[0], changed)), WED_11)

    assert reply.text.endswith("• Last update: status changed, Wed 12 Mar, 12:15 IST")


def test_a_ticket_without_history_has_no_last_update_line(real_policy):
    assert "Last update" not in followup.status(real_policy, ticket(history=()), WED_11).text


# my tickets


def test_my_tickets_lists_each_ticket_on_one_line_in_the_given_order(real_policy):
    newer = ticket(
        "HLP-0003", "S1", datetime(2025, 3, 12, 14, 0, tzinfo=IST), status="in_progress", title="Bot transfer fails"
    )
    older = ticket("HLP-0001", "S2", WED_11)

    reply = followup.my_tickets(real_policy, [newer, older])

    assert reply.text == (
        "Your open tickets, newest first:\n"
        "• HLP-0003: Bot transfer fails (S1, in progress with support, first response due Wed 12 Mar, 15:00 IST)\n"
        "• HLP-0001: Analytics report won't download (S2, open, waiting for support, first response due Wed 12 Mar, 15:00 IST)"
    )
    assert reply.buttons == (
        Button("Status of HLP-0003", '/ticket_status{"ticket_ref": "HLP-0003"}'),
        Button("Status of HLP-0001", '/ticket_status{"ticket_ref": "HLP-0001"}'),
    )


def test_my_tickets_offers_at_most_five_status_buttons(real_policy):
    tickets = [ticket(f"HLP-{n:04d}") for n in range(7, 0, -1)]

    reply = followup.my_tickets(real_policy, tickets)

    assert reply.text.count("\n• ") == 7
    assert [b.title for b in reply.buttons] == [f"Status of HLP-{n:04d}" for n in range(7, 2, -1)]


def test_no_tickets_says_so_and_offers_to_file_one(real_policy):
    assert followup.my_tickets(real_policy, []) == followup.no_open_tickets()
    assert followup.no_open_tickets().text == "You have no open tickets."
    assert followup.no_open_tickets().buttons == (FILE_TICKET,)


def test_which_ticket_offers_each_ticket_for_the_intent_asked(real_policy):
    reply = followup.which_ticket([ticket("HLP-0002", title="B"), ticket("HLP-0001", title="A")], "escalate")

    assert reply.text == "Which ticket do you mean? Tap one, or tell me what it's about."
    assert reply.buttons == (
        Button("HLP-0002: B", '/escalate{"ticket_ref": "HLP-0002"}'),
        Button("HLP-0001: A", '/escalate{"ticket_ref": "HLP-0001"}'),
    )


# not found, no access


def test_not_found_quotes_the_reference_in_capitals_and_nothing_else_about_it():
    reply = followup.not_found("hlp-0042")

    assert (
        reply.text
        == "I couldn't find a ticket HLP-0042 for you. Check the reference, or ask for your tickets to see them all."
    )
    assert reply.buttons == (Button("My tickets", "/my_tickets"),)


def test_not_found_offers_the_users_own_near_misses_for_the_same_request():
    near = (ticket("HLP-0121", title="Typo in the FAQ bot"), ticket("HLP-0123"))

    reply = followup.not_found("HLP-0122", near, "close_ticket")

    assert reply.text == (
        "I couldn't find a ticket HLP-0122 for you. Did you mean HLP-0121 (Typo in the FAQ bot) "
        "or HLP-0123 (Analytics report won't download)?"
    )
    assert reply.buttons == (
        Button("HLP-0121: Typo in the FAQ bot", '/close_ticket{"ticket_ref": "HLP-0121"}'),
        Button("HLP-0123: Analytics report won't download", '/close_ticket{"ticket_ref": "HLP-0123"}'),
        Button("My tickets", "/my_tickets"),
    )


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_no_access_says_why_and_how_to_get_access(real_policy, reason):
    reply = followup.no_access(real_policy, Unverified(reason))

    assert REASONS[reason] in reply.text
    assert "Open the Help widget while signed in" in reply.text
    assert "email support at support@haptik.ai" in reply.text
    assert reply.buttons == (FILE_TICKET,)


# severity changed


def test_raising_the_severity_quotes_the_new_level_and_due_time(real_policy):
    at = datetime(2025, 3, 12, 12, 0, tzinfo=IST)
    raised = replace(ticket(), final_severity="S1", due_at=sla.due_at("S1", at, real_policy))

    reply = followup.severity_changed(real_policy, raised, "S2", at)

    assert reply.text.startswith(
        "HLP-0001 is raised from S2 (Medium) to S1 (High). "
        "First response within 1 hour during business hours, counted from now: by Wed 12 Mar, 13:00 IST."
    )
    assert real_policy.after_filing.severity_validation in reply.text
    assert "24x7" not in reply.text


def test_lowering_the_severity_says_lowered(real_policy):
    at = datetime(2025, 3, 12, 16, 0, tzinfo=IST)
    lowered = replace(ticket(severity="S1"), final_severity="S3", due_at=sla.due_at("S3", at, real_policy))

    reply = followup.severity_changed(real_policy, lowered, "S1", at)

    assert reply.text.startswith("HLP-0001 is lowered from S1 (High) to S3 (Low). ")
    assert "by Thu 13 Mar, 11:00 IST." in reply.text


def test_an_s0_outside_business_hours_is_said_to_be_worked_24x7(real_policy):
    raised = replace(ticket(), final_severity="S0", due_at=sla.due_at("S0", SAT_NOON, real_policy))

    reply = followup.severity_changed(real_policy, raised, "S2", SAT_NOON)

    assert "within 1 hour, 24x7, counted from now: by Sat 15 Mar, 13:00 IST." in reply.text
    assert "Support is outside business hours right now, but S0 is worked 24x7, so someone is on it." in reply.text


def test_an_s0_inside_business_hours_needs_no_24x7_remark(real_policy):
    raised = replace(ticket(), final_severity="S0", due_at=sla.due_at("S0", WED_11, real_policy))

    assert "outside business hours" not in followup.severity_changed(real_policy, raised, "S2", WED_11).text


def test_lowering_outside_hours_has_no_24x7_remark(real_policy):
    lowered = replace(ticket(severity="S0"), final_severity="S2", due_at=sla.due_at("S2", SAT_NOON, real_policy))

    reply = followup.severity_changed(real_policy, lowered, "S0", SAT_NOON)

    assert reply.text.startswith("HLP-0001 is lowered from S0 (Blocker) to S2 (Medium). ")
    assert "24x7" not in reply.text


def test_an_unchanged_severity_says_nothing_changed(real_policy):
    assert (
        followup.severity_unchanged(real_policy, ticket()).text == "HLP-0001 is already S2 (Medium); nothing changed."
    )


# closed, comment, handoff


def test_closed_kept_open_and_comment_added_name_the_ticket():
    assert followup.closed(ticket()).text.startswith("Done: HLP-0001 is closed.")
    assert followup.kept_open(ticket()).text == "OK, HLP-0001 stays open."
    assert followup.comment_added(ticket()).text.startswith("Added to HLP-0001 (Analytics report won't download).")


def test_handoff_names_the_ticket_and_says_who_replies_where_and_by_when(real_policy):
    reply = followup.handoff_recorded(real_policy, ticket(), datetime(2025, 3, 12, 11, 0, tzinfo=IST))

    assert reply.text == (
        "I've asked the support team to take over HLP-0001 (Analytics report won't download) in person, with our "
        "conversation attached. A support engineer will reply to priya@acme.example by Wed 12 Mar, 15:00 IST."
    )
    assert reply.buttons == ()


def test_handoff_outside_hours_says_when_a_person_picks_up_that_ticket_and_offers_a_24x7_level(real_policy):
    reply = followup.handoff_recorded(real_policy, ticket(severity="S2"), SAT_NOON)

    assert reply.text.endswith(
        "Support is closed right now: a person picks up HLP-0001 when support opens, Mon 17 Mar, 09:00 IST, and replies "
        "to priya@acme.example by Mon 17 Mar, 13:00 IST. If it can't wait, I can raise it to S0 (Blocker), which is worked 24x7."
    )
    assert reply.buttons == (Button("Raise HLP-0001 to S0", '/escalate{"ticket_ref": "HLP-0001", "severity": "S0"}'),)


def test_handoff_of_a_24x7_ticket_outside_hours_is_answered_within_its_target(real_policy):
    reply = followup.handoff_recorded(real_policy, ticket(severity="S0"), SAT_NOON)

    assert reply.text.endswith("A support engineer will reply to priya@acme.example by Sat 15 Mar, 13:00 IST.")
    assert reply.buttons == ()


def test_reopened_names_the_ticket_and_its_new_due_time(real_policy):
    reopened = replace(ticket(severity="S1"), due_at=sla.due_at("S1", WED_11, real_policy))

    assert followup.reopened(real_policy, reopened, WED_11, details_added=True).text == (
        "HLP-0001 (Analytics report won't download) is open again with your details added. "
        "First response within 1 hour during business hours, counted from now: by Wed 12 Mar, 12:00 IST."
    )


def test_a_closed_ticket_is_said_to_be_closed_with_reopen_or_a_new_ticket_offered():
    closed = ticket(status="closed")

    assert followup.not_open(closed).text.startswith(
        "HLP-0001 (Analytics report won't download) is closed, so nobody is working on it."
    )
    assert [b.title for b in followup.not_open(closed).buttons] == ["Reopen it", "File a ticket"]
    assert [b.payload for b in followup.reopen_with_details(closed).buttons] == ["/affirm", "/deny", "/file_ticket"]


def test_handoff_without_a_ticket_offers_to_file_one(real_policy):
    reply = followup.handoff_needs_a_ticket(real_policy)

    assert "Shall I file one?" in reply.text and "support@haptik.ai" in reply.text
    assert reply.buttons == (FILE_TICKET,)


def test_support_closed_names_the_next_opening_and_what_to_do_meanwhile(real_policy):
    reply = followup.support_closed(real_policy, SAT_NOON)

    assert reply.text.startswith("Support is closed right now; people are back Mon 17 Mar, 09:00 IST. ")
    assert "You can email support@haptik.ai, or file a ticket now" in reply.text
    assert reply.text.endswith("S0 (Blocker) issues are worked 24x7.")
    assert reply.buttons == (FILE_TICKET,)


def test_support_closed_on_a_weekday_evening_names_the_next_morning(real_policy):
    reply = followup.support_closed(real_policy, datetime(2025, 3, 12, 19, 0, tzinfo=IST))

    assert "people are back Thu 13 Mar, 09:00 IST." in reply.text
