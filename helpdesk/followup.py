"""What the assistant says when a user follows up on tickets: status, their open tickets,
added details, a changed severity, a closed or reopened ticket, a request for a person.

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
from helpdesk.tickets import SYSTEM_AUTHORS, Event, Ticket
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
    "first_response": "support responded",
    "sla_at_risk": "first response due soon",
    "sla_breached": "first response overdue",
    "satisfaction_rated": "you rated support",
    "handoff_requested": "a person asked for",
}


def no_access(policy: Policy, why: Unverified) -> Reply:
    """Why existing tickets stay hidden, and the two ways to get at them."""
    return Reply(
        f"I can't show existing tickets: {why.explanation}. Open the Help widget while signed in to the "
        f"platform and ask again, or email support at {policy.contact.email} quoting your ticket reference. "
        "You can still file a new ticket here.",
        (FILE_TICKET,),
    )


def about(ticket: Ticket) -> str:
    """A ticket as the user recognises it: its reference and what it is about."""
    return f"{ticket.reference} ({ticket.title})"


def not_found(reference: str, suggestions: tuple[Ticket, ...] = (), intent: str = "ticket_status") -> Reply:
    """A reference that is none of the user's tickets. `suggestions` must be the user's own:
    then the answer never depends on whether someone else has a ticket by that reference."""
    text = f"I couldn't find a ticket {reference.upper()} for you."
    if suggestions:
        names = [about(t) for t in suggestions]
        text += f" Did you mean {', '.join(names[:-1]) + ' or ' if len(names) > 1 else ''}{names[-1]}?"
    else:
        text += " Check the reference, or ask for your tickets to see them all."
    return Reply(text, (*tuple(_pick(t, intent) for t in suggestions), Button("My tickets", "/my_tickets")))


def no_open_tickets() -> Reply:
    return Reply("You have no open tickets.", (FILE_TICKET,))


def which_ticket(tickets: tuple[Ticket, ...] | list[Ticket], intent: str) -> Reply:
    """Several open tickets and none named: offer each by what it is about, newest first."""
    return Reply(
        "Which ticket do you mean? Tap one, or tell me what it's about.",
        tuple(_pick(t, intent) for t in tickets),
    )


def no_pick(tickets: tuple[Ticket, ...] | list[Ticket], intent: str) -> Reply:
    """A reply to "which ticket?" that fits none of them, or more than one: or was it something new?"""
    return Reply(
        "I couldn't tell which of your tickets you mean. Tap one, or file a new ticket:",
        (*tuple(_pick(t, intent) for t in tickets), FILE_TICKET),
    )


def also_asked(requests: list[tuple[str, str]]) -> Reply:
    """Requests of the same message left for after the current one: (what, its payload) each."""
    return Reply(
        "You also asked: " + "; ".join(what for what, _ in requests) + ". Tap to do it when we're done here.",
        tuple(Button(what[:1].upper() + what[1:], payload) for what, payload in requests),
    )


def status(policy: Policy, ticket: Ticket, now: datetime) -> Reply:
    """Where a ticket stands: status, severity, filed and due, overdue or not, last update."""
    tz = policy.quoting_zone
    severity = policy.severity(ticket.final_severity)
    last = ticket.history[-1] if ticket.history else None
    replied = support_reply(ticket)
    lines = [
        f"{ticket.reference}: {ticket.title}",
        f"• Status: {STATUS_WORDS.get(ticket.status, ticket.status)}",
        f"• Severity: {severity.label}",
        f"• Filed: {format_due(ticket.filed_at, tz)}",
        f"• First response due: {format_due(ticket.due_at, tz)}{_time_left(ticket, replied, now)}",
        f"• Support: {f'responded {format_due(replied.at, tz)}' if replied else 'no response yet'}",
    ]
    if last is not None:
        lines.append(f"• Last update: {EVENT_WORDS.get(last.kind, last.kind)}, {format_due(last.at, tz)}")
    if ticket.is_open and replied is None and now > ticket.due_at:
        return _overdue(policy, ticket, lines)
    return Reply("\n".join(lines), _ticket_actions(ticket) if ticket.is_open else ())


def _overdue(policy: Policy, ticket: Ticket, lines: list[str]) -> Reply:
    """The promise was broken: said plainly, with an apology and the ways to push it."""
    top = next(iter(policy.severities.values()))
    lines.append(
        f"I'm sorry: support has not answered {ticket.reference} in the promised time. I can raise it to "
        f"{top.label}, which reaches the support team at once and around the clock, or ask for a person."
    )
    raise_it = Button(
        f"Raise to {top.level}", f'/escalate{{"ticket_ref": "{ticket.reference}", "severity": "{top.level}"}}'
    )
    person = Button("Talk to a person", f'/talk_to_human{{"ticket_ref": "{ticket.reference}"}}')
    buttons = (person,) if ticket.final_severity == top.level else (raise_it, person)
    return Reply("\n".join(lines), buttons)


def my_tickets(policy: Policy, tickets: list[Ticket]) -> Reply:
    """The user's open tickets, newest first, one line each."""
    if not tickets:
        return no_open_tickets()
    tz = policy.quoting_zone
    lines = [
        f"• {t.reference}: {t.title} ({t.final_severity}, {STATUS_WORDS.get(t.status, t.status)}, "
        f"first response due {format_due(t.due_at, tz)})"
        for t in tickets
    ]
    return Reply(
        "Your open tickets, newest first:\n" + "\n".join(lines),
        tuple(
            Button(f"Status of {t.reference}", f'/ticket_status{{"ticket_ref": "{t.reference}"}}') for t in tickets[:5]
        ),
    )


def support_reply(ticket: Ticket) -> Event | None:
    """Support's first response: the one recorded (`helpdesk tickets respond`), else the first
    thing support did on the ticket, an event by anyone but the requester or the system."""
    if ticket.first_response_at is not None:
        return next((e for e in ticket.history if e.kind == "first_response"), None)
    requester = ticket.requester.email.casefold()
    return next((e for e in ticket.history[1:] if e.author.casefold() not in {requester, *SYSTEM_AUTHORS}), None)


def comment_added(ticket: Ticket) -> Reply:
    return Reply(f"Added to {about(ticket)}. Support sees it in the ticket's history.")


def not_open(ticket: Ticket) -> Reply:
    """A change asked of a resolved or closed ticket, which nobody works on any more."""
    return Reply(
        f"{about(ticket)} is {ticket.status}, so nobody is working on it. I can reopen it, or file a new ticket.",
        (Button("Reopen it", f'/reopen_ticket{{"ticket_ref": "{ticket.reference}"}}'), FILE_TICKET),
    )


def already_closed(ticket: Ticket) -> Reply:
    return Reply(f"{about(ticket)} is already {ticket.status}; nothing changed.")


def already_open(ticket: Ticket) -> Reply:
    return Reply(
        f"{about(ticket)} is still {STATUS_WORDS.get(ticket.status, ticket.status)}; there is nothing to reopen.",
        _ticket_actions(ticket),
    )


def reopen_with_details(ticket: Ticket) -> Reply:
    """Details for a resolved or closed ticket: added only if the user agrees to reopen it."""
    return Reply(
        f"{about(ticket)} is {ticket.status}, so nobody would read what you add. "
        "Shall I reopen it with your details added? Or I can file a new ticket instead.",
        (Button("Yes, reopen it", "/affirm"), Button("No, leave it closed", "/deny"), FILE_TICKET),
    )


def reopen_reason(ticket: Ticket) -> Reply:
    return Reply(f"What's happening again with {about(ticket)}? A sentence helps support pick it up.")


def reopened(policy: Policy, ticket: Ticket, now: datetime, details_added: bool) -> Reply:
    """The reopened ticket and its new due time, counted from the reopening."""
    severity = policy.severity(ticket.final_severity)
    added = " with your details added" if details_added else ""
    text = (
        f"{about(ticket)} is open again{added}. First response {format_target(severity)}, counted from now: "
        f"by {format_due(ticket.due_at, policy.quoting_zone)}."
    )
    return Reply(text)


def stays_closed(ticket: Ticket) -> Reply:
    return Reply(
        f"OK, {ticket.reference} stays {ticket.status} and nothing was added. "
        "If the problem is back, I can file a new ticket.",
        (FILE_TICKET,),
    )


def severity_changed(policy: Policy, ticket: Ticket, previous: str, now: datetime) -> Reply:
    """The new level and its new due time, counted from the change."""
    severity = policy.severity(ticket.final_severity)
    direction = (
        "raised"
        if list(policy.severities).index(severity.level) < list(policy.severities).index(previous)
        else "lowered"
    )
    text = (
        f"{ticket.reference} is {direction} from {policy.severity(previous).label} to {severity.label}. "
        f"First response {format_target(severity)}, counted from now: by "
        f"{format_due(ticket.due_at, policy.quoting_zone)}."
    )
    if severity.round_the_clock and not sla.is_open(now, policy):
        text += (
            f" Support is outside business hours right now, but {severity.level} is worked 24x7, so someone is on it."
        )
    return Reply(f"{text} {policy.after_filing.severity_validation}")


def severity_unchanged(policy: Policy, ticket: Ticket) -> Reply:
    return Reply(f"{ticket.reference} is already {policy.severity(ticket.final_severity).label}; nothing changed.")


def closed(ticket: Ticket) -> Reply:
    return Reply(
        f"Done: {ticket.reference} is closed. If the problem comes back, just tell me and I'll file a new ticket."
    )


def kept_open(ticket: Ticket) -> Reply:
    return Reply(f"OK, {ticket.reference} stays open.")


def handoff_recorded(policy: Policy, ticket: Ticket, now: datetime) -> Reply:
    """A person asked for on this ticket: who replies when, and, while support is closed and
    the ticket's level waits for opening, the level that would have someone on it now."""
    tz = policy.quoting_zone
    severity = policy.severity(ticket.final_severity)
    reply_by = format_due(sla.due_at(severity.level, now, policy), tz)
    asked = f"I've asked the support team to take over {about(ticket)} in person, with our conversation attached."
    if severity.round_the_clock or sla.is_open(now, policy):
        return Reply(f"{asked} A support engineer will reply to {ticket.requester.email} by {reply_by}.")
    sooner = [s for s in policy.severities.values() if s.round_the_clock]
    text = (
        f"{asked} Support is closed right now: a person picks up {ticket.reference} when support opens, "
        f"{format_due(sla.next_opening(now, policy), tz)}, and replies to {ticket.requester.email} by {reply_by}."
    )
    if sooner:
        text += f" If it can't wait, I can raise it to {' or '.join(s.label for s in sooner)}, which is worked 24x7."
    return Reply(
        text,
        tuple(
            Button(
                f"Raise {ticket.reference} to {s.level}",
                f'/escalate{{"ticket_ref": "{ticket.reference}", "severity": "{s.level}"}}',
            )
            for s in sooner
        ),
    )


def handoff_on_a_closed_ticket(ticket: Ticket) -> Reply:
    return Reply(
        f"{about(ticket)} is {ticket.status}, so nobody is working on it. I can reopen it, and a person picks it up from there.",
        (Button("Reopen it", f'/reopen_ticket{{"ticket_ref": "{ticket.reference}"}}'), FILE_TICKET),
    )


def handoff_needs_a_ticket(policy: Policy) -> Reply:
    return Reply(
        "A person from support can help best with a ticket that has the details. Shall I file one? "
        f"Or email support at {policy.contact.email}.",
        (FILE_TICKET,),
    )


def support_closed(policy: Policy, now: datetime) -> Reply:
    """Outside business hours: when a person is back, and what can be done meanwhile."""
    round_the_clock = [s.label for s in policy.severities.values() if s.round_the_clock]
    text = (
        f"Support is closed right now; people are back {format_due(sla.next_opening(now, policy), policy.quoting_zone)}. "
        f"You can email {policy.contact.email}, or file a ticket now so the clock starts at opening."
    )
    if round_the_clock:
        text += f" {' and '.join(round_the_clock)} issues are worked 24x7."
    return Reply(text, (FILE_TICKET,))


def _time_left(ticket: Ticket, replied: Event | None, now: datetime) -> str:
    """Only while the first response is still awaited: how long until it is due, or how overdue."""
    if ticket.status != "open" or replied is not None:
        return ""
    if now <= ticket.due_at:
        return f" ({format_duration(ticket.due_at - now)} from now)"
    return f" (overdue by {format_duration(now - ticket.due_at)})"


def _pick(ticket: Ticket, intent: str) -> Button:
    return Button(f"{ticket.reference}: {ticket.title}", f'/{intent}{{"ticket_ref": "{ticket.reference}"}}')


def _ticket_actions(ticket: Ticket) -> tuple[Button, ...]:
    ref = f'{{"ticket_ref": "{ticket.reference}"}}'
    return (
        Button("Add details", f"/add_details{ref}"),
        Button("Change severity", f"/escalate{ref}"),
        Button("Close it", f"/close_ticket{ref}"),
    )
