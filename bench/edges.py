"""Does abuse of the webhook hurt everyone else? The edge suite against a normal user.

Usage (from the repository root, with models/current.tar.gz trained):

    .venv/bin/python -m bench.edges [--rounds 10] [--out bench/edges.json]

Starts our bot as bench/bots.py does (the repository's credentials.yml, so the channel's
real limits), then, on 127.0.0.1 only: a user says "hi" in a loop while another client
sends, round after round, every malformed and oversized request, empty, odd and
foreign-script messages, and a 5,000-word message (each long one from a new sender, so
the rate limit never spares NLU the work). Reports the "hi" user's latency alone and
under that traffic, and the Rasa server's resident memory (VmRSS from /proc) before and
after. Targets: p95 under 1 s, memory growth under 100 MB. About a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp

from bench.bots import start_ours
from bench.load import percentile
from tests.e2e.test_edges import EMPTY, MALFORMED, ODD, OTHER_SCRIPTS, OVERSIZED, long_description, oversized_body

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "models" / "current.tar.gz"
P95_TARGET_MS = 1000
GROWTH_TARGET_MB = 100
WARM_UP_TURNS = 20
HI_PER_SENDER = 10
"""Under the channel's 20 messages a minute: the "hi" user is never rate limited."""
MAX_HI_TURNS = 5000
REQUEST_TIMEOUT_SECONDS = 30


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rounds", type=int, default=10, help="rounds of the edge suite (each with one 5,000-word message)"
    )
    parser.add_argument("--out", default=str(REPO / "bench" / "edges.json"))
    args = parser.parse_args(argv)
    if not MODEL.exists():
        parser.error(f"{MODEL} is missing: run `make train`")
    with tempfile.TemporaryDirectory(prefix="bench-edges-") as folder:
        tmp = Path(folder)
        bot = start_ours(tmp, MODEL, f"sqlite:///{tmp / 'tickets.db'}")
        try:
            results = asyncio.run(measure(bot.rasa_url, bot.rasa.rss_mb, args.rounds))
        finally:
            bot.fleet.stop()
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print_summary(results, args.out)
    return 0 if results["targets_met"] else 1


async def measure(rasa_url: str, rss_mb: Callable[[], float], rounds: int) -> dict[str, Any]:
    """The "hi" user alone, then under the edge suite; memory around the suite."""
    webhook = f"{rasa_url}/webhooks/rest/webhook"
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        alone = await say_hi(session, webhook, asyncio.Event(), max_turns=WARM_UP_TURNS)
        rss_before = rss_mb()
        done = asyncio.Event()
        hi_task = asyncio.create_task(say_hi(session, webhook, done, MAX_HI_TURNS))
        try:
            edges = await send_edges(session, webhook, rounds)
        finally:
            done.set()
        under_load = await hi_task
        await asyncio.sleep(1)  # let the last turns' garbage go before reading memory
        rss_after = rss_mb()
    growth = round(rss_after - rss_before, 1)
    loaded = latency_summary(under_load)
    return {
        "cores": os.cpu_count(),
        "hi_alone": latency_summary(alone),
        "hi_under_edges": loaded,
        "edges": edges,
        "rasa_rss_mb": {"before": rss_before, "after": rss_after, "growth": growth},
        "targets": {"p95_ms": P95_TARGET_MS, "growth_mb": GROWTH_TARGET_MB},
        "targets_met": loaded["p95_ms"] is not None and loaded["p95_ms"] < P95_TARGET_MS and growth < GROWTH_TARGET_MB,
    }


async def say_hi(session: aiohttp.ClientSession, webhook: str, done: asyncio.Event, max_turns: int) -> list[float]:
    """Milliseconds of each "hi" turn until `done` is set or `max_turns` is reached."""
    latencies: list[float] = []
    while not done.is_set() and len(latencies) < max_turns:
        sender = f"hi-{len(latencies) // HI_PER_SENDER}-{uuid.uuid4().hex[:6]}"
        start = time.perf_counter()
        async with session.post(webhook, json={"sender": sender, "message": "hi"}) as response:
            replies = await response.json()
        if response.status != 200 or not replies:
            raise RuntimeError(f'"hi" got HTTP {response.status}: {replies}')
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


async def send_edges(session: aiohttp.ClientSession, webhook: str, rounds: int) -> dict[str, Any]:
    """Every edge case, `rounds` times; counts the answers by HTTP status and times the long message."""
    statuses: dict[str, int] = {}
    long_ms: list[float] = []
    long_message = long_description(5_000)
    for _ in range(rounds):
        bodies = [body for body, _ in MALFORMED] + [oversized_body(size) for size in OVERSIZED]
        bodies += [
            json.dumps({"sender": f"edge-{uuid.uuid4().hex}", "message": m}).encode()
            for m in EMPTY + OTHER_SCRIPTS + ODD
        ]
        for body in bodies:
            status = await post(session, webhook, body)
            statuses[status] = statuses.get(status, 0) + 1
        start = time.perf_counter()
        status = await post(
            session, webhook, json.dumps({"sender": f"long-{uuid.uuid4().hex}", "message": long_message}).encode()
        )
        long_ms.append((time.perf_counter() - start) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
    ordered = sorted(long_ms)
    return {
        "rounds": rounds,
        "requests": sum(statuses.values()),
        "by_status": dict(sorted(statuses.items())),
        "long_message_words": len(long_message.split()),
        "long_message_ms": {"p50": percentile(ordered, 50), "max": round(ordered[-1], 1)},
    }


async def post(session: aiohttp.ClientSession, webhook: str, body: bytes) -> str:
    """The HTTP status as text, or the error's name when the server hung up first."""
    try:
        async with session.post(webhook, data=body, headers={"Content-Type": "application/json"}) as response:
            await response.read()
            return str(response.status)
    except aiohttp.ClientError as error:
        return type(error).__name__


def latency_summary(latencies_ms: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies_ms)
    return {
        "turns": len(ordered),
        "p50_ms": percentile(ordered, 50),
        "p95_ms": percentile(ordered, 95),
        "max_ms": round(ordered[-1], 1) if ordered else None,
    }


def print_summary(results: dict[str, Any], out: str) -> None:
    alone, loaded, rss, edges = results["hi_alone"], results["hi_under_edges"], results["rasa_rss_mb"], results["edges"]
    print(f'"hi" alone:            p50 {alone["p50_ms"]} ms, p95 {alone["p95_ms"]} ms ({alone["turns"]} turns)')
    print(
        f'"hi" during the edges: p50 {loaded["p50_ms"]} ms, p95 {loaded["p95_ms"]} ms ({loaded["turns"]} turns; target < {P95_TARGET_MS} ms)'
    )
    print(
        f"edge requests: {edges['requests']} by status {edges['by_status']}; "
        f"{edges['long_message_words']}-word message p50 {edges['long_message_ms']['p50']} ms, max {edges['long_message_ms']['max']} ms"
    )
    print(
        f"Rasa server VmRSS: {rss['before']} MB before, {rss['after']} MB after, growth {rss['growth']} MB (target < {GROWTH_TARGET_MB} MB)"
    )
    print(f"targets {'met' if results['targets_met'] else 'MISSED'}; written to {out}")


if __name__ == "__main__":
    raise SystemExit(main())
