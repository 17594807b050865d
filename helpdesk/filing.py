"""What the assistant says while filing a ticket: the severity proposal, the summary to
confirm, and the receipt with the reference and the concrete due time.

Kept apart from the actions so the wording is tested without Rasa and stays in the
policy's terms: every level is shown with its name, meaning and response target.
"""

from __future__ import annotations

import re

from helpdesk.answers import Button, Reply
from helpdesk.policy import Policy
from helpdesk.tickets import Ticket, TicketDraft
from helpdesk.triage import Decision
from helpdesk.wording import format_business_hours, format_due, format_impact, format_target, lower_first

TITLE_LENGTH = 80
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


def title_from(description: str) -> str:
    """A one-line title: the first sentence, cut at a word near TITLE_LENGTH characters."""
    first = re.split(r"(?<=[.!?])\s|\n", description.strip(), maxsplit=1)[0].strip() or "Support request"
    if len(first) <= TITLE_LENGTH:
        return first
    cut = first[:TITLE_LENGTH].rsplit(" ", 1)[0] or first[:TITLE_LENGTH]
    return cut.rstrip(",;:-") + "…"


def severity_proposal(policy: Policy, decision: Decision) -> Reply:
    """The assessed level with its meaning, target and reasons; the user accepts or picks another."""
    severity = policy.severity(decision.level)
    because = "; ".join(decision.reasons)
    others = [s for s in policy.severities.values() if s.level != severity.level]
    return Reply(
        f"I'd rate this {severity.label}: {lower_first(severity.meaning)}, {format_impact(severity)} "
        f"(because {because}). First response {format_target(severity)}{_clock_note(policy, severity.round_the_clock)}. "
        "Does that sound right, or is another level closer?",
        (Button(f"Yes, {severity.level} is right", "/affirm"),)
        + tuple(Button(f"{s.label}: {lower_first(s.meaning)}", f'/inform{{"severity": "{s.level}"}}') for s in others),
    )


def severity_choices(policy: Policy) -> Reply:
    """When the answer named no level: every level with its meaning, as buttons."""
    return Reply(
        "Please pick the level that fits best:",
        tuple(Button(f"{s.label}: {lower_first(s.meaning)}", f'/inform{{"severity": "{s.level}"}}') for s in policy.severities.values()),
    )


def summary(policy: Policy, draft: TicketDraft) -> Reply:
    """Everything about to be filed, for a last look before it goes to support."""
    severity = policy.severity(draft.final_severity)
    values = {
        "description": draft.description,
        "bot_or_area": draft.bot_or_area,
        "environment": draft.environment,
        "since": draft.since,
        "impact": draft.impact,
        "requester_email": draft.requester.email,
        "links": ", ".join(draft.links) or "none",
    }
    lines = [f"• {DETAIL_LABELS[key]}: {_short(value)}" for key, value in values.items() if value]
    whose = " (your choice)" if draft.severity_set_by_user else ""
    lines.append(f"• Severity: {severity.label}{whose}, first response {format_target(severity)}")
    return Reply(
        "Here's your ticket:\n" + "\n".join(lines) + "\nShall I file it?",
        (Button("Yes, file it", "/affirm"), Button("Change something", "/change_details"), Button("Cancel", "/cancel")),
    )


def receipt(policy: Policy, ticket: Ticket) -> Reply:
    """The filed ticket: reference, level, target, the due time as a person reads it, and what comes next."""
    severity = policy.severity(ticket.final_severity)
    due = format_due(ticket.due_at, policy.business_hours.timezone)
    return Reply(
        f"Your ticket {ticket.reference} is filed as {severity.label}. First response {format_target(severity)}, "
        f"so by {due}. {policy.after_filing.severity_validation} {policy.after_filing.updates} "
        f"Updates go to {ticket.requester.email}; quote {ticket.reference} if you write to {policy.contact.email}."
    )


def delayed_receipt(policy: Policy, ticket: Ticket) -> Reply:
    """The receipt for a ticket kept while the ticket database is down: the same promise,
    and plainly that support will only see it once the database is back."""
    return Reply(
        f"{receipt(policy, ticket).text} One thing: our ticket system is unavailable right now, so I've saved "
        f"your ticket safely and it will reach the support team as soon as the database is back; "
        f"{ticket.reference} stays your reference."
    )


def _clock_note(policy: Policy, round_the_clock: bool) -> str:
    if round_the_clock:
        return ""
    return f" ({format_business_hours(policy.business_hours)})"


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
