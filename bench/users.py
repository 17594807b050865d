"""Simulated users: what they say and which buttons they click, for our bot and the baseline.

A user reads each answer and replies to what was actually asked, so a changed question
order still files the ticket, and an answer nobody expects ends the conversation as an
error instead of being retried blindly. Where the bot offers buttons the user sends the
chosen button's payload, as the widget does on a click.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Reply = list[dict]
Say = Callable[[str, dict | None], Awaitable[Reply]]
"""Sends one message (with optional metadata) in the user's conversation; returns the bot's messages."""

REFERENCE = re.compile(r"\bHLP-\d{4,}\b")
MAX_TURNS = 16


class UnexpectedReply(Exception):
    """The bot said something the simulated user has no answer for."""


@dataclass(frozen=True)
class Persona:
    """How one kind of user opens a ticket conversation."""

    opening: str
    description: str | None
    """Sent when the bot asks what's wrong (after a greeting and the "File a ticket" button)."""
    widget_email: str | None
    """Passed in metadata as the signed-in widget user, so the bot need not ask for it."""


PERSONAS = (
    Persona("hi", "the bot is broken, it shows an error", None),
    Persona(
        "our bot takes 25 seconds to answer customers on the live site since 10am, all users affected",
        None,
        "priya@acme.com",
    ),
    Persona("chats are not getting assigned to agents on staging", None, None),
)

CHOICES = (
    ("What do you need?", ("button", "File a ticket")),
    ("production (live) or on staging", ("button", "Production")),
    ("doesn't say what stopped", ("button", "Every conversation")),
    ("Shall I file it?", ("button", "File it")),
    ("email address", ("text", "tester@example.com")),
)
"""What the user answers, by a phrase of the question: a button (by its title's start) or text."""


async def file_ticket(say: Say, number: int) -> str:
    """Files one ticket by conversation, then says goodbye; returns the ticket reference."""
    persona = PERSONAS[number % len(PERSONAS)]
    metadata = {"user": {"email": persona.widget_email}} if persona.widget_email else None
    reply = await say(persona.opening, metadata)
    for _ in range(MAX_TURNS):
        said = text(reply)
        found = REFERENCE.search(said)
        if found and "is filed as" in said:
            await say("bye", metadata)
            return found.group(0)
        if "What's going wrong?" in said and persona.description:
            reply = await say(persona.description, metadata)
            continue
        reply = await say(answer(reply), metadata)
    raise UnexpectedReply(f"no ticket after {MAX_TURNS} turns; the bot last said: {text(reply)[:200]}")


def answer(reply: Reply) -> str:
    """The payload of the chosen button, or the text answer, to the last question asked."""
    said = text(reply)
    for phrase, (kind, value) in CHOICES:
        if phrase in said:
            return button_payload(reply, value) if kind == "button" else value
    raise UnexpectedReply(f"no answer to: {said[:200]}")


def button_payload(reply: Reply, title_start: str) -> str:
    for message in reply:
        for button in message.get("buttons") or []:
            if button.get("title", "").startswith(title_start):
                return button["payload"]
    raise UnexpectedReply(f"no button starting {title_start!r} in: {text(reply)[:200]}")


async def baseline_chat(say: Say, number: int) -> None:
    """The `rasa init` bot's own conversation: greet, an unhappy mood, yes or no, goodbye."""
    expectations = (
        ("hello", "How are you?"),
        ("I am sad", "Did that help you?"),
        ("yes" if number % 2 else "no", "Great, carry on!" if number % 2 else "Bye"),
        ("bye", "Bye"),
    )
    for message, expected in expectations:
        said = text(await say(message, None))
        if expected not in said:
            raise UnexpectedReply(f"to {message!r} expected {expected!r}, got: {said[:200]}")


def text(reply: Reply) -> str:
    return "\n".join(message.get("text") or "" for message in reply)
