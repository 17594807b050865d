"""The severity decision: what level a ticket is filed with, and why, in words a user reads.

NLU reads a level from the description (components.severity); the form then learns
facts the description may not state. A few facts settle questions NLU can only guess
at, so they adjust its reading:

1. A level the user stated themselves wins: support validates it later anyway.
2. Anything outside production (staging, a test bot) has no customer impact: at most
   S2, the level whose example in the policy is a staging problem.
3. "No business impact" is, by the policy's own definition, the lowest level.

How many users are affected never raises a level by itself: severity is which function
stopped and what that costs the business (a report download failing for everyone is
still the policy's S1 example), and NLU reads that from the description.

A reason never contradicts the level: when a fact lowers the level, the reading of the
description is given as what it would have been, followed by the fact that changed it.
Without an NLU reading the level falls back to the policy's middle ground (S2) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.details import impact_scope
from helpdesk.policy import Policy
from helpdesk.wording import join_words, lower_first

FALLBACK_LEVEL = "S2"
NON_PRODUCTION = frozenset({"staging"})
NON_PRODUCTION_CAP = "S2"


@dataclass(frozen=True)
class Facts:
    """What the form collected that bears on severity."""

    environment: str | None = None
    impact: str | None = None


@dataclass(frozen=True)
class Decision:
    """The level to file with, who chose it, and the reasons to tell the user."""

    level: str
    set_by_user: bool
    reasons: tuple[str, ...]


def decide(
    policy: Policy, assessed: str | None, facts: Facts, stated: str | None = None, cues: tuple[str, ...] = ()
) -> Decision:
    """Combine the user's own level, NLU's assessment and the collected facts into one level."""
    if stated:
        level = policy.severity(stated).level
        return Decision(level, True, (f"you set it to {policy.severity(level).label} yourself",))

    order = list(policy.severities)
    level, reading = _from_assessment(policy, assessed, cues)
    changes: list[str] = []
    if facts.environment in NON_PRODUCTION and order.index(level) < order.index(NON_PRODUCTION_CAP):
        level = NON_PRODUCTION_CAP
        changes.append(f"it happens on {facts.environment}, not in production, so customers are not affected")
    if impact_scope(facts.impact) == "none" and level != order[-1]:
        level = order[-1]
        changes.append("you said there is no business impact")
    if changes and assessed in policy.severities:
        return Decision(level, False, (f"{reading} on its own, but {changes[0]}", *changes[1:]))
    return Decision(level, False, (reading, *changes))


def _from_assessment(policy: Policy, assessed: str | None, cues: tuple[str, ...]) -> tuple[str, str]:
    if assessed not in policy.severities:
        return (
            FALLBACK_LEVEL,
            f"I could not tell from the description, so I started from {policy.severity(FALLBACK_LEVEL).label}",
        )
    severity = policy.severity(assessed)
    quoted = join_words([f'"{cue}"' for cue in cues])
    evidence = f"the description mentions {quoted}, which reads like" if cues else "the description reads like"
    return severity.level, f"{evidence} {lower_first(severity.meaning)}"
