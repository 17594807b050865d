"""The channel's limits, read from its section of credentials.yml.

Rasa hands a channel its section of credentials.yml (or None when the section is empty);
every key is optional so `channels.rest.HardenedRestInput:` alone gives safe defaults.
A bad value stops Rasa at start with the key's name, rather than serving with a limit
nobody chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class ChannelSettings:
    max_body_bytes: int = 65_536
    """Larger request bodies get 413. 64 KiB holds a 5,000-word message with room to spare."""
    max_nlu_chars: int = 1_000
    """NLU reads at most this much of a message; longer ones go whole in metadata.full_text."""
    rate_limit_messages: int = 20
    """Messages one sender may send per window; more are answered with a request to wait."""
    rate_limit_window_seconds: int = 60

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> ChannelSettings:
        """The settings under the channel's key; unknown keys and non-positive numbers are errors."""
        given = dict(credentials or {})
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ValueError(
                f"unknown channel setting(s) in credentials.yml: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        for key, value in given.items():
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"channel setting {key} in credentials.yml must be a positive whole number, not {value!r}"
                )
        return cls(**given)
