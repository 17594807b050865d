"""A readable summary of each event to the support mailbox over SMTP.

The Message-ID is derived from the idempotency key, so a mail sent twice (the worker
could not tell that the first one went through) is one message to mail systems that
de-duplicate by Message-ID, and recognisably the same one to a person.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

from helpdesk.delivery import summary
from helpdesk.delivery.outbox import Delivery
from helpdesk.delivery.targets import DeliveryFailed
from helpdesk.policy import Policy

IDEMPOTENCY_HEADER = "X-Idempotency-Key"


@dataclass(frozen=True)
class Mail:
    host: str
    port: int
    security: str
    """"none", "starttls" (upgrade a plain connection) or "ssl" (TLS from the start)."""
    sender: str
    recipient: str
    username: str | None
    password: str | None = field(repr=False)
    timeout_seconds: float
    policy: Policy = field(repr=False)

    def send(self, delivery: Delivery) -> None:
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.username is not None:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(self.message(delivery))
        except smtplib.SMTPResponseException as error:
            reply = (
                error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
            )
            raise DeliveryFailed(f"SMTP {error.smtp_code}: {reply}", permanent=error.smtp_code >= 500) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"SMTP failed: {error!r}") from error

    def message(self, delivery: Delivery) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.recipient
        message["Subject"] = summary.subject(delivery.message, self.policy)
        message["Message-ID"] = f"<{delivery.idempotency_key}@{self.sender.rsplit('@', 1)[1]}>"
        message[IDEMPOTENCY_HEADER] = delivery.idempotency_key
        message.set_content(summary.body(delivery.message, self.policy))
        return message

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout_seconds, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds)
