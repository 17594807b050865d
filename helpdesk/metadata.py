"""The keys of a user message's metadata: what the widget sends and what the channel adds.

One home for the vocabulary both sides of the webhook speak: the channel (Rasa's process)
writes some, the actions (the action server's process) read them all.
"""

from __future__ import annotations

USER_KEY = "user"
"""What the widget says of its user (email, name, account): a claim, never proof."""
TOKEN_KEY = "user_token"
"""The platform's signed token, as the widget sends it; the channel drops it."""
SEALED_KEY = "identity"
"""The identity the channel verified and sealed in place of the token."""
FULL_TEXT_KEY = "full_text"
"""A cut message's whole text; the channel alone sets it."""
TIMEZONE_KEY = "timezone"
"""The browser's IANA timezone, so times are quoted on the user's own clock."""
