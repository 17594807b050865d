"""Imports run one way: value types <- core <- I/O edges <- actions, channels, servers, CLI.

Read from the source with `ast`, so a circle or a layer broken by a new import fails here
before it confuses a reader (or fails only at run time, in whichever order modules load).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("helpdesk", "channels", "actions", "components", "servers", "widget")


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = project_modules()


def imports_of(module: str) -> set[str]:
    """The project modules `module` imports (a package's module named in `from package import x` counts)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {name for name in names if name in MODULES and name != module}
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def test_no_module_imports_itself_back_through_others():
    circles = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "visiting"
        for target in sorted(GRAPH[module]):
            if state.get(target) == "visiting":
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert circles == []


@pytest.mark.parametrize("module", sorted(name for name in MODULES if name.startswith("helpdesk")))
def test_the_core_never_reaches_up_into_rasa_facing_code(module):
    upward = {target for target in GRAPH[module] if not target.startswith("helpdesk")}
    assert upward == set()


def test_the_ticket_model_depends_on_nothing_of_ours():
    assert GRAPH["helpdesk.tickets"] == set()


@pytest.mark.parametrize(
    "module",
    [
        "helpdesk.sla",
        "helpdesk.policy",
        "helpdesk.wording",
        "helpdesk.triage",
        "helpdesk.details",
        "helpdesk.tickets",
        "helpdesk.identity",
    ],
)
def test_pure_core_modules_read_no_settings_and_touch_no_database(module):
    assert GRAPH[module] & {"helpdesk.config", "helpdesk.store", "helpdesk.wiring"} == set()


@pytest.mark.parametrize("module", sorted(name for name in MODULES if name.startswith("actions")))
def test_the_action_server_needs_nothing_from_rasas_side(module):
    """The action server runs apart from Rasa: what both sides share lives in helpdesk/."""
    assert {target for target in GRAPH[module] if target.startswith(("channels", "components", "servers"))} == set()
