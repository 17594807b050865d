"""Answers about support, on the real policy and on edited copies of it.

The real policy: support@haptik.ai, docs at https://docs.haptik.ai/, Monday to Friday
09:00-18:00 Asia/Kolkata, S0 within 1 hour 24x7, S1 1 hour and S2/S3 4 hours in business
hours. 25 Nov 2026 is a Wednesday; 28 Nov a Saturday; 30 Nov a Monday.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from helpdesk import answers
from helpdesk.answers import FILE_TICKET, MENU, Reply
from helpdesk.policy import load_policy
from helpdesk.sla import due_at
from helpdesk.wording import format_due

IST = ZoneInfo("Asia/Kolkata")
HOURS = "Monday to Friday, 09:00–18:00 IST (Asia/Kolkata)"
WEDNESDAY = datetime(2026, 11, 25, 11, 0, tzinfo=IST)
VALIDATION = "Support validates the severity once the ticket with all its details reaches them"


def ist(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


def payloads(reply: Reply) -> list[str]:
    return [button.payload for button in reply.buttons]


def test_help_menu_offers_the_main_topics():
    reply = answers.help_menu()
    assert "file a support ticket" in reply.text
    assert payloads(reply) == ["/file_ticket", "/ask_response_times_all", "/my_tickets", "/ask_contact", "/ask_docs"]


def test_response_time_of_a_blocker_runs_around_the_clock(real_policy):
    text = answers.response_time(real_policy, "S0", WEDNESDAY).text
    assert text.startswith("S0 (Blocker) is for when critical functionality has stopped working")
    assert "(serious business impact)" in text
    assert "within 1 hour, 24x7" in text
    assert "around the clock, weekends included" in text
    assert "business hours" not in text


@pytest.mark.parametrize(
    ("level", "label", "target", "impact"),
    [
        ("S1", "S1 (High)", "within 1 hour during business hours", "moderate business impact"),
        ("s2", "S2 (Medium)", "within 4 hours during business hours", "limited business impact"),
        ("S3", "S3 (Low)", "within 4 hours during business hours", "no business impact"),
    ],
)
def test_response_time_of_business_hours_levels_names_the_hours(real_policy, level, label, target, impact):
    reply = answers.response_time(real_policy, level, WEDNESDAY)
    assert reply.text.startswith(label)
    assert target in reply.text
    assert impact in reply.text
    assert HOURS in reply.text
    assert "24x7" not in reply.text
    assert payloads(reply) == ["/ask_response_times_all", "/file_ticket"]


def test_response_time_of_an_unknown_level_is_refused(real_policy):
    with pytest.raises(ValueError, match="S7"):
        answers.response_time(real_policy, "S7", WEDNESDAY)


def test_response_times_lists_every_level_once_in_order(real_policy):
    lines = answers.response_times(real_policy, WEDNESDAY).text.splitlines()
    assert lines == [
        "First-response times by severity:",
        "• S0 (Blocker): within 1 hour, 24x7",
        "• S1 (High): within 1 hour during business hours",
        "• S2 (Medium): within 4 hours during business hours",
        "• S3 (Low): within 4 hours during business hours",
        f"Business hours are {HOURS}.",
    ]


def test_severity_levels_explain_each_level_with_the_policys_examples(real_policy):
    text = answers.severity_levels(real_policy).text
    assert text.startswith("Severity levels:\n")
    for severity in real_policy.severities.values():
        assert f"• {severity.label}: " in text
        for example in severity.examples:
            assert example in text
    assert "the bot's response is delayed by 20 seconds" in text
    assert "• S3 (Low): an issue with the setup, no business impact" in text
    assert "none business impact" not in text
    assert text.rstrip().endswith(real_policy.after_filing.severity_validation)


def test_severity_levels_of_one_level_describes_only_that_level(real_policy):
    text = answers.severity_levels(real_policy, "S1").text
    assert text.startswith("• S1 (High): major functionality has stopped working, moderate business impact")
    assert "an analytics report does not download" in text
    assert "S0" not in text and "S2" not in text and "Severity levels:" not in text
    assert VALIDATION in text


def test_severity_of_a_problem_offers_to_file_it(real_policy):
    reply = answers.severity_of_problem(real_policy, "S1")
    assert reply.text.startswith("From your description, that sounds like S1 (High): major functionality")
    assert "First response within 1 hour during business hours." in reply.text
    assert VALIDATION in reply.text
    assert reply.text.endswith("Shall I file a ticket for it?")
    assert reply.buttons[0] == FILE_TICKET


def test_severity_of_a_problem_without_a_reading_explains_all_levels(real_policy):
    assert answers.severity_of_problem(real_policy, None) == answers.severity_levels(real_policy)


def test_business_hours_name_the_hours_and_the_24x7_level(real_policy):
    text = answers.business_hours(real_policy, WEDNESDAY).text
    assert text == (
        f"Support's business hours are {HOURS}. S0 (Blocker) issues are worked 24x7, outside those hours too."
    )


def test_business_hours_mention_holidays_and_every_24x7_level(policy_file):
    def edit(data):
        data["business_hours"]["holidays"] = [date(2026, 12, 25)]
        data["severities"]["S1"]["clock"] = "24x7"

    text = answers.business_hours(load_policy(policy_file(edit)), WEDNESDAY).text
    assert "S0 (Blocker) and S1 (High) issues are worked 24x7" in text
    assert text.endswith("Support is closed on holidays.")


def test_open_on_a_weekday_morning_says_until_when(real_policy):
    reply = answers.open_now(real_policy, ist(11, 25, 10))
    assert reply.text == "Yes, support is open right now, until Wed 25 Nov, 18:00 IST."
    assert payloads(reply) == ["/file_ticket", "/ask_response_times_all"]


def test_open_now_reads_the_moment_in_the_policys_timezone(real_policy):
    # 23:00 on Wednesday in New York is 09:30 on Thursday in Kolkata.
    moment = datetime(2026, 11, 25, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    assert answers.open_now(real_policy, moment).text == "Yes, support is open right now, until Thu 26 Nov, 18:00 IST."
    utc_moment = datetime(2026, 11, 25, 5, 0, tzinfo=timezone.utc)  # 10:30 IST
    assert "until Wed 25 Nov, 18:00 IST" in answers.open_now(real_policy, utc_moment).text


def test_closed_on_saturday_names_monday_opening_and_the_24x7_level(real_policy):
    text = answers.open_now(real_policy, ist(11, 28, 11)).text
    assert text.startswith("Support is closed right now.")
    assert "It opens again Mon 30 Nov, 09:00 IST." in text
    assert "S0 (Blocker) issues are worked 24x7" in text


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        (ist(11, 25, 7, 30), "Wed 25 Nov, 09:00 IST"),
        (ist(11, 25, 18, 0), "Thu 26 Nov, 09:00 IST"),
        (ist(11, 27, 20, 0), "Mon 30 Nov, 09:00 IST"),
    ],
)
def test_closed_outside_hours_names_the_next_opening(real_policy, moment, opening):
    assert f"It opens again {opening}." in answers.open_now(real_policy, moment).text


def test_closed_on_a_holiday(policy_file):
    policy = load_policy(policy_file(lambda data: data["business_hours"].update(holidays=["2026-11-25"])))
    assert "It opens again Thu 26 Nov, 09:00 IST." in answers.open_now(policy, ist(11, 25, 10)).text


@pytest.mark.parametrize("filed", [ist(11, 25, 16), ist(11, 27, 17), ist(11, 28, 11), ist(11, 25, 8)])
def test_when_reply_due_times_match_the_clock(real_policy, filed):
    text = answers.when_reply(real_policy, filed).text
    for severity in real_policy.severities.values():
        due = format_due(due_at(severity.level, filed, real_policy), IST)
        assert f"• {severity.label}: by {due}" in text
    assert text.startswith("If you file a ticket now, the first response is due:")
    assert VALIDATION in text


def test_when_reply_late_on_a_wednesday_afternoon(real_policy):
    lines = answers.when_reply(real_policy, ist(11, 25, 16)).text.splitlines()
    assert lines[1:5] == [
        "• S0 (Blocker): by Wed 25 Nov, 17:00 IST",
        "• S1 (High): by Wed 25 Nov, 17:00 IST",
        "• S2 (Medium): by Thu 26 Nov, 11:00 IST",
        "• S3 (Low): by Thu 26 Nov, 11:00 IST",
    ]


def test_when_reply_on_a_saturday_counts_business_levels_from_monday(real_policy):
    text = answers.when_reply(real_policy, ist(11, 28, 11)).text
    assert "• S0 (Blocker): by Sat 28 Nov, 12:00 IST" in text
    assert "• S1 (High): by Mon 30 Nov, 10:00 IST" in text
    assert "• S3 (Low): by Mon 30 Nov, 13:00 IST" in text


def test_contact_gives_the_email_and_the_help_section(real_policy):
    text = answers.contact(real_policy).text
    assert "support@haptik.ai" in text
    assert "https://docs.haptik.ai/other/supportbot" in text
    assert "file a ticket right here" in text


def test_after_filing_sets_expectations_from_the_policy(real_policy):
    text = answers.after_filing(real_policy).text
    assert text.startswith(f"{real_policy.after_filing.severity_validation} {real_policy.after_filing.updates}")
    assert "tell me its reference and the right level" in text
    assert "validates the severity" in text and "updated" in text


def test_docs_give_the_address_topics_and_search_box(real_policy):
    text = answers.docs(real_policy).text
    assert "The documentation is at https://docs.haptik.ai/" in text
    assert "guides on product usage, technical troubleshooting and platform how-tos." in text
    assert "search box at the top" in text


def test_docs_without_search_or_with_one_topic(policy_file):
    def edit(data):
        data["contact"].update(docs_has_search=False, docs_topics=["billing"], docs_url="https://help.example.com/")

    text = answers.docs(load_policy(policy_file(edit))).text
    assert text == "The documentation is at https://help.example.com/: guides on billing."


@pytest.mark.parametrize("answer", [answers.out_of_scope, answers.fallback])
def test_dead_ends_point_to_support_and_the_menu(real_policy, answer):
    reply = answer(real_policy)
    assert "support@haptik.ai" in reply.text
    assert reply.buttons == MENU


def test_topic_titles_read_as_button_labels():
    assert answers.TOPIC_TITLES["ask_open_now"] == "Is support open now?"
    assert all(title and title[0].isupper() and "_" not in title for title in answers.TOPIC_TITLES.values())


def test_answers_change_when_the_policy_file_changes(tmp_path, real_policy_file, real_policy):
    """Answers come from the policy file: edit a copy and the answers follow, no code involved."""
    text = real_policy_file.read_text(encoding="utf-8")
    s1_block = text.index("  S1:")
    s1_hours = text.index("first_response_hours: 1", s1_block)
    edited = (text[:s1_hours] + "first_response_hours: 2" + text[s1_hours + len("first_response_hours: 1") :]).replace(
        "email: support@haptik.ai", "email: help@acme.example"
    )
    copy = tmp_path / "support-policy.yml"
    copy.write_text(edited, encoding="utf-8")
    policy = load_policy(copy)

    assert "within 2 hours during business hours" in answers.response_time(policy, "S1", WEDNESDAY).text
    assert "within 1 hour during business hours" in answers.response_time(real_policy, "S1", WEDNESDAY).text
    times = answers.response_times(policy, WEDNESDAY).text
    assert "• S1 (High): within 2 hours during business hours" in times
    assert "• S0 (Blocker): within 1 hour, 24x7" in times, "only S1 was edited"
    contact = answers.contact(policy).text
    assert "help@acme.example" in contact and "support@haptik.ai" not in contact
    assert "help@acme.example" in answers.out_of_scope(policy).text
    assert "• S1 (High): by Wed 25 Nov, 12:00 IST" in answers.when_reply(policy, ist(11, 25, 10)).text


def test_a_comparison_explains_each_level_named(real_policy):
    text = answers.severity_levels(real_policy, "S0", "S3").text
    assert "S0 (Blocker): critical functionality" in text and "S3 (Low): an issue with the setup" in text
    assert "S1 (High)" not in text


def test_response_times_of_two_levels_give_each_rule(real_policy):
    text = answers.response_times_for(real_policy, ["S1", "S2"], WEDNESDAY).text
    assert (
        "S1 (High): major functionality has stopped working; first response within 1 hour during business hours" in text
    )
    assert (
        "S2 (Medium): minor functionality has stopped working; first response within 4 hours during business hours"
        in text
    )


def test_a_comparison_of_levels_with_one_target_says_they_share_it(real_policy):
    shared = "S2 (Medium) and S3 (Low) have the same first-response target: within 4 hours during business hours"
    assert shared in answers.response_times_for(real_policy, ["S2", "S3"], WEDNESDAY).text
    assert shared in answers.severity_levels(real_policy, "S2", "S3").text
    assert "same first-response target" not in answers.response_times_for(real_policy, ["S0", "S1"], WEDNESDAY).text
    assert "same first-response target" not in answers.severity_levels(real_policy).text


def test_would_it_be_a_blocker_gives_the_level_why_and_due_time(real_policy):
    reply = answers.severity_of_problem(real_policy, "S1", ("export",), asked_about="S0", now=ist(11, 25, 10))
    assert reply.text.startswith("From your description, that would be S1 (High) rather than S0 (Blocker)")
    assert 'because it mentions "export"' in reply.text
    assert (
        "First response within 1 hour during business hours: filed now, that is by Wed 25 Nov, 11:00 IST." in reply.text
    )
    assert reply.text.endswith("Shall I file a ticket for it?")


def test_when_reply_for_one_level_gives_its_rule_and_one_due_time(real_policy):
    text = answers.when_reply(real_policy, ist(11, 27, 20), "S2").text
    assert text.startswith("S2 (Medium): first response within 4 hours during business hours")
    assert text.count(" by ") == 1 and "Filed now, that is by Mon 30 Nov, 13:00 IST." in text


def test_first_response_is_not_resolution(real_policy):
    text = answers.first_response_and_resolution(real_policy).text
    assert text.startswith("The times are for the first response from support, not for the fix")
    assert real_policy.after_filing.severity_validation in text


def test_contact_names_who_helps_with_onboarding(real_policy):
    assert real_policy.contact.guidance in answers.contact(real_policy).text
    assert "Customer Success Team" in real_policy.contact.guidance


def test_a_how_to_question_gets_the_docs_and_the_offer_to_file(real_policy):
    reply = answers.how_to(real_policy)
    assert real_policy.contact.docs_url in reply.text and "I can file a ticket" in reply.text
    assert reply.buttons[0] == answers.FILE_TICKET
