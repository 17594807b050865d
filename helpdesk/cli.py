"""The operator's command line: look at tickets, move them along, check the policy and clock.

Exit codes: 0 done, 1 not found (or the database failed), 2 a usage or value error.
Messages go to stderr without a traceback: operators need the reason, not the stack.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from helpdesk import identity
from helpdesk.config import Settings, load_settings
from helpdesk.delivery.outbox import DEAD, SENDING, SENT, STATES, OutboxRow, OutboxRowNotFound
from helpdesk.delivery.worker import build_worker
from helpdesk.policy import Policy, load_policy
from helpdesk.report import build_report
from helpdesk.sla import due_at
from helpdesk.store import TicketNotFound, TicketStore, open_store
from helpdesk.tickets import STATUSES, Ticket
from helpdesk.wording import format_business_hours, format_due, format_duration, format_target, level_label

TITLE_WIDTH = 48


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code instead of exiting so tests can call it."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    try:
        settings = load_settings()
        policy = load_policy(settings.policy_file, settings.timezone)
        return args.run(args, settings, policy)
    except (TicketNotFound, OutboxRowNotFound) as error:
        return _fail(str(error), 1)
    except ValueError as error:
        return _fail(str(error), 2)
    except (SQLAlchemyError, OSError) as error:
        return _fail(f"the ticket database failed: {error}", 1)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="helpdesk", description="Operate the Help assistant.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tickets = commands.add_parser("tickets", help="list, show and update tickets")
    ticket_commands = tickets.add_subparsers(dest="tickets_command", required=True, metavar="ACTION")
    listing = ticket_commands.add_parser("list", help="tickets, newest first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=_tickets_list)
    show = ticket_commands.add_parser("show", help="one ticket with its history")
    show.add_argument("reference")
    show.add_argument("--json", action="store_true", help="print JSON instead of text")
    show.set_defaults(run=_tickets_show)
    status = ticket_commands.add_parser("set-status", help="move a ticket to another status")
    status.add_argument("reference")
    status.add_argument("status", choices=STATUSES)
    status.add_argument("--note", help="why, recorded in the ticket's history")
    status.add_argument("--author", default="operator", help="who made the change (default: operator)")
    status.set_defaults(run=_tickets_set_status)
    respond = ticket_commands.add_parser("respond", help="record support's first response (the response-time promise)")
    respond.add_argument("reference")
    respond.add_argument("--note", help="what support said or did, recorded in the ticket's history")
    respond.add_argument("--at", type=_aware_datetime, help="when, as ISO 8601 with an offset (default: now)")
    respond.add_argument("--author", default="operator", help="who responded (default: operator)")
    respond.set_defaults(run=_tickets_respond)

    report = commands.add_parser("report", help="first responses against the response times, per severity")
    report.add_argument(
        "--since",
        type=_day_or_moment,
        help="only tickets filed since then: a date (in support's timezone) or ISO 8601 time",
    )
    report.add_argument("--json", action="store_true", help="print JSON instead of a table")
    report.set_defaults(run=_report)

    sla = commands.add_parser("sla", help="when a first response is due")
    sla.add_argument("severity", help="a severity level such as S1")
    sla.add_argument("--at", type=_aware_datetime, help="filing time as ISO 8601 with an offset (default: now)")
    sla.set_defaults(run=_sla)

    policy = commands.add_parser("policy", help="the support policy in force")
    policy.add_argument("--json", action="store_true", help="print JSON instead of text")
    policy.set_defaults(run=_policy)

    token = commands.add_parser("token", help="sign a user token as the platform would (local testing)")
    token.add_argument("--email", required=True)
    token.add_argument("--name")
    token.add_argument("--account")
    token.add_argument("--minutes", type=int, default=60, help="how long it stays valid (default: 60)")
    token.set_defaults(run=_token)

    deliver = commands.add_parser("deliver", help="send tickets and their events to the support team's targets")
    how_long = deliver.add_mutually_exclusive_group(required=True)
    how_long.add_argument("--once", action="store_true", help="one round: replay the journal, send what is due")
    how_long.add_argument("--forever", action="store_true", help="keep delivering until stopped (Ctrl-C, SIGTERM)")
    deliver.set_defaults(run=_deliver)

    outbox = commands.add_parser("outbox", help="deliveries waiting, sent or dead; retry dead ones")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    rows = outbox_commands.add_parser("list", help="deliveries, oldest first")
    rows.add_argument("--status", choices=STATES)
    rows.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rows.set_defaults(run=_outbox_list)
    attempts = outbox_commands.add_parser("show", help="one delivery with every attempt and its error")
    attempts.add_argument("id", type=int)
    attempts.set_defaults(run=_outbox_show)
    retry = outbox_commands.add_parser("retry", help="send a dead delivery again, with a full set of attempts")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("id", type=int, nargs="?", help="the delivery's ID from `outbox list`")
    which.add_argument("--all-dead", action="store_true", help="every dead delivery")
    retry.set_defaults(run=_outbox_retry)
    return parser


def _tickets_list(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    tickets = _store(settings).list(status=args.status)
    if args.json:
        return _print_json([_plain(ticket) for ticket in tickets])
    if not tickets:
        print("No tickets." if args.status is None else f"No tickets with the status {args.status}.")
        return 0
    zone = policy.business_hours.timezone
    rows = [
        (
            ticket.reference,
            ticket.status,
            ticket.final_severity,
            format_due(ticket.filed_at, zone),
            format_due(ticket.due_at, zone),
            ticket.requester.email,
            _shorten(ticket.title),
        )
        for ticket in tickets
    ]
    print(_table(rows, headers=("Reference", "Status", "Severity", "Filed", "Due", "Requester", "Title")))
    return 0


def _tickets_show(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    ticket = _store(settings).get(args.reference)
    if ticket is None:
        raise TicketNotFound(f"no ticket with the reference {args.reference!r}")
    if args.json:
        return _print_json(_plain(ticket))
    print(_ticket_text(ticket, policy))
    return 0


def _tickets_set_status(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    now = datetime.now(timezone.utc)
    ticket = _store(settings).set_status(args.reference, args.status, now, args.author, args.note)
    print(f"{ticket.reference} is now {ticket.status}.")
    return 0


def _tickets_respond(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    at = args.at or datetime.now(timezone.utc)
    ticket = _store(settings).record_first_response(args.reference, at, args.author, args.note)
    zone = policy.business_hours.timezone
    assert ticket.first_response_at is not None
    kept = "within" if ticket.first_response_at <= ticket.due_at else "after"
    print(
        f"{ticket.reference}: first response {format_due(ticket.first_response_at, zone)}, "
        f"{kept} the response time (due {format_due(ticket.due_at, zone)})."
    )
    return 0


def _report(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    since = args.since(policy.business_hours.timezone) if args.since else None
    figures = build_report(_store(settings).list(), policy.severities, datetime.now(timezone.utc), since)
    if args.json:
        return _print_json(_plain(figures))
    zone = policy.business_hours.timezone
    print(f"First responses since {format_due(since, zone)}:" if since else "First responses, all tickets:")
    rows = [
        (
            level_label(level.level, policy),
            str(level.tickets),
            str(level.met),
            str(level.missed),
            str(level.pending),
            _wait(level.median_first_response),
        )
        for level in figures.levels
    ]
    print(_table(rows, headers=("Severity", "Tickets", "On time", "Late", "Pending", "Median first response")))
    print(f"Median first response overall: {_wait(figures.median_first_response)}")
    breaches = ", ".join(figures.open_breaches) or "none"
    print(f"Open tickets with an overdue first response: {breaches}")
    rated = (
        f"{figures.satisfaction_average}/5 over {figures.satisfaction_count}"
        if figures.satisfaction_count
        else "none yet"
    )
    print(f"Satisfaction: {rated}")
    return 0


def _wait(span: timedelta | None) -> str:
    return "-" if span is None else format_duration(span)


def _sla(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    filed = args.at or datetime.now(timezone.utc)
    severity = policy.severity(args.severity)
    due = due_at(severity.level, filed, policy)
    zone = policy.business_hours.timezone
    print(f"{severity.label}: first response {format_target(severity)}")
    print(
        _table(
            [
                ("Filed", format_due(filed, zone), filed.astimezone(zone).isoformat()),
                ("Due", format_due(due, zone), due.isoformat()),
            ]
        )
    )
    return 0


def _policy(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    if args.json:
        return _print_json(_plain(policy))
    print(_policy_text(policy, datetime.now(timezone.utc)))
    return 0


def _token(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    if settings.identity_secret is None:
        raise ValueError(
            "no identity secret is configured: set HELPDESK_IDENTITY_SECRET (or identity_secret in helpdesk.yml)"
        )
    if args.minutes <= 0:
        raise ValueError(f"--minutes: expected a positive number, got {args.minutes}")
    print(identity.mint(settings.identity_secret, args.email, args.name, args.account, timedelta(minutes=args.minutes)))
    return 0


def _deliver(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    worker = build_worker(settings, policy, os.environ)
    if args.once:
        done = worker.run_once()
        print(
            f"Replayed {done.replayed} journaled tickets; raised {done.alerted} response-time alerts; "
            f"sent {done.sent}, {done.retrying} to retry, {done.dead} dead."
        )
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        # Set from another thread: a handler runs between any two bytecodes of the main
        # thread, which may be holding the event's lock inside stop.wait(); setting it there
        # (or in a second handler on top of the first, when two signals come at once) waits
        # forever for that lock.
        signal.signal(signal_number, lambda *_: threading.Thread(target=stop.set, daemon=True).start())
    enabled = ", ".join(target.name for target in settings.delivery_targets if target.enabled) or "no enabled target"
    logging.getLogger(__name__).info("delivering to %s as %s", enabled, worker.name)
    worker.run_forever(stop, settings.delivery_poll_seconds)
    return 0


def _outbox_list(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    rows = _store(settings).outbox.rows(args.status)
    if args.json:
        return _print_json([_plain(row) for row in rows])
    if not rows:
        print("No deliveries." if args.status is None else f"No {args.status} deliveries.")
        return 0
    zone = policy.business_hours.timezone
    print(
        _table(
            [
                (
                    str(row.id),
                    row.status,
                    row.target,
                    row.event,
                    row.ticket_reference,
                    str(row.attempts),
                    _outbox_when(row, zone),
                    " ".join((row.last_error or "").split()),
                )
                for row in rows
            ],
            headers=("ID", "Status", "Target", "Event", "Ticket", "Tries", "When", "Last error"),
        )
    )
    return 0


def _outbox_show(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    attempts = _store(settings).outbox.attempts(args.id)
    zone = policy.business_hours.timezone
    if not attempts:
        print(f"Delivery {args.id} has not been tried yet.")
        return 0
    print(
        _table(
            [(str(a.number), format_due(a.started_at, zone), a.worker, a.error or "sent") for a in attempts],
            headers=("Try", "When", "Worker", "Outcome"),
        )
    )
    return 0


def _outbox_retry(args: argparse.Namespace, settings: Settings, policy: Policy) -> int:
    outbox, now = _store(settings).outbox, datetime.now(timezone.utc).timestamp()
    if args.all_dead:
        print(f"{outbox.retry_dead(now)} dead deliveries will be sent again.")
    else:
        outbox.retry(args.id, now)
        print(f"Delivery {args.id} will be sent again.")
    return 0


def _outbox_when(row: OutboxRow, zone: ZoneInfo) -> str:
    if row.status == SENT and row.sent_at is not None:
        return "sent " + format_due(row.sent_at, zone)
    if row.status == DEAD:
        return "gave up"
    if row.status == SENDING:
        return "being sent"
    return "due " + format_due(row.next_attempt_at, zone)


def _store(settings: Settings) -> TicketStore:
    """The configured store: its changes queue deliveries for the enabled targets."""
    return open_store(settings)


def _day_or_moment(text: str) -> Callable[[tzinfo], datetime]:
    """A date (midnight in the zone given later: support's) or an ISO 8601 time with an offset."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        moment = _aware_datetime(text)
        return lambda zone: moment
    return lambda zone: datetime.combine(day, time(0), tzinfo=zone)


def _aware_datetime(text: str) -> datetime:
    """ISO 8601 with an offset; a trailing "Z" means UTC, which Python 3.10 cannot read itself."""
    cleaned = text.strip()
    if cleaned[-1:] in ("Z", "z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset; add one, such as {text}+05:30 or {text}Z")
    return moment


def _ticket_text(ticket: Ticket, policy: Policy) -> str:
    zone = policy.business_hours.timezone
    requester = ticket.requester
    who = " ".join(part for part in (requester.name, f"<{requester.email}>") if part)
    severity = level_label(ticket.final_severity, policy)
    if ticket.assessed_severity and ticket.assessed_severity != ticket.final_severity:
        severity += f" (assessed {ticket.assessed_severity})"
    if ticket.severity_set_by_user:
        severity += ", chosen by the requester"
    facts = [
        ("Status", ticket.status),
        ("Severity", severity),
        ("Filed", format_due(ticket.filed_at, zone)),
        ("Due", format_due(ticket.due_at, zone)),
        ("Updated", format_due(ticket.updated_at, zone)),
        ("Requester", who + (f", account {requester.account}" if requester.account else "")),
        ("Bot or area", ticket.bot_or_area),
        ("Environment", ticket.environment),
        ("Since", ticket.since),
        ("Impact", ticket.impact),
        ("Links", ", ".join(ticket.links)),
        ("Conversation", ticket.conversation_id),
    ]
    history = [
        (format_due(event.at, zone), event.kind, event.author, _detail_text(event.detail)) for event in ticket.history
    ]
    return "\n\n".join(
        (
            f"{ticket.reference}  {ticket.title}",
            _table([(name, value) for name, value in facts if value]),
            "Description\n" + _indent(ticket.description),
            "History\n" + _indent(_table(history, headers=("When", "Event", "By", "Detail"))),
        )
    )


def _policy_text(policy: Policy, now: datetime) -> str:
    contact, hours = policy.contact, policy.business_hours
    docs = contact.docs_url + (" (with a search box)" if contact.docs_has_search else "")
    closed = ", ".join(day.isoformat() for day in sorted(hours.holidays)) or "none listed"
    public = "none"
    if hours.public_holidays_country:
        public = "-".join(filter(None, (hours.public_holidays_country, hours.public_holidays_subdivision)))
    severities = [
        (severity.label, severity.meaning, severity.business_impact, format_target(severity))
        for severity in policy.severities.values()
    ]
    examples = [f"{severity.label}: {'; '.join(severity.examples)}" for severity in policy.severities.values()]
    return "\n\n".join(
        (
            "Contact\n"
            + _indent(
                _table(
                    [
                        ("Email", contact.email),
                        ("Help section", contact.help_section_url),
                        ("Documentation", docs),
                        ("Docs cover", ", ".join(contact.docs_topics)),
                        ("Guidance", contact.guidance),
                    ]
                )
            ),
            "Business hours\n"
            + _indent(
                _table(
                    [
                        ("Open", format_business_hours(hours, now)),
                        ("Closed days", closed),
                        ("Public holidays", public),
                    ]
                )
            ),
            "Severities\n"
            + _indent(_table(severities, headers=("Level", "Meaning", "Business impact", "First response"))),
            "Examples\n" + _indent("\n".join(examples)),
            "After filing\n" + _indent(f"{policy.after_filing.severity_validation}\n{policy.after_filing.updates}"),
        )
    )


def _detail_text(detail: dict[str, object]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in detail.items() if value is not None)


def _table(rows: Sequence[tuple[str, ...]], headers: tuple[str, ...] | None = None) -> str:
    """Left-aligned columns two spaces apart; the last column is not padded, so it may wrap."""
    lines = [headers, *rows] if headers else list(rows)
    widths = [max(len(line[column]) for line in lines) for column in range(len(lines[0]) - 1)]
    return "\n".join(
        "  ".join([cell.ljust(width) for cell, width in zip(line, widths, strict=False)] + [line[-1]]).rstrip()
        for line in lines
    )


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.splitlines())


def _shorten(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_WIDTH else line[: TITLE_WIDTH - 1] + "…"


def _plain(value: object) -> object:
    """JSON-ready values: times in ISO 8601, durations as ISO 8601 periods, sets sorted."""
    if dataclasses.is_dataclass(value):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, frozenset):
        return [_plain(item) for item in sorted(value)]
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _iso_duration(value)
    if isinstance(value, ZoneInfo):
        return value.key
    return value


def _iso_duration(duration: timedelta) -> str:
    minutes = round(duration.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or not hours else "")


def _print_json(value: object) -> int:
    print(json.dumps(value, indent=2, ensure_ascii=False))
    return 0


def _fail(message: str, code: int) -> int:
    print(f"helpdesk: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
