"""What every target is to the worker: something that sends one delivery or raises.

Failures say whether trying again can help: a refused request (most 4xx answers, a
5xx SMTP reply) is permanent and the row goes dead at once for an operator to fix the
configuration and retry it, instead of hammering the receiver for hours.
"""

from __future__ import annotations

from typing import Protocol

import requests

from helpdesk.delivery.outbox import Delivery

ERROR_BODY_LENGTH = 200
TRANSIENT_HTTP = frozenset({408, 409, 425, 429})
"""4xx answers that mean "not now" rather than "never": timeout, conflict, too early, too many."""


class DeliveryFailed(Exception):
    """The target did not take the delivery; the message is what the operator reads."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Target(Protocol):
    def send(self, delivery: Delivery) -> None:
        """Returns once the receiver has accepted the delivery; raises DeliveryFailed otherwise."""


def check_http(response: requests.Response) -> None:
    """2xx is accepted; anything else fails, permanently for 4xx other than TRANSIENT_HTTP."""
    if 200 <= response.status_code < 300:
        return
    body = " ".join(response.text.split())[:ERROR_BODY_LENGTH]
    permanent = 400 <= response.status_code < 500 and response.status_code not in TRANSIENT_HTTP
    raise DeliveryFailed(f"HTTP {response.status_code} from {response.url}: {body}", permanent)


def http_failure(error: requests.RequestException) -> DeliveryFailed:
    """Timeouts and refused connections: the receiver may be back on the next attempt."""
    kind = "timed out" if isinstance(error, requests.Timeout) else "failed"
    return DeliveryFailed(f"request {kind}: {error}")
