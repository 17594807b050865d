"""Shared fixtures: the real policy file, edited copies of it, and throwaway stores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpdesk.config import PROJECT_ROOT
from helpdesk.policy import Policy, load_policy
from helpdesk.store import TicketStore
from helpdesk.tickets import TicketDraft
from tests.drafts import make_draft as realistic_draft

REAL_POLICY_FILE = PROJECT_ROOT / "support-policy.yml"


@pytest.fixture
def real_policy_file() -> Path:
    return REAL_POLICY_FILE


@pytest.fixture
def real_policy() -> Policy:
    return load_policy(REAL_POLICY_FILE)


@pytest.fixture
def policy_file(tmp_path: Path) -> Callable[[Callable[[dict[str, Any]], None]], Path]:
    """Write a copy of the real policy after `edit` changed its parsed YAML in place."""

    def write(edit: Callable[[dict[str, Any]], None]) -> Path:
        data = yaml.safe_load(REAL_POLICY_FILE.read_text(encoding="utf-8"))
        edit(data)
        path = tmp_path / "policy.yml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def store(tmp_path: Path) -> TicketStore:
    return TicketStore(f"sqlite:///{tmp_path}/not/yet/there/tickets.db", "HLP-")


@pytest.fixture
def make_draft() -> Callable[..., TicketDraft]:
    """A realistic draft; keyword arguments replace its fields."""
    return realistic_draft
