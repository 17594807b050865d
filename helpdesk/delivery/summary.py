"""A ticket event as a person reads it: the email's subject and body, Zendesk's first comment.

Built from the outbox message alone, with the policy for level names and the support
team's timezone, so it reads the same as the bot's own receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from helpdesk.policy import Policy
from helpdesk.wording import format_due, level_label


def subject(message: Mapping[str, Any], policy: Policy) -> str:
    """Like "[HLP-0007] S1 (High), due Wed 25 Nov, 15:55 IST: Chats are not assigned".

    Later events say what happened first: "[HLP-0007] Status now resolved · S1 (High), ...".
    One line whatever the title holds, as a header must be.
    """
    ticket, detail = message["ticket"], message["detail"]
    what = {
        "comment_added": "New comment · ",
        "severity_changed": f"Severity {detail.get('from')} → {detail.get('to')} · ",
        "status_changed": f"Status now {detail.get('to')} · ",
        "first_response": "Responded · ",
        "sla_at_risk": "First response due soon · ",
        "sla_breached": "First response OVERDUE · ",
        "satisfaction_rated": f"Rated {detail.get('rating')}/5 · ",
        "handoff_requested": "A person is asked for · ",
    }.get(message["event"], "")
    text = f"[{ticket['reference']}] {what}{level_label(ticket['severity'], policy)}, due {_due(ticket, policy)}: {ticket['title']}"
    return " ".join(text.split())


def body(message: Mapping[str, Any], policy: Policy) -> str:
    ticket = message["ticket"]
    requester = ticket["requester"]
    who = " ".join(part for part in (requester["name"], f"<{requester['email']}>") if part)
    severity = level_label(ticket["severity"], policy)
    if ticket["assessed_severity"] and ticket["assessed_severity"] != ticket["severity"]:
        severity += f", assessed {ticket['assessed_severity']}"
    if ticket["severity_set_by_user"]:
        severity += ", chosen by the requester"
    facts = [
        ("Severity", severity),
        ("First response due", _due(ticket, policy)),
        ("Status", ticket["status"]),
        ("Requester", who + (f", account {requester['account']}" if requester["account"] else "")),
        ("Bot or area", ticket["bot_or_area"]),
        ("Environment", ticket["environment"]),
        ("Since", ticket["since"]),
        ("Impact", ticket["impact"]),
        ("Links", ", ".join(ticket["links"])),
        ("Filed", _moment(ticket["filed_at"], policy)),
        ("Conversation", ticket["conversation_id"]),
    ]
    lines = [f"{ticket['reference']}: {_headline(message, policy)}", ""]
    lines += [f"{name}: {value}" for name, value in facts if value]
    lines += ["", "Problem:", ticket["description"]]
    return "\n".join(lines) + "\n"


def _headline(message: Mapping[str, Any], policy: Policy) -> str:
    detail, by = message["detail"], message["author"]
    event = message["event"]
    if event == "created":
        return f"new ticket: {message['ticket']['title']}"
    if event == "comment_added":
        return f"comment by {by}: {detail['text']}"
    if event == "severity_changed":
        reason = f" ({detail['reason']})" if detail.get("reason") else ""
        return f"severity changed from {detail['from']} to {detail['to']} by {by}{reason}"
    if event == "status_changed":
        note = f" ({detail['note']})" if detail.get("note") else ""
        return f"status changed from {detail['from']} to {detail['to']} by {by}{note}"
    if event == "first_response":
        kept = "within" if detail.get("met") else "after"
        note = f": {detail['note']}" if detail.get("note") else ""
        return f"first response by {by}, {kept} the response time{note}"
    if event in ("sla_at_risk", "sla_breached"):
        due = _moment(detail["due_at"], policy)
        return f"no first response yet, due {due}" if event == "sla_at_risk" else f"first response overdue since {due}"
    if event == "satisfaction_rated":
        said = f": {detail['comment']}" if detail.get("comment") else ""
        return f"{by} rated support {detail['rating']}/5{said}"
    if event == "handoff_requested":
        return f"{by} asks for a person to take over; the conversation:\n{detail['transcript']}"
    return f"{event} by {by}"


def _due(ticket: Mapping[str, Any], policy: Policy) -> str:
    return _moment(ticket["due_at"], policy)


def _moment(iso: str, policy: Policy) -> str:
    return format_due(datetime.fromisoformat(iso), policy.business_hours.timezone)
