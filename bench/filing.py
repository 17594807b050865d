"""How many messages a terse user types from an opening to a filed ticket.

Usage (from the repository root, after `make train`):

    .venv/bin/python -m bench.filing [--model models/current.tar.gz] [--out bench/filing.json]

Starts our bot as scripts/run.sh does (bench/bots.py), on free ports with a throwaway
ticket database and a fresh identity secret, and plays every scenario of
bench/openings.py twice over the REST webhook: signed in (metadata.user_token minted
with helpdesk.identity.mint and the servers' secret) and anonymous. The simulated user
is terse: it answers only the question asked (the last line of the bot's turn that asks
something), with the true fact of its scenario, and otherwise clicks the first
(suggested) button. Per ticket it counts the user's messages
from the opening to the receipt, checks the stored ticket's severity and due time
against the scenario's level, and counts questions whose answer the opening already
gave. Prints median and max per mode and writes them, with every conversation, to --out;
when bench/filing-before.json exists (the figures before issue 15) both are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests

from bench import bots
from bench.openings import SCENARIOS, Scenario
from helpdesk import identity, sla
from helpdesk.store import TicketStore
from helpdesk.wiring import default_policy

REPO = Path(__file__).resolve().parent.parent
BEFORE = REPO / "bench" / "filing-before.json"
MAX_MESSAGES = 16
ANONYMOUS_EMAIL = "sam.rivera@example.org"
SIGNED_IN = {"email": "priya@acme.example", "name": "Priya", "account": "Acme"}
REFERENCE = re.compile(r"\bHLP-[A-Z]?\d{4,}\b")

Say = Callable[[str], list[dict]]

QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bot", re.compile(r"which bot|which part of the platform", re.IGNORECASE)),
    ("since", re.compile(r"since when|when did (?:it|this) start", re.IGNORECASE)),
    ("impact", re.compile(r"what stopped|stop every conversation", re.IGNORECASE)),
    ("email", re.compile(r"email address|which email|your email", re.IGNORECASE)),
    ("links", re.compile(r"any links", re.IGNORECASE)),
)
"""Open questions the terse user recognises, by what they ask about."""


class Stuck(Exception):
    """The conversation did not reach a filed ticket."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "models" / "current.tar.gz"))
    parser.add_argument("--out", default=str(REPO / "bench" / "filing.json"))
    args = parser.parse_args(argv)
    results = measure(Path(args.model))
    out = Path(args.out)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results, json.loads(BEFORE.read_text()) if BEFORE.exists() and out.resolve() != BEFORE else None))
    print(f"written: {out}")
    return 0 if results["failures"] == 0 else 1


def measure(model: Path) -> dict[str, Any]:
    secret = secrets.token_hex(32)
    os.environ["HELPDESK_IDENTITY_SECRET"] = secret
    with tempfile.TemporaryDirectory(prefix="bench-filing-") as folder:
        tmp = Path(folder)
        database_url = f"sqlite:///{tmp / 'tickets.db'}"
        bot = bots.start_ours(tmp, model, database_url)
        try:
            store = TicketStore(database_url, "HLP-")
            token = identity.mint(secret, **SIGNED_IN)
            modes = {
                "signed_in": [play(bot.rasa_url, s, {"user_token": token}, store) for s in SCENARIOS],
                "anonymous": [play(bot.rasa_url, s, None, store) for s in SCENARIOS],
            }
        finally:
            bot.fleet.stop()
    summary = {mode: summarise(runs) for mode, runs in modes.items()}
    return {
        "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "scenarios": len(SCENARIOS),
        "summary": summary,
        "failures": sum(s["failures"] for s in summary.values()),
        "conversations": modes,
    }


def play(rasa_url: str, scenario: Scenario, metadata: dict | None, store: TicketStore) -> dict[str, Any]:
    """One terse user files one ticket; what it took and whether the ticket is right."""
    sender = f"bench-filing-{uuid.uuid4().hex}"
    transcript: list[dict[str, str]] = []

    def say(message: str) -> list[dict]:
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        reply = requests.post(f"{rasa_url}/webhooks/rest/webhook", json=body, timeout=60).json()
        transcript.append({"user": message, "bot": text(reply)})
        return reply

    run: dict[str, Any] = {"opening": scenario.opening, "expected": scenario.level, "asked": []}
    try:
        reference = converse(say, scenario, metadata is None, run["asked"])
        ticket = store.get(reference)
        if ticket is None:
            raise Stuck(f"{reference} was quoted but is not stored")
        due = sla.due_at(scenario.level, ticket.filed_at, default_policy())
        run.update(
            reference=reference,
            severity=ticket.final_severity,
            right_severity=ticket.final_severity == scenario.level,
            right_due=ticket.due_at == due,
        )
    except (Stuck, requests.RequestException, ValueError) as error:
        run.update(error=str(error)[:300], right_severity=False, right_due=False)
    run["messages"] = len(transcript)
    run["redundant"] = sorted({kind for kind in run["asked"] if kind in scenario.says})
    run["transcript"] = transcript
    return run


def converse(say: Say, scenario: Scenario, anonymous: bool, asked: list[str]) -> str:
    """Answers until the receipt; returns the ticket reference."""
    reply = say(scenario.opening)
    for _ in range(MAX_MESSAGES):
        said = text(reply)
        found = REFERENCE.search(said)
        if found and "is filed as" in said:
            return found.group(0)
        kind, answer = respond(reply, scenario, anonymous)
        asked.append(kind)
        reply = say(answer)
    raise Stuck(f"no ticket after {MAX_MESSAGES} messages; the bot last said: {text(reply)[:200]}")


def respond(reply: list[dict], scenario: Scenario, anonymous: bool) -> tuple[str, str]:
    """What the question asks about, and the terse user's answer (a button payload or text)."""
    said, offered = question(reply), buttons(reply)
    environment = next((payload for title, payload in offered if title.lower() == scenario.environment), None)
    if environment:
        return "environment", environment
    for kind, pattern in QUESTIONS:
        if pattern.search(said):
            if kind == "links":
                return kind, next((p for t, p in offered if t.lower().startswith("no")), "no")
            return kind, {
                "bot": scenario.bot,
                "since": scenario.since,
                "impact": scenario.impact,
                "email": ANONYMOUS_EMAIL if anonymous else SIGNED_IN["email"],
            }[kind]
    if offered:
        return "suggested", offered[0][1]
    raise Stuck(f"no answer to: {said[:200]}")


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    counts = [run["messages"] for run in runs if "error" not in run]
    return {
        "tickets": len(counts),
        "median_messages": statistics.median(counts) if counts else None,
        "max_messages": max(counts) if counts else None,
        "min_messages": min(counts) if counts else None,
        "wrong_severity": sum(not run["right_severity"] for run in runs if "error" not in run),
        "wrong_due": sum(not run["right_due"] for run in runs if "error" not in run),
        "redundant_questions": sum(len(run["redundant"]) for run in runs),
        "failures": len(runs) - len(counts),
    }


def report(results: dict[str, Any], before: dict[str, Any] | None) -> str:
    lines = [f"Messages from an opening to a filed ticket, {results['scenarios']} openings ({results['measured_at']}):"]
    header = "| mode | median | max | wrong severity | wrong due time | redundant questions | failed |"
    lines += [header, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, figures in (("before", before), ("now", results)):
        if figures is None:
            continue
        for mode, s in figures["summary"].items():
            lines.append(
                f"| {mode} ({label}) | {s['median_messages']} | {s['max_messages']} | {s['wrong_severity']} | "
                f"{s['wrong_due']} | {s['redundant_questions']} | {s['failures']} |"
            )
    return "\n".join(lines)


def question(reply: list[dict]) -> str:
    """The question the bot's turn ends with: its last line that asks something. Details the
    bot merely offers to take (in a summary) are no question to a terse user."""
    asking = [line for line in text(reply).splitlines() if "?" in line]
    return asking[-1] if asking else text(reply)


def text(reply: list[dict]) -> str:
    return "\n".join(message.get("text") or "" for message in reply)


def buttons(reply: list[dict]) -> list[tuple[str, str]]:
    return [(b.get("title", ""), b.get("payload", "")) for m in reply for b in m.get("buttons") or []]


if __name__ == "__main__":
    sys.exit(main())
