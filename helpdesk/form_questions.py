"""Which questions the ticket form still asks, given what the user has already said.

Every question is a message the user must type before the support clock starts, so the
form asks only what changes the ticket's severity or routing and was not said: the
problem itself, production or staging, what the problem stops when the level hinges on it,
and an email when nobody signed the user in. Every other detail (bot, since when,
links) is read from whatever the user writes and offered at the one confirmation;
none of them blocks filing.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.policy import Policy
from helpdesk.triage import NON_PRODUCTION, Facts, decide

CONFIRMATION = "ticket_confirmed"
QUESTIONS = ("description", "environment", "impact", "requester_email")
"""The questions the form may ask before the confirmation, in the order it asks them."""

EVERYONE = "all users"
"""The widest impact, to see whether who is affected could move the level at all."""


@dataclass(frozen=True)
class DraftState:
    """What the draft holds so far that decides which questions remain."""

    description: str | None
    environment: str | None
    impact: str | None
    email: str | None
    assessed: str | None
    stated: str | None


def impact_hinges(policy: Policy, assessed: str | None, environment: str | None, stated: str | None) -> bool:
    """Whether the impact question could change the level triage proposes.

    A level the user stated never moves. A description NLU could not read a level from
    ("the bot is broken": helpdesk.vagueness) leaves the level open, and whether every
    conversation stopped or one part misbehaves decides it, unless the problem is outside
    production, where the level is capped anyway. Otherwise the level with every user
    affected is compared with the level when nothing is known about the impact; "no
    impact at all" is left out of the comparison, since it would make every answer matter.
    """
    if stated:
        return False
    if assessed is None:
        return environment not in NON_PRODUCTION
    unknown = decide(policy, assessed, Facts(environment=environment)).level
    widest = decide(policy, assessed, Facts(environment=environment, impact=EVERYONE)).level
    return unknown != widest


def next_question(policy: Policy, state: DraftState, given_up: frozenset[str] = frozenset()) -> str:
    """The next question to ask, or the confirmation once nothing that matters is missing.

    `given_up` names questions whose answers did not answer twice: the form moves on
    without them (an unknown environment is then filed as such).
    """
    missing = {
        "description": not state.description,
        "environment": state.environment is None,
        "impact": state.impact is None
        and state.environment is not None
        and impact_hinges(policy, state.assessed, state.environment, state.stated),
        "requester_email": not state.email,
    }
    return next((question for question in QUESTIONS if missing[question] and question not in given_up), CONFIRMATION)
