"""`make bench`: NLU quality, latency under load and costs of our bot next to `rasa init`'s.

Usage (from the repository root):

    .venv/bin/python -m bench.run [--out bench] [--no-readme]

Trains both bots in a temporary folder (ours with `rasa train --force`, the baseline
with `rasa init --no-prompt`), scores ours on the held-out NLU files, then serves both
on 127.0.0.1 and lets simulated users talk to them in alternating rounds (bench/
compare.py): one user, then 20 at once, filing tickets (ours) or running the init bot's
mood conversation (baseline), about as many turns for both. Writes results.json and
results.md to --out, and the table into README.md between its bench markers. About 3
minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import bots, compare, report
from bench.users import baseline_chat, file_ticket

REPO = Path(__file__).resolve().parent.parent
CONVERSATIONS_PER_ROUND = {
    # users -> conversations per user in each round; a ticket takes about 5 turns with
    # bench/users.py's three personas (7, 3 and 4), a mood chat 4, so both bots answer
    # about as many messages.
    "ours": {1: 13, 20: 4},
    "baseline": {1: 15, 20: 4},
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(REPO / "bench"), help="folder for results.json and results.md")
    parser.add_argument("--no-readme", action="store_true", help="leave README.md as it is")
    args = parser.parse_args(argv)
    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        results = measure(Path(folder), out)
    table = report.markdown(results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(table)
    print("\n" + table)
    print(f"written: {out / 'results.json'}, {out / 'results.md'}")
    if not args.no_readme:
        update_readme(table)
    return 0


def measure(tmp: Path, out: Path) -> dict[str, Any]:
    load_at_start = load_average()
    step("training our bot (rasa train --force)")
    model, ours_training = bots.train_ours(tmp)
    step("creating and training the baseline (rasa init --no-prompt)")
    baseline_folder, baseline_training = bots.init_baseline(tmp)
    step("NLU quality on the held-out files")
    nlu = nlu_quality(model, out / "nlu_quality.json")
    database_url = f"sqlite:///{tmp / 'tickets.db'}"
    with contextlib.ExitStack() as running:
        step("starting our bot, then the baseline (cold starts)")
        ours_bot = bots.start_ours(tmp, model, database_url)
        running.callback(ours_bot.fleet.stop)
        baseline_bot = bots.start_baseline(tmp, baseline_folder)
        running.callback(baseline_bot.fleet.stop)
        contenders = [
            compare.Contender(ours_bot, file_ticket, CONVERSATIONS_PER_ROUND["ours"]),
            compare.Contender(baseline_bot, baseline_chat, CONVERSATIONS_PER_ROUND["baseline"]),
        ]
        step(f"both under load, {compare.ROUNDS} alternating rounds of 1 user, then 20 users")
        compare.run_rounds(contenders)
        ours, baseline = (compare.describe(contender) for contender in contenders)
    ours["training_seconds"] = ours_training
    ours["tickets"] = count_tickets(database_url, ours)
    baseline["training_seconds"] = baseline_training
    return {
        "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine() | {"load_average_at_start": load_at_start, "load_average_at_end": load_average()},
        "nlu": nlu,
        "ours": ours,
        "baseline": baseline,
        "ratios": ratios(ours, baseline),
    }


def count_tickets(database_url: str, ours: dict[str, Any]) -> dict[str, Any]:
    """Tickets in the store against conversations planned; every quoted reference must be stored."""
    from helpdesk.store import TicketStore

    stored = {ticket.reference for ticket in TicketStore(database_url, "HLP-").list()}
    phases = [ours["warm_up"], *ours["load"].values()]
    quoted = [reference for phase in phases for reference in phase["references"]]
    return {
        "expected": sum(phase["conversations_planned"] for phase in phases),
        "created": len(stored),
        "warm_up": ours["warm_up"]["conversations_planned"],
        "quoted_but_not_stored": sorted(set(quoted) - stored),
        "quoted_twice": len(quoted) - len(set(quoted)),
    }


def nlu_quality(model: Path, out: Path) -> dict[str, Any]:
    """bench/nlu_quality.py on the freshly trained model, in its own process (it loads TensorFlow)."""
    command = [sys.executable, str(REPO / "bench" / "nlu_quality.py"), "--model", str(model), "--out", str(out)]
    subprocess.run(
        command,
        cwd=REPO,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    full = json.loads(out.read_text())
    severity = {k: full["severity"][k] for k in ("n", "accuracy", "s0_recall", "per_level", "confusion_matrix")}
    intent = {k: full["intent"][k] for k in ("n", "accuracy", "macro_f1")}
    entities = {k: full["entities"][k] for k in ("files", "n_examples", "micro", "per_type")}
    print(
        f"  severity accuracy {severity['accuracy']}, intent accuracy {intent['accuracy']}, "
        f"entity micro-F1 {entities['micro']['f1']} (details: {out})"
    )
    return {
        "severity": severity,
        "intent": intent,
        "entities": entities,
        "parse_latency": full["latency"]["parse"],
        "shared_eval": shared_eval_summary(full.get("shared_eval")),
    }


def shared_eval_summary(shared: dict[str, Any] | None) -> dict[str, Any] | None:
    """The evaluation set's figures without its per-item errors (None when it was absent)."""
    if shared is None:
        return None
    scores = ("n", "accuracy", "per_level", "confusion_matrix", "adjacent_errors", "far_errors", "no_level")
    return {
        "severity": {k: shared["severity"][k] for k in scores},
        "openings": {k: shared["openings"][k] for k in (*scores, "form_started")},
        "stated": {k: shared["stated"][k] for k in ("n", "read_share")},
        "questions": {k: shared["questions"][k] for k in ("n", "answered", "share")},
    }


def ratios(ours: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """ours / baseline for every figure both have."""
    pairs = {
        f"{metric}_{users}_users": (ours["load"][users][metric], baseline["load"][users][metric])
        for users in ours["load"]
        for metric in ("p50_ms", "p95_ms", "p99_ms", "messages_per_second", "server_cpu_ms_per_turn")
    }
    pairs |= {
        "training_seconds": (ours["training_seconds"], baseline["training_seconds"]),
        "cold_start_seconds": (ours["cold_start_seconds"], baseline["cold_start_seconds"]),
        "rss_total_mib": (ours["rss_mib"]["total"], baseline["rss_mib"]["total"]),
    }
    return {name: round(a / b, 2) if a is not None and b else None for name, (a, b) in pairs.items()}


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    rasa_version = importlib.metadata.version("rasa")
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024**2),
        "python": platform.python_version(),
        "rasa": rasa_version,
        "os": f"{platform.system()} {platform.release()}",
    }
    info["summary"] = (
        f"{info['cores']} cores ({cpu}), {info['memory_gib']} GiB, Python {info['python']}, Rasa {rasa_version}"
    )
    return info


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages: other work on the machine skews every latency figure."""
    return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]


def update_readme(table: str) -> None:
    readme = REPO / "README.md"
    updated = report.replace_block(readme.read_text(), table)
    if updated is None:
        print("README.md has no bench markers; left as it is")
        return
    readme.write_text(updated)
    print("README.md: Benchmarks table updated")


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
