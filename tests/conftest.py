"""Fixtures shared by the suites that need the real servers.

`servers` starts the real action server and Rasa server once per test session, on free
ports, with a throwaway ticket database, and stops them at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "current.tar.gz"
START_TIMEOUT_SECONDS = 240
IDENTITY_SECRET = "test-identity-secret-of-at-least-32-bytes"
"""The secret the servers under test share with the 'platform' that signs user tokens."""
API_TOKEN = "test-rasa-api-token-0123456789abcdef"
"""The token Rasa's HTTP API asks for (RASA_AUTH_TOKEN)."""
ACTION_SERVER_SECRET = "test-action-server-secret-0123456789"
"""The secret Rasa sends with every action call (HELPDESK_ACTION_SERVER_SECRET)."""
TRACKER_STORE = "servers.tracker_store.HelpdeskTrackerStore"
"""The tracker store endpoints.yml names (Rasa's SQL tracker store, leaner)."""
WIDGET_ORIGIN = "http://localhost:8080"
"""The widget's origin under `make run`, allowed by the default cors_origins."""
WEBHOOK_TARGET = {
    "name": "support-webhook",
    "type": "webhook",
    "url": "http://127.0.0.1:9/not-listening",
    "secret_env": "HELPDESK_E2E_WEBHOOK_SECRET",
}
"""The webhook the servers under test deliver ticket events to: every event gets an outbox
row for it; a test sends the rows by running a worker pointed at its own receiver."""


@dataclass(frozen=True)
class Servers:
    rasa_url: str
    action_url: str
    endpoints: Path
    database_url: str
    env: dict[str, str]
    rasa_pid: int | None = None
    """The Rasa server's process id, to read its memory from /proc."""
    widget_port: int | None = None
    """A port kept for the widget server, whose origin the Rasa server allows (CORS)."""

    def say(self, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
        """One user turn over the REST channel; returns the bot's messages."""
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        """The conversation as Rasa keeps it (events, slots), from its HTTP API."""
        response = self.api("GET", f"/conversations/{sender}/tracker")
        response.raise_for_status()
        return response.json()

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call on Rasa's HTTP API with its token, as an operator's tool makes it."""
        return requests.request(method, f"{self.rasa_url}{path}", params={"token": API_TOKEN}, timeout=60, **kwargs)

    def file_ticket(self, sender: str, description: str, metadata: dict | None = None) -> str:
        """Files a ticket by conversation, answering whatever the bot asks; returns the receipt."""
        return self.answer_until_filed(sender, texts(self.say(sender, description, metadata)), metadata)

    def answer_until_filed(self, sender: str, said: str, metadata: dict | None = None) -> str:
        """Answers the ticket form from the question in `said` (the bot's last words) until
        the ticket is filed; returns the receipt."""
        for _ in range(8):
            if "is filed as" in said:
                return said
            answer = next((reply for question, reply in ANSWERS if question in said), None)
            assert answer is not None, f"unexpected question from the bot: {said}"
            said = texts(self.say(sender, answer, metadata))
        raise AssertionError(f"no ticket filed; the bot last said: {said}")


ANSWERS = (
    ("Shall I file it?", "yes"),
    ("production (live) or on staging", "production"),
    ("doesn't say what stopped", "no customer gets any reply from the bot"),
    ("email address", "tester@example.com"),
    ("What's going wrong?", "the offers bot stopped replying to customers"),
)
"""What a test user answers to each of the ticket form's questions, by a phrase of the question."""


REFERENCE = re.compile(r"\bHLP-\d{4,}\b")
"""A ticket reference as the bot quotes it."""


def texts(replies: list[dict]) -> str:
    """The text of the bot's messages in one turn, one per line."""
    return "\n".join(reply.get("text") or "" for reply in replies)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early; its log:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {START_TIMEOUT_SECONDS} s; log:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with running_servers(tmp_path_factory.mktemp("servers")) as started:
        yield started


@contextlib.contextmanager
def running_servers(tmp: Path, tracker_db: Path | None = None) -> Iterator[Servers]:
    """An action server and a Rasa server as `make run` starts them, on free ports, with a
    ticket database and logs in `tmp` (and conversations in `tracker_db`, if given); stopped
    on exit."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it for you)")
    action_port, rasa_port, widget_port = free_port(), free_port(), free_port()
    database_url = f"sqlite:///{tmp / 'tickets.db'}"
    endpoints = write_endpoints(tmp / "endpoints.yml", action_port, tracker_db)
    env = server_env(database_url, f"{WIDGET_ORIGIN} http://127.0.0.1:{widget_port}")

    started: list[subprocess.Popen] = []
    try:
        action_log, rasa_log = tmp / "actions.log", tmp / "rasa.log"
        started.append(spawn_action_server(action_port, env, action_log))
        started.append(spawn_rasa_server(rasa_port, endpoints, env, rasa_log))
        wait_until_up(f"http://127.0.0.1:{action_port}/health", started[0], action_log)
        wait_until_up(rasa_ready_url(rasa_port), started[1], rasa_log)
        yield Servers(
            f"http://127.0.0.1:{rasa_port}",
            f"http://127.0.0.1:{action_port}",
            endpoints,
            database_url,
            env,
            rasa_pid=started[1].pid,
            widget_port=widget_port,
        )
    finally:
        stop(*started)


def server_env(database_url: str, cors_origins: str = WIDGET_ORIGIN) -> dict[str, str]:
    """The environment `make run` gives its servers, with the tests' secrets and `database_url`."""
    return {
        **os.environ,
        "HELPDESK_DATABASE_URL": database_url,
        "HELPDESK_IDENTITY_SECRET": IDENTITY_SECRET,
        "RASA_AUTH_TOKEN": API_TOKEN,
        "HELPDESK_ACTION_SERVER_SECRET": ACTION_SERVER_SECRET,
        "HELPDESK_CORS_ORIGINS": cors_origins,
        "HELPDESK_DELIVERY_TARGETS": json.dumps([WEBHOOK_TARGET]),
    }


def write_endpoints(path: Path, action_port: int, tracker_db: Path | None = None) -> Path:
    """An endpoints.yml like the repository's, for an action server on `action_port` and,
    given `tracker_db`, a SQLite tracker store there (else Rasa keeps trackers in memory)."""
    text = (
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "  headers:\n    Authorization: Bearer ${HELPDESK_ACTION_SERVER_SECRET}\n"
    )
    if tracker_db is not None:
        text += f"tracker_store:\n  type: {TRACKER_STORE}\n  dialect: sqlite\n  db: {tracker_db}\n"
    path.write_text(text)
    return path


def rasa_ready_url(port: int) -> str:
    """Rasa's /status, which answers once the model is loaded (with the API token)."""
    return f"http://127.0.0.1:{port}/status?token={API_TOKEN}"


def spawn_action_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """The action server as scripts/run.sh starts it, on `port`; not waited for."""
    return _start([str(BIN / "python"), "-m", "servers.action_server", "--port", str(port)], env, log)


def spawn_rasa_server(port: int, endpoints: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    """The Rasa server as scripts/run.sh starts it (through servers/rasa_server.py, with the
    repository's credentials.yml), on `port` with `endpoints`; not waited for."""
    return _start(
        [
            str(BIN / "python"),
            "-m",
            "servers.rasa_server",
            "run",
            "--port",
            str(port),
            "--model",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(ROOT / "credentials.yml"),
        ],
        env,
        log,
    )


def stop(*processes: subprocess.Popen) -> None:
    """Asks each process to stop, and kills the ones that have not within 20 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
