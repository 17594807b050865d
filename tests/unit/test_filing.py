"""What the user reads while filing: the proposal, the summary and the receipt."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from helpdesk import filing
from helpdesk.filing import TITLE_LENGTH, receipt, severity_choices, severity_proposal, summary, title_from
from helpdesk.policy import load_policy
from helpdesk.store import Ticket
from helpdesk.triage import Decision
from helpdesk.wording import format_due

IST = ZoneInfo("Asia/Kolkata")
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
    return Ticket(**fields, reference=reference, filed_at=filed, due_at=due, status="open", updated_at=filed, history=())


def summary_lines(policy, draft):
    return summary(policy, draft).text.splitlines()


# title_from


@pytest.mark.parametrize(
    ("description", "title"),
    [
        ("Chats are not assigned to agents", "Chats are not assigned to agents"),
        ("  Bot down on prod  \n", "Bot down on prod"),
        ("Bot down. Also very slow since 10am.", "Bot down."),
        ("Is the bot down? It stopped at 10am.", "Is the bot down?"),
        ("Nothing works!! Please help", "Nothing works!!"),
        ("Bot down\nsince 10am, all users", "Bot down"),
        ("v1.2 of the flow broke the bot", "v1.2 of the flow broke the bot"),
        ("see https://acme.example/c/1.html now", "see https://acme.example/c/1.html now"),
        ("", "Support request"),
        ("   \n  ", "Support request"),
    ],
)
def test_title_is_the_first_sentence(description, title):
    assert title_from(description) == title


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis():
    description = (
        "The checkout assistant on our website stops replying right after the greeting message "
        "and customers leave"
    )
    title = title_from(description)
    assert title == "The checkout assistant on our website stops replying right after the greeting…"
    assert len(title) <= TITLE_LENGTH + 1
    stem = title[:-1]
    assert description.startswith(stem) and description[len(stem)] == " ", "cut between words"


def test_a_long_title_drops_trailing_punctuation_before_the_ellipsis():
    description = "a, " * 40
    title = title_from(description)
    assert title.endswith("a…") and not title.endswith(",…")


def test_a_title_of_one_endless_word_is_cut_hard():
    title = title_from("x" * 200)
    assert title == "x" * TITLE_LENGTH + "…"


def test_a_title_of_exactly_the_limit_is_kept_whole_and_one_more_is_cut():
    description = ("abcd " * 16)[: TITLE_LENGTH - 1] + "x"
    assert len(description) == TITLE_LENGTH
    assert title_from(description) == description
    assert title_from(description + "y") == description[: description.rindex(" ")] + "…"


# severity_proposal


def test_the_proposal_names_the_level_meaning_target_and_reasons(real_policy):
    decision = Decision("S1", False, ("the description reads like major functionality has stopped working",
                                      "it is in production"))
    text = severity_proposal(real_policy, decision).text
    assert text.startswith("I'd rate this S1 (High): major functionality has stopped working, moderate business impact")
    assert "(because the description reads like major functionality has stopped working; it is in production)" in text
    assert f"First response within 1 hour during business hours ({HOURS})." in text
    assert text.endswith("Does that sound right, or is another level closer?")


def test_the_proposal_of_a_blocker_needs_no_business_hours(real_policy):
    text = severity_proposal(real_policy, Decision("S0", False, ("it is in production and affects all users",))).text
    assert "S0 (Blocker): critical functionality has stopped working, serious business impact" in text
    assert "First response within 1 hour, 24x7." in text
    assert "Monday to Friday" not in text


def test_the_proposal_of_the_lowest_level_reads_no_business_impact(real_policy):
    text = severity_proposal(real_policy, Decision("S3", False, ("you said there is no business impact",))).text
    assert "S3 (Low): an issue with the setup, no business impact" in text


@pytest.mark.parametrize("level", ["S0", "S1", "S2", "S3"])
def test_the_proposal_offers_yes_and_the_three_other_levels(real_policy, level):
    buttons = severity_proposal(real_policy, Decision(level, False, ("a reason",))).buttons
    assert (buttons[0].title, buttons[0].payload) == (f"Yes, {level} is right", "/affirm")
    others = [s for s in real_policy.severities.values() if s.level != level]
    assert [button.title for button in buttons[1:]] == [
        f"{s.label}: {s.meaning[0].lower()}{s.meaning[1:]}" for s in others
    ]
    for button, severity in zip(buttons[1:], others):
        assert button.payload == f'/inform{{"severity": "{severity.level}"}}'
        intent, entities = button.payload[1:].split("{", 1)
        assert intent == "inform" and json.loads("{" + entities) == {"severity": severity.level}


def test_severity_choices_list_every_level(real_policy):
    reply = severity_choices(real_policy)
    assert reply.text == "Please pick the level that fits best:"
    assert [button.payload for button in reply.buttons] == [
        f'/inform{{"severity": "{level}"}}' for level in ("S0", "S1", "S2", "S3")
    ]
    assert reply.buttons[3].title == "S3 (Low): an issue with the setup"


# summary


def test_summary_lists_the_details_in_order(real_policy, make_draft):
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
        "• Severity: S0 (Blocker), first response within 1 hour, 24x7",
        "Shall I file it?",
    ]


def test_summary_marks_a_level_the_user_chose(real_policy, make_draft):
    draft = make_draft(final_severity="S2", assessed_severity="S0", severity_set_by_user=True)
    assert summary_lines(real_policy, draft)[-2] == (
        "• Severity: S2 (Medium) (your choice), first response within 4 hours during business hours"
    )


def test_summary_does_not_mark_the_proposed_level(real_policy, make_draft):
    assert "(your choice)" not in summary(real_policy, make_draft(severity_set_by_user=False)).text


def test_summary_skips_unknown_details_and_says_when_there_are_no_links(real_policy, make_draft):
    lines = summary_lines(real_policy, make_draft(since=None, bot_or_area=None, links=()))
    assert "• Links: none" in lines
    assert not any(line.startswith(("• Since", "• Bot or area")) for line in lines)


def test_summary_joins_several_links(real_policy, make_draft):
    draft = make_draft(links=("https://a.example/1", "conversation id 77"))
    assert "• Links: https://a.example/1, conversation id 77" in summary_lines(real_policy, draft)


def test_summary_offers_to_file_change_or_cancel(real_policy, make_draft):
    buttons = summary(real_policy, make_draft()).buttons
    assert [(b.title, b.payload) for b in buttons] == [
        ("Yes, file it", "/affirm"), ("Change something", "/change_details"), ("Cancel", "/cancel"),
    ]


def test_summary_puts_a_multi_line_description_on_one_line(real_policy, make_draft):
    draft = make_draft(description="Bot down.\n\nSteps:\n  1. open chat\n  2. say hi")
    assert "• Problem: Bot down. Steps: 1. open chat 2. say hi" in summary_lines(real_policy, draft)


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


def test_receipt_uses_the_policys_email(policy_file, make_draft):
    policy = load_policy(policy_file(lambda data: data["contact"].update(email="help@acme.example")))
    assert receipt(policy, ticket_from(make_draft())).text.endswith("if you write to help@acme.example.")


# long and unusual descriptions


def long_description(size=20_000):
    words = "the checkout bot stops replying after the greeting and customers leave without paying "
    return (words * (size // len(words) + 1))[:size]


def test_a_20_kb_description_gets_a_short_title_and_a_shortened_summary(real_policy, make_draft):
    description = long_description()
    assert len(description) == 20_000

    title = title_from(description)
    assert title.endswith("…") and len(title) <= TITLE_LENGTH + 1
    assert description.startswith(title[:-1])

    problem = summary_lines(real_policy, make_draft(description=description))[1]
    shown = problem.removeprefix("• Problem: ")
    assert shown.endswith("…") and len(shown) <= 301
    assert description.startswith(shown[:-1])
    assert len(summary(real_policy, make_draft(description=description)).text) < 1_000


def test_a_20_kb_description_without_spaces_is_cut_hard(real_policy, make_draft):
    description = "x" * 20_000
    assert title_from(description) == "x" * TITLE_LENGTH + "…"
    assert summary_lines(real_policy, make_draft(description=description))[1] == "• Problem: " + "x" * 300 + "…"


@pytest.mark.parametrize("text", UNUSUAL_TEXTS)
def test_html_rtl_and_emoji_pass_through_unchanged(real_policy, make_draft, text):
    assert title_from(text) == text
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
        "description", "bot_or_area", "environment", "since", "impact", "requester_email", "links",
    ]
