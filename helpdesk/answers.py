"""What the assistant says about support, composed from the policy at the moment of asking.

Every answer is built here from `helpdesk.policy`, so changing the policy file changes
the answers after a restart, with no retraining, and no support fact is written twice.
Answers that depend on the time ("are you open now?") take the moment as an argument,
which keeps them pure and testable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from helpdesk import sla
from helpdesk.policy import Policy, Severity
from helpdesk.wording import (
    format_business_hours,
    format_due,
    format_impact,
    format_target,
    join_words,
    lower_first,
)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message to the user: text, and buttons for the likely next steps."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


FILE_TICKET = Button("File a ticket", "/file_ticket")
RESPONSE_TIMES = Button("Response times", "/ask_response_times_all")
SEVERITY_LEVELS = Button("Severity levels", "/ask_severity_levels")
CONTACT = Button("Contact support", "/ask_contact")
DOCS = Button("Documentation", "/ask_docs")
MY_TICKETS = Button("My tickets", "/my_tickets")
MENU = (FILE_TICKET, RESPONSE_TIMES, MY_TICKETS, CONTACT, DOCS)

QUESTION_INTENTS = (
    "ask_response_time",
    "ask_response_times_all",
    "ask_severity_levels",
    "ask_severity_of_problem",
    "ask_business_hours",
    "ask_open_now",
    "ask_when_reply",
    "ask_contact",
    "ask_after_filing",
    "ask_docs",
)
"""The questions about support the assistant answers, by NLU intent: answered at any time,
in the middle of any form, and never taken as the answer to a form's question
(tests/unit/test_vocabulary.py holds domain.yml, the rules and the action table to this)."""

TOPIC_TITLES = {
    "report_problem": "Report a problem",
    "file_ticket": "File a support ticket",
    "ask_response_time": "Response time for a severity",
    "ask_response_times_all": "All response times",
    "ask_severity_levels": "What the severity levels mean",
    "ask_severity_of_problem": "How severe my problem is",
    "ask_business_hours": "Business hours",
    "ask_open_now": "Is support open now?",
    "ask_when_reply": "When I'd hear back",
    "ask_contact": "Contacting support",
    "ask_after_filing": "What happens after filing",
    "ask_docs": "Documentation",
    "ticket_status": "Status of a ticket",
    "my_tickets": "My tickets",
    "add_details": "Add details to a ticket",
    "escalate": "Change a ticket's severity",
    "close_ticket": "Close a ticket",
    "talk_to_human": "Talk to a person",
    "help_menu": "What you can do",
    "greet": "Just saying hi",
    "cancel": "Cancel what we're doing",
}
"""How each topic reads on a "did you mean ...?" button."""


def help_menu() -> Reply:
    return Reply(
        "I'm the Help assistant. I can file a support ticket for you and tell you when to "
        "expect a response, follow up on your tickets, explain severities and response "
        "times, and point you to the docs or the support team. What do you need?",
        MENU,
    )


def response_time(policy: Policy, level: str, now: datetime) -> Reply:
    """The target for one level, with what the clock means for it."""
    severity = policy.severity(level)
    hours = format_business_hours(policy.business_hours, now)
    clock = "around the clock, weekends included" if severity.round_the_clock else f"in business hours ({hours})"
    return Reply(
        f"{severity.label} is for when {lower_first(severity.meaning)} ({format_impact(severity)}). "
        f"Support responds {format_target(severity)}: the clock runs {clock}.",
        (RESPONSE_TIMES, FILE_TICKET),
    )


def response_times_for(policy: Policy, levels: Sequence[str], now: datetime) -> Reply:
    """The targets of the levels a question names ("S0 vs S2"): one level's rule, or each named one."""
    if len(levels) == 1:
        return response_time(policy, levels[0], now)
    lines = [
        f"• {s.label}: {lower_first(s.meaning)}; first response {format_target(s)}"
        for s in map(policy.severity, levels)
    ]
    return Reply(
        "\n".join([*lines, *_shared_targets(policy, levels)])
        + f"\nBusiness hours are {format_business_hours(policy.business_hours, now)}.",
        (RESPONSE_TIMES, FILE_TICKET),
    )


def _shared_targets(policy: Policy, levels: Sequence[str]) -> list[str]:
    """For a comparison, a line saying plainly that levels share a first-response target, if any do:
    "is S2 faster than S3?" has the answer "the same", which a list of targets leaves to the reader."""
    by_target: dict[str, list[str]] = {}
    for severity in map(policy.severity, dict.fromkeys(levels)):
        by_target.setdefault(format_target(severity), []).append(severity.label)
    return [
        f"{join_words(labels)} have the same first-response target: {target}; they differ in what stopped working."
        for target, labels in by_target.items()
        if len(labels) > 1
    ]


def response_times(policy: Policy, now: datetime) -> Reply:
    """All first-response targets at once, one level a line."""
    lines = _targets_by_level(policy)
    return Reply(
        "First-response times by severity:\n"
        + "\n".join(lines)
        + f"\nBusiness hours are {format_business_hours(policy.business_hours, now)}.",
        (SEVERITY_LEVELS, FILE_TICKET),
    )


def severity_levels(policy: Policy, *levels: str) -> Reply:
    """What the named levels mean (one, or each of a comparison), or all of them, with the policy's examples."""
    chosen = [policy.severity(level) for level in levels] or list(policy.severities.values())
    text = "\n".join([*map(_describe, chosen), *_shared_targets(policy, levels)])
    if not levels:
        text = "Severity levels:\n" + text
    return Reply(text + f"\n{policy.after_filing.severity_validation}", (RESPONSE_TIMES, FILE_TICKET))


def severity_of_problem(
    policy: Policy,
    level: str | None,
    cues: Sequence[str] = (),
    asked_about: str | None = None,
    now: datetime | None = None,
) -> Reply:
    """How a described problem would be rated and why, answering "would it be an S0?", offering to file.

    `asked_about` is the level the user asked about: the answer says plainly whether the
    problem would get it. With `now`, it also says when the first response would be due.
    """
    if level is None:
        return severity_levels(policy)
    severity = policy.severity(level)
    if asked_about and asked_about != severity.level:
        verdict = (
            f"From your description, that would be {severity.label} rather than {policy.severity(asked_about).label}"
        )
    else:
        verdict = f"From your description, that sounds like {severity.label}"
    quoted = join_words([f'"{cue}"' for cue in cues])
    why = f", because it mentions {quoted}" if cues else ""
    return Reply(
        f"{verdict}: {lower_first(severity.meaning)}, {format_impact(severity)}{why}. "
        f"{_first_response(policy, severity, now)} {policy.after_filing.severity_validation} Shall I file a ticket for it?",
        (FILE_TICKET, SEVERITY_LEVELS),
    )


def timing_for_problem(policy: Policy, level: str, now: datetime) -> str:
    """When support would respond to the problem just described, for the form to go on after."""
    severity = policy.severity(level)
    return (
        f"From your description this looks like {severity.label}: {lower_first(severity.meaning)}. "
        f"{_first_response(policy, severity, now)} {policy.after_filing.severity_validation}"
    )


def _first_response(policy: Policy, severity: Severity, now: datetime | None) -> str:
    target = f"First response {format_target(severity)}"
    if now is None:
        return target + "."
    due = format_due(sla.due_at(severity.level, now, policy), policy.quoting_zone)
    return f"{target}: filed now, that is by {due}."


def how_to(policy: Policy) -> Reply:
    """A how-to question: the documentation first, with the offer to file if it does not help."""
    return Reply(
        docs(policy).text + " If the guides don't answer it, I can file a ticket for the support team.",
        (FILE_TICKET, CONTACT),
    )


def _targets_by_level(policy: Policy) -> list[str]:
    """Every level's first-response target, one line each, in the policy's order."""
    return [f"• {s.label}: {format_target(s)}" for s in policy.severities.values()]


def first_response_and_resolution(policy: Policy) -> Reply:
    """The targets are for the first response; resolution follows the priority support decides."""
    lines = _targets_by_level(policy)
    return Reply(
        "The times are for the first response from support, not for the fix:\n"
        + "\n".join(lines)
        + f"\n{policy.after_filing.severity_validation} {policy.after_filing.updates}",
        (SEVERITY_LEVELS, FILE_TICKET),
    )


def business_hours(policy: Policy, now: datetime) -> Reply:
    round_the_clock = [s.label for s in policy.severities.values() if s.round_the_clock]
    text = f"Support's business hours are {format_business_hours(policy.business_hours, now)}."
    if round_the_clock:
        text += f" {join_words(round_the_clock)} issues are worked 24x7, outside those hours too."
    if policy.business_hours.holidays or policy.business_hours.public_holidays_country:
        text += " Support is closed on holidays."
    return Reply(text, (RESPONSE_TIMES, FILE_TICKET))


def open_now(policy: Policy, now: datetime) -> Reply:
    """Whether someone is at the desk now, and if not, when they will be."""
    hours = policy.business_hours
    round_the_clock = [s.label for s in policy.severities.values() if s.round_the_clock]
    if sla.is_open(now, policy):
        closes = now.astimezone(hours.timezone).replace(hour=hours.closes.hour, minute=hours.closes.minute)
        text = f"Yes, support is open right now, until {format_due(closes, policy.quoting_zone)}."
    else:
        opens = sla.next_opening(now, policy)
        text = f"Support is closed right now. It opens again {format_due(opens, policy.quoting_zone)}."
        if round_the_clock:
            text += f" {join_words(round_the_clock)} issues are worked 24x7, so file one now if it's that serious."
    return Reply(text, (FILE_TICKET, RESPONSE_TIMES))


def when_reply(policy: Policy, now: datetime, level: str | None = None) -> Reply:
    """The due time of a first response for a ticket filed now: for the level named, else for every level."""
    tz = policy.quoting_zone
    if level:
        severity = policy.severity(level)
        clock = (
            "around the clock, weekends included"
            if severity.round_the_clock
            else f"in business hours ({format_business_hours(policy.business_hours, now)})"
        )
        return Reply(
            f"{severity.label}: first response {format_target(severity)}, the clock running {clock}. "
            f"Filed now, that is by {format_due(sla.due_at(severity.level, now, policy), tz)}.\n{policy.after_filing.severity_validation}",
            (FILE_TICKET, RESPONSE_TIMES),
        )
    lines = [f"• {s.label}: by {format_due(sla.due_at(s.level, now, policy), tz)}" for s in policy.severities.values()]
    return Reply(
        "If you file a ticket now, the first response is due:\n"
        + "\n".join(lines)
        + f"\n{policy.after_filing.severity_validation}",
        (FILE_TICKET,),
    )


def contact(policy: Policy) -> Reply:
    c = policy.contact
    return Reply(
        f"You can email support at {c.email}, or file a ticket right here: I capture the details "
        f"and severity and the support team takes it from there. More on the Help section: {c.help_section_url}\n{c.guidance}",
        (FILE_TICKET, DOCS),
    )


def after_filing(policy: Policy) -> Reply:
    """What support does with a ticket, who settles its severity, and that the user can ask to change it."""
    return Reply(
        f"{policy.after_filing.severity_validation} {policy.after_filing.updates} If a filed ticket's severity "
        "is wrong, tell me its reference and the right level and I'll change it; support validates the level "
        "either way.",
        (FILE_TICKET, RESPONSE_TIMES),
    )


def docs(policy: Policy) -> Reply:
    c = policy.contact
    search = " Use the search box at the top to find a topic." if c.docs_has_search else ""
    return Reply(
        f"The documentation is at {c.docs_url}: guides on {join_words(list(c.docs_topics))}.{search}",
        (FILE_TICKET, CONTACT),
    )


def out_of_scope(policy: Policy) -> Reply:
    return Reply(
        "That's outside what I can help with: I'm the platform's Help assistant, here for "
        "support tickets, response times and finding the docs. For anything else about the "
        f"platform, support is at {policy.contact.email}.",
        MENU,
    )


def fallback(policy: Policy) -> Reply:
    return Reply(
        f"Sorry, I still couldn't follow. Here's what I can do, or you can email support at {policy.contact.email}.",
        MENU,
    )


def back_to_the_ticket() -> str:
    return 'Back to your ticket (say "cancel" to stop it):'


def change_at_summary() -> str:
    return "You can change any detail at the summary, just before I file the ticket."


def _describe(severity: Severity) -> str:
    examples = "; ".join(severity.examples)
    return (
        f"• {severity.label}: {lower_first(severity.meaning)}, {format_impact(severity)} "
        f"(e.g. {examples}). First response {format_target(severity)}."
    )


def acknowledgement(last_reference: str | None) -> Reply:
    """A stray "yes" or "no" outside any question: after filing, a repeated confirmation."""
    if last_reference:
        return Reply(
            f"Your ticket {last_reference} is already filed; nothing more is needed. Anything else I can help with?",
            MENU,
        )
    return Reply("OK. What can I help you with?", MENU)
