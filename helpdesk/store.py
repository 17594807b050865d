"""Tickets and their history in a relational database (SQLite by default, PostgreSQL by URL).

Only frozen dataclasses leave this module, so callers never hold a live database object.
Every change is recorded as an event, which makes a ticket's history its audit trail.
On SQLite, writes take the database lock up front (BEGIN IMMEDIATE) and wait for it,
so concurrent bot conversations queue instead of failing with "database is locked".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError

from helpdesk.config import Settings
from helpdesk.delivery.outbox import METADATA as OUTBOX_METADATA
from helpdesk.delivery.outbox import Outbox, Route
from helpdesk.delivery.outbox import enqueue as enqueue_deliveries
from helpdesk.sla import to_utc
from helpdesk.tickets import OPEN_STATUSES, RATINGS, SLA_ALERTS, STATUSES, Event, Requester, Ticket, TicketDraft

SQLITE_BUSY_TIMEOUT_SECONDS = 30
RESERVE_ATTEMPTS = 5
"""Tries to reserve a block while other hosts reserve theirs at the same moment."""


class TicketNotFound(LookupError):
    """No ticket has the given reference."""


class TicketNotReopenable(ValueError):
    """Only a resolved or closed ticket can be reopened."""


class _UtcDateTime(sa.types.TypeDecorator):
    """Stores UTC and hands back aware UTC, whether or not the database keeps offsets."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.engine.Dialect) -> datetime | None:
        return None if value is None else value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: sa.engine.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


_METADATA = sa.MetaData()

_TICKETS = sa.Table(
    "tickets",
    _METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(64), unique=True),
    sa.Column("idempotency_key", sa.String(255), unique=True),
    sa.Column("requester_email", sa.String(320), nullable=False, index=True),
    sa.Column("requester_name", sa.Text),
    sa.Column("requester_account", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("bot_or_area", sa.Text),
    sa.Column("environment", sa.Text),
    sa.Column("since", sa.Text),
    sa.Column("impact", sa.Text),
    sa.Column("links", sa.JSON, nullable=False),
    sa.Column("assessed_severity", sa.String(32)),
    sa.Column("final_severity", sa.String(32), nullable=False),
    sa.Column("severity_set_by_user", sa.Boolean, nullable=False),
    sa.Column("conversation_id", sa.String(255)),
    sa.Column("filed_at", _UtcDateTime, nullable=False),
    sa.Column("due_at", _UtcDateTime, nullable=False),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("updated_at", _UtcDateTime, nullable=False),
    sa.Column("first_response_at", _UtcDateTime),
    sa.Column("satisfaction_asked_at", _UtcDateTime),
    sa.Column("satisfaction_rating", sa.Integer),
    sa.Column("satisfaction_comment", sa.Text),
)

_EVENTS = sa.Table(
    "ticket_events",
    _METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("at", _UtcDateTime, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
)

_SLA_ALERTS = sa.Table(
    "sla_alerts",
    _METADATA,
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("due_at", _UtcDateTime, nullable=False),
    sa.UniqueConstraint("ticket_id", "kind", "due_at"),
)
"""The response-time alerts raised: each once per ticket, kind and due time, however many
workers watch; a new due time (a severity change) arms them again."""

_RESERVED = sa.Table(
    "reserved_references",
    _METADATA,
    sa.Column("first", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
    sa.Column("reserved_at", _UtcDateTime, nullable=False),
)
"""Blocks of journal reference numbers handed out to hosts; a number is never handed out twice."""

_Edit = Callable[["Ticket"], "tuple[dict[str, Any], dict[str, Any]]"]
"""Given the current ticket: the event's detail and the column changes."""

_PLAIN_FIELDS = tuple(item.name for item in fields(TicketDraft) if item.name not in ("requester", "links"))


def open_store(settings: Settings) -> TicketStore:
    """The store the operator configured."""
    routes = tuple(Route(target.name, target.events) for target in settings.delivery_targets if target.enabled)
    return TicketStore(settings.database_url, settings.reference_prefix, routes)


class TicketStore:
    """Files tickets and records their history; creates the database on first use.

    Every event also becomes an outbox row for each of `routes` that takes its kind, in
    the same transaction (helpdesk/delivery/outbox.py), for the delivery worker to send.
    """

    def __init__(self, url: str, reference_prefix: str, routes: tuple[Route, ...] = ()) -> None:
        self._prefix = reference_prefix
        self._routes = routes
        self._engine = _engine(url)
        self._writer = self._engine.execution_options(helpdesk_write=True)
        _METADATA.create_all(self._writer)
        OUTBOX_METADATA.create_all(self._writer)
        _add_missing_columns(self._writer, _TICKETS)

    @property
    def outbox(self) -> Outbox:
        """The deliveries waiting in this database, for the worker and the operator."""
        return Outbox(self._engine, self._writer)

    def create(self, draft: TicketDraft, filed_at: datetime, due_at: datetime, reference: str | None = None) -> Ticket:
        """File a draft; a repeated idempotency key returns the first ticket unchanged.

        The reference comes from the row's own key inside the same transaction, so it is
        unique however many conversations file at once. Where writers are not serialised
        (PostgreSQL), two creates with one key can race: the loser's unique-key violation
        is answered with the winner's ticket. A journaled ticket brings the `reference`
        it was reserved (see `reserve_references`) and keeps it.
        """
        filed, due = to_utc(filed_at, "filed_at"), to_utc(due_at, "due_at")
        try:
            with self._writer.begin() as connection:
                existing = _by_key(connection, draft.idempotency_key)
                if existing is not None:
                    return existing
                return self._insert(connection, draft, filed, due, reference)
        except IntegrityError:
            with self._engine.connect() as connection:
                existing = _by_key(connection, draft.idempotency_key)
            if existing is None:
                raise
            return existing

    def get(self, reference: str) -> Ticket | None:
        """Find a ticket by reference, however the customer capitalised it."""
        with self._engine.connect() as connection:
            found = _select(connection, _matches_reference(reference))
        return found[0] if found else None

    def awaiting_first_response(self) -> list[Ticket]:
        """Open tickets support has not answered yet, newest first: what the response-time watch looks at."""
        with self._engine.connect() as connection:
            return _select(connection, _TICKETS.c.status.in_(OPEN_STATUSES) & _TICKETS.c.first_response_at.is_(None))

    def list(self, status: str | None = None, requester_email: str | None = None) -> list[Ticket]:
        """Tickets newest first, optionally only one status or one requester's."""
        condition = sa.true()
        if status is not None:
            condition = condition & (_TICKETS.c.status == _known_status(status))
        if requester_email is not None:
            condition = condition & (sa.func.lower(_TICKETS.c.requester_email) == requester_email.strip().lower())
        with self._engine.connect() as connection:
            return _select(connection, condition)

    def add_comment(self, reference: str, text: str, at: datetime, author: str) -> Ticket:
        if not text.strip():
            raise ValueError("a comment needs some text")
        return self._change(reference, at, author, "comment_added", lambda ticket: ({"text": text}, {}))

    def change_severity(
        self, reference: str, severity: str, due_at: datetime, reason: str, at: datetime, author: str
    ) -> Ticket:
        """Support re-grades tickets; the new level brings a new due time."""
        due = to_utc(due_at, "due_at")

        def regrade(ticket: Ticket) -> tuple[dict[str, Any], dict[str, Any]]:
            detail = {"from": ticket.final_severity, "to": severity, "reason": reason, "due_at": due.isoformat()}
            return detail, {"final_severity": severity, "due_at": due}

        return self._change(reference, at, author, "severity_changed", regrade)

    def set_status(self, reference: str, status: str, at: datetime, author: str, note: str | None = None) -> Ticket:
        status = _known_status(status)

        def move(ticket: Ticket) -> tuple[dict[str, Any], dict[str, Any]]:
            return {"from": ticket.status, "to": status, "note": note}, {"status": status}

        return self._change(reference, at, author, "status_changed", move)

    def record_first_response(self, reference: str, at: datetime, author: str, note: str | None = None) -> Ticket:
        """Support answered: the first time counts; later calls change nothing and return the ticket."""
        moment = to_utc(at, "at")

        def respond(ticket: Ticket) -> tuple[dict[str, Any], dict[str, Any]]:
            if ticket.first_response_at is not None:
                return {}, {}
            detail = {"note": note, "due_at": ticket.due_at.isoformat(), "met": moment <= ticket.due_at}
            return detail, {"first_response_at": moment}

        return self._change(reference, at, author, "first_response", respond)

    def claim_rating_question(self, reference: str, at: datetime) -> bool:
        """Whether the bot may ask the user to rate this ticket now: true once per ticket,
        for whichever conversation asks first (one conditional UPDATE)."""
        with self._writer.begin() as connection:
            asked = connection.execute(
                _TICKETS.update()
                .where(_matches_reference(reference) & _TICKETS.c.satisfaction_asked_at.is_(None))
                .values(satisfaction_asked_at=to_utc(at, "at"))
            )
            return asked.rowcount == 1

    def record_satisfaction(
        self, reference: str, rating: int, comment: str | None, at: datetime, author: str
    ) -> Ticket:
        """The user's rating (1-5) of support on a ticket, with what they said; a later rating replaces it."""
        if rating not in RATINGS:
            raise ValueError(f"a rating is a whole number from {RATINGS.start} to {RATINGS.stop - 1}, not {rating!r}")
        text = comment.strip() if comment and comment.strip() else None

        def rate(ticket: Ticket) -> tuple[dict[str, Any], dict[str, Any]]:
            changes: dict[str, Any] = {"satisfaction_rating": rating, "satisfaction_comment": text}
            if ticket.satisfaction_asked_at is None:
                changes["satisfaction_asked_at"] = to_utc(at, "at")
            return {"rating": rating, "comment": text}, changes

        return self._change(reference, at, author, "satisfaction_rated", rate)

    def raise_sla_alert(self, reference: str, kind: str, at: datetime, author: str) -> Ticket | None:
        """Record and deliver `kind` (one of SLA_ALERTS) for the ticket's current due time,
        unless it was raised for that due time already (by this worker or another): then None."""
        if kind not in SLA_ALERTS:
            raise ValueError(f"unknown alert {kind!r}; expected one of {', '.join(SLA_ALERTS)}")
        try:
            with self._writer.begin() as connection:
                found = connection.execute(
                    sa.select(_TICKETS.c.id, _TICKETS.c.due_at).where(_matches_reference(reference))
                ).first()
                if found is None:
                    raise TicketNotFound(f"no ticket with the reference {reference!r}")
                ticket_id, due = found
                connection.execute(_SLA_ALERTS.insert().values(ticket_id=ticket_id, kind=kind, due_at=due))
                return self._apply(
                    connection, ticket_id, to_utc(at, "at"), author, kind, lambda _: ({"due_at": due.isoformat()}, {})
                )
        except IntegrityError:
            return None

    def reopen(self, reference: str, reason: str, due_at: datetime, at: datetime, author: str) -> Ticket:
        """A resolved or closed ticket back to open, with a first response due afresh.

        Recorded as a status change (what receivers already track) whose detail adds the
        new due time; a ticket still open is left as it is (TicketNotReopenable).
        """
        due = to_utc(due_at, "due_at")

        def back_to_open(ticket: Ticket) -> tuple[dict[str, Any], dict[str, Any]]:
            if ticket.is_open:
                raise TicketNotReopenable(f"{ticket.reference} is {ticket.status}, not resolved or closed")
            detail = {"from": ticket.status, "to": STATUSES[0], "note": reason, "due_at": due.isoformat()}
            return detail, {"status": STATUSES[0], "due_at": due, "first_response_at": None}

        return self._change(reference, at, author, "status_changed", back_to_open)

    def request_handoff(self, reference: str, transcript: str, at: datetime, author: str) -> Ticket:
        """The requester asked for a person on this ticket; `transcript` is the conversation."""
        return self._change(reference, at, author, "handoff_requested", lambda ticket: ({"transcript": transcript}, {}))

    def reserve_references(self, count: int, at: datetime) -> tuple[str, ...]:
        """`count` references no other call will return, for tickets filed while the database is down.

        They read like HLP-J0001: numbers from their own sequence, kept in this table, with
        a "J" so they never meet the references derived from row keys.
        Where writers are not serialised (PostgreSQL), two hosts reserving at once read the
        same last number; the loser's block collides on the key and it reads again.
        """
        for attempt in range(RESERVE_ATTEMPTS):
            try:
                with self._writer.begin() as connection:
                    last = connection.execute(sa.select(sa.func.max(_RESERVED.c.last))).scalar() or 0
                    connection.execute(
                        _RESERVED.insert().values(first=last + 1, last=last + count, reserved_at=to_utc(at, "at"))
                    )
                break
            except IntegrityError:
                if attempt == RESERVE_ATTEMPTS - 1:
                    raise
        return tuple(f"{self._prefix}J{number:04d}" for number in range(last + 1, last + count + 1))

    def _insert(
        self, connection: Connection, draft: TicketDraft, filed: datetime, due: datetime, reference: str | None
    ) -> Ticket:
        row = {name: getattr(draft, name) for name in _PLAIN_FIELDS}
        row.update(
            requester_email=draft.requester.email,
            requester_name=draft.requester.name,
            requester_account=draft.requester.account,
            links=list(draft.links),
            filed_at=filed,
            due_at=due,
            status=STATUSES[0],
            updated_at=filed,
        )
        ticket_id = connection.execute(_TICKETS.insert().values(reference=reference, **row)).inserted_primary_key[0]
        if reference is None:
            connection.execute(
                _TICKETS.update().where(_TICKETS.c.id == ticket_id).values(reference=f"{self._prefix}{ticket_id:04d}")
            )
        detail = {"severity": draft.final_severity, "due_at": due.isoformat()}
        _record(connection, ticket_id, "created", filed, draft.requester.email, detail)
        ticket = _select(connection, _TICKETS.c.id == ticket_id)[0]
        enqueue_deliveries(connection, self._routes, ticket, Event("created", filed, draft.requester.email, detail))
        return ticket

    def _change(self, reference: str, at: datetime, author: str, kind: str, edit: _Edit) -> Ticket:
        """Read, change and record in one write transaction, so "from" in the history is true.
        An edit that changes nothing (no columns) records nothing."""
        moment = to_utc(at, "at")
        with self._writer.begin() as connection:
            ticket_id = connection.execute(sa.select(_TICKETS.c.id).where(_matches_reference(reference))).scalar()
            if ticket_id is None:
                raise TicketNotFound(f"no ticket with the reference {reference!r}")
            return self._apply(connection, ticket_id, moment, author, kind, edit)

    def _apply(
        self, connection: Connection, ticket_id: int, moment: datetime, author: str, kind: str, edit: _Edit
    ) -> Ticket:
        this_ticket = _TICKETS.c.id == ticket_id
        current = _select(connection, this_ticket)[0]
        detail, changes = edit(current)
        if not detail and not changes:
            return current
        connection.execute(_TICKETS.update().where(this_ticket).values(updated_at=moment, **changes))
        _record(connection, ticket_id, kind, moment, author, detail)
        changed = _select(connection, this_ticket)[0]
        enqueue_deliveries(connection, self._routes, changed, Event(kind, moment, author, detail))
        return changed


def _engine(url: str) -> Engine:
    """SQLite needs its folder, a busy timeout and explicit BEGINs; other databases need nothing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, future=True, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, future=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
    sa.event.listen(engine, "connect", _take_over_sqlite_transactions)
    sa.event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _take_over_sqlite_transactions(dbapi_connection: Any, connection_record: Any) -> None:
    """pysqlite's own BEGIN is deferred; turning it off lets us issue BEGIN IMMEDIATE."""
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def _begin_sqlite_transaction(connection: Connection) -> None:
    """Writers lock at BEGIN, so two of them never deadlock upgrading a read lock."""
    write = connection.get_execution_options().get("helpdesk_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _add_missing_columns(engine: Engine, table: sa.Table) -> None:
    """Columns added to `table` since a database was created, added to it (all nullable):
    a store opened on an older ticket database keeps its tickets and gains the new fields."""
    with engine.begin() as connection:
        present = {column["name"] for column in sa.inspect(connection).get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=connection.dialect)
                connection.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')


def _record(connection: Connection, ticket_id: int, kind: str, at: datetime, author: str, detail: dict) -> None:
    connection.execute(_EVENTS.insert().values(ticket_id=ticket_id, kind=kind, at=at, author=author, detail=detail))


def _select(connection: Connection, condition: sa.sql.ColumnElement) -> list[Ticket]:
    """Tickets matching `condition`, newest first, each with its history (two queries in all)."""
    tickets = (
        connection.execute(
            sa.select(_TICKETS).where(condition).order_by(_TICKETS.c.filed_at.desc(), _TICKETS.c.id.desc())
        )
        .mappings()
        .all()
    )
    matching_ids = sa.select(_TICKETS.c.id).where(condition)
    history: dict[int, list[Event]] = {}
    for event in connection.execute(
        sa.select(_EVENTS).where(_EVENTS.c.ticket_id.in_(matching_ids)).order_by(_EVENTS.c.at, _EVENTS.c.id)
    ).mappings():
        history.setdefault(event["ticket_id"], []).append(
            Event(kind=event["kind"], at=event["at"], author=event["author"], detail=event["detail"])
        )
    return [_ticket(row, tuple(history.get(row["id"], ()))) for row in tickets]


def _ticket(row: Any, history: tuple[Event, ...]) -> Ticket:
    return Ticket(
        requester=Requester(row["requester_email"], row["requester_name"], row["requester_account"]),
        links=tuple(row["links"]),
        reference=row["reference"],
        filed_at=row["filed_at"],
        due_at=row["due_at"],
        status=row["status"],
        updated_at=row["updated_at"],
        history=history,
        first_response_at=row["first_response_at"],
        satisfaction_asked_at=row["satisfaction_asked_at"],
        satisfaction_rating=row["satisfaction_rating"],
        satisfaction_comment=row["satisfaction_comment"],
        **{name: row[name] for name in _PLAIN_FIELDS},
    )


def _by_key(connection: Connection, key: str | None) -> Ticket | None:
    if key is None:
        return None
    found = _select(connection, _TICKETS.c.idempotency_key == key)
    return found[0] if found else None


def _matches_reference(reference: str) -> sa.sql.ColumnElement:
    return sa.func.upper(_TICKETS.c.reference) == reference.strip().upper()


def _known_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    return status
