"""What the user reads while filing: the one summary to confirm, the prompts behind its
buttons, and the receipt."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from helpdesk import filing
from helpdesk.filing import details_prompt, receipt, severity_choices, summary
from helpdesk.policy import load_policy
from helpdesk.tickets import Ticket
from helpdesk.triage import Decision
from helpdesk.wording import format_due

IST = ZoneInfo("Asia/Kolkata")
DUE = datetime(2026, 11, 25, 11, 30, tzinfo=timezone.utc)
BLOCKER = Decision("S0", False, ("it is in production and affects all users",))
HOURS = "Monday to Friday, 09:00–18:00 IST (Asia/Kolkata)"
UNUSUAL_TEXTS = [
    '<script>alert("x")</script> the <b>checkout</b> bot &amp; widget fail',
    "הבוט לא עונה ללקוחות",
    "البوت لا يرد على العملاء \u200f(since 10am)",
    "bot replies 😡😡 and the 👩\u200d💻 team is stuck 🇮🇳",
    "mixed: English ثم عربي then עברית",
]


def ticket_from(draft, reference="HLP-42", due=datetime(2026, 11, 25, 11, 30, tzinfo=timezone.utc)):
    filed = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
    fields = {field.name: getattr(draft, field.name) for field in dataclasses.fields(draft)}
    return Ticket(
        **fields, reference=reference, filed_at=filed, due_at=due, status="open", updated_at=filed, history=()
    )


def summary_lines(policy, draft, decision=BLOCKER, due=DUE):
    return summary(policy, draft, decision, due).text.splitlines()


def test_severity_choices_list_every_level(real_policy):
    reply = severity_choices(real_policy)
    assert reply.text == "Please pick the level that fits best:"
    assert [button.payload for button in reply.buttons] == [
        f'/inform{{"severity": "{level}"}}' for level in ("S0", "S1", "S2", "S3")
    ]
    assert reply.buttons[3].title == "S3 (Low): an issue with the setup"


# summary


def test_summary_lists_the_details_the_level_its_reasons_target_and_due_time(real_policy, make_draft):
    lines = summary_lines(real_policy, make_draft())
    assert lines == [
        "Here's your ticket:",
        "• Problem: Since 10:00 no chat reaches an agent.",
        "• Bot or area: retail-bot",
        "• Environment: production",
        "• Since: this morning",
        "• Impact: all customers",
        "• Contact: priya@example.com",
        "• Links: https://example.com/chat/1",
        "• Severity: S0 (Blocker): critical functionality has stopped working, serious business impact "
        "(because it is in production and affects all users)",
        "• First response within 1 hour, 24x7, so by Wed 25 Nov, 17:00 IST",
        "Shall I file it?",
    ]


def test_summary_of_a_business_hours_level_says_the_hours(real_policy, make_draft):
    decision = Decision("S2", False, ("the description reads like minor functionality has stopped working",))
    due = datetime(2026, 11, 30, 4, 30, tzinfo=timezone.utc)
    lines = summary_lines(real_policy, make_draft(final_severity="S2"), decision, due)
    assert lines[-3].startswith(
        "• Severity: S2 (Medium): minor functionality has stopped working, limited business impact"
    )
    assert lines[-2] == f"• First response within 4 hours during business hours ({HOURS}), so by Mon 30 Nov, 10:00 IST"


def test_summary_gives_the_users_own_level_as_the_reason(real_policy, make_draft):
    decision = Decision("S3", True, ("you set it to S3 (Low) yourself",))
    line = summary_lines(real_policy, make_draft(final_severity="S3", severity_set_by_user=True), decision)[-3]
    assert (
        line
        == "• Severity: S3 (Low): an issue with the setup, no business impact (because you set it to S3 (Low) yourself)"
    )


def test_summary_invites_the_optional_details_not_given(real_policy, make_draft):
    lines = summary_lines(real_policy, make_draft(since=None, bot_or_area=None, links=()))
    assert not any(line.startswith(("• Since", "• Bot or area", "• Links")) for line in lines)
    assert (
        lines[-2]
        == "If you know which bot or area, since when and links or conversation ids, type them here; it's fine to file without."
    )
    one = summary_lines(real_policy, make_draft(links=()))
    assert one[-2] == "If you know links or conversation ids, type it here; it's fine to file without."


def test_summary_joins_several_links(real_policy, make_draft):
    draft = make_draft(links=("https://a.example/1", "conversation id 77"))
    assert "• Links: https://a.example/1, conversation id 77" in summary_lines(real_policy, draft)


def test_summary_offers_file_change_severity_add_details_and_cancel(real_policy, make_draft):
    buttons = summary(real_policy, make_draft(), BLOCKER, DUE).buttons
    assert [(b.title, b.payload) for b in buttons] == [
        ("File it", "/affirm"),
        ("Change severity", '/change_details{"detail": "severity"}'),
        ("Add details", "/add_details"),
        ("Cancel", "/cancel"),
    ]


def test_summary_puts_a_multi_line_description_on_one_line(real_policy, make_draft):
    draft = make_draft(description="Bot down.\n\nSteps:\n  1. open chat\n  2. say hi")
    assert "• Problem: Bot down. Steps: 1. open chat 2. say hi" in summary_lines(real_policy, draft)


def test_the_details_prompt_is_one_open_question_naming_what_is_missing(make_draft):
    reply = details_prompt(make_draft(since=None, links=()))
    assert (
        reply.text
        == "What would you like to add or correct (for example since when and links or conversation ids)? Put it all in one message."
    )
    assert [(b.title, b.payload) for b in reply.buttons] == [("Nothing to add", "/deny")]
    assert details_prompt(make_draft()).text == "What would you like to add or correct? Put it all in one message."


# receipt


def test_receipt_gives_reference_due_time_next_steps_and_contact(real_policy, make_draft):
    ticket = ticket_from(make_draft())
    text = receipt(real_policy, ticket).text
    assert text.startswith("Your ticket HLP-42 is filed as S0 (Blocker).")
    assert "First response within 1 hour, 24x7" in text
    assert f"by {format_due(ticket.due_at, IST)}." in text
    assert "by Wed 25 Nov, 17:00 IST." in text
    assert real_policy.after_filing.severity_validation in text
    assert real_policy.after_filing.updates in text
    assert "Updates go to priya@example.com" in text
    assert text.endswith("quote HLP-42 if you write to support@haptik.ai.")


def test_receipt_follows_the_tickets_level_and_due_time(real_policy, make_draft):
    due = datetime(2026, 11, 30, 4, 30, tzinfo=timezone.utc)  # Monday 10:00 IST
    ticket = ticket_from(make_draft(final_severity="S2"), reference="SUP-7", due=due)
    text = receipt(real_policy, ticket).text
    assert "SUP-7 is filed as S2 (Medium). First response within 4 hours during business hours" in text
    assert "by Mon 30 Nov, 10:00 IST." in text


def test_receipt_without_an_email_says_how_to_follow_up(real_policy, make_draft):
    ticket = ticket_from(make_draft(requester=dataclasses.replace(make_draft().requester, email="")))
    text = receipt(real_policy, ticket).text
    assert "Updates go to" not in text
    assert text.endswith(
        "I have no email address for you, so please write to support@haptik.ai quoting HLP-42 for updates."
    )


def test_receipt_uses_the_policys_email(policy_file, make_draft):
    policy = load_policy(policy_file(lambda data: data["contact"].update(email="help@acme.example")))
    assert receipt(policy, ticket_from(make_draft())).text.endswith("if you write to help@acme.example.")


# long and unusual descriptions


def long_description(size=20_000):
    words = "the checkout bot stops replying after the greeting and customers leave without paying "
    return (words * (size // len(words) + 1))[:size]


def test_a_20_kb_description_gets_a_shortened_summary(real_policy, make_draft):
    description = long_description()
    assert len(description) == 20_000

    problem = summary_lines(real_policy, make_draft(description=description))[1]
    shown = problem.removeprefix("• Problem: ")
    assert shown.endswith("…") and len(shown) <= 301
    assert description.startswith(shown[:-1])
    assert len(summary(real_policy, make_draft(description=description), BLOCKER, DUE).text) < 1_200


def test_a_20_kb_description_without_spaces_is_cut_hard(real_policy, make_draft):
    description = "x" * 20_000
    assert summary_lines(real_policy, make_draft(description=description))[1] == "• Problem: " + "x" * 300 + "…"


@pytest.mark.parametrize("text", UNUSUAL_TEXTS)
def test_html_rtl_and_emoji_pass_through_unchanged(real_policy, make_draft, text):
    draft = make_draft(description=text, bot_or_area=text, impact=text)
    lines = summary_lines(real_policy, draft)
    assert f"• Problem: {text}" in lines
    assert f"• Bot or area: {text}" in lines
    assert f"• Impact: {text}" in lines


def test_long_unusual_text_is_only_shortened(real_policy, make_draft):
    text = " ".join(UNUSUAL_TEXTS) * 20
    shown = summary_lines(real_policy, make_draft(description=text))[1].removeprefix("• Problem: ")
    assert shown.endswith("…")
    assert " ".join(text.split()).startswith(shown[:-1])
    assert "<script>" in shown and "😡" in shown and "הבוט" in shown


def test_detail_labels_cover_what_the_summary_shows():
    assert list(filing.DETAIL_LABELS) == [
        "description",
        "bot_or_area",
        "environment",
        "since",
        "impact",
        "requester_email",
        "links",
    ]
