"""Fixtures for the delivery tests: loopback servers that are always shut down, and the policy."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from delivery_helpers import Answer, LocalServer, Request, deployment

from helpdesk.config import PROJECT_ROOT, Settings
from helpdesk.policy import Policy, load_policy
from tests.action_wiring import restart_actions


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Request], Answer]], LocalServer]]:
    """Start a LocalServer answering with the given callable; stopped after the test."""
    started: list[LocalServer] = []

    def start(answer: Callable[[Request], Answer]) -> LocalServer:
        started.append(LocalServer(answer))
        return started[-1]

    yield start
    for server in started:
        server.close()


@pytest.fixture
def policy() -> Policy:
    return load_policy(PROJECT_ROOT / "support-policy.yml")


@pytest.fixture
def bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Settings]]:
    """Configure the action server's process (its environment) for a throwaway deployment
    with the given targets and overrides, and start the actions' wiring on it as the action
    server does at its start."""

    def configure(targets: list[dict[str, Any]], **overrides: str) -> Settings:
        for variable in [name for name in os.environ if name.startswith("HELPDESK_")]:
            monkeypatch.delenv(variable)
        settings, env = deployment(tmp_path, targets, **overrides)
        for variable, value in env.items():
            monkeypatch.setenv(variable, value)
        restart_actions()
        return settings

    yield configure
