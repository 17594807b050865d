"""Response-time alerts through real delivery: two worker processes watch one database and
the support team's webhook hears each warning and each breach exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from delivery_helpers import WebhookReceiver, deployment, make_draft, run_workers, webhook_target

from helpdesk.store import open_store


def test_two_workers_warn_and_report_a_breach_once_each(tmp_path, serve):
    receiver = WebhookReceiver()
    settings, env = deployment(tmp_path, [webhook_target(serve(receiver).url)])
    store = open_store(settings)
    now = datetime.now(timezone.utc)
    # S0 is round the clock: due in 10 minutes is inside its 15-minute margin; due 5 minutes
    # ago is breached; due in 2 hours needs nothing; answered, it needs nothing either.
    at_risk = store.create(
        make_draft(final_severity="S0", title="at risk"), now - timedelta(minutes=50), now + timedelta(minutes=10)
    )
    breached = store.create(
        make_draft(final_severity="S0", title="late"), now - timedelta(minutes=65), now - timedelta(minutes=5)
    )
    store.create(make_draft(final_severity="S0", title="fine"), now, now + timedelta(hours=2))
    answered = store.create(
        make_draft(final_severity="S0", title="answered"), now - timedelta(minutes=65), now - timedelta(minutes=5)
    )
    store.record_first_response(answered.reference, now - timedelta(minutes=30), "agent@haptik.ai")

    # several more rounds of both workers after the alerts: nothing new may be raised
    run_workers(env, lambda: len(alerts(receiver)) >= 2, settle_seconds=1)
    assert sorted(alerts(receiver)) == sorted(
        [("sla_at_risk", at_risk.reference), ("sla_breached", breached.reference)]
    )
    assert receiver.redeliveries == 0
    alert = next(event for event in receiver.accepted.values() if event["event"] == "sla_breached")
    assert alert["detail"]["due_at"] == breached.due_at.isoformat() and alert["ticket"]["title"] == "late"


def alerts(receiver: WebhookReceiver) -> list[tuple[str, str]]:
    return [
        (event["event"], event["ticket"]["reference"])
        for event in receiver.accepted.values()
        if event["event"].startswith("sla_")
    ]
