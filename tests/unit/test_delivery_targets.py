"""What each target makes of an event, how failures are judged, and the worker's round,
without the network (tests/delivery/ has the real servers)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest
import requests

from helpdesk.delivery import summary
from helpdesk.delivery.mail import Mail
from helpdesk.delivery.outbox import Delivery, Route, Schedule
from helpdesk.delivery.settings import EmailSettings, WebhookSettings, ZendeskSettings
from helpdesk.delivery.targets import DeliveryFailed, check_http
from helpdesk.delivery.webhook import Webhook, signature
from helpdesk.delivery.worker import Worker, build_target
from helpdesk.delivery.zendesk import ticket_request
from helpdesk.durability.journal import Journal
from helpdesk.durability.references import ReservedReferences
from helpdesk.store import TicketStore

FILED = datetime(2026, 11, 25, 4, 30, tzinfo=timezone.utc)
DUE = FILED + timedelta(hours=1)
SCHEDULE = Schedule(max_attempts=3, backoff_seconds=0.001, backoff_max_seconds=0.001, lease_seconds=30)


@pytest.fixture
def store(tmp_path) -> TicketStore:
    events = frozenset({"created", "status_changed", "first_response", "sla_at_risk", "sla_breached"})
    return TicketStore(f"sqlite:///{tmp_path}/t.db", "HLP-", (Route("hook", events),))


def message_of(store: TicketStore, event: str = "created") -> dict:
    while (delivery := store.outbox.claim({"hook"}, "peek", SCHEDULE, 4e9)) is not None:
        if delivery.event == event:
            return dict(delivery.message)
    raise AssertionError(f"no {event} row")


def test_the_subject_carries_reference_severity_and_due_time(store, make_draft, real_policy):
    store.create(make_draft(final_severity="S1"), FILED, DUE)

    assert summary.subject(message_of(store), real_policy) == (
        "[HLP-0001] S1 (High), due Wed 25 Nov, 11:00 IST: Chats are not assigned to agents"
    )


def test_a_later_event_says_what_happened_first(store, make_draft, real_policy):
    store.create(make_draft(), FILED, DUE)
    store.set_status("HLP-0001", "resolved", FILED, "agent", note="fixed the router")

    message = message_of(store, "status_changed")

    assert summary.subject(message, real_policy).startswith("[HLP-0001] Status now resolved · S0 (Blocker), due ")
    assert summary.body(message, real_policy).startswith(
        "HLP-0001: status changed from open to resolved by agent (fixed the router)\n"
    )


def test_response_time_events_say_what_support_must_know(store, make_draft, real_policy):
    store.create(make_draft(), FILED, DUE)
    store.raise_sla_alert("HLP-0001", "sla_at_risk", FILED + timedelta(minutes=45), "response-time watch")
    store.raise_sla_alert("HLP-0001", "sla_breached", DUE, "response-time watch")
    store.record_first_response("HLP-0001", DUE + timedelta(minutes=5), "agent", note="on it")

    at_risk, breached, responded = (
        message_of(store, kind) for kind in ("sla_at_risk", "sla_breached", "first_response")
    )

    assert summary.subject(at_risk, real_policy).startswith("[HLP-0001] First response due soon · S0 (Blocker)")
    assert summary.body(at_risk, real_policy).startswith("HLP-0001: no first response yet, due Wed 25 Nov, 11:00 IST\n")
    assert summary.subject(breached, real_policy).startswith("[HLP-0001] First response OVERDUE · ")
    assert summary.body(breached, real_policy).startswith(
        "HLP-0001: first response overdue since Wed 25 Nov, 11:00 IST\n"
    )
    assert summary.body(responded, real_policy).startswith(
        "HLP-0001: first response by agent, after the response time: on it\n"
    )


def test_the_body_reads_like_the_cli_ticket_view(store, make_draft, real_policy):
    store.create(make_draft(assessed_severity="S1", final_severity="S0", severity_set_by_user=True), FILED, DUE)

    body = summary.body(message_of(store), real_policy)

    assert "HLP-0001: new ticket: Chats are not assigned to agents" in body
    assert "Severity: S0 (Blocker), assessed S1, chosen by the requester" in body
    assert "First response due: Wed 25 Nov, 11:00 IST" in body
    assert "Requester: Priya <priya@example.com>, account Acme Retail" in body
    assert "Links: https://example.com/chat/1" in body
    assert body.endswith("Problem:\nSince 10:00 no chat reaches an agent.\n")


def test_a_subject_is_one_line_whatever_the_title_holds(store, make_draft, real_policy):
    store.create(make_draft(title="two\nlines\r\n and\ttabs"), FILED, DUE)

    assert summary.subject(message_of(store), real_policy).endswith(": two lines and tabs")


@pytest.mark.parametrize(
    ("level", "priority"), [("S0", "urgent"), ("S1", "high"), ("S2", "normal"), ("S3", "low"), ("S9", "normal")]
)
def test_zendesk_gets_our_levels_as_its_priorities(store, make_draft, real_policy, level, priority):
    store.create(make_draft(final_severity=level), FILED, DUE)

    assert ticket_request(message_of(store), real_policy)["ticket"]["priority"] == priority


def test_zendesk_gets_the_fields_its_tickets_api_expects(store, make_draft, real_policy):
    store.create(make_draft(), FILED, DUE)
    message = message_of(store)

    body = ticket_request(message, real_policy)["ticket"]

    assert set(body) == {"subject", "comment", "priority", "requester", "external_id", "tags"}
    assert body["subject"] == summary.subject(message, real_policy)
    assert body["comment"] == {"body": summary.body(message, real_policy)}
    assert body["requester"] == {"email": "priya@example.com", "name": "Priya"}
    assert body["external_id"] == "HLP-0001"
    assert body["tags"] == ["help_assistant", "severity_s0", "environment_production"]


def test_the_signature_is_hmac_sha256_of_the_body_in_hex():
    body = b'{"event":"created"}'

    assert signature(b"s3cret", body) == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()


def answer(status: int, text: str = "") -> requests.Response:
    response = requests.Response()
    response.status_code, response._content, response.url = status, text.encode(), "https://hooks.example.com/in"
    return response


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (400, True),
        (401, True),
        (404, True),
        (422, True),
        (408, False),
        (409, False),
        (429, False),
        (500, False),
        (503, False),
        (302, False),
    ],
)
def test_refusals_are_permanent_and_trouble_is_not(status, permanent):
    with pytest.raises(DeliveryFailed) as failure:
        check_http(answer(status, "  nope \n  really "))

    assert failure.value.permanent is permanent
    assert str(failure.value) == f"HTTP {status} from https://hooks.example.com/in: nope really"


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_any_2xx_is_accepted(status):
    check_http(answer(status))


@pytest.mark.parametrize(
    "target",
    [
        WebhookSettings("hook", True, frozenset({"created"}), "https://h.example.com", "HOOK_SECRET", 1, 1),
        ZendeskSettings("zd", True, frozenset({"created"}), "https://acme.zendesk.com", "a@acme.com", "ZD_TOKEN", 1, 1),
        EmailSettings(
            "mail", True, frozenset({"created"}), "smtp", 25, "none", "bot@acme.com", None, "SMTP_USER", None, 1
        ),
    ],
    ids=["webhook", "zendesk", "email"],
)
def test_a_missing_secret_stops_the_worker_naming_the_variable(target, real_policy):
    with pytest.raises(ValueError, match=f"{target.name!r}: the environment variable [A-Z_]+ is not set"):
        build_target(target, real_policy, {})


def test_email_goes_to_the_policy_mailbox_unless_configured(real_policy):
    settings = EmailSettings(
        "mail", True, frozenset({"created"}), "smtp", 25, "none", "bot@acme.com", None, None, None, 1
    )

    mail = build_target(settings, real_policy, {})

    assert isinstance(mail, Mail) and mail.recipient == "support@haptik.ai"


def test_secrets_stay_out_of_logs(real_policy):
    env = {"HOOK_SECRET": "hook-hunter2", "ZD_TOKEN": "zd-hunter2", "SMTP_PASSWORD": "smtp-hunter2"}
    targets = [
        WebhookSettings("hook", True, frozenset({"created"}), "https://h.example.com", "HOOK_SECRET", 1, 1),
        ZendeskSettings("zd", True, frozenset({"created"}), "https://acme.zendesk.com", "a@acme.com", "ZD_TOKEN", 1, 1),
        EmailSettings(
            "mail", True, frozenset({"created"}), "smtp", 25, "none", "bot@acme.com", None, None, "SMTP_PASSWORD", 1
        ),
    ]

    built = [build_target(target, real_policy, env) for target in targets]

    assert isinstance(built[0], Webhook)
    assert not any("hunter2" in repr(target) for target in built)


def test_a_mail_is_identified_by_the_idempotency_key(store, make_draft, real_policy):
    store.create(make_draft(), FILED, DUE)
    mail = Mail("smtp", 25, "none", "bot@acme.com", "support@acme.com", None, None, 1, real_policy)
    delivery = Delivery(1, "mail", "created", "k3y", message_of(store), 1)

    message = mail.message(delivery)

    assert message["Message-ID"] == "<k3y@acme.com>"
    assert message["X-Idempotency-Key"] == "k3y"
    assert message["Subject"].startswith("[HLP-0001] S0 (Blocker), due ")


class Scripted:
    """A target that fails as told, then accepts."""

    def __init__(self, *failures: Exception) -> None:
        self.failures, self.sent = list(failures), []

    def send(self, delivery: Delivery) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(delivery.idempotency_key)


def worker_for(store, tmp_path, **targets) -> Worker:
    journal = Journal(tmp_path / "journal.jsonl", ReservedReferences(tmp_path / "refs.json"))
    return Worker(lambda: store, targets, SCHEDULE, journal, keep_reserved=2, name="w")


def test_a_round_sends_what_is_due_and_retries_what_failed(store, tmp_path, make_draft):
    store.create(make_draft(), FILED, DUE)
    hook = Scripted(DeliveryFailed("HTTP 503"), KeyError("a bug in a target"))

    done = worker_for(store, tmp_path, hook=hook).run_once()

    assert (done.sent, done.retrying, done.dead) == (1, 2, 0)
    assert len(hook.sent) == 1
    row = store.outbox.rows()[0]
    assert [a.error for a in store.outbox.attempts(row.id)] == ["HTTP 503", "KeyError: 'a bug in a target'", None]


def test_a_permanent_failure_is_dead_after_one_attempt(store, tmp_path, make_draft):
    store.create(make_draft(), FILED, DUE)

    done = worker_for(store, tmp_path, hook=Scripted(DeliveryFailed("HTTP 401", permanent=True))).run_once()

    assert (done.sent, done.dead) == (0, 1)
    assert store.outbox.rows(status="dead")[0].attempts == 1


def test_rows_of_targets_this_worker_does_not_have_wait_untouched(store, tmp_path, make_draft):
    store.create(make_draft(), FILED, DUE)

    done = worker_for(store, tmp_path, other=Scripted()).run_once()

    assert done.idle
    assert store.outbox.rows()[0].status == "pending"


def test_each_round_keeps_references_reserved(store, tmp_path):
    worker_for(store, tmp_path).run_once()

    assert ReservedReferences(tmp_path / "refs.json").take() == "HLP-J0001"
