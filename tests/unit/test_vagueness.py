"""A report that names nothing that stopped gets no severity reading."""

from __future__ import annotations

import pytest

from helpdesk.vagueness import vague


@pytest.mark.parametrize(
    "text",
    [
        "the bot is broken",
        "Something's wrong with our bot!!",
        "bot not working",
        "our whatsapp bot is broken on live",
        "hi team, our bot has an issue, please help asap",
        "bot mein kuch gadbad hai",
        "Something is wrong with our bot, can you check?",
        "the bot is broken, how soon can someone look at it?",
    ],
)
def test_a_report_that_only_says_something_is_wrong_is_vague(text):
    assert vague(text)


@pytest.mark.parametrize(
    "text",
    [
        "the bot is down",
        "bot not responding at all",
        "the export button is broken",
        "agents get no chats",
        "our bot is dead",
        "the widget colour is wrong",
        "",
    ],
)
def test_one_word_that_names_what_stopped_makes_it_specific(text):
    assert not vague(text)
