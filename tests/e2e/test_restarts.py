"""Restarts and outages in the middle of the ticket form, with real processes: a Rasa server
killed and started again, an action server restarted, an action server that is down.

These servers are this module's own, with conversations in a SQLite tracker store as in
endpoints.yml, so killing them never disturbs the session's `servers`.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.store import TicketStore
from helpdesk.tickets import Ticket
from helpdesk.wiring import default_policy
from tests.conftest import (
    MODEL,
    REFERENCE,
    Servers,
    free_port,
    rasa_ready_url,
    server_env,
    spawn_action_server,
    spawn_rasa_server,
    stop,
    texts,
    wait_until_up,
    write_endpoints,
)

OPENING = "the offers bot stopped replying to customers"
"""Answers the description and the bot at once, so the form next asks for the environment."""
ENVIRONMENT_QUESTION = "production (live) or on staging"


class Restartable:
    """An action server and a Rasa server on fixed ports, each killed and started at will."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.action_port, self.rasa_port = free_port(), free_port()
        endpoints = write_endpoints(tmp / "endpoints.yml", self.action_port, tmp / "rasa-tracker.db")
        database_url = f"sqlite:///{tmp / 'tickets.db'}"
        env = server_env(database_url)
        self.servers = Servers(
            f"http://127.0.0.1:{self.rasa_port}", f"http://127.0.0.1:{self.action_port}", endpoints, database_url, env
        )
        self.starts = 0
        self.actions: subprocess.Popen | None = None
        self.rasa: subprocess.Popen | None = None

    def start_actions(self) -> None:
        log = self._log("actions")
        self.actions = spawn_action_server(self.action_port, self.servers.env, log)
        wait_until_up(f"{self.servers.action_url}/health", self.actions, log)

    def start_rasa(self) -> None:
        log = self._log("rasa")
        self.rasa = spawn_rasa_server(self.rasa_port, self.servers.endpoints, self.servers.env, log)
        wait_until_up(rasa_ready_url(self.rasa_port), self.rasa, log)

    @staticmethod
    def kill(process: subprocess.Popen | None) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would: no chance to tidy up."""
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def _log(self, name: str) -> Path:
        self.starts += 1
        return self.tmp / f"{name}-{self.starts}.log"


@pytest.fixture(scope="module")
def restartable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restartable]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it for you)")
    bot = Restartable(tmp_path_factory.mktemp("restartable"))
    try:
        bot.start_actions()
        bot.start_rasa()
        yield bot
    finally:
        stop(*(process for process in (bot.actions, bot.rasa) if process is not None and process.poll() is None))


@pytest.fixture
def both_up(restartable: Restartable) -> Restartable:
    """Each test starts with both servers running, whatever the one before left."""
    if restartable.actions.poll() is not None:
        restartable.start_actions()
    if restartable.rasa.poll() is not None:
        restartable.start_rasa()
    return restartable


def to_environment_question(servers: Servers, sender: str) -> None:
    """Opens a ticket: description and bot are filled, the form asks for the environment."""
    assert ENVIRONMENT_QUESTION in texts(servers.say(sender, OPENING))


def filed_ticket(servers: Servers, receipt: str) -> Ticket:
    ticket = TicketStore(servers.database_url, "HLP-").get(REFERENCE.search(receipt).group(0))
    assert ticket is not None
    return ticket


def test_a_restarted_rasa_server_resumes_the_form_where_the_user_was(both_up):
    servers, sender = both_up.servers, f"rasa-restart-{uuid.uuid4().hex}"
    to_environment_question(servers, sender)

    both_up.kill(both_up.rasa)
    both_up.start_rasa()

    said = texts(servers.say(sender, "production"))
    assert ENVIRONMENT_QUESTION not in said
    ticket = filed_ticket(servers, servers.answer_until_filed(sender, said))
    assert (ticket.description, ticket.bot_or_area, ticket.environment) == (OPENING, "the offers bot", "production")


def test_a_restarted_action_server_continues_the_form_with_every_slot_kept(both_up):
    servers, sender = both_up.servers, f"actions-restart-{uuid.uuid4().hex}"
    to_environment_question(servers, sender)
    slots_before = {name: value for name, value in servers.tracker(sender)["slots"].items() if value is not None}

    both_up.kill(both_up.actions)
    both_up.start_actions()

    said = texts(servers.say(sender, "production"))
    assert ENVIRONMENT_QUESTION not in said
    slots_after = servers.tracker(sender)["slots"]
    assert {name: slots_after[name] for name in slots_before if name != "requested_slot"} == {
        name: value for name, value in slots_before.items() if name != "requested_slot"
    }
    assert slots_after["environment"] == "production"


def test_with_the_action_server_down_the_user_is_told_and_nothing_is_lost(both_up):
    servers, sender = both_up.servers, f"actions-down-{uuid.uuid4().hex}"
    to_environment_question(servers, sender)
    slots_before = servers.tracker(sender)["slots"]

    both_up.kill(both_up.actions)
    said = texts(servers.say(sender, "production"))

    assert "having trouble" in said and "details are kept" in said and default_policy().contact.email in said
    tracker = servers.tracker(sender)
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"][-1] == "production"
    assert tracker["slots"] == slots_before  # the form is where it was: nothing half-done

    both_up.start_actions()
    said = texts(servers.say(sender, "production"))
    assert ENVIRONMENT_QUESTION not in said
    ticket = filed_ticket(servers, servers.answer_until_filed(sender, said))
    assert (ticket.description, ticket.bot_or_area, ticket.environment) == (OPENING, "the offers bot", "production")
