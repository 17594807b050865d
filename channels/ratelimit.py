"""How many messages one sender may send in a sliding window.

Kept in this process's memory: enough for one Rasa process (the widget's users each
have their own sender id). Rasa with several Sanic workers would count per worker, and a
client inventing a new sender per message is a job for a per-address limit at the proxy.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_SENDERS = 10_000
"""Senders remembered at most; beyond that the least recently seen are forgotten, so a
flood of invented sender ids cannot grow the server's memory without bound."""


class RateLimiter:
    """A sliding-window log per sender: the times of its messages still inside the window."""

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, sender: str) -> bool:
        """Counts a message from `sender` if it is within the limit; False when over it."""
        now = self._clock()
        self._forget_idle(now)
        times = self._seen.pop(sender, None) or deque()
        while times and times[0] <= now - self._window:
            times.popleft()
        allowed = len(times) < self._limit
        if allowed:
            times.append(now)
        self._seen[sender] = times  # re-inserted last: the most recently seen
        return allowed

    def _forget_idle(self, now: float) -> None:
        """Drops the least recently seen senders whose window is empty, and any over MAX_SENDERS."""
        while self._seen:
            oldest = next(iter(self._seen.values()))
            if oldest and oldest[-1] > now - self._window and len(self._seen) < MAX_SENDERS:
                return
            self._seen.popitem(last=False)
