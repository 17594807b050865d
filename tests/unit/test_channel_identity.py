"""The channel's door for identity: the token is verified and never passed on, and a client
cannot smuggle in what only the server may write."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from channels.identity import vouched_metadata
from helpdesk.identity import Unverified, VerifiedUser, mint, seal, unseal

SECRET = "a-shared-secret-of-at-least-32-bytes!"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def test_a_valid_token_becomes_a_sealed_identity_and_is_dropped():
    token = mint(SECRET, "priya@acme.com", "Priya", "Acme", now=NOW)

    metadata = vouched_metadata({"user_token": token, "user": {"email": "priya@acme.com"}}, SECRET, NOW)

    assert token not in str(metadata)
    assert metadata["user"] == {"email": "priya@acme.com"}
    user = unseal(metadata["identity"], SECRET, NOW)
    assert isinstance(user, VerifiedUser) and (user.email, user.account) == ("priya@acme.com", "Acme")


def test_a_bad_token_is_dropped_and_the_reason_kept():
    expired = mint(SECRET, "priya@acme.com", lifetime=timedelta(minutes=1), now=NOW - timedelta(hours=1))
    forged = mint("not-the-secret-but-long-enough-32-bytes", "boss@acme.com", now=NOW)

    assert unseal(vouched_metadata({"user_token": expired}, SECRET, NOW)["identity"], SECRET, NOW) == Unverified(
        "expired"
    )
    assert unseal(vouched_metadata({"user_token": forged}, SECRET, NOW)["identity"], SECRET, NOW) == Unverified(
        "invalid"
    )


def test_a_client_cannot_send_a_sealed_identity_or_the_full_text():
    sealed = seal(VerifiedUser("boss@acme.com", expires_at=(NOW + timedelta(hours=1)).timestamp()), SECRET)

    metadata = vouched_metadata({"identity": sealed, "full_text": "injected", "page": "/billing"}, SECRET, NOW)

    assert metadata == {"page": "/billing"}


def test_without_a_secret_the_token_is_dropped_all_the_same():
    token = mint(SECRET, "priya@acme.com", now=NOW)

    assert vouched_metadata({"user_token": token, "page": "/"}, None, NOW) == {"page": "/"}
