"""A cluster as `make cluster` starts it (scripts/cluster.sh), on free loopback ports and in a
folder of its own, for the cluster tests and `make bench-cluster`.

It is the script itself that runs, so what is tested is what an operator starts: its
PostgreSQL (as the postgres user), Redis, HAProxy, Rasa replicas, action servers, delivery
workers and widget. Stopped with SIGINT, as Ctrl-C stops it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests

from tests.conftest import MODEL, ROOT, Servers, free_port, server_env, texts

READY_TIMEOUT_SECONDS = 600
"""Generous: the first start may install Debian packages and creates the database."""
TROUBLE = "I'm having trouble right now"
"""The start of what the channel answers when a turn could not run (channels/replies.py)."""
RETRY_PAUSE_SECONDS = 0.5
RETRY_DEADLINE_SECONDS = 90


@dataclass(frozen=True)
class ClusterServers(Servers):
    """The cluster's load balancer as one bot: each answer's replica is recorded per sender,
    and a turn that failed (a replica killed, Redis or the database away) is taken again."""

    cluster: Cluster | None = None
    replicas: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """Per sender, the replica of each answer (X-Helpdesk-Replica), retried turns included."""
    sent: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """Per sender, each message the user sent, once however often it was retried."""
    retries: list[str] = field(default_factory=list)

    def say(self, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
        self.sent[sender].append(message)
        deadline = time.monotonic() + RETRY_DEADLINE_SECONDS
        while True:
            replies = self._turn(sender, message, metadata)
            if replies is not None:
                return replies
            self.retries.append(sender)
            assert time.monotonic() < deadline, f"{sender}: no answer to {message!r} in {RETRY_DEADLINE_SECONDS} s"
            time.sleep(RETRY_PAUSE_SECONDS)
            done = self._answered_already(sender, message)
            if done is not None:
                return done

    def _turn(self, sender: str, message: str, metadata: dict | None) -> list[dict] | None:
        """The bot's answer, or None when the turn failed and the user would send it again."""
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        try:
            response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        except requests.RequestException:
            return None
        if response.status_code != 200:
            return None
        self.replicas[sender].append(response.headers.get("X-Helpdesk-Replica", "?"))
        replies = response.json()
        return None if texts(replies).startswith(TROUBLE) else replies

    def _answered_already(self, sender: str, message: str) -> list[dict] | None:
        """If the failed turn was in fact taken (its answer lost on the way), that answer;
        a person would read it in the conversation instead of typing the message again."""
        try:
            events = self.tracker(sender)["events"]
        except (requests.RequestException, ValueError, KeyError):
            return None
        users = [i for i, event in enumerate(events) if event["event"] == "user"]
        # Taken only if the conversation holds every message sent so far, this one last.
        if len(users) != len(self.sent[sender]) or events[users[-1]].get("text") != message:
            return None
        last_user = users[-1]
        answers = [{"text": event.get("text")} for event in events[last_user:] if event["event"] == "bot"]
        return answers or None


@dataclass
class Cluster:
    """The running script, its folder and ports, and ways to hurt its parts."""

    folder: Path
    process: subprocess.Popen
    ports: dict
    """Each port the script was given, by its environment variable (replica ports as lists)."""

    def pid(self, name: str) -> int:
        return int((self.folder / "pids" / f"{name}.pid").read_text())

    def secret(self, name: str) -> str:
        return (self.folder / "secrets" / name).read_text().strip()

    def database_url(self, database: str = "tickets") -> str:
        return (
            f"postgresql://helpdesk:{self.secret('postgres-password')}@127.0.0.1:"
            f"{self.ports['POSTGRES_PORT']}/{database}"
        )

    def redis(self, db: int = 0) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1",
            port=self.ports["REDIS_PORT"],
            password=self.secret("redis-password"),
            db=db,
            socket_timeout=2,
        )

    def hold(self, name: str) -> None:
        """Keep `name` down once it stops, as an operator would for maintenance."""
        (self.folder / "hold" / name).touch()

    def release(self, name: str) -> None:
        (self.folder / "hold" / name).unlink(missing_ok=True)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        os.kill(self.pid(name), sig)

    def wait_until(self, condition, what: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if self.process.poll() is not None:
                raise RuntimeError(f"the cluster script exited; its output:\n{self.output()}")
            assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
            time.sleep(0.25)

    def output(self) -> str:
        return (self.folder / "cluster.out").read_text(errors="replace")[-4000:]


@contextlib.contextmanager
def running_cluster(
    replicas: int = 2, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[Cluster, ClusterServers]]:
    """scripts/cluster.sh with `replicas` Rasa replicas (and as many action servers), two
    delivery workers, in a new folder that the postgres user can reach; removed after."""
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: run `make train` (make test does it for you)")
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-cluster-"))
    folder.chmod(0o711)  # PostgreSQL runs as the postgres user and must reach its data folder
    ports: dict = {
        name: free_port() for name in ("RASA_PORT", "ACTIONS_PORT", "WIDGET_PORT", "POSTGRES_PORT", "REDIS_PORT")
    }
    ports["RASA_REPLICA_PORTS"] = [free_port() for _ in range(replicas)]
    ports["ACTIONS_REPLICA_PORTS"] = [free_port() for _ in range(replicas)]
    env = {
        **server_env("unused://set-by-the-cluster-script", f"http://127.0.0.1:{ports['WIDGET_PORT']}"),
        **{name: str(value) if isinstance(value, int) else " ".join(map(str, value)) for name, value in ports.items()},
        "CLUSTER_DIR": str(folder / "cluster"),
        "HELPDESK_RASA_REPLICAS": str(replicas),
        "HELPDESK_ACTION_SERVERS": str(replicas),
        "HELPDESK_DELIVERY_WORKERS": "2",
        "HELPDESK_DELIVERY_POLL_SECONDS": "0.5",
        **(extra_env or {}),
    }
    env.pop("HELPDESK_DATABASE_URL")
    (folder / "cluster").mkdir()
    out = (folder / "cluster" / "cluster.out").open("w")
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "cluster.sh")],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    cluster = Cluster(folder / "cluster", process, ports)
    try:
        cluster.wait_until(lambda: (cluster.folder / "ready").exists(), "the cluster", READY_TIMEOUT_SECONDS)
        servers = ClusterServers(
            f"http://127.0.0.1:{ports['RASA_PORT']}",
            f"http://127.0.0.1:{ports['ACTIONS_PORT']}",
            ROOT / "endpoints-cluster.yml",
            cluster.database_url(),
            env,
            cluster=cluster,
        )
        yield cluster, servers
    finally:
        stop_cluster(process)
        out.close()
        logs = ROOT / "tests" / "artifacts" / "cluster-logs"  # kept for whoever reads a failure
        shutil.rmtree(logs, ignore_errors=True)
        shutil.copytree(folder / "cluster" / "logs", logs, dirs_exist_ok=True)
        shutil.copy(folder / "cluster" / "cluster.out", logs)
        shutil.rmtree(folder, ignore_errors=True)


def stop_cluster(process: subprocess.Popen) -> None:
    """Ctrl-C: SIGINT to the script and everything it started, which must all be gone
    within a minute (else they are killed and this fails, naming them)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (process.poll() is None or running_in_group(process.pid)):
        time.sleep(0.2)
    left = running_in_group(process.pid)
    if left:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not left, f"Ctrl-C left some of the cluster's processes running: {left}"


def running_in_group(group: int) -> list[str]:
    """The command lines of the processes of `group` still running (zombies do not count)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(pgrp) == group and state != "Z":
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200])
        except (OSError, ValueError):
            continue
    return found


def in_parallel(work, items: list) -> list:
    """`work(item)` for every item at once, one thread each; results in order, errors raised."""
    results: list = [None] * len(items)
    errors: list[BaseException] = []

    def run(index: int, item) -> None:
        try:
            results[index] = work(item)
        except BaseException as error:  # reported below with the others
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
