"""Real parts for the delivery tests, all on 127.0.0.1: an HTTP server a test scripts,
a webhook receiver that verifies and de-duplicates as the README asks receivers to, and
settings for a throwaway deployment. (A plain module: tests/delivery has no __init__.py.)"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

from helpdesk import sla
from helpdesk.config import PROJECT_ROOT, Settings, load_settings
from helpdesk.wiring import default_policy
from tests.drafts import make_draft  # noqa: F401 (re-exported for the delivery tests)

SECRET = "webhook-s3cret"
FILED = datetime.now(timezone.utc).replace(microsecond=0)
"""Now: deliveries are due at once, and no first response falls due (and raises a
response-time alert) while these tests run; tests/delivery/test_response_alerts.py is
about those."""
DUE = sla.due_at("S1", FILED, default_policy())
"""An hour of business time away: at least that long for every level these tests file."""


@dataclass(frozen=True)
class Request:
    path: str
    headers: Mapping[str, str]
    body: bytes


Answer = tuple[int, bytes]


class LocalServer:
    """A threaded HTTP server on a free loopback port; `answer` decides each POST's reply."""

    def __init__(self, answer: Callable[[Request], Answer]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, reply = answer(Request(self.path, dict(self.headers), body))
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:
                    pass  # the client gave up (its timeout), as it should

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class WebhookReceiver:
    """A support team's receiver: checks the signature, keeps each idempotency key once.

    `script(n)` says what to do with the n-th request: "ok", "fail" (503) or "hang"
    (answer nothing until `release` is set).
    """

    def __init__(self, script: Callable[[int], str] = lambda number: "ok") -> None:
        self.script = script
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.requests = 0
        self.failed = 0
        self.bad_signatures = 0
        self.redeliveries = 0
        self.accepted: dict[str, dict[str, Any]] = {}

    def __call__(self, request: Request) -> Answer:
        with self._lock:
            self.requests += 1
            number = self.requests
        verdict = self.script(number)
        if verdict == "hang":
            self.release.wait(10)
            return 503, b'{"error": "stuck"}'
        if verdict == "fail":
            with self._lock:
                self.failed += 1
            return 503, b'{"error": "try later"}'
        expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Helpdesk-Signature", "")):
            with self._lock:
                self.bad_signatures += 1
            return 401, b'{"error": "bad signature"}'
        key = request.headers["Idempotency-Key"]
        with self._lock:
            if key in self.accepted:
                self.redeliveries += 1  # seen before: acknowledged, not stored again
            else:
                self.accepted[key] = json.loads(request.body)
        return 200, b'{"ok": true}'

    def tickets(self) -> list[str]:
        """References of the tickets received, one per accepted "created" event."""
        return [event["ticket"]["reference"] for event in self.accepted.values() if event["event"] == "created"]


def webhook_target(url: str, **settings: Any) -> dict[str, Any]:
    return {
        "name": "hook",
        "type": "webhook",
        "url": f"{url}/hooks/help",
        "secret_env": "TEST_WEBHOOK_SECRET",
        "connect_timeout_seconds": 2,
        "read_timeout_seconds": 2,
        **settings,
    }


def deployment(tmp_path: Path, targets: list[dict[str, Any]], **overrides: str) -> tuple[Settings, dict[str, str]]:
    """Settings and environment of a throwaway deployment under tmp_path with fast retries."""
    env = {
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/db/tickets.db",
        "HELPDESK_JOURNAL_FILE": str(tmp_path / "var/journal.jsonl"),
        "HELPDESK_RESERVED_REFERENCES_FILE": str(tmp_path / "var/reserved-references.json"),
        "HELPDESK_RESERVED_REFERENCES": "5",
        "HELPDESK_DELIVERY_TARGETS": json.dumps(targets),
        "HELPDESK_DELIVERY_MAX_ATTEMPTS": "5",
        "HELPDESK_DELIVERY_BACKOFF_SECONDS": "0.01",
        "HELPDESK_DELIVERY_BACKOFF_MAX_SECONDS": "0.05",
        "HELPDESK_DELIVERY_LEASE_SECONDS": "30",
        "HELPDESK_DELIVERY_POLL_SECONDS": "0.05",
        "TEST_WEBHOOK_SECRET": SECRET,
        **overrides,
    }
    return load_settings(env=env), env


def confirmed_tracker(
    draft_id: str, sender: str = "conv-1", description: str = "The bot stopped replying on WhatsApp."
) -> Tracker:
    """A tracker as the Rasa server sends it when the user has just said yes to the summary."""
    slots = {
        "description": description,
        "bot_or_area": "sales bot",
        "environment": "production",
        "since": "10am",
        "impact": "some users",
        "requester_email": "priya@acme.example",
        "requester_name": "Priya",
        "requester_account": "Acme Retail",
        "assessed_severity": "S1",
        "ticket_confirmed": "yes",
        "ticket_draft_id": draft_id,
    }
    latest = {"text": "yes", "intent": {"name": "affirm", "confidence": 0.99}, "entities": []}
    return Tracker(
        sender_id=sender,
        slots=slots,
        latest_message=latest,
        events=[{"event": "user", "text": "yes", "parse_data": latest, "metadata": {}}],
        paused=False,
        followup_action=None,
        active_loop={"name": "ticket_form"},
        latest_action_name="action_listen",
    )


def run_workers(
    env: Mapping[str, str], done: Callable[[], bool], count: int = 2, settle_seconds: float = 0.0
) -> list[str]:
    """`count` delivery worker processes (`helpdesk deliver --forever`) on `env` until `done()`
    (30 s at most) and `settle_seconds` more, then stopped with SIGTERM as an operator would;
    asserts each exited cleanly and returns their logs."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "helpdesk.cli", "deliver", "--forever"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        deadline = time.monotonic() + 30
        while not done() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(settle_seconds)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        logs = [worker.communicate(timeout=10)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * count, logs
    return logs
