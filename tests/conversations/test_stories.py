"""Conversation tests: the stories in this folder replayed by `rasa test` against the
trained model and the real action server, and the training data validated. `rasa test`
runs through servers/rasa_server.py, so the stories meet the Rasa that production runs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tests.conftest import BIN, MODEL, ROOT

STORIES = Path(__file__).parent


def test_every_conversation_story_passes(servers, tmp_path):
    out = tmp_path / "results"
    run = subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "servers.rasa_server",
            "test",
            "core",
            "--stories",
            str(STORIES),
            "--model",
            str(MODEL),
            "--endpoints",
            str(servers.endpoints),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=servers.env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    failed = (out / "failed_test_stories.yml").read_text()
    assert "None of the test stories failed" in failed, failed


def test_training_data_validates_cleanly():
    run = subprocess.run(
        [str(BIN / "python"), "-m", "servers.rasa_server", "data", "validate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    warnings = re.findall(r"UserWarning: (.*)", run.stdout + run.stderr)
    assert [w for w in warnings if not _is_a_form_question(w)] == []


def _is_a_form_question(warning: str) -> bool:
    """Rasa's validator counts only responses used in stories, so it flags the questions a
    form asks by itself (utter_ask_<slot>) and the rephrase prompt of its own two-stage
    fallback; those are used, and are the only warnings allowed."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    used_by_rasa = {f"utter_ask_{slot}" for form in domain["forms"].values() for slot in form["required_slots"]}
    used_by_rasa |= {"utter_ask_rephrase"}
    match = re.match(r"The utterance '(\w+)' is not used in any story or rule\.", warning)
    return bool(match) and match.group(1) in used_by_rasa
