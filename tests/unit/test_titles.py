"""Ticket titles say what is wrong: never a greeting, a pleasantry or a complaint about the bot."""

from __future__ import annotations

import pytest

from helpdesk.titles import TITLE_LENGTH, title_for


@pytest.mark.parametrize(
    ("description", "title"),
    [
        ("Chats are not assigned to agents", "Chats are not assigned to agents"),
        ("  Bot down on prod  \n", "Bot down on prod"),
        ("Bot down. Also very slow since 10am.", "Bot down"),
        ("Is the bot down? It stopped at 10am.", "Is the bot down?"),
        ("Bot down\nsince 10am, all users", "Bot down"),
        ("v1.2 of the flow broke the bot", "V1.2 of the flow broke the bot"),
        ("", "Support request"),
        ("   \n  ", "Support request"),
    ],
)
def test_title_is_the_first_sentence_that_says_something(description, title):
    assert title_for(description) == title


@pytest.mark.parametrize(
    ("description", "title"),
    [
        ("Hello sir, kindly do the needful. The broadcast did not go out.", "The broadcast did not go out"),
        ("Hi team, the analytics export is empty", "The analytics export is empty"),
        ("Good morning! Please help, agents can't see new chats!!", "Agents can't see new chats!!"),
        ("I JUST TOLD YOU. The handover to agents fails.", "The handover to agents fails"),
        ("This bot is useless. Quick replies show twice", "Quick replies show twice"),
        ("Why do you keep asking me? Entities are not captured", "Entities are not captured"),
        ("Thanks in advance. Webhook calls time out", "Webhook calls time out"),
    ],
)
def test_greetings_pleasantries_and_complaints_are_set_aside(description, title):
    assert title_for(description) == title


@pytest.mark.parametrize(
    "description", ["Hello sir, kindly do the needful.", "I JUST TOLD YOU.", "hi", "please help!!"]
)
def test_a_description_of_only_noise_is_titled_by_its_area_or_as_a_request(description):
    assert title_for(description) == "Support request"
    assert title_for(description, "the sales bot", "production") == "Problem with the sales bot (production)"


def test_the_area_and_environment_are_added_when_the_sentence_lacks_them():
    assert (
        title_for("Replies take 30 seconds", "the sales bot", "production")
        == "Replies take 30 seconds (the sales bot, production)"
    )
    assert title_for("Our sales bot is down on prod", "the sales bot", "production") == "Our sales bot is down on prod"
    assert title_for("Report won't download", "analytics", "unknown") == "Report won't download (analytics)"


def test_a_long_title_is_cut_at_a_word_and_keeps_its_context():
    description = (
        "The checkout assistant on our website stops replying right after the greeting message and customers leave"
    )
    title = title_for(description, "checkout", "staging")
    assert title.endswith("… (staging)")
    assert len(title) <= TITLE_LENGTH + 1
    stem = title.removesuffix("… (staging)")
    assert description.startswith(stem) and description[len(stem)] == " "


def test_a_long_title_keeps_whole_clauses_when_they_fit():
    description = "The weekly analytics report for all regions won't download, it errors out after about a minute"
    assert (
        title_for(description, None, "production")
        == "The weekly analytics report for all regions won't download (production)"
    )


def test_a_20_kb_description_gets_a_short_title():
    description = "the checkout bot stops replying after the greeting and customers leave without paying " * 240
    title = title_for(description)
    assert title.endswith("…") and len(title) <= TITLE_LENGTH + 1


@pytest.mark.parametrize("text", ['<script>alert("x")</script> the <b>checkout</b> bot fails', "הבוט לא עונה ללקוחות"])
def test_unusual_text_passes_through(text):
    assert title_for(text) == text
