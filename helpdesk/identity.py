"""Who the user is, as the platform vouches for it.

The Help widget runs inside the platform, where the user is signed in; the platform
passes a short-lived HS256 JWT in the message metadata (`metadata.user_token`) signed with
a secret it shares with this bot. Only a token that verifies grants access to existing
tickets: anything else in the metadata is what the browser claims, and a browser can
claim anything.

The token itself is never kept: it would let anyone who reads a conversation act as the
user until it expires. The channel verifies it at the edge and passes on a *sealed
identity* instead (`seal`): who the user is and until when, with an HMAC that only holders
of the secret can make. It is not a token (the webhook accepts none as one, and strips any
a client sends) and it carries the token's expiry, so identity still ends when the token
would have.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from jwt.types import Options

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("email", "exp")
DEFAULT_LIFETIME = timedelta(hours=1)


SEAL_CONTEXT = b"helpdesk sealed identity v1"
"""Domain separation: the seal's key is derived from the token secret but never equals it,
so a seal can never be mistaken for a token signature or the other way round."""


@dataclass(frozen=True)
class VerifiedUser:
    email: str
    name: str | None = None
    account: str | None = None
    expires_at: float | None = None
    """When the proof of identity runs out (the token's `exp`, seconds since the epoch)."""


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
    options: Options = {"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False}
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
    return VerifiedUser(
        email=email.strip(),
        name=_text(claims.get("name")),
        account=_text(claims.get("account")),
        expires_at=float(claims["exp"]),
    )


def seal(user: VerifiedUser | Unverified, secret: str) -> dict[str, Any]:
    """What the channel keeps instead of the token: the outcome of `verify`, sealed."""
    claims = asdict(user) if isinstance(user, VerifiedUser) else {"unverified": user.reason}
    return {**claims, "seal": _seal_of(claims, secret)}


def unseal(sealed: object, secret: str | None, now: datetime | None = None) -> VerifiedUser | Unverified:
    """The identity a sealed record vouches for, judged again against `now`.

    A record the secret did not seal, or one altered since, vouches for nobody.
    """
    if secret is None:
        return Unverified("unconfigured")
    if not isinstance(sealed, dict) or not isinstance(sealed.get("seal"), str):
        return Unverified("invalid")
    claims = {key: value for key, value in sealed.items() if key != "seal"}
    if not hmac.compare_digest(sealed["seal"], _seal_of(claims, secret)):
        return Unverified("invalid")
    if claims.get("unverified") in REASONS:
        return Unverified(claims["unverified"])
    try:
        user = VerifiedUser(**claims)
    except TypeError:
        return Unverified("invalid")
    moment = (now or datetime.now(timezone.utc)).timestamp()
    if not isinstance(user.expires_at, (int, float)) or user.expires_at <= moment:
        return Unverified("expired")
    return user


def _seal_of(claims: dict[str, Any], secret: str) -> str:
    key = hmac.new(secret.encode(), SEAL_CONTEXT, hashlib.sha256).digest()
    message = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


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
