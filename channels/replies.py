"""What the channel itself answers, in the bot's voice, when a message never reaches the bot.

A public widget must never meet its user with silence or an HTTP error: each case gets a
short message that says what happened and what to do, with the support email from the
support policy so it is never out of date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Replies:
    """One text per case the channel answers itself."""

    empty: str
    rate_limited: str
    foreign_language: str
    trouble: str

    @classmethod
    def with_support_email(cls, email: str) -> Replies:
        return cls(
            empty=(
                "Your message came through empty. What can I help you with? Describe a problem and I'll file "
                "a ticket, or ask about response times, severity levels or business hours."
            ),
            rate_limited=(
                "You're sending messages faster than I can keep up with. Please wait a minute, then send that "
                "last message again."
            ),
            foreign_language=(
                f"Sorry, I can only understand English. Could you write that in English? Or email support at {email}."
            ),
            trouble=(
                "I'm having trouble right now. Your details are kept: please try again in a minute, "
                f"or email support at {email}."
            ),
        )


def bot_message(sender: str, text: str) -> dict[str, Any]:
    """A reply shaped like the ones Rasa's REST channel returns."""
    return {"recipient_id": sender, "text": text}
