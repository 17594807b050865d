"""actions.conversation.stated_level: the level the latest message states, as every action reads it."""

from __future__ import annotations

import pytest
from action_helpers import entity

from actions.conversation import stated_level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("not a P0, call it a P2", "S2"),
        ("Priority: Low -- the widget font is off", "S3"),
        ("sev 1, the export fails", "S1"),
        ("we see high latency on the live bot", None),
        ("not critical", None),
    ],
)
def test_typed_text_is_read_by_the_one_reader(make_tracker, text, level):
    assert stated_level(make_tracker(text, "report_problem")) == level


def test_a_button_payload_gives_its_entity(make_tracker):
    tracker = make_tracker('/inform{"severity": "S1"}', "inform", entities=[entity("severity", "S1")])
    assert stated_level(tracker) == "S1"
