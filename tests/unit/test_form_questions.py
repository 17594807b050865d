"""Which questions the ticket form still asks, on the real policy."""

from __future__ import annotations

import pytest

from helpdesk.form_questions import CONFIRMATION, DraftState, impact_hinges, next_question

FULL = DraftState(
    description="chats are not assigned to agents",
    environment="production",
    impact="all users",
    email="priya@acme.example",
    assessed="S0",
    stated=None,
)


def state(**changes):
    return DraftState(**{**FULL.__dict__, **changes})


def test_nothing_missing_goes_straight_to_the_confirmation(real_policy):
    assert next_question(real_policy, FULL) == CONFIRMATION


def test_questions_come_in_order_description_environment_impact_email(real_policy, monkeypatch):
    monkeypatch.setattr("helpdesk.form_questions.impact_hinges", lambda *args: True)
    empty = state(description=None, environment=None, impact=None, email=None, assessed="S1")
    assert next_question(real_policy, empty) == "description"
    assert next_question(real_policy, state(environment=None, impact=None, email=None, assessed="S1")) == "environment"
    assert next_question(real_policy, state(impact=None, email=None, assessed="S1")) == "impact"
    assert next_question(real_policy, state(email=None, assessed="S1")) == "requester_email"


@pytest.mark.parametrize("assessed", ["S0", "S1", "S2", "S3"])
@pytest.mark.parametrize("environment", ["production", "staging", "unknown"])
def test_who_is_affected_is_not_asked_since_a_user_count_alone_never_moves_the_level(
    real_policy, assessed, environment
):
    assert impact_hinges(real_policy, assessed, environment, None) is False
    assert next_question(real_policy, state(impact=None, assessed=assessed, environment=environment)) == CONFIRMATION


@pytest.mark.parametrize("environment", ["production", "unknown"])
def test_a_description_with_no_reading_asks_what_it_stops_since_that_decides_the_level(real_policy, environment):
    assert impact_hinges(real_policy, None, environment, None) is True
    assert next_question(real_policy, state(impact=None, assessed=None, environment=environment)) == "impact"


def test_a_description_with_no_reading_on_staging_needs_no_more_questions(real_policy):
    """Outside production the level is capped below a blocker whatever stopped."""
    assert impact_hinges(real_policy, None, "staging", None) is False
    assert next_question(real_policy, state(impact=None, assessed=None, environment="staging")) == CONFIRMATION


def test_a_stated_level_needs_no_reading_of_the_description(real_policy):
    assert next_question(real_policy, state(impact=None, assessed=None, stated="S2")) == CONFIRMATION


def test_a_stated_level_never_needs_the_impact(real_policy):
    assert not impact_hinges(real_policy, "S1", "production", "S1")
    assert next_question(real_policy, state(impact=None, assessed="S1", stated="S1")) == CONFIRMATION


def test_the_impact_waits_for_the_environment(real_policy):
    assert next_question(real_policy, state(environment=None, impact=None, assessed="S1")) == "environment"


def test_a_known_email_is_never_asked(real_policy):
    assert next_question(real_policy, state(email="dev@acme.example")) == CONFIRMATION
    assert next_question(real_policy, state(email="")) == "requester_email"


def test_questions_given_up_on_are_skipped(real_policy, monkeypatch):
    monkeypatch.setattr("helpdesk.form_questions.impact_hinges", lambda *args: True)
    lacking = state(impact=None, email=None, assessed="S1")
    assert next_question(real_policy, lacking, frozenset({"impact"})) == "requester_email"
    assert next_question(real_policy, lacking, frozenset({"impact", "requester_email"})) == CONFIRMATION
