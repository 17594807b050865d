"""The transactional outbox: one row per ticket event and target, written by the store in
the transaction that records the event, so no ticket is stored without its deliveries.

A row moves through these states:

    pending --claimed--> sending --target accepted--> sent
                            |--failed, attempts left--> pending, due again after a backoff
                            |--failed for good, or the last attempt--> dead (an operator looks)
    sending whose lease ran out (its worker died mid-send) --claimed--> sending
    dead or pending --operator retry--> pending, with a full set of attempts again

A claim is one conditional UPDATE, so two workers never hold a row at once, and a worker
only finishes a row it still holds. A worker that dies after sending and before marking
leaves the row to be sent again once its lease runs out: receivers de-duplicate by the
row's idempotency key. Times are UTC epoch seconds, compared alike on every database.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from helpdesk.delivery.message import event_message
from helpdesk.tickets import Event, Ticket

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"
STATES = (PENDING, SENDING, SENT, DEAD)

METADATA = sa.MetaData()


class OutboxRowNotFound(LookupError):
    """No outbox row has the given id."""


OUTBOX = sa.Table(
    "delivery_outbox",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ticket_reference", sa.String(64), nullable=False, index=True),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("target", sa.String(64), nullable=False),
    sa.Column("idempotency_key", sa.String(64), nullable=False),
    sa.Column("message", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("lease_until", sa.Float),
    sa.Column("claimed_by", sa.String(128)),
    sa.Column("last_error", sa.Text),
    sa.Column("sent_at", sa.Float),
    sa.UniqueConstraint("target", "idempotency_key"),
    sa.Index("ix_delivery_outbox_due", "status", "next_attempt_at"),
)

ATTEMPTS = sa.Table(
    "delivery_attempts",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("delivery_outbox.id"), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("worker", sa.String(128), nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float, nullable=False),
    sa.Column("error", sa.Text),
)


@dataclass(frozen=True)
class Route:
    """An enabled target and the event kinds it takes: the store enqueues a row for each match."""

    target: str
    events: frozenset[str]


@dataclass(frozen=True)
class Schedule:
    """How often and how long a row is tried, and how long a claim protects it."""

    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    lease_seconds: float

    def delay(self, attempts: int) -> float:
        """Exponential: base, 2x base, 4x base ... after the 1st, 2nd, 3rd failure, capped."""
        return min(self.backoff_max_seconds, self.backoff_seconds * 2 ** (attempts - 1))


@dataclass(frozen=True)
class Delivery:
    """A claimed row as its target needs it; `attempt` counts this one (1 for the first)."""

    id: int
    target: str
    event: str
    idempotency_key: str
    message: Mapping[str, Any]
    attempt: int


@dataclass(frozen=True)
class OutboxRow:
    """A row as an operator sees it."""

    id: int
    ticket_reference: str
    event: str
    target: str
    idempotency_key: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class Attempt:
    """One try at sending a row; `error` is None when the target accepted it."""

    number: int
    worker: str
    started_at: datetime
    finished_at: datetime
    error: str | None


def enqueue(connection: Connection, routes: Iterable[Route], ticket: Ticket, event: Event) -> None:
    """Within the caller's transaction: a row for every route that takes this kind of event,
    due at once from the event's own time.

    All targets share the event's idempotency key: it names the event, not the attempt.
    """
    targets = [route.target for route in routes if event.kind in route.events]
    if not targets:
        return
    key = uuid.uuid4().hex
    message = event_message(ticket, event, key)
    now = event.at.timestamp()
    connection.execute(
        OUTBOX.insert(),
        [
            {
                "ticket_reference": ticket.reference,
                "event": event.kind,
                "target": target,
                "idempotency_key": key,
                "message": message,
                "status": PENDING,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
            }
            for target in targets
        ],
    )


class Outbox:
    """The worker's and the operator's side of the outbox, on the store's engines."""

    def __init__(self, engine: Engine, writer: Engine) -> None:
        self._engine = engine
        self._writer = writer

    def claim(self, targets: Collection[str], worker: str, schedule: Schedule, now: float) -> Delivery | None:
        """The row due longest for one of `targets`, now held by `worker` until the lease ends.

        One row at a time, so the lease only has to outlast one send. SQLite serialises
        writers, PostgreSQL's SKIP LOCKED makes competing workers pass over each other's
        candidates, and the conditional UPDATE settles any database that does neither:
        there the loser gets None and finds the next row in its next round.
        """
        if not targets:
            return None
        claimable = _claimable(now) & OUTBOX.c.target.in_(sorted(targets))
        with self._writer.begin() as connection:
            row_id = connection.execute(
                sa.select(OUTBOX.c.id)
                .where(claimable)
                .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).scalar()
            if row_id is None:
                return None
            taken = connection.execute(
                OUTBOX.update()
                .where((OUTBOX.c.id == row_id) & claimable)
                .values(
                    status=SENDING,
                    claimed_by=worker,
                    lease_until=now + schedule.lease_seconds,
                    attempts=OUTBOX.c.attempts + 1,
                )
            ).rowcount
            if not taken:
                return None
            row = connection.execute(sa.select(OUTBOX).where(OUTBOX.c.id == row_id)).mappings().one()
        return Delivery(row["id"], row["target"], row["event"], row["idempotency_key"], row["message"], row["attempts"])

    def succeeded(self, delivery: Delivery, worker: str, started: float, now: float) -> None:
        with self._writer.begin() as connection:
            _record(connection, delivery, worker, started, now, None)
            connection.execute(
                OUTBOX.update()
                .where(_held(delivery, worker))
                .values(status=SENT, sent_at=now, lease_until=None, last_error=None)
            )

    def failed(
        self,
        delivery: Delivery,
        worker: str,
        error: str,
        permanent: bool,
        schedule: Schedule,
        started: float,
        now: float,
    ) -> str:
        """Back to pending after the backoff, or dead; returns the row's new status."""
        status = DEAD if permanent or delivery.attempt >= schedule.max_attempts else PENDING
        retry_at = now + schedule.delay(delivery.attempt) if status == PENDING else now
        with self._writer.begin() as connection:
            _record(connection, delivery, worker, started, now, error)
            connection.execute(
                OUTBOX.update()
                .where(_held(delivery, worker))
                .values(status=status, next_attempt_at=retry_at, lease_until=None, last_error=error)
            )
        return status

    def rows(self, status: str | None = None) -> list[OutboxRow]:
        """Rows oldest first, optionally of one status only."""
        condition = sa.true() if status is None else OUTBOX.c.status == _known_state(status)
        with self._engine.connect() as connection:
            found = connection.execute(sa.select(OUTBOX).where(condition).order_by(OUTBOX.c.id)).mappings().all()
        return [_outbox_row(row) for row in found]

    def attempts(self, row_id: int) -> list[Attempt]:
        with self._engine.connect() as connection:
            if connection.execute(sa.select(OUTBOX.c.id).where(OUTBOX.c.id == row_id)).scalar() is None:
                raise OutboxRowNotFound(f"no outbox row with the id {row_id}")
            found = (
                connection.execute(sa.select(ATTEMPTS).where(ATTEMPTS.c.outbox_id == row_id).order_by(ATTEMPTS.c.id))
                .mappings()
                .all()
            )
        return [
            Attempt(row["number"], row["worker"], _moment(row["started_at"]), _moment(row["finished_at"]), row["error"])
            for row in found
        ]

    def retry(self, row_id: int, now: float) -> None:
        """A dead or pending row is due at once, with a full set of attempts again."""
        with self._writer.begin() as connection:
            status = connection.execute(sa.select(OUTBOX.c.status).where(OUTBOX.c.id == row_id)).scalar()
            if status is None:
                raise OutboxRowNotFound(f"no outbox row with the id {row_id}")
            if status not in (DEAD, PENDING):
                raise ValueError(f"outbox row {row_id} is {status}; only dead or pending rows can be retried")
            connection.execute(OUTBOX.update().where(OUTBOX.c.id == row_id).values(_restart(now)))

    def retry_dead(self, now: float) -> int:
        """Every dead row back to pending; returns how many."""
        with self._writer.begin() as connection:
            return connection.execute(OUTBOX.update().where(OUTBOX.c.status == DEAD).values(_restart(now))).rowcount


def _claimable(now: float) -> sa.sql.ColumnElement:
    due = (OUTBOX.c.status == PENDING) & (OUTBOX.c.next_attempt_at <= now)
    abandoned = (OUTBOX.c.status == SENDING) & (OUTBOX.c.lease_until < now)
    return due | abandoned


def _held(delivery: Delivery, worker: str) -> sa.sql.ColumnElement:
    """Still this worker's claim: a worker whose lease was taken over changes nothing."""
    return (OUTBOX.c.id == delivery.id) & (OUTBOX.c.status == SENDING) & (OUTBOX.c.claimed_by == worker)


def _restart(now: float) -> dict[str, Any]:
    return {"status": PENDING, "attempts": 0, "next_attempt_at": now, "lease_until": None, "claimed_by": None}


def _record(
    connection: Connection, delivery: Delivery, worker: str, started: float, now: float, error: str | None
) -> None:
    connection.execute(
        ATTEMPTS.insert().values(
            outbox_id=delivery.id,
            number=delivery.attempt,
            worker=worker,
            started_at=started,
            finished_at=now,
            error=error,
        )
    )


def _outbox_row(row: Mapping[str, Any]) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        ticket_reference=row["ticket_reference"],
        event=row["event"],
        target=row["target"],
        idempotency_key=row["idempotency_key"],
        status=row["status"],
        attempts=row["attempts"],
        created_at=_moment(row["created_at"]),
        next_attempt_at=_moment(row["next_attempt_at"]),
        sent_at=None if row["sent_at"] is None else _moment(row["sent_at"]),
        last_error=row["last_error"],
    )


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _known_state(status: str) -> str:
    if status not in STATES:
        raise ValueError(f"unknown outbox status {status!r}; expected one of {', '.join(STATES)}")
    return status
