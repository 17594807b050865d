"""Our bot and the baseline under the same loads, in alternating rounds.

The machine is shared, and other work comes and goes within a minute: measured one
after the other, either bot could catch a busy spell the other missed. So both stay
up, and each round runs the same phase on one, then on the other (1 user, then 20
users), three rounds in all; each bot's figures pool its rounds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from bench.bots import RunningBot
from bench.load import Conversation, LoadResult, run_load

ROUNDS = 3
USERS = (1, 20)
PHASE_DEADLINE_SECONDS = 120


@dataclass
class Contender:
    """A running bot, what its users say, and how many conversations each user has per round."""

    bot: RunningBot
    conversation: Conversation
    per_user: dict[int, int]
    """users -> conversations per user in one round."""
    warm_up: LoadResult = field(default_factory=lambda: LoadResult(1, 0))
    phases: dict[int, LoadResult] = field(default_factory=dict)


def run_rounds(contenders: list[Contender]) -> None:
    """One warm-up conversation each (first turns load lazily), then the rounds."""
    for contender in contenders:
        contender.warm_up.absorb(_phase(contender, 1, 1, "warm-up"))
    for round_number in range(ROUNDS):
        for users in USERS:
            for contender in contenders:
                result = _phase(contender, users, contender.per_user[users], f"r{round_number}-u{users}")
                contender.phases.setdefault(users, LoadResult(users, 0)).absorb(result)
    for contender in contenders:
        for users, result in contender.phases.items():
            shown = {k: v for k, v in result.summary().items() if k != "error_samples"}
            print(f"  {contender.bot.name}, {users} users, {ROUNDS} rounds: {shown}")


def describe(contender: Contender) -> dict[str, Any]:
    """Figures of one contender; resident memory is read now, after the load."""
    bot = contender.bot
    rasa_mib = bot.rasa.rss_mb()
    actions_mib = bot.actions.rss_mb() if bot.actions else None
    if any(result.errors for result in contender.phases.values()):
        for process in bot.fleet.processes:
            print(f"  {process.name} (exit code {process.popen.poll()}), end of its log:\n{process.tail(2000)}")
    return {
        "cold_start_seconds": bot.cold_start_seconds,
        "warm_up": _with_references(contender.warm_up),
        "load": {str(users): _with_references(result) for users, result in contender.phases.items()},
        "rss_mib": {"rasa": rasa_mib, "actions": actions_mib, "total": round(rasa_mib + (actions_mib or 0), 1)},
    }


def _phase(contender: Contender, users: int, per_user: int, prefix: str) -> LoadResult:
    bot = contender.bot
    cpu_before = _server_cpu_seconds(bot)
    result = asyncio.run(
        run_load(bot.rasa_url, users, per_user, contender.conversation, PHASE_DEADLINE_SECONDS, prefix)
    )
    result.server_cpu_seconds = _server_cpu_seconds(bot) - cpu_before
    return result


def _server_cpu_seconds(bot: RunningBot) -> float:
    return bot.rasa.cpu_seconds() + (bot.actions.cpu_seconds() if bot.actions else 0.0)


def _with_references(result: LoadResult) -> dict[str, Any]:
    """The summary plus the ticket references the conversations were quoted (ours only)."""
    return result.summary() | {"references": [outcome for outcome in result.outcomes if outcome]}
