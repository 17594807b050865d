"""Starting, measuring and stopping the servers under load, on 127.0.0.1 and free ports.

Cold start is measured the way a user would feel it after a deploy: from spawning the
processes to the first message the bot answers over the REST webhook, so model loading
and the first turn's one-off warm-up (TensorFlow graph tracing, lazy imports) count.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

START_TIMEOUT_SECONDS = 240
STOP_TIMEOUT_SECONDS = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Process:
    """A spawned server, its log, and when it was spawned (for cold start)."""

    name: str
    popen: subprocess.Popen
    log: Path
    spawned_at: float

    def rss_mb(self) -> float:
        """Resident memory of the process and all its descendants (VmRSS), in MiB."""
        return round(sum(_vm_rss_kb(pid) for pid in _tree(self.popen.pid)) / 1024, 1)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the process and its descendants.

        Unlike latency, this hardly moves when other work shares the machine, so it is
        the steadier figure for comparing two configurations.
        """
        return tree_cpu_seconds(self.popen.pid)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


@dataclass
class Fleet:
    """The processes of one bot, stopped together."""

    processes: list[Process] = field(default_factory=list)

    def spawn(self, name: str, command: Sequence[str], cwd: Path, env: dict[str, str], log: Path) -> Process:
        # A new session per server, so stopping it also stops anything it forked.
        popen = subprocess.Popen(
            list(command), cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )
        process = Process(name, popen, log, time.monotonic())
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            _signal_group(process.popen, signal.SIGTERM)
        for process in self.processes:
            try:
                process.popen.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(process.popen, signal.SIGKILL)
                process.popen.wait()


def wait_for_health(url: str, process: Process) -> None:
    """Polls `url` until it answers 200; fails early when the server dies."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        _check_alive(process)
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{process.name}: {url} not up after {START_TIMEOUT_SECONDS} s; log:\n{process.tail()}")


def first_answer_seconds(rasa_url: str, process: Process, message: str, api_token: str | None = None) -> float:
    """Seconds from spawning the Rasa server to its first non-empty webhook answer; its
    HTTP API's /status says when the model is loaded (with the API's token, if it has one)."""
    wait_for_health(f"{rasa_url}/status" + (f"?token={api_token}" if api_token else ""), process)
    body = {"sender": "bench-cold-start", "message": message}
    response = requests.post(f"{rasa_url}/webhooks/rest/webhook", json=body, timeout=120)
    response.raise_for_status()
    if not response.json():
        raise RuntimeError(f"{process.name}: no answer to {message!r}; log:\n{process.tail()}")
    return round(time.monotonic() - process.spawned_at, 2)


def _check_alive(process: Process) -> None:
    if process.popen.poll() is not None:
        raise RuntimeError(f"{process.name} exited early ({process.popen.returncode}); log:\n{process.tail()}")


def _signal_group(popen: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(popen.pid, sig)
    except ProcessLookupError:
        pass


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by process `root` and its descendants."""
    return sum(_cpu_ticks(pid) for pid in _tree(root)) / os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> list[int]:
    """`root` and its descendants, from the parent ids in /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def _cpu_ticks(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0  # utime, stime


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from the 3rd field on (state, ppid, ...), or None once it has exited."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (2nd field) may hold spaces and parentheses; the rest follows the last paren.
    return stat.rsplit(")", 1)[1].split()


def _vm_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
