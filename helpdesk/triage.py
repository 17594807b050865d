"""The severity decision: what level a ticket is filed with, and why, in words a user reads.

NLU reads a level from the description (components.severity); the form then learns
facts the description may not state. A few facts settle questions NLU can only guess
at, so they adjust its reading:

1. A level the user stated themselves wins: support validates it later anyway.
2. Anything outside production (staging, a test bot) cannot be a blocker: at most S1.
3. "No business impact" is, by the policy's own definition, the lowest level.
4. Production with every user affected is at least a blocker when NLU already reads a
   major or critical failure: partial outages stay where NLU put them.

Without an NLU reading the level falls back to the policy's middle ground (S2) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.details import impact_scope
from helpdesk.policy import Policy
from helpdesk.wording import join_words, lower_first

FALLBACK_LEVEL = "S2"
NON_PRODUCTION = frozenset({"staging"})


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
    level, reasons = _from_assessment(policy, assessed, cues)
    scope = impact_scope(facts.impact)

    if facts.environment in NON_PRODUCTION and level == order[0]:
        level = order[1]
        reasons.append(f"it happens on {facts.environment}, not in production, so it is not a {policy.severity(order[0]).name.lower()}")
    if scope == "none":
        level = order[-1]
        reasons.append("you said there is no business impact")
    elif scope == "all" and facts.environment == "production" and level == order[1]:
        level = order[0]
        reasons.append("it is in production and affects all users")
    return Decision(level, False, tuple(reasons))


def _from_assessment(policy: Policy, assessed: str | None, cues: tuple[str, ...]) -> tuple[str, list[str]]:
    if assessed not in policy.severities:
        return FALLBACK_LEVEL, [f"I could not tell from the description, so I started from {policy.severity(FALLBACK_LEVEL).label}"]
    severity = policy.severity(assessed)
    quoted = join_words([f'"{cue}"' for cue in cues])
    evidence = f"the description mentions {quoted}, which reads like" if cues else "the description reads like"
    return severity.level, [f"{evidence} {lower_first(severity.meaning)}"]
