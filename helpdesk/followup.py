"""What the assistant says when a user follows up on tickets: status, their open tickets,
added details, a changed severity, a closed ticket, a request for a person.

Pure functions of tickets, the policy and the moment, so every answer is tested without
Rasa. A ticket that is not the user's is answered exactly like one that does not exist:
the wording never depends on why a reference was not found.
"""

from __future__ import annotations

from datetime import datetime

from helpdesk import sla
from helpdesk.answers import FILE_TICKET, Button, Reply
from helpdesk.identity import Unverified
from helpdesk.policy import Policy
from helpdesk.store import Ticket
from helpdesk.wording import format_due, format_duration, format_target

STATUS_WORDS = {
    "open": "open, waiting for support",
    "in_progress": "in progress with support",
    "waiting_on_customer": "waiting for your reply",
    "resolved": "resolved",
    "closed": "closed",
}
EVENT_WORDS = {
    "created": "filed",
    "comment_added": "details added",
    "severity_changed": "severity changed",
    "status_changed": "status changed",
}


def no_access(policy: Policy, why: Unverified) -> Reply:
    """Why existing tickets stay hidden, and the two ways to get at them."""
    return Reply(
        f"I can't show existing tickets: {why.explanation}. Open the Help widget while signed in to the "
        f"platform and ask again, or email support at {policy.contact.email} quoting your ticket reference. "
        "You can still file a new ticket here.",
        (FILE_TICKET,),
    )


def not_found(reference: str) -> Reply:
    return Reply(f"I couldn't find a ticket {reference.upper()} for you. Check the reference, or ask for your tickets to see them all.",
                 (Button("My tickets", "/my_tickets"),))


def no_open_tickets() -> Reply:
    return Reply("You have no open tickets.", (FILE_TICKET,))


def which_ticket(tickets: list[Ticket], intent: str) -> Reply:
    """Several open tickets and no reference: offer each, newest first."""
    return Reply(
        "Which ticket do you mean?",
        tuple(Button(f"{t.reference}: {t.title}", f'/{intent}{{"ticket_ref": "{t.reference}"}}') for t in tickets),
    )


def status(policy: Policy, ticket: Ticket, now: datetime) -> Reply:
    """Where a ticket stands: status, severity, filed and due, overdue or not, last update."""
    tz = policy.business_hours.timezone
    severity = policy.severity(ticket.final_severity)
    last = ticket.history[-1] if ticket.history else None
    lines = [
        f"{ticket.reference}: {ticket.title}",
        f"• Status: {STATUS_WORDS.get(ticket.status, ticket.status)}",
        f"• Severity: {severity.label}",
        f"• Filed: {format_due(ticket.filed_at, tz)}",
        f"• First response due: {format_due(ticket.due_at, tz)}{_overdue(ticket, now)}",
    ]
    if last is not None:
        lines.append(f"• Last update: {EVENT_WORDS.get(last.kind, last.kind)}, {format_due(last.at, tz)}")
    return Reply("\n".join(lines), _ticket_actions(ticket) if ticket.is_open else ())


def my_tickets(policy: Policy, tickets: list[Ticket]) -> Reply:
    """The user's open tickets, newest first, one line each."""
    if not tickets:
        return no_open_tickets()
    tz = policy.business_hours.timezone
    lines = [
        f"• {t.reference}: {t.title} ({t.final_severity}, {STATUS_WORDS.get(t.status, t.status)}, "
        f"first response due {format_due(t.due_at, tz)})"
        for t in tickets
    ]
    return Reply("Your open tickets, newest first:\n" + "\n".join(lines),
                 tuple(Button(f"Status of {t.reference}", f'/ticket_status{{"ticket_ref": "{t.reference}"}}') for t in tickets[:5]))


def comment_added(ticket: Ticket) -> Reply:
    return Reply(f"Added to {ticket.reference}. Support sees it in the ticket's history.")


def severity_changed(policy: Policy, ticket: Ticket, previous: str, now: datetime) -> Reply:
    """The new level and its new due time, counted from the change."""
    severity = policy.severity(ticket.final_severity)
    direction = "raised" if list(policy.severities).index(severity.level) < list(policy.severities).index(previous) else "lowered"
    text = (
        f"{ticket.reference} is {direction} from {policy.severity(previous).label} to {severity.label}. "
        f"First response {format_target(severity)}, counted from now: by "
        f"{format_due(ticket.due_at, policy.business_hours.timezone)}."
    )
    if severity.round_the_clock and not sla.is_open(now, policy):
        text += f" Support is outside business hours right now, but {severity.level} is worked 24x7, so someone is on it."
    return Reply(f"{text} {policy.after_filing.severity_validation}")


def severity_unchanged(policy: Policy, ticket: Ticket) -> Reply:
    return Reply(f"{ticket.reference} is already {policy.severity(ticket.final_severity).label}; nothing changed.")


def closed(ticket: Ticket) -> Reply:
    return Reply(f"Done: {ticket.reference} is closed. If the problem comes back, just tell me and I'll file a new ticket.")


def kept_open(ticket: Ticket) -> Reply:
    return Reply(f"OK, {ticket.reference} stays open.")


def handoff_recorded(policy: Policy, ticket: Ticket, reply_by: datetime) -> Reply:
    return Reply(
        f"I've asked the support team to take over {ticket.reference} in person, with our conversation attached. "
        f"A support engineer will reply to {ticket.requester.email} by {format_due(reply_by, policy.business_hours.timezone)}."
    )


def handoff_needs_a_ticket(policy: Policy) -> Reply:
    return Reply(
        "A person from support can help best with a ticket that has the details. Shall I file one? "
        f"Or email support at {policy.contact.email}.",
        (FILE_TICKET,),
    )


def support_closed(policy: Policy, now: datetime) -> Reply:
    """Outside business hours: when a person is back, and what can be done meanwhile."""
    hours = policy.business_hours
    round_the_clock = [s.label for s in policy.severities.values() if s.round_the_clock]
    text = (
        f"Support is closed right now; people are back {format_due(sla.next_opening(now, policy), hours.timezone)}. "
        f"You can email {policy.contact.email}, or file a ticket now so the clock starts at opening."
    )
    if round_the_clock:
        text += f" {' and '.join(round_the_clock)} issues are worked 24x7."
    return Reply(text, (FILE_TICKET,))


def _overdue(ticket: Ticket, now: datetime) -> str:
    if ticket.status != "open" or now <= ticket.due_at:
        return ""
    return f" (overdue by {format_duration(now - ticket.due_at)})"


def _ticket_actions(ticket: Ticket) -> tuple[Button, ...]:
    ref = f'{{"ticket_ref": "{ticket.reference}"}}'
    return (
        Button("Add details", f"/add_details{ref}"),
        Button("Change severity", f"/escalate{ref}"),
        Button("Close it", f"/close_ticket{ref}"),
    )
