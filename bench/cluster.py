"""`make bench-cluster`: the cluster of `make cluster` with 1 and with 2 Rasa replicas at the
same offered load, a replica killed under load, and turn 10 against turn 300 of one long
conversation with and without the session bound. Writes bench/cluster.json and the table
in README "Running at scale". About 8 minutes on 2 cores.

Each configuration is its own run of scripts/cluster.sh (tests/clusters.py) on loopback
ports. Latency is wall time per turn seen by the simulated users through the load
balancer; server CPU per turn is the CPU the cluster's processes used meanwhile (from
/proc, children included), split into the Rasa replicas and everything else, which
hardly moves when other work shares the machine.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from bench.load import percentile, run_load
from bench.run import load_average, machine, step
from bench.servers import tree_cpu_seconds
from bench.users import file_ticket
from helpdesk.store import TicketStore
from tests.clusters import Cluster, ClusterServers, in_parallel, running_cluster

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "cluster.json"
README_START, README_END = "<!-- bench:cluster:start -->", "<!-- bench:cluster:end -->"
USERS, TICKETS_PER_USER = 10, 3
"""The offered load: this many users at once, each filing tickets one after another."""
KILL_USERS = 16
LONG_TURNS = 300
QUESTIONS = (
    "what are your business hours?",
    "how fast do you answer an S1 ticket?",
    "is support open right now?",
    "thanks",
)
"""A long conversation: questions about support, over and over, with no form in between."""
REFERENCE_PREFIX = "HLP-"


def main() -> int:
    results: dict[str, Any] = {"machine": machine(), "load_average_start": load_average()}
    credentials = unlimited_credentials()
    base = {"CREDENTIALS": str(credentials)}
    for replicas in (1, 2):
        step(f"cluster with {replicas} replica(s): {USERS} users filing {TICKETS_PER_USER} tickets each")
        with running_cluster(replicas, base) as (cluster, servers):
            results[f"replicas_{replicas}"] = offered_load(cluster, servers, f"load{replicas}")
            if replicas == 1:
                step(f"one conversation of {LONG_TURNS} turns, sessions bounded (max_session_events 200)")
                results["long_bounded"] = long_conversation(cluster, servers)
            else:
                step(f"a replica killed (SIGKILL) while {KILL_USERS} users file")
                results["kill"] = kill_under_load(cluster, servers)
    step(f"one conversation of {LONG_TURNS} turns, sessions unbounded")
    with running_cluster(1, {**base, "HELPDESK_MAX_SESSION_EVENTS": "0"}) as (cluster, servers):
        results["long_unbounded"] = long_conversation(cluster, servers)
    results["load_average_end"] = load_average()
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    print(table)
    update_readme(table)
    return 0


def unlimited_credentials() -> Path:
    """credentials.yml with a rate limit no simulated user reaches (one sender, 300 turns)."""
    text = (REPO / "credentials.yml").read_text().replace("rate_limit_messages: 20", "rate_limit_messages: 100000")
    path = Path(tempfile.mkdtemp(prefix="bench-cluster-")) / "credentials.yml"
    path.write_text(text)
    return path


def cpu_by_part(cluster: Cluster) -> dict[str, float]:
    parts: Counter = Counter()
    for pid_file in (cluster.folder / "pids").glob("*.pid"):
        name = pid_file.stem.split("-")[0]
        parts["rasa" if name == "rasa" else "other"] += tree_cpu_seconds(int(pid_file.read_text()))
    return dict(parts)


def offered_load(cluster: Cluster, servers: ClusterServers, prefix: str) -> dict[str, Any]:
    asyncio.run(run_load(servers.rasa_url, 2, 1, file_ticket, 120, f"warm{prefix}"))  # every replica warm
    before = cpu_by_part(cluster)
    result = asyncio.run(run_load(servers.rasa_url, USERS, TICKETS_PER_USER, file_ticket, 600, prefix))
    after = cpu_by_part(cluster)
    summary = result.summary()
    turns = max(result.turns, 1)
    summary["rasa_cpu_ms_per_turn"] = round((after["rasa"] - before["rasa"]) * 1000 / turns, 1)
    summary["other_cpu_ms_per_turn"] = round((after["other"] - before["other"]) * 1000 / turns, 1)
    summary["server_cpu_ms_per_turn"] = round(summary["rasa_cpu_ms_per_turn"] + summary["other_cpu_ms_per_turn"], 1)
    stored = Counter(
        t.conversation_id
        for t in TicketStore(servers.database_url, REFERENCE_PREFIX).list()
        if (t.conversation_id or "").startswith(prefix + "-")
    )
    summary["tickets_stored"] = sum(stored.values())
    summary["tickets_filed"] = len([outcome for outcome in result.outcomes if outcome])
    return summary


def kill_under_load(cluster: Cluster, servers: ClusterServers) -> dict[str, Any]:
    users = [f"kill-{number}" for number in range(KILL_USERS)]
    cluster.hold("rasa-1")

    def file(sender: str) -> str | None:
        try:
            return servers.file_ticket(sender, f"the offers bot stopped replying on production ({sender})")
        except AssertionError:
            return None

    def kill() -> None:  # once every user is in the middle of the form
        cluster.wait_until(lambda: all(len(servers.replicas[user]) >= 2 for user in users), "every user answered twice")
        cluster.kill("rasa-1")

    receipts, _ = in_parallel(lambda job: job(), [lambda: in_parallel(file, users), kill])
    store = TicketStore(servers.database_url, REFERENCE_PREFIX)
    stored = Counter(t.conversation_id for t in store.list() if t.conversation_id in set(users))
    lost = sum(1 for user, receipt in zip(users, receipts, strict=False) if receipt is None or stored[user] == 0)
    return {
        "users": KILL_USERS,
        "lost": lost,
        "duplicated": sum(count - 1 for count in stored.values() if count > 1),
        "conversations_on_killed_replica": sum(1 for user in users if "rasa-1" in servers.replicas[user]),
        "retried_turns": len(servers.retries),
    }


def long_conversation(cluster: Cluster, servers: ClusterServers) -> dict[str, Any]:
    """Latency and server CPU of turns 1-20 and 281-300 of one conversation, on a replica
    warmed by another conversation first (a fresh replica's first turns cost more)."""
    for turn in range(20):
        requests.post(
            f"{servers.rasa_url}/webhooks/rest/webhook",
            json={"sender": "warm-up", "message": QUESTIONS[turn % len(QUESTIONS)]},
            timeout=60,
        )
    sender = f"long-{time.time_ns()}"
    latencies: list[float] = []
    cpu: dict[int, float] = {}
    for turn in range(LONG_TURNS):
        if turn in (0, 20, LONG_TURNS - 20):
            cpu[turn] = sum(cpu_by_part(cluster).values())
        started = time.perf_counter()
        reply = requests.post(
            f"{servers.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": QUESTIONS[turn % len(QUESTIONS)]},
            timeout=60,
        )
        latencies.append((time.perf_counter() - started) * 1000)
        reply.raise_for_status()
        if not reply.json():
            raise RuntimeError(f"turn {turn + 1}: no answer")
    cpu[LONG_TURNS] = sum(cpu_by_part(cluster).values())
    return {
        "turns": LONG_TURNS,
        "turn_10_ms": round(statistics.median(latencies[5:15]), 1),
        "turn_300_ms": round(statistics.median(latencies[-10:]), 1),
        "p95_last_50_ms": percentile(sorted(latencies[-50:]), 95),
        "cpu_ms_per_turn_first_20": round((cpu[20] - cpu[0]) * 1000 / 20, 1),
        "cpu_ms_per_turn_last_20": round((cpu[LONG_TURNS] - cpu[LONG_TURNS - 20]) * 1000 / 20, 1),
        "events_in_conversation": len(servers.tracker(sender)["events"]),
    }


def markdown(results: dict[str, Any]) -> str:
    one, two = results["replicas_1"], results["replicas_2"]
    bounded, unbounded, kill = results["long_bounded"], results["long_unbounded"], results["kill"]
    rows = [
        ("throughput (messages/s)", "messages_per_second"),
        ("p50 per turn (ms)", "p50_ms"),
        ("p95 per turn (ms)", "p95_ms"),
        ("Rasa CPU per turn (ms)", "rasa_cpu_ms_per_turn"),
        ("other servers' CPU per turn (ms): actions, PostgreSQL, Redis, HAProxy, workers", "other_cpu_ms_per_turn"),
        ("server CPU per turn (ms)", "server_cpu_ms_per_turn"),
        ("tickets stored / filed", None),
    ]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {results['machine']['summary']}; "
        f"load average {results['load_average_start'][0]} at the start, {results['load_average_end'][0]} at the end.",
        "",
        f"| {USERS} users filing at once, {TICKETS_PER_USER} tickets each | 1 replica | 2 replicas |",
        "| --- | ---: | ---: |",
    ]
    for label, key in rows:
        if key is None:
            lines.append(
                f"| {label} | {one['tickets_stored']} / {one['tickets_filed']} | "
                f"{two['tickets_stored']} / {two['tickets_filed']} |"
            )
        else:
            lines.append(f"| {label} | {one[key]} | {two[key]} |")
    lines += [
        "",
        f"| one replica of two killed (SIGKILL) while {kill['users']} users file | |",
        "| --- | ---: |",
        f"| conversations on the killed replica | {kill['conversations_on_killed_replica']} |",
        f"| tickets lost | {kill['lost']} |",
        f"| tickets duplicated | {kill['duplicated']} |",
        f"| turns sent again by users | {kill['retried_turns']} |",
        "",
        f"| one conversation of {LONG_TURNS} turns (questions, 1 replica) | sessions unbounded | max_session_events 200 |",
        "| --- | ---: | ---: |",
        f"| turn 10 (ms, median of turns 6-15) | {unbounded['turn_10_ms']} | {bounded['turn_10_ms']} |",
        f"| turn 300 (ms, median of turns 291-300) | {unbounded['turn_300_ms']} | {bounded['turn_300_ms']} |",
        f"| p95 of the last 50 turns (ms) | {unbounded['p95_last_50_ms']} | {bounded['p95_last_50_ms']} |",
        f"| server CPU per turn, turns 1-20 (ms) | {unbounded['cpu_ms_per_turn_first_20']} | "
        f"{bounded['cpu_ms_per_turn_first_20']} |",
        f"| server CPU per turn, turns 281-300 (ms) | {unbounded['cpu_ms_per_turn_last_20']} | "
        f"{bounded['cpu_ms_per_turn_last_20']} |",
    ]
    return "\n".join(lines) + "\n"


def update_readme(table: str) -> None:
    readme = REPO / "README.md"
    text = readme.read_text()
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        print("README.md has no bench:cluster markers; left as it is")
        return
    readme.write_text(text[: start + len(README_START)] + "\n" + table + text[end:])
    print("README.md: Running at scale table updated")


if __name__ == "__main__":
    sys.exit(main())
