"""New tickets into Zendesk through its Tickets API (POST /api/v2/tickets.json).

Our reference becomes Zendesk's `external_id`, so agents can search for what customers
quote, and the idempotency key goes in Zendesk's own `Idempotency-Key` header, which
makes a repeated create return the ticket the first one made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from helpdesk.delivery import summary
from helpdesk.delivery.outbox import Delivery
from helpdesk.delivery.targets import DeliveryFailed, check_http, http_failure
from helpdesk.policy import Policy

PRIORITIES = {"S0": "urgent", "S1": "high", "S2": "normal", "S3": "low"}
"""Our levels as Zendesk's four priorities; a level the mapping lacks is "normal"."""


def ticket_request(message: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    """The body Zendesk expects for one new ticket."""
    ticket = message["ticket"]
    requester = ticket["requester"]
    tags = ["help_assistant", f"severity_{ticket['severity'].lower()}"]
    if ticket["environment"]:
        tags.append(f"environment_{ticket['environment'].lower()}")
    return {
        "ticket": {
            "subject": summary.subject(message, policy),
            "comment": {"body": summary.body(message, policy)},
            "priority": PRIORITIES.get(ticket["severity"], "normal"),
            "requester": {"email": requester["email"], "name": requester["name"] or requester["email"]},
            "external_id": ticket["reference"],
            "tags": tags,
        }
    }


@dataclass(frozen=True)
class Zendesk:
    url: str
    """The account's base URL, such as https://acme.zendesk.com."""
    email: str
    token: str = field(repr=False)
    connect_timeout_seconds: float
    read_timeout_seconds: float
    policy: Policy = field(repr=False)

    def send(self, delivery: Delivery) -> None:
        if delivery.event != "created":
            raise DeliveryFailed(f"Zendesk takes new tickets only, not {delivery.event}", permanent=True)
        try:
            response = requests.post(
                f"{self.url}/api/v2/tickets.json",
                json=ticket_request(delivery.message, self.policy),
                auth=(f"{self.email}/token", self.token),
                headers={"Idempotency-Key": delivery.idempotency_key},
                timeout=(self.connect_timeout_seconds, self.read_timeout_seconds),
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise http_failure(error) from error
        check_http(response)
