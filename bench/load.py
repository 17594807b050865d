"""Concurrent simulated users over the REST webhook, timing every turn.

Each user holds one conversation at a time under its own sender id and waits for each
answer before the next message, as a person in the widget does; a second message racing
the first in one conversation would only measure Rasa's lock-store polling (1 s), not
the bot. Loops are bounded by a conversation count per user and by a deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.users import Reply, Say

REQUEST_TIMEOUT_SECONDS = 30
MAX_ERRORS_KEPT = 10

Conversation = Callable[[Say, int], Awaitable[Any]]
"""Runs one whole conversation (number n of its user) through `say`; raises on failure."""


@dataclass
class LoadResult:
    """What one load phase measured."""

    users: int
    conversations_planned: int
    conversations_done: int = 0
    turns: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    outcomes: list[Any] = field(default_factory=list)
    wall_seconds: float = 0.0
    server_cpu_seconds: float | None = None
    """CPU the servers used meanwhile, when the caller measured it."""

    def error(self, message: str) -> None:
        self.errors += 1
        if len(self.error_samples) < MAX_ERRORS_KEPT:
            self.error_samples.append(message)

    def absorb(self, other: LoadResult) -> None:
        """Adds another phase with as many users, so rounds of one load read as one."""
        self.conversations_planned += other.conversations_planned
        self.conversations_done += other.conversations_done
        self.turns += other.turns
        self.latencies_ms += other.latencies_ms
        for message in other.error_samples:
            self.error(message)
        self.errors += other.errors - len(other.error_samples)
        self.outcomes += other.outcomes
        self.wall_seconds += other.wall_seconds
        if other.server_cpu_seconds is not None:
            self.server_cpu_seconds = (self.server_cpu_seconds or 0.0) + other.server_cpu_seconds

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        return {
            "users": self.users,
            "conversations_planned": self.conversations_planned,
            "conversations_done": self.conversations_done,
            "turns": self.turns,
            "p50_ms": percentile(ordered, 50),
            "p95_ms": percentile(ordered, 95),
            "p99_ms": percentile(ordered, 99),
            "max_ms": round(ordered[-1], 1) if ordered else None,
            "messages_per_second": round(self.turns / self.wall_seconds, 1) if self.wall_seconds else None,
            "server_cpu_ms_per_turn": (
                round(self.server_cpu_seconds * 1000 / self.turns, 1)
                if self.server_cpu_seconds is not None and self.turns
                else None
            ),
            "wall_seconds": round(self.wall_seconds, 2),
            "errors": self.errors,
            "error_samples": self.error_samples,
        }


def percentile(ordered: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of sorted values: the smallest value with pct % at or below it."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * pct // 100))
    return round(ordered[int(rank) - 1], 1)


async def run_load(
    rasa_url: str, users: int, per_user: int, conversation: Conversation, deadline_seconds: float, prefix: str
) -> LoadResult:
    """`users` users each run up to `per_user` conversations; none starts after the deadline."""
    result = LoadResult(users, users * per_user)
    webhook = f"{rasa_url}/webhooks/rest/webhook"
    deadline = time.monotonic() + deadline_seconds
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        start = time.monotonic()
        await asyncio.gather(
            *(_user(session, webhook, f"{prefix}-{u}", per_user, conversation, deadline, result) for u in range(users))
        )
        result.wall_seconds = time.monotonic() - start
    return result


async def _user(
    session: aiohttp.ClientSession,
    webhook: str,
    name: str,
    per_user: int,
    conversation: Conversation,
    deadline: float,
    result: LoadResult,
) -> None:
    for number in range(per_user):
        if time.monotonic() > deadline:
            result.error(f"{name}: deadline reached before conversation {number}")
            return
        say = _sayer(session, webhook, f"{name}-{number}", result)
        try:
            result.outcomes.append(await conversation(say, number))
            result.conversations_done += 1
        except Exception as error:  # any failure ends this conversation; the user starts the next
            result.error(f"{name}-{number}: {type(error).__name__}: {error}"[:300])


def _sayer(session: aiohttp.ClientSession, webhook: str, sender: str, result: LoadResult) -> Say:
    async def say(message: str, metadata: dict | None) -> Reply:
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        start = time.perf_counter()
        async with session.post(webhook, json=body) as response:
            response.raise_for_status()
            reply = await response.json()
        result.latencies_ms.append((time.perf_counter() - start) * 1000)
        result.turns += 1
        return reply

    return say
