"""Rating support through the actions: asked once per finished ticket on hello, recorded
from a button or typed words, and only ever on the user's own ticket."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from action_helpers import entity, texts

import actions.conversation
import actions.runtime
import actions.user
from actions.general import ActionGreet
from actions.satisfaction import ActionRateSupport
from channels.identity import vouched_metadata
from helpdesk.identity import mint
from helpdesk.tickets import Requester, TicketDraft
from tests.action_wiring import restart_actions

SECRET = "the-platform-and-the-bot-share-this-secret"
PRIYA, RAJ = "priya@acme.example", "raj@acme.example"
FILED = datetime.now(timezone.utc) - timedelta(days=2)


@pytest.fixture(autouse=True)
def identity_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_IDENTITY_SECRET", SECRET)
    restart_actions()


@pytest.fixture
def signed_in(make_tracker):
    def build(text: str, intent: str, email: str = PRIYA, **kwargs: Any):
        tracker = make_tracker(text, intent, **kwargs)
        user_event = next(event for event in reversed(tracker.events) if event["event"] == "user")
        user_event["metadata"] = vouched_metadata({"user_token": mint(SECRET, email)}, SECRET)
        return tracker

    return build


def finished_ticket(email: str = PRIYA, title: str = "Export fails", status: str = "resolved") -> str:
    store = actions.runtime.store()
    draft = TicketDraft(requester=Requester(email), title=title, description=title, final_severity="S2")
    ticket = store.create(draft, FILED, FILED + timedelta(hours=4))
    store.set_status(ticket.reference, status, FILED + timedelta(days=1), "agent")
    return ticket.reference


def test_hello_asks_once_about_the_latest_finished_ticket(signed_in, run):
    finished_ticket(title="Old one", status="closed")
    reference = finished_ticket(title="Export fails")

    _, first = run(ActionGreet(), signed_in("hi", "greet"))
    _, second = run(ActionGreet(), signed_in("hello again", "greet"))

    assert any(reference in text and "How did support do?" in text for text in texts(first))
    assert not any("How did support do?" in text for text in texts(second))


def test_nobody_is_asked_without_signing_in(make_tracker, run):
    finished_ticket()

    _, dispatcher = run(ActionGreet(), make_tracker("hi", "greet"))

    assert not any("How did support do?" in text for text in texts(dispatcher))


def test_a_button_rating_is_recorded_on_the_ticket_it_names(signed_in, run):
    reference = finished_ticket()

    _, dispatcher = run(
        ActionRateSupport(),
        signed_in(
            "/rate_support", "rate_support", entities=[entity("support_rating", "4"), entity("ticket_ref", reference)]
        ),
    )

    assert texts(dispatcher) == [f"Thank you for rating support 4/5 on {reference}."]
    assert actions.runtime.store().get(reference).satisfaction_rating == 4


def test_a_typed_rating_with_a_comment_goes_to_the_ticket_just_asked_about(signed_in, run):
    reference = finished_ticket()
    run(ActionGreet(), signed_in("hi", "greet"))

    _, dispatcher = run(ActionRateSupport(), signed_in("2 stars, had to chase them twice", "rate_support"))

    ticket = actions.runtime.store().get(reference)
    assert (ticket.satisfaction_rating, ticket.satisfaction_comment) == (2, "had to chase them twice")
    assert "Sorry it wasn't better" in texts(dispatcher)[0]


def test_nobody_rates_another_users_ticket(signed_in, run):
    rajs = finished_ticket(email=RAJ)

    _, dispatcher = run(
        ActionRateSupport(),
        signed_in(
            "/rate_support", "rate_support", entities=[entity("support_rating", "1"), entity("ticket_ref", rajs)]
        ),
    )

    assert "didn't find a ticket of yours" in texts(dispatcher)[0]
    assert actions.runtime.store().get(rajs).satisfaction_rating is None
