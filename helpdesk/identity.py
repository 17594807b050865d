"""Who the user is, as the platform vouches for it.

The Help widget runs inside the platform, where the user is signed in; the platform
passes a short-lived HS256 JWT in the message metadata (`metadata.user_token`) signed with
a secret it shares with this bot. Only a token that verifies grants access to existing
tickets: anything else in the metadata is what the browser claims, and a browser can
claim anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("email", "exp")
DEFAULT_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class VerifiedUser:
    email: str
    name: str | None = None
    account: str | None = None


@dataclass(frozen=True)
class Unverified:
    """Why no identity could be established; `reason` is one of REASONS' keys."""

    reason: str

    @property
    def explanation(self) -> str:
        return REASONS[self.reason]


REASONS = {
    "missing": "I can't tell who you are: the Help widget didn't send a sign-in token",
    "expired": "your sign-in has expired",
    "invalid": "your sign-in token couldn't be verified",
    "unconfigured": "this assistant isn't set up to verify sign-ins yet",
    "incomplete": "your sign-in token doesn't say who you are",
}
"""What the user is told for each reason, in words that point at the fix."""


def verify(token: object, secret: str | None, now: datetime | None = None) -> VerifiedUser | Unverified:
    """The user a token vouches for, or why it vouches for nobody.

    Expiry is judged here against `now` (the current time unless a test gives another),
    so the whole decision depends on its inputs alone.
    """
    if secret is None:
        return Unverified("unconfigured")
    if not isinstance(token, str) or not token.strip():
        return Unverified("missing")
    options = {"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False}
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options=options)
    except jwt.MissingRequiredClaimError:
        return Unverified("incomplete")
    except jwt.InvalidTokenError:
        return Unverified("invalid")
    moment = (now or datetime.now(timezone.utc)).timestamp()
    if not isinstance(claims["exp"], (int, float)):
        return Unverified("invalid")
    if claims["exp"] <= moment:
        return Unverified("expired")
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return Unverified("incomplete")
    return VerifiedUser(email=email.strip(), name=_text(claims.get("name")), account=_text(claims.get("account")))


def mint(
    secret: str,
    email: str,
    name: str | None = None,
    account: str | None = None,
    lifetime: timedelta = DEFAULT_LIFETIME,
    now: datetime | None = None,
) -> str:
    """A token as the platform would sign it; for local testing and the demo widget."""
    issued = now or datetime.now(timezone.utc)
    claims = {"email": email, "iat": issued, "exp": issued + lifetime}
    claims.update({key: value for key, value in (("name", name), ("account", account)) if value})
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
