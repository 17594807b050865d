"""The two bots under test: ours (Rasa + action server + SQLite stores) and `rasa init`'s.

Both are trained here, in a temporary folder, so the figures describe the current
config.yml and data/ rather than whatever model happens to lie in models/, and both
are served the way they are deployed: ours as scripts/run.sh starts it (the Rasa
server through servers/rasa_server.py, the SQLite tracker store, the repository's
credentials.yml and so its channel's limits), the baseline as `rasa run --enable-api`
in its init folder.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.servers import Fleet, Process, first_answer_seconds, free_port, wait_for_health

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TRAIN_TIMEOUT_SECONDS = 600


@dataclass
class RunningBot:
    """A started bot: where to talk to it and which processes to measure."""

    name: str
    rasa_url: str
    fleet: Fleet
    rasa: Process
    actions: Process | None
    cold_start_seconds: float


def base_env(tmp: Path) -> dict[str, str]:
    """No telemetry (all traffic stays on 127.0.0.1); Rasa's training cache in `tmp`."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "RASA_CACHE_DIRECTORY": str(tmp / "rasa-cache"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def train_ours(tmp: Path) -> tuple[Path, float]:
    """A full `rasa train --force` of this project into `tmp`; returns the model and seconds."""
    out = tmp / "models"
    command = [str(BIN / "rasa"), "train", "--force", "--out", str(out), "--fixed-model-name", "bench"]
    seconds = _timed(command, REPO, base_env(tmp), tmp / "train-ours.log")
    return out / "bench.tar.gz", seconds


def init_baseline(tmp: Path) -> tuple[Path, float]:
    """`rasa init --no-prompt` (which trains) into a fresh folder; returns it and seconds."""
    folder = tmp / "baseline"
    folder.mkdir()
    command = [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder)]
    seconds = _timed(command, tmp, base_env(tmp), tmp / "init-baseline.log")
    return folder, seconds


def start_ours(tmp: Path, model: Path, database_url: str) -> RunningBot:
    """Action server and Rasa server on free ports, tickets and conversations in `tmp`."""
    action_port, rasa_port = free_port(), free_port()
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "  headers:\n    Authorization: Bearer ${HELPDESK_ACTION_SERVER_SECRET}\n"
        f"tracker_store:\n  type: servers.tracker_store.HelpdeskTrackerStore\n  dialect: sqlite\n  db: {tmp / 'rasa-tracker.db'}\n"
    )
    api_token = secrets.token_hex(32)
    env = {
        **base_env(tmp),
        "HELPDESK_DATABASE_URL": database_url,
        "HELPDESK_JOURNAL_FILE": str(tmp / "journal.jsonl"),
        "HELPDESK_RESERVED_REFERENCES_FILE": str(tmp / "reserved-references.json"),
        "HELPDESK_ACTION_SERVER_SECRET": secrets.token_hex(32),
        "RASA_AUTH_TOKEN": api_token,
    }
    fleet = Fleet()
    try:
        actions = fleet.spawn(
            "action server",
            [str(BIN / "python"), "-m", "servers.action_server", "--port", str(action_port)],
            REPO,
            env,
            tmp / "actions.log",
        )
        rasa = fleet.spawn(
            "rasa server",
            [
                str(BIN / "python"),
                "-m",
                "servers.rasa_server",
                "run",
                "--port",
                str(rasa_port),
                "--model",
                str(model),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(REPO / "credentials.yml"),
            ],
            REPO,
            env,
            tmp / "rasa.log",
        )
        wait_for_health(f"http://127.0.0.1:{action_port}/health", actions)
        url = f"http://127.0.0.1:{rasa_port}"
        return RunningBot("ours", url, fleet, rasa, actions, first_answer_seconds(url, rasa, "hi", api_token))
    except BaseException:
        fleet.stop()
        raise


def start_baseline(tmp: Path, folder: Path) -> RunningBot:
    """The init bot as it comes: no action server (it has no custom actions), in-memory tracker store."""
    port = free_port()
    fleet = Fleet()
    try:
        rasa = fleet.spawn(
            "baseline rasa server",
            [str(BIN / "rasa"), "run", "--enable-api", "--port", str(port)],
            folder,
            base_env(tmp),
            tmp / "baseline-rasa.log",
        )
        url = f"http://127.0.0.1:{port}"
        return RunningBot("baseline", url, fleet, rasa, None, first_answer_seconds(url, rasa, "hello"))
    except BaseException:
        fleet.stop()
        raise


def _timed(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    start = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=TRAIN_TIMEOUT_SECONDS
        )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed ({done.returncode}); log:\n{log.read_text()[-3000:]}")
    return round(time.monotonic() - start, 1)
