"""What a report says is not broken is left out of what its severity is read from."""

from __future__ import annotations

import pytest

from helpdesk.unaffected import reassures, what_broke


@pytest.mark.parametrize(
    ("text", "broke"),
    [
        ("the logo is blurred on the live bot, customers aren't affected", "the logo is blurred on the live bot"),
        ("No outage. How do I set the agent shift hours?", "How do I set the agent shift hours?"),
        ("the crm sync is failing but the bot itself is chatting fine with users", "the crm sync is failing"),
        ("Nothing is down. The send button on the live widget is grey.", "The send button on the live widget is grey."),
        ("widget ka font galat hai, baaki sab theek hai", "widget ka font galat hai"),
        ("the bot is slow, not down", "the bot is slow"),
        ("the carousel is cropped (chats go through fine)", "the carousel is cropped"),
    ],
)
def test_reassurances_are_left_out(text, broke):
    assert what_broke(text) == broke


@pytest.mark.parametrize(
    "text",
    [
        "the bot is not replying to anyone",
        "nothing works on the live bot",
        "no one gets a reply from the bot",
        "we are still getting an error for every user",
        "customers are still waiting for an agent",
        "bot transfer does not work as expected",
        "the bot is down, not responding",
    ],
)
def test_a_negation_that_describes_the_breakage_stays(text):
    assert what_broke(text) == text


def test_a_contrast_keeps_the_clause_that_names_what_broke():
    """In "works on staging, but not on production" the first clause names the thing that broke."""
    text = "the bot works fine on staging, but not on production"
    assert what_broke(text) == text


def test_a_message_that_only_reassures_is_kept_whole():
    assert what_broke("customers are not affected, everything works fine") == (
        "customers are not affected, everything works fine"
    )


@pytest.mark.parametrize(
    ("clause", "reassuring"),
    [
        ("users can still chat", True),
        ("otherwise fine", True),
        ("no customer impact", True),
        ("nobody is blocked", True),
        ("it doesn't affect the live bot", True),
        ("the bot still doesn't reply", False),
        ("the report is missing", False),
    ],
)
def test_what_counts_as_a_reassurance(clause, reassuring):
    assert reassures(clause) is reassuring
