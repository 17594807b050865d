"""The delivery worker: each round replays the journal, keeps references reserved ahead,
then sends every due outbox row to its target, one claimed row at a time.

It runs apart from the bot (`helpdesk deliver --forever`, started by scripts/run.sh),
so a slow or failing receiver never holds up a conversation. Any number of workers may
share a database: claims keep them off each other's rows. A worker survives its
database going away; it tries again after the poll interval.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from helpdesk.config import Settings
from helpdesk.delivery.mail import Mail
from helpdesk.delivery.outbox import DEAD, PENDING, SENT, Delivery, Schedule
from helpdesk.delivery.settings import EmailSettings, TargetSettings, WebhookSettings, ZendeskSettings
from helpdesk.delivery.targets import DeliveryFailed, Target
from helpdesk.delivery.webhook import Webhook
from helpdesk.delivery.zendesk import Zendesk
from helpdesk.durability.intake import DATABASE_UNAVAILABLE, open_journal
from helpdesk.durability.journal import Journal
from helpdesk.policy import Policy
from helpdesk.response_watch import alert_due
from helpdesk.store import TicketStore, open_store
from helpdesk.tickets import RESPONSE_WATCH

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Round:
    """What one round did."""

    replayed: int = 0
    alerted: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0

    @property
    def idle(self) -> bool:
        return not (self.replayed or self.alerted or self.sent or self.retrying or self.dead)


@dataclass(frozen=True)
class ResponseWatch:
    """What the worker needs to raise response-time alerts: the policy's clock and how
    early to warn per level (helpdesk.yml, sla_warning_minutes)."""

    policy: Policy
    margins: Mapping[str, timedelta]


class Worker:
    """Sends for the enabled `targets`; rows of other targets wait untouched."""

    def __init__(
        self,
        store: Callable[[], TicketStore],
        targets: Mapping[str, Target],
        schedule: Schedule,
        journal: Journal,
        keep_reserved: int,
        name: str | None = None,
        clock: Callable[[], float] = time.time,
        watch: ResponseWatch | None = None,
    ) -> None:
        self._open_store = store
        self._store: TicketStore | None = None
        self._targets = dict(targets)
        self._schedule = schedule
        self._journal = journal
        self._keep_reserved = keep_reserved
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._clock = clock
        self._watch = watch

    def run_once(self, stop: threading.Event | None = None) -> Round:
        """One round, until no row is due or `stop` is set; database errors propagate."""
        store = self._db()
        replayed = self._journal.replay(store)
        now = datetime.fromtimestamp(self._clock(), timezone.utc)
        self._journal.references.top_up(store, self._keep_reserved, now)
        alerted = self._raise_alerts(store, now)
        sent = retrying = dead = 0
        while (
            not (stop is not None and stop.is_set())
            and (delivery := store.outbox.claim(self._targets.keys(), self.name, self._schedule, self._clock()))
            is not None
        ):
            status = self._send(store, delivery)
            sent += status == SENT
            retrying += status == PENDING
            dead += status == DEAD
        return Round(replayed, alerted, sent, retrying, dead)

    def _raise_alerts(self, store: TicketStore, now: datetime) -> int:
        """Response-time alerts due now, each queued for delivery like any ticket event;
        another worker may have raised one first, and then the store does nothing."""
        if self._watch is None:
            return 0
        raised = 0
        for ticket in store.awaiting_first_response():
            kind = alert_due(ticket, now, self._watch.margins, self._watch.policy)
            if kind is not None and store.raise_sla_alert(ticket.reference, kind, now, RESPONSE_WATCH) is not None:
                raised += 1
        return raised

    def run_forever(self, stop: threading.Event, poll_seconds: float) -> None:
        """Rounds until `stop` is set, resting `poll_seconds` after a round with nothing to do."""
        while not stop.is_set():
            try:
                done = self.run_once(stop)
            except DATABASE_UNAVAILABLE as error:
                logger.warning("ticket database unavailable (%s); trying again in %s s", error, poll_seconds)
                self._store, done = None, Round()
            except Exception:  # the worker outlives any one round, whatever went wrong in it
                logger.exception("delivery round failed; trying again in %s s", poll_seconds)
                self._store, done = None, Round()
            if not done.idle:
                logger.info("delivery round: %s", done)
            else:
                stop.wait(poll_seconds)

    def _db(self) -> TicketStore:
        """Opened on first use and again after a failed round, since opening fails while it is down."""
        if self._store is None:
            self._store = self._open_store()
        return self._store

    def _send(self, store: TicketStore, delivery: Delivery) -> str:
        """Send one claimed row and record the attempt; returns the row's new status."""
        started = self._clock()
        try:
            self._targets[delivery.target].send(delivery)
        except Exception as error:  # whatever a target raises is this row's failed attempt, not the worker's end
            permanent = isinstance(error, DeliveryFailed) and error.permanent
            reason = str(error) if isinstance(error, DeliveryFailed) else f"{type(error).__name__}: {error}"
            status = store.outbox.failed(delivery, self.name, reason, permanent, self._schedule, started, self._clock())
            log = logger.error if status == DEAD else logger.warning
            log(
                "delivery %s (%s to %s) attempt %d failed: %s; now %s",
                delivery.id,
                delivery.event,
                delivery.target,
                delivery.attempt,
                reason,
                status,
            )
            return status
        store.outbox.succeeded(delivery, self.name, started, self._clock())
        return SENT


def build_worker(settings: Settings, policy: Policy, env: Mapping[str, str], name: str | None = None) -> Worker:
    """The worker the operator configured; a missing secret stops it before it sends anything."""
    targets = {target.name: build_target(target, policy, env) for target in settings.delivery_targets if target.enabled}
    schedule = Schedule(
        settings.delivery_max_attempts,
        settings.delivery_backoff_seconds,
        settings.delivery_backoff_max_seconds,
        settings.delivery_lease_seconds,
    )
    return Worker(
        lambda: open_store(settings),
        targets,
        schedule,
        open_journal(settings),
        settings.reserved_references,
        name,
        watch=ResponseWatch(policy, settings.sla_warning_minutes),
    )


def build_target(target: TargetSettings, policy: Policy, env: Mapping[str, str]) -> Target:
    if isinstance(target, WebhookSettings):
        secret = _secret(env, target.name, target.secret_env)
        return Webhook(target.url, secret.encode("utf-8"), target.connect_timeout_seconds, target.read_timeout_seconds)
    if isinstance(target, EmailSettings):
        username = None if target.username_env is None else _secret(env, target.name, target.username_env)
        password = None if target.password_env is None else _secret(env, target.name, target.password_env)
        return Mail(
            target.host,
            target.port,
            target.security,
            target.sender,
            target.recipient or policy.contact.email,
            username,
            password,
            target.timeout_seconds,
            policy,
        )
    if isinstance(target, ZendeskSettings):
        return Zendesk(
            target.url,
            target.email,
            _secret(env, target.name, target.token_env),
            target.connect_timeout_seconds,
            target.read_timeout_seconds,
            policy,
        )
    raise TypeError(f"no target for {target!r}")


def _secret(env: Mapping[str, str], target: str, variable: str) -> str:
    value = env.get(variable, "")
    if not value:
        raise ValueError(f"delivery target {target!r}: the environment variable {variable} is not set")
    return value
