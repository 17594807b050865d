"""What the assistant says while filing a ticket: the one summary to confirm (with the
proposed severity, its reasons, the response target and the concrete due time), the
prompts behind its buttons, and the receipt with the reference and the due time.

Kept apart from the actions so the wording is tested without Rasa and stays in the
policy's terms: every level is shown with its name, meaning and response target.
"""

from __future__ import annotations

from datetime import datetime

from helpdesk.answers import Button, Reply
from helpdesk.policy import Policy
from helpdesk.tickets import Ticket, TicketDraft
from helpdesk.triage import Decision
from helpdesk.wording import (
    format_business_hours,
    format_due,
    format_impact,
    format_target,
    join_words,
    lower_first,
)

DETAIL_LABELS = {
    "description": "Problem",
    "bot_or_area": "Bot or area",
    "environment": "Environment",
    "since": "Since",
    "impact": "Impact",
    "requester_email": "Contact",
    "links": "Links",
}
"""The ticket's details in the order the summary lists them, as the user reads them."""
OPTIONAL_DETAILS = {
    "bot_or_area": "which bot or area",
    "since": "since when",
    "impact": "who is affected",
    "links": "links or conversation ids",
}
"""Details support uses that never block filing: the summary invites them instead."""

FILE_IT = Button("File it", "/affirm")
CHANGE_SEVERITY = Button("Change severity", '/change_details{"detail": "severity"}')
ADD_DETAILS = Button("Add details", "/add_details")
CANCEL = Button("Cancel", "/cancel")


def summary(policy: Policy, draft: TicketDraft, decision: Decision, due: datetime) -> Reply:
    """The one confirmation: every detail, the level with its reasons, target and due time."""
    severity = policy.severity(draft.final_severity)
    values = {
        "description": draft.description,
        "bot_or_area": draft.bot_or_area,
        "environment": draft.environment,
        "since": draft.since,
        "impact": draft.impact,
        "requester_email": draft.requester.email,
        "links": ", ".join(draft.links),
    }
    lines = [f"• {DETAIL_LABELS[key]}: {_short(value)}" for key, value in values.items() if value]
    lines.append(
        f"• Severity: {severity.label}: {lower_first(severity.meaning)}, {format_impact(severity)} "
        f"(because {'; '.join(decision.reasons)})"
    )
    due_text = format_due(due, policy.quoting_zone)
    lines.append(
        f"• First response {format_target(severity)}{_clock_note(policy, severity.round_the_clock, due)}, so by {due_text}"
    )
    missing = [label for key, label in OPTIONAL_DETAILS.items() if not values[key]]
    them = "them" if len(missing) > 1 else "it"
    invite = f"\nIf you know {join_words(missing)}, type {them} here; it's fine to file without." if missing else ""
    return Reply(
        "Here's your ticket:\n" + "\n".join(lines) + invite + "\nShall I file it?",
        (FILE_IT, CHANGE_SEVERITY, ADD_DETAILS, CANCEL),
    )


def severity_choices(policy: Policy) -> Reply:
    """Behind "Change severity": every level with its meaning, as buttons."""
    return Reply(
        "Please pick the level that fits best:",
        tuple(
            Button(f"{s.label}: {lower_first(s.meaning)}", f'/inform{{"severity": "{s.level}"}}')
            for s in policy.severities.values()
        ),
    )


def details_prompt(draft: TicketDraft) -> Reply:
    """Behind "Add details": one open question, whose answer is read as a whole."""
    missing = [label for key, label in OPTIONAL_DETAILS.items() if not getattr(draft, key)]
    examples = f" (for example {join_words(missing)})" if missing else ""
    return Reply(
        f"What would you like to add or correct{examples}? Put it all in one message.",
        (Button("Nothing to add", "/deny"),),
    )


def receipt(policy: Policy, ticket: Ticket) -> Reply:
    """The filed ticket: reference, level, target, the due time as a person reads it, and what comes next."""
    severity = policy.severity(ticket.final_severity)
    due = format_due(ticket.due_at, policy.quoting_zone)
    return Reply(
        f"Your ticket {ticket.reference} is filed as {severity.label}. First response {format_target(severity)}, "
        f"so by {due}. {policy.after_filing.severity_validation} {policy.after_filing.updates} "
        + (
            f"Updates go to {ticket.requester.email}; quote {ticket.reference} if you write to {policy.contact.email}."
            if ticket.requester.email
            else f"I have no email address for you, so please write to {policy.contact.email} quoting {ticket.reference} for updates."
        )
    )


def delayed_receipt(policy: Policy, ticket: Ticket) -> Reply:
    """The receipt for a ticket kept while the ticket database is down: the same promise,
    and plainly that support will only see it once the database is back."""
    return Reply(
        f"{receipt(policy, ticket).text} One thing: our ticket system is unavailable right now, so I've saved "
        f"your ticket safely and it will reach the support team as soon as the database is back; "
        f"{ticket.reference} stays your reference."
    )


def _clock_note(policy: Policy, round_the_clock: bool, at: datetime) -> str:
    if round_the_clock:
        return ""
    return f" ({format_business_hours(policy.business_hours, at)})"


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def draft_on_hold(title: str) -> Reply:
    """After a follow-up on another ticket typed into the form: the new ticket waits, whole."""
    return Reply(
        f'Your new ticket ("{title}") is on hold, with everything you told me. Shall I go on with it?',
        (Button("Yes, go on with it", "/affirm"), Button("No, don't file it", "/deny")),
    )


def draft_left(title: str) -> Reply:
    """The user does not want the new ticket: nothing is filed, and nothing they said is lost."""
    return Reply(
        f'OK, I won\'t file the new ticket ("{title}"). What you told me for it is kept: say "file a ticket" '
        "if you want it after all."
    )
