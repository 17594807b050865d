"""A JSON POST of each event to a URL the support team runs, signed and de-duplicable.

The receiver verifies `X-Helpdesk-Signature: sha256=<hex>`, an HMAC-SHA256 of the raw
body with the shared secret, and drops an `Idempotency-Key` it has seen: the worker
sends again whenever it cannot be sure a request arrived.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field

import requests

from helpdesk.delivery.outbox import Delivery
from helpdesk.delivery.targets import check_http, http_failure

SIGNATURE_HEADER = "X-Helpdesk-Signature"
EVENT_HEADER = "X-Helpdesk-Event"


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: bytes = field(repr=False)
    connect_timeout_seconds: float
    read_timeout_seconds: float

    def send(self, delivery: Delivery) -> None:
        body = json.dumps(delivery.message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": delivery.idempotency_key,
            SIGNATURE_HEADER: signature(self.secret, body),
            EVENT_HEADER: delivery.event,
        }
        try:
            response = requests.post(
                self.url,
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=(self.connect_timeout_seconds, self.read_timeout_seconds),
            )
        except requests.RequestException as error:
            raise http_failure(error) from error
        check_http(response)
