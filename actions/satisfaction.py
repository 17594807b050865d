"""Rating support: asked once per finished ticket, the next time its owner says hello, and
recorded from a button or a typed answer ("4, quick reply")."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_full_text, send
from actions.runtime import now, store
from actions.user import signed_in_user
from helpdesk import identity, satisfaction
from helpdesk.answers import Reply
from helpdesk.tickets import Ticket


def ask_for_a_rating(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Adds the rating question for the signed-in user's latest finished ticket, if one
    was never asked about; claiming it first means two open conversations ask once."""
    user = signed_in_user(tracker)
    if not isinstance(user, identity.VerifiedUser):
        return
    ticket = satisfaction.ticket_to_rate(store().list(requester_email=user.email))
    if ticket is not None and store().claim_rating_question(ticket.reference, now()):
        send(dispatcher, satisfaction.rating_question(ticket))


class ActionRateSupport(Action):
    def name(self) -> str:
        return "action_rate_support"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        user = signed_in_user(tracker)
        rating = _rating(tracker)
        ticket = _rated_ticket(tracker, user) if isinstance(user, identity.VerifiedUser) else None
        if ticket is None or rating is None:
            send(
                dispatcher,
                Reply(
                    "I didn't find a ticket of yours to rate: ratings are asked for when a ticket "
                    "is resolved or closed. Is there anything else I can help with?"
                ),
            )
            return []
        score, comment = rating
        rated = store().record_satisfaction(ticket.reference, score, comment, now(), ticket.requester.email)
        send(dispatcher, satisfaction.thanks(rated, score))
        return []


def _rating(tracker: Tracker) -> tuple[int, str | None] | None:
    """From the button's entity, else from what the user typed (with any comment)."""
    typed = satisfaction.read_rating(latest_full_text(tracker))
    given = next(tracker.get_latest_entity_values(satisfaction.RATING_ENTITY), None)
    if given is not None and str(given).isdigit():
        return int(given), None
    return typed


def _rated_ticket(tracker: Tracker, user: identity.VerifiedUser) -> Ticket | None:
    """The user's own ticket the rating is for: the one the button names, else the one the
    bot most recently asked about and is still unrated. Never another user's."""
    mine = store().list(requester_email=user.email)
    named = next(tracker.get_latest_entity_values("ticket_ref"), None)
    if named is not None:
        return next((t for t in mine if t.reference.upper() == str(named).upper()), None)
    asked = [(t.satisfaction_asked_at, t) for t in mine if t.satisfaction_asked_at and t.satisfaction_rating is None]
    return max(asked, key=lambda pair: pair[0], default=(None, None))[1]
