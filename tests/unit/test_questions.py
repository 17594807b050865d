"""What a problem report also asks, and the problem part alone."""

from __future__ import annotations

import pytest

from helpdesk.questions import Asked, asked, asks_resolution, problem_part, without_request_to_file


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("would a failing crm sync count as an S0?", Asked.RATING),
        ("the export breaks every time, is that a blocker?", Asked.RATING),
        ("how severe is a slow dashboard", Asked.RATING),
        ("our messenger bot is silent, how soon can someone look at it?", Asked.TIMING),
        ("agents get no chats. when will you respond?", Asked.TIMING),
        ("the live bot is silent, will anyone look at it tonight?", Asked.TIMING),
        ("nobody gets a reply. Is someone available on sunday?", Asked.TIMING),
        ("can someone help me set up the widget", None),
        ("how do I add hindi to my bot", Asked.HOW_TO),
        ("where is the setting for the widget colour? can't find it", Asked.HOW_TO),
        ("the bot stopped replying on whatsapp", None),
    ],
)
def test_the_question_a_report_carries(text, kind):
    assert asked(text) is kind


def test_the_problem_part_drops_questions_about_support():
    assert (
        problem_part("our messenger bot is silent, how soon can someone look at it?") == "our messenger bot is silent"
    )
    assert problem_part("Agents get no chats. Is this a P0?") == "Agents get no chats."


@pytest.mark.parametrize(
    "text",
    ["how do I add hindi to my bot", "the entity isn't captured. How do I fix the training?", "bot down"],
)
def test_how_to_questions_and_plain_reports_stay_whole(text):
    assert problem_part(text) == text


def test_resolution_is_told_apart_from_a_reply():
    assert asks_resolution("is that the time to resolve it or just to reply?")
    assert not asks_resolution("when will someone reply?")


def test_a_request_to_file_is_no_part_of_the_problem():
    assert without_request_to_file("raise a high priority ticket: the export fails") == ": the export fails"
    assert without_request_to_file("I need to report an issue with the widget") == "I with the widget"
    assert without_request_to_file("the bot can't create leads in zoho") == "the bot can't create leads in zoho"
