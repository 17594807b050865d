"""A report that names nothing that stopped gets no severity reading."""

from __future__ import annotations

import pytest

from helpdesk.vagueness import describes_beside_request, vague


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


@pytest.mark.parametrize(
    "text",
    [
        "please raise a ticket, the analytics report cannot be downloaded since yesterday",
        "log a P1 ticket: chats for the billing team go to sales",
        "raise a ticket for the weekly export failing",
    ],
)
def test_a_request_to_file_may_also_say_what_stopped(text):
    assert describes_beside_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "i want to raise a ticket",
        "raise a blocker ticket for our live bot",
        "raise a ticket, my email is neha@acme.example",
        "how can i raise a ticket from here",
        "mujhe ek ticket raise karna hai",
        "raise a ticket, the bot is broken",
    ],
)
def test_a_request_to_file_alone_describes_nothing(text):
    assert not describes_beside_request(text)
