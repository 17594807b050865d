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


@pytest.mark.parametrize("assessed", ["S0", "S1"])
def test_staging_lowers_to_medium_and_the_reason_says_which_fact_did(real_policy, assessed):
    decision = decide(real_policy, assessed, Facts(environment="staging"), cues=("not replying",))
    assert decision.level == "S2"
    assert decision.set_by_user is False
    meaning = real_policy.severity(assessed).meaning.lower()
    assert decision.reasons == (
        f'the description mentions "not replying", which reads like {meaning} on its own, '
        "but it happens on staging, not in production, so customers are not affected",
    )


@pytest.mark.parametrize("assessed", ["S2", "S3"])
def test_staging_leaves_lower_levels_alone(real_policy, assessed):
    decision = decide(real_policy, assessed, Facts(environment="staging"))
    assert decision.level == assessed
    assert not any("staging" in reason for reason in decision.reasons)


@pytest.mark.parametrize("assessed", ["S0", "S1", "S2", None])
@pytest.mark.parametrize("impact", ["no business impact", "no impact yet", "nobody is affected", "only testers"])
def test_no_business_impact_means_the_lowest_level(real_policy, assessed, impact):
    decision = decide(real_policy, assessed, Facts(environment="production", impact=impact))
    assert decision.level == "S3"
    assert decision.reasons[-1].endswith("you said there is no business impact")


@pytest.mark.parametrize("assessed", ["S0", "S1", "S2", "S3"])
@pytest.mark.parametrize("impact", ["all of our customers", "everyone", "some users", None])
def test_the_number_of_users_alone_never_changes_the_level(real_policy, assessed, impact):
    decision = decide(real_policy, assessed, Facts(environment="production", impact=impact))
    assert decision.level == assessed
    assert len(decision.reasons) == 1


def test_a_reason_never_names_a_meaning_the_level_does_not_have(real_policy):
    for assessed in real_policy.severities:
        for facts in (Facts(environment="staging"), Facts(impact="no business impact"), Facts()):
            decision = decide(real_policy, assessed, facts)
            final = real_policy.severity(decision.level).meaning.lower()
            text = "; ".join(decision.reasons)
            if final not in text:
                assert "on its own, but" in text


@pytest.mark.parametrize("assessed", [None, "", "S9", "blocker"])
def test_without_an_assessment_it_starts_from_medium_and_says_so(real_policy, assessed):
    decision = decide(real_policy, assessed, Facts())
    assert decision == Decision("S2", False, ("I could not tell from the description, so I started from S2 (Medium)",))


def test_facts_read_from_a_description_drive_the_decision(real_policy):
    found = read_details("the new flow misbehaves on our staging bot since 10am, no business impact")
    decision = decide(real_policy, "S1", Facts(environment=found.environment, impact=found.impact))
    assert decision.level == "S3"


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
        data["severities"]["S2"]["name"] = "Moderate"

    policy = load_policy(policy_file(rename))
    assert decide(policy, None, Facts()).reasons == (
        "I could not tell from the description, so I started from S2 (Moderate)",
    )
