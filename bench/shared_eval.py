"""Scores on the evaluation set written apart from this project (`../shared/eval/`).

The set is for measuring only (its README): nothing here reads an item for any purpose
but scoring it, and the bot is measured through the same paths a user goes through:

- `severity.tsv`: the severity NLU gives each description (`/model/parse`'s field);
- `stated.tsv`: the level the bot reads as stated by the user, through the very function
  the actions call (`actions.conversation.stated_level`) on the parsed message;
- `openings.json`: the opening message sent to the dialogue (Rasa's processor with the
  real action server); the level the bot would propose for that draft, or the user's own;
- `questions.json`: the question sent to the same dialogue, the bot's whole reply scored
  with the item's `must` / `must_not` regular expressions as the set's README says.

Each item gets a fresh conversation. The figures and errors written out name items by
their position in the file (1-based), never by their text, and keep none of the bot's
replies (they may quote the item), so no eval text lands in the repository.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
import secrets
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO.parent / "shared" / "eval"
LEVELS = ["S0", "S1", "S2", "S3"]


def available(folder: Path = EVAL_DIR) -> bool:
    return (folder / "README.md").is_file()


def read_tsv(path: Path) -> list[tuple[str, str]]:
    """(level, text) rows of a TSV with a header row."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(row["level"].strip().upper(), row["text"]) for row in rows if row.get("text")]


def level_scores(pairs: Sequence[tuple[str, str | None]]) -> dict[str, Any]:
    """Accuracy, per-level precision and recall, confusion matrix, adjacent and far errors."""
    index = {level: i for i, level in enumerate(LEVELS)}
    matrix = [[0] * len(LEVELS) for _ in LEVELS]
    adjacent = far = unread = 0
    for true, pred in pairs:
        if pred not in index:
            unread += 1
            continue
        matrix[index[true]][index[pred]] += 1
        distance = abs(index[true] - index[pred])
        adjacent += distance == 1
        far += distance > 1
    per_level = {}
    for level, i in index.items():
        tp = matrix[i][i]
        predicted = sum(row[i] for row in matrix)
        support = sum(1 for t, _ in pairs if t == level)
        per_level[level] = {
            "precision": round(tp / predicted, 4) if predicted else None,
            "recall": round(tp / support, 4) if support else None,
            "support": support,
        }
    n = len(pairs)
    return {
        "n": n,
        "accuracy": round(sum(t == p for t, p in pairs) / n, 4) if n else None,
        "per_level": per_level,
        "confusion_matrix": {"labels": LEVELS, "rows_true_cols_predicted": matrix},
        "adjacent_errors": adjacent,
        "far_errors": far,
        "no_level": unread,
    }


def answer_passes(answer: str, must: Sequence[str], must_not: Sequence[str]) -> tuple[bool, list[str]]:
    """The README's rule: every `must` matches, no `must_not` does; '^' anchors at the start."""
    failed = [f"missing {p!r}" for p in must if not _matches(p, answer)]
    failed += [f"unwanted {p!r}" for p in must_not if _matches(p, answer)]
    return not failed, failed


def _matches(pattern: str, answer: str) -> bool:
    flags = re.IGNORECASE
    return bool(re.match(pattern, answer, flags) if pattern.startswith("^") else re.search(pattern, answer, flags))


# ---- NLU-only parts: severity and stated levels -------------------------------------


def severity_report(parse: Any, rows: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """`parse(text) -> parse dict`; the severity field against each row's level."""
    results = []
    for item, (level, text) in enumerate(rows, 1):
        reading = parse(text).get("severity") or {}
        results.append(
            {"item": item, "level": level, "predicted": reading.get("name"), "confidence": reading.get("confidence")}
        )
    report = level_scores([(r["level"], r["predicted"]) for r in results])
    report["errors"] = [r for r in results if r["level"] != r["predicted"]]
    return report


def stated_report(parse: Any, rows: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The level the bot's own reader takes as stated, on each parsed message."""
    from rasa_sdk import Tracker

    from actions.conversation import stated_level

    results = []
    for item, (level, text) in enumerate(rows, 1):
        tracker = Tracker("eval", {}, parse(text), [], False, None, {}, "action_listen")
        results.append({"item": item, "level": level, "read": stated_level(tracker)})
    report = level_scores([(r["level"], r["read"]) for r in results])
    report["read_share"] = report["accuracy"]
    report["errors"] = [r for r in results if r["level"] != r["read"]]
    return report


# ---- dialogue parts: questions and openings -----------------------------------------


@contextmanager
def action_server(tmp: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The project's action server on a free port, with its stores in `tmp`, as `make run` starts it
    (answering only callers with its secret); yields its URL and the headers Rasa must send."""
    sys.path.insert(0, str(REPO))
    from bench.servers import Fleet, free_port, wait_for_health

    port, secret = free_port(), secrets.token_hex(32)
    env = {
        **os.environ,
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp / 'tickets.db'}",
        "HELPDESK_JOURNAL_FILE": str(tmp / "journal.jsonl"),
        "HELPDESK_RESERVED_REFERENCES_FILE": str(tmp / "reserved-references.json"),
        "HELPDESK_ACTION_SERVER_SECRET": secret,
        "PYTHONPATH": str(REPO),
    }
    fleet = Fleet()
    try:
        process = fleet.spawn(
            "action server",
            [sys.executable, "-m", "servers.action_server", "--port", str(port)],
            REPO,
            env,
            tmp / "actions.log",
        )
        wait_for_health(f"http://127.0.0.1:{port}/health", process)
        yield f"http://127.0.0.1:{port}/webhook", {"Authorization": f"Bearer {secret}"}
    finally:
        fleet.stop()


def dialogue_reports(model: Path, questions: list[dict[str, Any]], openings: list[dict[str, Any]]) -> dict[str, Any]:
    """Questions and openings through the whole bot: NLU, rules and the real action server."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    with tempfile.TemporaryDirectory() as folder, action_server(Path(folder)) as (url, headers):
        agent = Agent.load(str(model), action_endpoint=EndpointConfig(url, headers=headers))
        loop = asyncio.new_event_loop()
        try:
            return {
                "questions": _questions(agent, loop, questions),
                "openings": _openings(agent, loop, openings),
            }
        finally:
            loop.close()


def _say(agent: Any, loop: asyncio.AbstractEventLoop, text: str) -> tuple[str, str]:
    sender = uuid.uuid4().hex
    replies = loop.run_until_complete(agent.handle_text(text, sender_id=sender)) or []
    return sender, "\n".join(r.get("text") or "" for r in replies)


def _active_form(agent: Any, loop: asyncio.AbstractEventLoop, sender: str) -> str | None:
    """The form the conversation is in after the bot's reply (a ticket form started, or None)."""
    tracker = loop.run_until_complete(agent.tracker_store.retrieve(sender))
    return tracker.active_loop.name if tracker and tracker.active_loop else None


def _questions(agent: Any, loop: asyncio.AbstractEventLoop, items: list[dict[str, Any]]) -> dict[str, Any]:
    results = []
    for number, item in enumerate(items, 1):
        sender, answer = _say(agent, loop, item["say"])
        passed, failed = answer_passes(answer, item.get("must", []), item.get("must_not", []))
        results.append(
            {
                "item": number,
                "passed": passed,
                "patterns_failed": len(failed),
                "form": _active_form(agent, loop, sender),
            }
        )
    n = len(results)
    return {
        "n": n,
        "answered": sum(r["passed"] for r in results),
        "share": round(sum(r["passed"] for r in results) / n, 4) if n else None,
        "errors": [r for r in results if not r["passed"]],
    }


def _openings(agent: Any, loop: asyncio.AbstractEventLoop, items: list[dict[str, Any]]) -> dict[str, Any]:
    from rasa_sdk import Tracker

    from actions.ticket import decision

    results = []
    for number, item in enumerate(items, 1):
        sender, _ = _say(agent, loop, item["open"])
        tracker = Tracker.from_dict(loop.run_until_complete(agent.tracker_store.retrieve(sender)).current_state())
        form = _active_form(agent, loop, sender)
        level = tracker.get_slot("user_severity") or (decision(tracker).level if form else None)
        results.append({"item": number, "level": item["severity"], "reached": level, "form": form})
    report = level_scores([(r["level"], r["reached"]) for r in results])
    report["form_started"] = sum(bool(r["form"]) for r in results)
    report["errors"] = [r for r in results if r["level"] != r["reached"]]
    return report


def report(parse: Any, model: Path, folder: Path = EVAL_DIR) -> dict[str, Any] | None:
    """Every file's scores, or None when the set is not there."""
    if not available(folder):
        return None
    from actions.runtime import start
    from helpdesk.config import load_settings
    from helpdesk.wiring import wire

    start(wire(load_settings()))  # the actions' readers run in this process, on the configured policy
    return {
        "folder": str(folder),
        "severity": severity_report(parse, read_tsv(folder / "severity.tsv")),
        "stated": stated_report(parse, read_tsv(folder / "stated.tsv")),
        **dialogue_reports(
            model,
            json.loads((folder / "questions.json").read_text(encoding="utf-8")),
            json.loads((folder / "openings.json").read_text(encoding="utf-8")),
        ),
    }


def print_summary(shared: dict[str, Any] | None) -> None:
    if shared is None:
        print("\nshared eval: not found, skipped")
        return
    print(f"\nshared eval ({shared['folder']})")
    for name in ("severity", "openings"):
        part = shared[name]
        s0 = part["per_level"]["S0"]
        print(
            f"  {name}  n={part['n']}  accuracy={part['accuracy']}  S0 precision={s0['precision']}"
            f"  S0 recall={s0['recall']}  adjacent errors={part['adjacent_errors']}  far={part['far_errors']}"
            f"  no level={part['no_level']}"
        )
        print("           " + "  ".join(f"{lvl:>5}" for lvl in LEVELS) + "   precision  recall")
        for lvl, row in zip(LEVELS, part["confusion_matrix"]["rows_true_cols_predicted"], strict=False):
            s = part["per_level"][lvl]
            print(
                f"    true {lvl} " + "  ".join(f"{v:>5}" for v in row) + f"   {s['precision']!s:>9}  {s['recall']!s:>6}"
            )
    stated = shared["stated"]
    print(f"  stated  n={stated['n']}  read={stated['read_share']}")
    questions = shared["questions"]
    print(f"  questions  n={questions['n']}  answered={questions['answered']} ({questions['share']})")
