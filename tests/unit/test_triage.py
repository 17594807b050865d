"""The severity decision on the real policy: S0 Blocker, S1 High, S2 Medium, S3 Low."""

from __future__ import annotations

import pytest

from helpdesk.details import read_details
from helpdesk.policy import load_policy
from helpdesk.triage import Decision, Facts, decide


@pytest.mark.parametrize("stated", ["S3", "s3", " S3 "])
def test_a_level_the_user_stated_wins_over_everything(real_policy, stated):
    facts = Facts(environment="production", impact="all users")
    decision = decide(real_policy, "S0", facts, stated=stated)
    assert decision == Decision("S3", True, ("you set it to S3 (Low) yourself",))


def test_a_stated_blocker_on_staging_is_not_capped(real_policy):
    decision = decide(real_policy, "S3", Facts(environment="staging", impact="no impact"), stated="S0")
    assert (decision.level, decision.set_by_user) == ("S0", True)


def test_an_unknown_stated_level_is_refused(real_policy):
    with pytest.raises(ValueError, match="S9"):
        decide(real_policy, "S1", Facts(), stated="S9")


@pytest.mark.parametrize(
    ("assessed", "meaning"),
    [
        ("S0", "critical functionality has stopped working"),
        ("S1", "major functionality has stopped working"),
        ("S2", "minor functionality has stopped working"),
        ("S3", "an issue with the setup"),
    ],
)
def test_without_facts_the_assessment_stands_and_says_why(real_policy, assessed, meaning):
    decision = decide(real_policy, assessed, Facts())
    assert decision == Decision(assessed, False, (f"the description reads like {meaning}",))


def test_staging_caps_a_blocker_at_high_and_says_so(real_policy):
    decision = decide(real_policy, "S0", Facts(environment="staging"))
    assert decision.level == "S1"
    assert decision.set_by_user is False
    assert decision.reasons[-1] == "it happens on staging, not in production, so it is not a blocker"


@pytest.mark.parametrize("assessed", ["S1", "S2", "S3"])
def test_staging_leaves_lower_levels_alone(real_policy, assessed):
    decision = decide(real_policy, assessed, Facts(environment="staging"))
    assert decision.level == assessed
    assert not any("staging" in reason for reason in decision.reasons)


def test_staging_with_all_users_still_stops_at_high(real_policy):
    decision = decide(real_policy, "S0", Facts(environment="staging", impact="all users"))
    assert decision.level == "S1"


@pytest.mark.parametrize("assessed", ["S0", "S1", "S2", None])
@pytest.mark.parametrize("impact", ["no business impact", "no impact yet", "nobody is affected", "only testers"])
def test_no_business_impact_means_the_lowest_level(real_policy, assessed, impact):
    decision = decide(real_policy, assessed, Facts(environment="production", impact=impact))
    assert decision.level == "S3"
    assert decision.reasons[-1] == "you said there is no business impact"


def test_production_with_all_users_raises_high_to_blocker(real_policy):
    decision = decide(real_policy, "S1", Facts(environment="production", impact="all of our customers"))
    assert decision.level == "S0"
    assert decision.reasons == (
        "the description reads like major functionality has stopped working",
        "it is in production and affects all users",
    )


@pytest.mark.parametrize("assessed", ["S2", "S3"])
def test_production_with_all_users_leaves_minor_problems_alone(real_policy, assessed):
    decision = decide(real_policy, assessed, Facts(environment="production", impact="all users"))
    assert decision.level == assessed
    assert len(decision.reasons) == 1


def test_a_blocker_in_production_with_all_users_stays_a_blocker_without_a_second_reason(real_policy):
    decision = decide(real_policy, "S0", Facts(environment="production", impact="everyone"))
    assert decision.level == "S0"
    assert len(decision.reasons) == 1


@pytest.mark.parametrize(
    "facts",
    [
        Facts(environment="production", impact="some customers"),
        Facts(environment="production", impact=None),
        Facts(environment="unknown", impact="all users"),
        Facts(environment=None, impact="all users"),
    ],
)
def test_high_stays_high_without_production_and_all_users(real_policy, facts):
    assert decide(real_policy, "S1", facts).level == "S1"


@pytest.mark.parametrize("assessed", [None, "", "S9", "blocker"])
def test_without_an_assessment_it_starts_from_medium_and_says_so(real_policy, assessed):
    decision = decide(real_policy, assessed, Facts())
    assert decision == Decision(
        "S2", False, ("I could not tell from the description, so I started from S2 (Medium)",)
    )


def test_facts_read_from_a_description_drive_the_decision(real_policy):
    found = read_details("our bot takes 25 seconds to answer customers on the live site since 10am, all users affected")
    decision = decide(real_policy, "S1", Facts(environment=found.environment, impact=found.impact))
    assert decision.level == "S0"


@pytest.mark.parametrize(
    ("assessed", "facts"),
    [
        ("S0", Facts(environment="staging", impact="all users")),
        ("S1", Facts(environment="production", impact="all users")),
        ("S0", Facts(environment="production", impact="no business impact")),
        (None, Facts()),
    ],
)
def test_reasons_are_sentences_a_user_reads(real_policy, assessed, facts):
    reasons = decide(real_policy, assessed, facts).reasons
    assert reasons
    for reason in reasons:
        assert reason == reason.strip() and len(reason.split()) >= 5
        assert reason[0].islower() or reason.startswith("I "), "reasons continue a sentence after 'because'"
        assert not reason.endswith("."), "reasons are joined with '; ' inside a sentence"
        assert "None" not in reason and "_" not in reason


def test_reasons_use_the_policys_names(policy_file):
    def rename(data):
        data["severities"]["S0"]["name"] = "Showstopper"
        data["severities"]["S1"]["meaning"] = "A big feature is down"
        data["severities"]["S2"]["name"] = "Normal"

    policy = load_policy(policy_file(rename))
    assert decide(policy, "S0", Facts(environment="staging")).reasons == (
        "the description reads like critical functionality has stopped working",
        "it happens on staging, not in production, so it is not a showstopper",
    )
    assert decide(policy, "S1", Facts()).reasons == ("the description reads like a big feature is down",)
    assert decide(policy, None, Facts()).reasons == (
        "I could not tell from the description, so I started from S2 (Normal)",
    )
