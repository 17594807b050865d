"""Who the user is, as the channel sealed it, and the policy as quoted to them."""

from __future__ import annotations

import dataclasses

from rasa_sdk import Tracker

from actions.conversation import metadata_values
from actions.runtime import policy, settings
from helpdesk import identity
from helpdesk.metadata import SEALED_KEY, TIMEZONE_KEY, USER_KEY
from helpdesk.policy import Policy
from helpdesk.tickets import Requester
from helpdesk.wording import reader_zones


def signed_in_user(tracker: Tracker) -> identity.VerifiedUser | identity.Unverified:
    """Who the platform vouches for: the identity the channel sealed for the newest message
    that brought a token (channels/identity.py), judged again now, so it ends when the
    token would have. Only this grants access to existing tickets."""
    secret = settings().identity_secret
    sealed = next(metadata_values(tracker, SEALED_KEY), None)
    if sealed is None:
        return identity.Unverified("missing" if secret else "unconfigured")
    return identity.unseal(sealed, secret)


def requester(tracker: Tracker) -> Requester | None:
    """Who a new ticket is for: the verified user, else what the widget says (metadata.user),
    from the newest message that names one.

    Filing needs no proof of identity (support replies by email); an unverified user is
    still never shown an existing ticket.
    """
    verified = signed_in_user(tracker)
    if isinstance(verified, identity.VerifiedUser):
        return Requester(email=verified.email, name=verified.name, account=verified.account)
    for user in metadata_values(tracker, USER_KEY):
        if isinstance(user, dict) and isinstance(user.get("email"), str) and user["email"].strip():
            return Requester(
                email=user["email"].strip(),
                name=_optional_text(user.get("name")),
                account=_optional_text(user.get("account")),
            )
    return None


def reader_policy(tracker: Tracker) -> Policy:
    """The policy as quoted to this user: times in the zone their browser named
    (metadata.timezone of the newest message that carries one), support's beside it."""
    support = policy()
    named = next(metadata_values(tracker, TIMEZONE_KEY), None)
    return dataclasses.replace(support, reader_zone=reader_zones(named, support.business_hours.timezone))


def _optional_text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
