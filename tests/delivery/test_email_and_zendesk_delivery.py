"""Email to a real SMTP server (aiosmtpd) and Zendesk's Tickets API played by a local
server that checks the request the way Zendesk documents it, both on 127.0.0.1."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from delivery_helpers import DUE, FILED, Request, deployment, make_draft

from helpdesk.delivery.worker import build_worker
from helpdesk.store import open_store
from helpdesk.wording import format_due

SMTP_USER, SMTP_PASSWORD = "help-bot", "smtp-s3cret"
ZENDESK_EMAIL, ZENDESK_TOKEN = "agent@acme.example", "zd-token-123"


class Mailbox:
    """aiosmtpd handler and authenticator: keeps every message, and who logged in."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        valid = (auth_data.login, auth_data.password) == (SMTP_USER.encode(), SMTP_PASSWORD.encode())
        if valid:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=valid, handled=False)  # not handled: aiosmtpd answers 535 itself


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=mailbox.authenticate, auth_require_tls=False
    )
    controller.start()
    yield mailbox, port
    controller.stop()


def mail_target(port: int) -> dict[str, Any]:
    return {
        "name": "mailbox",
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "from": "help-assistant@haptik.ai",
        "username_env": "SMTP_USER",
        "password_env": "SMTP_PASSWORD",
        "timeout_seconds": 5,
    }


def test_the_support_mailbox_gets_a_readable_summary(tmp_path, smtp, policy):
    mailbox, port = smtp
    settings, env = deployment(tmp_path, [mail_target(port)], SMTP_USER=SMTP_USER, SMTP_PASSWORD=SMTP_PASSWORD)
    open_store(settings).create(make_draft(final_severity="S1"), FILED, DUE)

    assert build_worker(settings, policy, env).run_once().sent == 1

    ((sender, recipients, message),) = mailbox.messages
    assert mailbox.logins == [SMTP_USER]
    assert (sender, recipients) == ("help-assistant@haptik.ai", ["support@haptik.ai"])
    assert (
        message["Subject"]
        == f"[HLP-0001] S1 (High), due {format_due(DUE, policy.business_hours.timezone)}: Chats are not assigned to agents"
    )
    key = open_store(settings).outbox.rows()[0].idempotency_key
    assert message["Message-ID"] == f"<{key}@haptik.ai>"
    text = message.get_content()
    assert "Requester: Priya <priya@example.com>, account Acme Retail" in text
    assert "Since 10:00 no chat reaches an agent." in text


def test_refused_credentials_are_dead_at_once_for_an_operator(tmp_path, smtp, policy):
    mailbox, port = smtp
    settings, env = deployment(tmp_path, [mail_target(port)], SMTP_USER=SMTP_USER, SMTP_PASSWORD="wrong")
    store = open_store(settings)
    store.create(make_draft(), FILED, DUE)

    assert build_worker(settings, policy, env).run_once().dead == 1

    (row,) = store.outbox.rows(status="dead")
    assert row.attempts == 1 and row.last_error.startswith("SMTP 535")
    assert mailbox.messages == []


class FakeZendesk:
    """Checks a create-ticket request as Zendesk documents it; honours Idempotency-Key."""

    PRIORITIES = frozenset({"urgent", "high", "normal", "low"})

    def __init__(self) -> None:
        self.tickets: list[dict[str, Any]] = []
        self.answers: dict[str, tuple[int, bytes]] = {}

    def __call__(self, request: Request) -> tuple[int, bytes]:
        expected_auth = "Basic " + base64.b64encode(f"{ZENDESK_EMAIL}/token:{ZENDESK_TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != expected_auth:
            return 401, b'{"error": "Couldn\'t authenticate you"}'
        if request.path != "/api/v2/tickets.json" or not request.headers["Content-Type"].startswith("application/json"):
            return 404, b'{"error": "InvalidEndpoint"}'
        key = request.headers["Idempotency-Key"]
        if key in self.answers:
            return self.answers[key]
        problems = self.problems(json.loads(request.body))
        if problems:
            return 422, json.dumps({"error": "RecordInvalid", "details": problems}).encode()
        self.tickets.append(json.loads(request.body)["ticket"])
        self.answers[key] = (201, json.dumps({"ticket": {"id": len(self.tickets)}}).encode())
        return self.answers[key]

    def problems(self, body: dict[str, Any]) -> list[str]:
        ticket = body.get("ticket")
        if set(body) != {"ticket"} or not isinstance(ticket, dict):
            return ['the body is {"ticket": {...}}']
        checks = {
            "subject": isinstance(ticket.get("subject"), str) and "\n" not in ticket["subject"],
            "comment": isinstance(ticket.get("comment"), dict) and isinstance(ticket["comment"].get("body"), str),
            "priority": ticket.get("priority") in self.PRIORITIES,
            "requester": isinstance(ticket.get("requester"), dict) and set(ticket["requester"]) == {"email", "name"},
            "external_id": isinstance(ticket.get("external_id"), str),
            "tags": isinstance(ticket.get("tags"), list) and all(" " not in tag for tag in ticket["tags"]),
        }
        return [name for name, fine in checks.items() if not fine] + sorted(set(ticket) - set(checks))


def zendesk_target(url: str) -> dict[str, Any]:
    return {"name": "zendesk", "type": "zendesk", "url": url, "email": ZENDESK_EMAIL, "token_env": "ZENDESK_TOKEN"}


def test_zendesk_gets_a_ticket_in_its_own_terms(tmp_path, serve, policy):
    zendesk = FakeZendesk()
    settings, env = deployment(tmp_path, [zendesk_target(serve(zendesk).url)], ZENDESK_TOKEN=ZENDESK_TOKEN)
    store = open_store(settings)
    store.create(make_draft(final_severity="S1"), FILED, DUE)
    store.set_status("HLP-0001", "in_progress", FILED, "agent")

    assert build_worker(settings, policy, env).run_once().sent == 1

    (ticket,) = zendesk.tickets
    assert ticket["priority"] == "high"
    assert ticket["external_id"] == "HLP-0001"
    assert ticket["requester"] == {"email": "priya@example.com", "name": "Priya"}
    assert ticket["subject"].startswith(f"[HLP-0001] S1 (High), due {format_due(DUE, policy.business_hours.timezone)}")
    assert [row.event for row in store.outbox.rows()] == ["created"]


def test_a_wrong_zendesk_token_is_dead_at_once(tmp_path, serve, policy):
    settings, env = deployment(tmp_path, [zendesk_target(serve(FakeZendesk()).url)], ZENDESK_TOKEN="expired")
    store = open_store(settings)
    store.create(make_draft(), FILED, DUE)

    assert build_worker(settings, policy, env).run_once().dead == 1
    assert store.outbox.rows()[0].last_error.startswith("HTTP 401")
