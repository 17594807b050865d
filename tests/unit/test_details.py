"""Ticket details read from what people actually type, and left alone when they don't say.

A detail read wrongly is worse than one not read: the form skips the question, and a
wrong "production, all users" raises the severity. So most cases below come in pairs:
a phrasing that must be read, and a near miss that must not.
"""

from __future__ import annotations

import time

import pytest

from helpdesk.details import (
    Details,
    bot_or_area,
    email,
    environment,
    impact,
    impact_scope,
    links,
    read_details,
    says_nothing,
    since,
)


def test_a_full_problem_report_answers_several_questions_at_once():
    found = read_details("our bot takes 25 seconds to answer customers on the live site since 10am, all users affected")
    assert found.environment == "production"
    assert found.since == "since 10am"
    assert found.impact == "all users"
    assert impact_scope(found.impact) == "all"
    assert found.email is None
    assert found.links is None


def test_a_staging_report_with_only_testers_has_no_business_impact():
    found = read_details("on staging since yesterday, only testers")
    assert (found.environment, found.since) == ("staging", "since yesterday")
    assert impact_scope(found.impact) == "none"


@pytest.mark.parametrize(
    "text",
    [
        "the bot is slow",
        "Hi, I have a question",
        "the bot is not replying properly",
        "I went to the stage yesterday",
        "I live in Mumbai",
        "the go-live is next week",
        "may I ask something?",
        "",
    ],
)
def test_plain_sentences_say_nothing_about_the_details(text):
    assert read_details(text) == Details()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's down on production", "production"),
        ("our prod bot stopped", "production"),
        ("bot responses lagging a lot on live, 20 sec+ each time", "production"),
        ("the live bot is sending empty messages", "production"),
        ("We went live last week and now it fails", "production"),
        ("live", "production"),
        ("Production", "production"),
        ("on staging", "staging"),
        ("in our UAT environment", "staging"),
        ("only in the sandbox", "staging"),
        ("the test bot doesn't give logs", "staging"),
        ("our dev environment", "staging"),
        ("stage", "staging"),
        ("live chat is broken on staging", "staging"),
    ],
)
def test_environment_is_read_from_how_people_name_it(text, expected):
    assert environment(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "live chat isn't working",
        "the transfer to a live agent takes too long",
        "at this stage nothing is clear",
        "it works on staging but not on production",
        "not sure",
        "Is it live yet?",
    ],
)
def test_environment_is_not_guessed_from_lookalikes_or_contradictions(text):
    assert environment(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chats are not being assigned to agents for the last 2 days", "for the last 2 days"),
        ("analytics report stopped downloading after the last release", "after the last release"),
        ("It broke after the latest deployment on prod", "after the latest deployment"),
        ("In production since 9:30 this morning, every customer sees an error", "since 9:30 this morning"),
        ("since this morning the sales bot doesn't reply", "since this morning"),
        ("happening since Monday", "since Monday"),
        ("since 3 pm", "since 3 pm"),
        ("since 10am today", "since 10am today"),
        ("since last Friday", "since last Friday"),
        ("started yesterday evening", "started yesterday evening"),
        ("since 12th March", "since 12th March"),
        ("since 2026-11-20", "since 2026-11-20"),
        ("for 3 hours now", "for 3 hours"),
        ("for the past week", "for the past week"),
        ("for a couple of days", "for a couple of days"),
        ("analytics dashboard numbers are not updating since 2 days", "since 2 days"),
        ("no replies since last 2 hours", "since last 2 hours"),
        ("from the last 2 days", "from the last 2 days"),
        ("our webhook events stopped since the update", "since the update"),
        ("the bot has stopped replying from 3pm onwards", "from 3pm"),
    ],
)
def test_since_keeps_the_users_own_phrase(text, expected):
    assert since(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the bot takes 25 seconds to answer",
        "the report for last month does not download",
        "the analytics section shows no data for last week",
        "since I came back from lunch",
        "since",
        "in May the bot will launch",
    ],
)
def test_since_is_not_read_from_other_times(text):
    assert since(text) is None


@pytest.mark.parametrize(
    ("text", "phrase", "scope"),
    [
        ("all users affected", "all users", "all"),
        ("all our customers are affected", "all our customers", "all"),
        ("all of our customers", "all of our customers", "all"),
        ("every single user sees an error", "every single user", "all"),
        ("It affects everyone", "everyone", "all"),
        ("nobody can talk to the bot right now", "nobody can", "all"),
        ("no one on whatsapp is getting any response", "no one on whatsapp is getting", "all"),
        ("the bot is completely down", "completely down", "all"),
        ("100% of traffic", "100%", "all"),
        ("about 50 users are complaining", "50 users are complaining", "some"),
        ("some customers see errors", "some customers", "some"),
        ("half of our users", "half of our users", "some"),
        ("no business impact, just curious", "no business impact", "none"),
        ("no impact yet", "no impact", "none"),
        ("nobody is affected", "nobody is affected", "none"),
        ("no users are affected", "no users are affected", "none"),
        ("only testers", "only testers", "none"),
        ("it only affects our QA team", "only affects our QA team", "none"),
        ("just internal users", "just internal", "none"),
    ],
)
def test_impact_phrase_and_how_wide_it_is(text, phrase, scope):
    assert impact(text) == phrase
    assert impact_scope(text) == scope
    assert impact_scope(impact(text)) == scope, "the stored phrase must keep its meaning on its own"


@pytest.mark.parametrize(
    ("answer", "scope"),
    [
        ("all", "all"),
        ("All of them", "all"),
        ("everyone", "all"),
        ("nobody", "none"),
        ("none", "none"),
        ("no one yet", "none"),
    ],
)
def test_short_answers_to_who_is_affected(answer, scope):
    assert impact_scope(answer) == scope


@pytest.mark.parametrize("text", ["Our customers can't reach agents", "the bot is slow", "", None])
def test_impact_scope_is_unknown_without_a_quantity(text):
    assert impact_scope(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("our HR bot is broken", "our HR bot"),
        ("the WhatsApp bot isn't replying", "the WhatsApp bot"),
        ("our Acme Sales Assistant is down", "our Acme Sales Assistant"),
        ("the bot builder keeps crashing", "bot builder"),
        ("the analytics report won't download", "analytics"),
        ("I tried the chat with the bot", None),
        ("how do I invite my colleague to the bot builder", "bot builder"),
        ("our bot is slow", None),
        ("the bot is slow", None),
    ],
)
def test_bot_or_area_names_a_bot_or_a_platform_area(text, expected):
    assert bot_or_area(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please contact me at Priya.Sharma+bots@acme-retail.co.in", "Priya.Sharma+bots@acme-retail.co.in"),
        ("mail me: john@example.com.", "john@example.com"),
        ("first a@example.com then b@example.com", "a@example.com"),
        ("john at example dot com", None),
        ("@support please help", None),
        ("user@localhost", None),
    ],
)
def test_email_is_the_first_address(text, expected):
    assert email(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://acme.example.com/chat?id=42. Thanks", "https://acme.example.com/chat?id=42"),
        ("(https://example.com/a)", "https://example.com/a"),
        ("www.acme.com/help", "www.acme.com/help"),
        ("conversation id: 8f3a-22b1 and https://x.example/z", "conversation id: 8f3a-22b1, https://x.example/z"),
        ("convo id #123456", "convo id #123456"),
        ("session id abc123", "session id abc123"),
        ("https://a.example/1, https://b.example/2;", "https://a.example/1, https://b.example/2"),
        ("chat id: abcdef", None),
        ("no link, sorry", None),
    ],
)
def test_links_are_urls_and_conversation_ids_in_order(text, expected):
    assert links(text) == expected


def test_read_details_reads_email_and_links_from_a_description():
    found = read_details("Bot down on prod, see https://acme.example/c/9 or mail ops@acme.example")
    assert found.email == "ops@acme.example"
    assert found.links == "https://acme.example/c/9"
    assert found.environment == "production"


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "No.",
        "  no  ",
        "nope",
        "nah",
        "none",
        "n/a",
        "skip",
        "skip it",
        "nothing",
        "nothing to add",
        "nothing to add.",
        "Nothing else, thanks",
        "no, nothing",
        "No thanks!",
        "not really",
        "no links",
        "that's all",
    ],
)
def test_says_nothing_for_a_refusal(text):
    assert says_nothing(text)


@pytest.mark.parametrize(
    "text",
    [
        "no replies since 10am",
        "no, the link is https://example.com/c/1",
        "none of the chats load",
        "nothing works",
        "skip the greeting step is broken",
        "conversation id 12345",
        "",
    ],
)
def test_says_nothing_is_false_for_an_answer(text):
    assert not says_nothing(text)


def test_a_20_kb_description_is_read_like_a_short_one():
    filler = "the checkout flow shows a spinner and then an empty bubble, customers retry and give up. " * 230
    text = filler[:19_500] + " It is on production since 10am, all users, see https://acme.example/c/9"
    assert len(text) > 19_500
    found = read_details(text)
    assert (found.environment, found.since, found.impact) == ("production", "since 10am", "all users")
    assert found.links == "https://acme.example/c/9"


@pytest.mark.parametrize(
    "text",
    ["a" * 50_000, "1" * 50_000, "https://" + "a" * 50_000, "a." * 25_000],
    ids=["letters", "digits", "url", "dotted"],
)
def test_long_runs_of_one_character_are_read_quickly(text):
    started = time.perf_counter()
    found = read_details(text)
    assert time.perf_counter() - started < 1.0, "quadratic backtracking"
    assert found.email is None


@pytest.mark.parametrize("unit", ["no thanks ", "no thank you ", "no, ", "nothing more "])
def test_a_long_almost_refusal_is_rejected_quickly(unit):
    started = time.perf_counter()
    assert not says_nothing(unit * 40 + "but here is the link")
    assert says_nothing(unit * 40)
    assert time.perf_counter() - started < 1.0, "exponential backtracking"


# corrections and details given in passing at the confirmation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sorry, correction: it's on staging, not production, started today", "staging"),
        ("it is production, not staging", "production"),
        ("staging rather than prod", "staging"),
        ("on uat instead of the live site", "staging"),
        ("it works on staging but not on production", None),
    ],
)
def test_an_environment_set_aside_in_a_correction_does_not_count(text, expected):
    assert environment(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it started 3 days ago, not yesterday", "it started 3 days ago"),
        ("began two hours ago", "began two hours ago"),
        ("a few days ago", "a few days ago"),
        ("sorry, correction: started today", "started today"),
    ],
)
def test_since_reads_how_long_ago_it_started(text, expected):
    assert since(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the bot is called InitechHelpBot, fix that", "InitechHelpBot"),
        ("our bot's name is Acme Sales", "Acme Sales"),
        ('the assistant named "HelpDesk" on the site', "HelpDesk"),
    ],
)
def test_a_bot_named_outright_is_read(text, expected):
    assert bot_or_area(text) == expected


def test_nobody_getting_a_reply_affects_everyone():
    assert impact_scope(impact("the checkout bot is down and no customer gets a reply")) == "all"
    assert impact_scope(impact("no customers are affected")) == "none"
