"""One home per vocabulary: the question intents live in helpdesk.answers.QUESTION_INTENTS,
and domain.yml, the rules and the action table must agree with it, or a question asked in
the middle of a form would be stored as the answer to the form's question."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.answers import ANSWERS
from helpdesk.answers import QUESTION_INTENTS, TOPIC_TITLES
from helpdesk.config import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
FORMS = sorted(DOMAIN["forms"])


def rules() -> list[dict[str, Any]]:
    found = []
    for path in sorted(Path(PROJECT_ROOT / "data").rglob("rules.yml")):
        found += yaml.safe_load(path.read_text()).get("rules") or []
    return found


def intents_of(step: dict[str, Any]) -> set[str]:
    return {alternative["intent"] for alternative in step.get("or", []) if "intent" in alternative} | (
        {step["intent"]} if "intent" in step else set()
    )


def test_every_question_is_an_intent_with_an_answer_and_a_title():
    assert set(QUESTION_INTENTS) <= set(DOMAIN["intents"])
    assert set(QUESTION_INTENTS) <= set(ANSWERS)
    assert set(QUESTION_INTENTS) <= set(TOPIC_TITLES)


def test_a_rule_answers_every_question_outside_any_form():
    answered = set().union(
        *(
            intents_of(rule["steps"][0])
            for rule in rules()
            if "condition" not in rule and rule["steps"][1:2] == [{"action": "action_answer_question"}]
        )
    )
    assert answered == set(QUESTION_INTENTS)


@pytest.mark.parametrize("form", FORMS)
def test_a_question_in_the_middle_of_any_form_is_answered_and_the_form_resumes(form):
    resuming = [
        rule
        for rule in rules()
        if {"active_loop": form} in (rule.get("condition") or [])
        and rule["steps"][1:4] == [{"action": "action_answer_question"}, {"action": form}, {"active_loop": form}]
    ]
    assert resuming, f"no rule answers a question asked while {form} is active"
    assert set(QUESTION_INTENTS) <= set().union(*(intents_of(rule["steps"][0]) for rule in resuming))


def free_text_mappings() -> list[tuple[str, dict[str, Any]]]:
    return [
        (slot, mapping)
        for slot, spec in DOMAIN["slots"].items()
        for mapping in spec.get("mappings", [])
        if mapping.get("type") in ("from_text", "from_entity") and mapping.get("conditions")
    ]


@pytest.mark.parametrize(
    ("slot", "mapping"), free_text_mappings(), ids=lambda value: value if isinstance(value, str) else ""
)
def test_no_form_takes_a_question_as_its_answer(slot, mapping):
    # "Is X a blocker?" may be the very description of the problem, so that slot may take it.
    allowed = {"ask_severity_of_problem"} if slot == "description" else set()
    assert set(QUESTION_INTENTS) - allowed <= set(mapping.get("not_intent") or []), slot


FOLLOWUP_FORMS = [form for form in FORMS if form != "ticket_form"]


@pytest.mark.parametrize("form", FOLLOWUP_FORMS)
def test_a_request_for_a_person_in_a_follow_up_form_hands_the_ticket_over(form):
    handing_over = [
        rule
        for rule in rules()
        if {"active_loop": form} in (rule.get("condition") or [])
        and intents_of(rule["steps"][0]) == {"talk_to_human"}
        and rule["steps"][-1] == {"action": "action_talk_to_human"}
    ]
    assert handing_over, f"no rule hands the ticket over when a person is asked for while {form} is active"
    for slot in DOMAIN["forms"][form]["required_slots"]:
        for mapping in DOMAIN["slots"][slot]["mappings"]:
            assert "talk_to_human" in (mapping.get("not_intent") or []), slot
