"""Levels stated in the user's own words, on the real policy (S0 Blocker ... S3 Low)."""

from __future__ import annotations

import pytest

from helpdesk.levels import named_levels, stated_level, stated_mention


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("S1", "S1"),
        ("please file this as s2", "S2"),
        ("p0 - whatsapp flow dead", "S0"),
        ("treat it as P3", "S3"),
        ("sev 1 on the analytics export", "S1"),
        ("Sev-2: widget colours wrong", "S2"),
        ("severity 3, just a setup thing", "S3"),
        ("priority 0", "S0"),
        ("this is a blocker for our launch", "S0"),
        ("showstopper!!", "S0"),
        ("critical", "S0"),
        ("URGENT: handover to agents broken", "S0"),
        ("bot replies slowly, high priority", "S1"),
        ("High", "S1"),
        ("medium pls", "S2"),
        ("low, no rush", "S3"),
        ("no rush on this one", "S3"),
        ("Priority: Medium", "S2"),
        ("[priority - low] typo in the welcome card", "S3"),
        ("Severity = HIGH", "S1"),
        ("mark it high", "S1"),
        ("set it to low please", "S3"),
        ("it's a critical issue, the bot is down", "S0"),
        ("not a P0, call it a P2", "S2"),
        ("it isn't S1, more of an S3", "S3"),
        ("P1 rather than P0", "S1"),
        ("not critical, but make it high", "S1"),
    ],
)
def test_a_stated_level_is_read_in_every_common_form(real_policy, text, level):
    assert stated_level(text, real_policy) == level


@pytest.mark.parametrize(
    "text",
    [
        "we see high latency on the live bot",
        "critical functionality of the checkout flow broke",
        "low volume of chats today, is that normal",
        "the response time is high since morning",
        "urgent messages from customers don't reach agents",
        "it's 2 pm and the bot's 3 flows are failing",
        "step 2 of the flow fails",
        "not critical",
        "this is not urgent",
        "",
    ],
)
def test_descriptions_and_negations_alone_state_no_level(real_policy, text):
    assert stated_level(text, real_policy) is None


def test_the_mention_keeps_its_span(real_policy):
    text = "please make it high"
    mention = stated_mention(text, real_policy)
    assert mention is not None and text[mention.start : mention.end] == "high"


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("S0 vs S1?", ["S0", "S1"]),
        ("how is S1 different from S3", ["S1", "S3"]),
        ("what's the difference between high and medium", ["S1", "S2"]),
        ("what does blocker mean", ["S0"]),
        ("why is high latency a problem", []),
    ],
)
def test_a_question_names_levels_wherever_they_stand(real_policy, text, levels):
    assert named_levels(text, real_policy) == levels


def test_level_numbers_follow_the_policy_order(policy_file):
    from helpdesk.policy import load_policy

    def rename(data):
        data["severities"]["S1"]["name"] = "Major"

    policy = load_policy(policy_file(rename))
    assert stated_level("make it major", policy) == "S1"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("the export is not downloading, P1", "S1"),
        ("would the live widget not opening be a blocker?", "S0"),
        ("it's not really critical", None),
        ("isn't that urgent, low is fine", "S3"),
        ("nothing is broken, just a P3 question", "S3"),
    ],
)
def test_a_negation_rules_out_only_the_level_it_governs(real_policy, text, level):
    assert stated_level(text, real_policy) == level


def test_a_rating_noun_belongs_to_the_mention(real_policy):
    text = "raise it to highest priority"
    mention = stated_mention(text, real_policy)
    assert mention is not None and text[mention.start : mention.end] == "highest priority"
