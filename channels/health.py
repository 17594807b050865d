"""Whether the action server can take a turn, asked before the turn starts.

When Rasa cannot reach the action server it logs, drops that action's events and goes on
predicting: mid-form, the user's answer would land in a slot unvalidated and the form
would lose its step. Asking first lets the channel keep the message and answer honestly.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

import aiohttp
from rasa.utils.endpoints import EndpointConfig

HEALTH_TIMEOUT_SECONDS = 2.0
"""A healthy action server answers /health in about a millisecond on the same host."""


async def action_server_up(endpoint: EndpointConfig | None) -> bool:
    """Whether the action server next to `endpoint` (its /webhook URL) answers GET /health.

    A bot configured without an action server needs none, so that counts as up.
    """
    if endpoint is None:
        return True
    url = urljoin(endpoint.url, "health")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_SECONDS)) as session:
            async with session.get(url) as response:
                return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False
