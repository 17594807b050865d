"""Who the user is, decided at the door: the widget's token is verified here and dropped.

The token is a bearer credential: whoever holds it is the user until it expires. Rasa
keeps every message's metadata in the conversation, so a token passed through would sit
in the tracker store for anyone who reads it. Instead the channel verifies it once and
passes on the sealed outcome (`helpdesk.identity.seal`), which the actions check again.
Keys only the server may set are removed from what the client sent, so a client cannot
forge a sealed identity or a "full text" through the webhook.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk import identity
from helpdesk.metadata import FULL_TEXT_KEY, SEALED_KEY, TOKEN_KEY

SERVER_KEYS = frozenset({TOKEN_KEY, SEALED_KEY, FULL_TEXT_KEY})
"""Metadata keys the server writes; whatever a client sends under them is dropped."""


def vouched_metadata(metadata: dict[str, Any], secret: str | None, now: datetime | None = None) -> dict[str, Any]:
    """The client's metadata without the token, with the sealed identity it proved.

    Without a configured secret nothing can be proved or sealed: the token is dropped all
    the same, and the actions tell the user sign-in is not set up.
    """
    vouched = {key: value for key, value in metadata.items() if key not in SERVER_KEYS}
    token = metadata.get(TOKEN_KEY)
    if token is not None and secret is not None:
        vouched[SEALED_KEY] = identity.seal(identity.verify(token, secret, now), secret)
    return vouched
