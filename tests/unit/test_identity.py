"""Token verification: only a token signed with the shared secret, unexpired and naming
an email, identifies a user."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
import pytest

from helpdesk.identity import REASONS, Unverified, VerifiedUser, mint, seal, unseal, verify

SECRET = "a-shared-secret-of-at-least-32-bytes!"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def test_a_valid_token_names_the_user():
    token = mint(SECRET, "priya@acme.com", "Priya", "Acme", now=NOW)

    expires = (NOW + timedelta(hours=1)).timestamp()
    assert verify(token, SECRET, now=NOW + timedelta(minutes=5)) == VerifiedUser(
        "priya@acme.com", "Priya", "Acme", expires
    )


def test_name_and_account_are_optional():
    expires = (NOW + timedelta(hours=1)).timestamp()
    assert verify(mint(SECRET, "a@b.co", now=NOW), SECRET, now=NOW) == VerifiedUser("a@b.co", None, None, expires)


def test_an_expired_token_is_refused():
    token = mint(SECRET, "a@b.co", lifetime=timedelta(minutes=10), now=NOW)

    assert verify(token, SECRET, now=NOW + timedelta(minutes=11)) == Unverified("expired")


def test_a_token_signed_with_another_secret_is_refused():
    token = mint("some-other-secret-of-at-least-32-bytes", "a@b.co", now=NOW)

    assert verify(token, SECRET, now=NOW) == Unverified("invalid")


def test_a_tampered_token_is_refused():
    header, _payload, signature = mint(SECRET, "a@b.co", now=NOW).split(".")
    forged_payload = jwt.utils.base64url_encode(b'{"email":"boss@acme.com","exp":9999999999}').decode()

    assert verify(f"{header}.{forged_payload}.{signature}", SECRET, now=NOW) == Unverified("invalid")


def test_an_unsigned_token_is_refused():
    token = jwt.encode({"email": "a@b.co", "exp": NOW + timedelta(hours=1)}, key=None, algorithm="none")

    assert verify(token, SECRET, now=NOW) == Unverified("invalid")


def test_without_a_configured_secret_nobody_is_verified():
    assert verify(mint(SECRET, "a@b.co", now=NOW), None, now=NOW) == Unverified("unconfigured")


@pytest.mark.parametrize("token", [None, "", "   ", 42, {"email": "a@b.co"}])
def test_no_token_is_missing(token):
    assert verify(token, SECRET, now=NOW) == Unverified("missing")


def test_garbage_is_invalid():
    assert verify("not.a.jwt", SECRET, now=NOW) == Unverified("invalid")


@pytest.mark.parametrize(
    "claims",
    [
        {"name": "No Email", "exp": NOW + timedelta(hours=1)},
        {"email": "not-an-email", "exp": NOW + timedelta(hours=1)},
        {"email": "a@b.co"},
    ],
)
def test_claims_missing_is_incomplete(claims):
    token = jwt.encode(claims, SECRET, algorithm="HS256")

    assert verify(token, SECRET, now=NOW) == Unverified("incomplete")


def test_every_reason_has_an_explanation_for_the_user():
    for reason in REASONS:
        assert Unverified(reason).explanation == REASONS[reason]
        assert REASONS[reason] and not REASONS[reason].endswith(".")


def test_a_sealed_identity_names_the_same_user_until_the_token_would_expire():
    user = verify(
        mint(SECRET, "priya@acme.com", "Priya", "Acme", lifetime=timedelta(minutes=10), now=NOW), SECRET, now=NOW
    )
    sealed = seal(user, SECRET)

    assert unseal(sealed, SECRET, now=NOW + timedelta(minutes=9)) == user
    assert unseal(sealed, SECRET, now=NOW + timedelta(minutes=10)) == Unverified("expired")


def test_a_sealed_identity_is_not_a_token():
    token = mint(SECRET, "priya@acme.com", now=NOW)
    sealed = seal(verify(token, SECRET, now=NOW), SECRET)

    assert token not in str(sealed)
    assert verify(sealed["seal"], SECRET, now=NOW) == Unverified("invalid")
    assert unseal({"seal": token}, SECRET, now=NOW) == Unverified("invalid")


@pytest.mark.parametrize(
    "change",
    [
        {"email": "boss@acme.com"},
        {"expires_at": 9_999_999_999.0},
        {"account": "Other Co"},
        {"unverified": "missing"},
    ],
)
def test_an_altered_sealed_identity_vouches_for_nobody(change):
    sealed = seal(VerifiedUser("priya@acme.com", "Priya", "Acme", (NOW + timedelta(hours=1)).timestamp()), SECRET)

    assert unseal({**sealed, **change}, SECRET, now=NOW) == Unverified("invalid")


def test_a_seal_made_with_another_secret_vouches_for_nobody():
    sealed = seal(
        VerifiedUser("a@b.co", expires_at=(NOW + timedelta(hours=1)).timestamp()),
        "another-secret-of-at-least-32-bytes!",
    )

    assert unseal(sealed, SECRET, now=NOW) == Unverified("invalid")


@pytest.mark.parametrize("sealed", [None, "", "eyJ.x.y", {}, {"email": "a@b.co"}, {"seal": 42}])
def test_anything_but_a_sealed_record_vouches_for_nobody(sealed):
    assert unseal(sealed, SECRET, now=NOW) == Unverified("invalid")


def test_a_sealed_reason_keeps_why_nobody_was_verified():
    assert unseal(seal(Unverified("expired"), SECRET), SECRET, now=NOW) == Unverified("expired")
    assert unseal(seal(Unverified("expired"), SECRET), None, now=NOW) == Unverified("unconfigured")
