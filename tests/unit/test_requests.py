"""Follow-up requests read from one message (helpdesk/requests.py)."""

from __future__ import annotations

import pytest

from helpdesk.requests import Interruption, details_given, interruption, read_requests, reason_given


def asked(text: str, intent: str) -> list[tuple[str, list[str]]]:
    return [(r.intent, [m.reference for m in r.mentions]) for r in read_requests(text, intent, "HLP-")]


def test_one_request_about_two_tickets_stays_one_request():
    assert asked("status of HLP-0129 and also HLP-0121", "ticket_status") == [
        ("ticket_status", ["HLP-0129", "HLP-0121"])
    ]
    assert asked("what about 0121 and 0122?", "ticket_status") == [("ticket_status", ["HLP-0121", "HLP-0122"])]


def test_two_different_requests_are_two():
    assert asked("close HLP-0135 and raise HLP-0136 to S2", "close_ticket") == [
        ("close_ticket", ["HLP-0135"]),
        ("escalate", ["HLP-0136"]),
    ]
    assert asked("status of HLP-0001; reopen HLP-0002", "ticket_status") == [
        ("ticket_status", ["HLP-0001"]),
        ("reopen_ticket", ["HLP-0002"]),
    ]


def test_a_message_with_one_reference_is_one_request_as_nlu_read_it():
    assert asked("make HLP-0128 S1, it now hits production too", "escalate") == [("escalate", ["HLP-0128"])]
    assert asked("what's up", "ticket_status") == [("ticket_status", [])]


@pytest.mark.parametrize(
    "text, details",
    [
        ("add to HLP-0121: also affecting our instagram bot", "also affecting our instagram bot"),
        ("HLP-0121: it fails on staging too", "it fails on staging too"),
        ("info for HLP-0184 - clearing the cache did not fix it", "clearing the cache did not fix it"),
        ("we also see it on android now, add that to HLP-0186", "we also see it on android now"),
        ("add details to HLP-0121", None),
        ("add to HLP-0121: ok", None),
    ],
)
def test_details_given_with_the_request_are_read(text, details):
    [request] = read_requests(text, "add_details", "HLP-")
    assert details_given(request) == details


def test_add_that_alone_points_at_what_the_user_said_before():
    [request] = read_requests("no no, add that to HLP-0121, don't open a new one", "add_details", "HLP-")
    assert details_given(request, "our instagram bot is down too") == "our instagram bot is down too"
    assert details_given(request) is None


@pytest.mark.parametrize(
    "text, reason",
    [
        ("make HLP-0128 S1, it now hits production too", "it now hits production too"),
        ("change HLP-0128 to S1 because support never replied", "support never replied"),
        ("raise HLP-0128 to S1", None),
        ("raise HLP-0128 to S1. yes", None),
    ],
)
def test_a_reason_given_after_the_ticket_and_level_is_read(text, reason):
    [request] = read_requests(text, "escalate", "HLP-")
    after = max(m.end for m in request.mentions)
    level_end = text.find("S1") + 2
    assert reason_given(request, max(after, level_end)) == reason


@pytest.mark.parametrize("intent", ["ticket_status", "inform", "add_details"])
def test_a_reference_then_a_colon_and_text_adds_details_whatever_nlu_read(intent):
    [request] = read_requests("HLP-0121: it fails on staging too", intent, "HLP-")
    assert (request.intent, details_given(request)) == ("add_details", "it fails on staging too")


def test_a_reference_then_a_question_is_not_details():
    assert asked("HLP-0121: what's the status?", "ticket_status") == [("ticket_status", ["HLP-0121"])]
    assert asked("HLP-0121: ok", "ticket_status") == [("ticket_status", ["HLP-0121"])]


@pytest.mark.parametrize(
    "text, nlu, expected",
    [
        ("problem went away on its own, close my open ticket", "reopen_ticket", "close_ticket"),
        ("can you reopen HLP-0129?", "ticket_status", "reopen_ticket"),
        ("talk to a human about HLP-0126", "talk_to_human", "talk_to_human"),
        ("is HLP-0012 resolved", "ticket_status", "ticket_status"),
        ("mark HLP-0133 as resolved", "close_ticket", "close_ticket"),
        ("my resolved ticket isn't actually resolved", "reopen_ticket", "reopen_ticket"),
        ("this needs to be a blocker now", "escalate", "escalate"),
        ("what's up", "inform", "inform"),
    ],
)
def test_a_one_request_message_keeps_nlus_request_unless_its_words_say_another(text, nlu, expected):
    [request] = read_requests(text, nlu, "HLP-")
    assert request.intent == expected


# A follow-up typed into a form that asked something else

REF = ("HLP-0121",)


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("no. status of HLP-0121", "ticket_status", Interruption("ticket_status", drops_draft=False, references=REF)),
        (
            "no no, add that to HLP-0121, don't open a new one",
            "deny",
            Interruption("add_details", drops_draft=True, references=REF),
        ),
        ("and 0121?", "inform", Interruption("ticket_status", drops_draft=False, references=REF)),
        ("what about 121", "inform", Interruption("ticket_status", drops_draft=False, references=REF)),
        ("hlp 121?", "inform", Interruption("ticket_status", drops_draft=False, references=REF)),
        ("HLP-0121: it fails on staging too", "inform", Interruption("add_details", drops_draft=False, references=REF)),
        (
            "make HLP-0121 S1, it now hits production too",
            "escalate",
            Interruption("escalate", drops_draft=False, references=REF),
        ),
        (
            "can you reopen hlp 121? it is back",
            "inform",
            Interruption("reopen_ticket", drops_draft=False, references=REF),
        ),
        ("get me a person for HLP-0121", "inform", Interruption("talk_to_human", drops_draft=False, references=REF)),
        (
            "do not file another ticket, close HLP-0121",
            "deny",
            Interruption("close_ticket", drops_draft=True, references=REF),
        ),
    ],
)
def test_a_follow_up_on_a_named_ticket_interrupts_the_new_one(text, intent, expected):
    assert interruption(text, intent, "HLP-") == expected


@pytest.mark.parametrize(
    "text, intent",
    [
        ("production", "inform"),
        ("all of our users", "inform"),
        ("error 0404 on checkout since 0900", "report_problem"),
        ("since 0900", "inform"),
        ("our csv export is empty again since HLP-0121 was fixed", "report_problem"),
        ("priya@acme.example", "inform"),
    ],
)
def test_an_answer_or_a_description_that_mentions_a_ticket_is_no_interruption(text, intent):
    assert interruption(text, intent, "HLP-") is None


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("status of HLP-0002", "ticket_status", Interruption("ticket_status", False, ("HLP-0002",))),
        ("raise HLP-0002 to S1", "escalate", Interruption("escalate", False, ("HLP-0002",))),
        ("hlp 2?", "inform", Interruption("ticket_status", False, ("HLP-0002",))),
        ("and 0002?", "inform", Interruption("ticket_status", False, ("HLP-0002",))),
        ("the change in HLP-0002 broke this too", "inform", None),
        ("please also note it is like HLP-0002", "inform", None),
    ],
)
def test_in_free_text_a_request_counts_only_when_nlu_read_one_or_nothing_else_is_said(text, intent, expected):
    assert interruption(text, intent, "HLP-", words_suffice=False) == expected


def test_with_words_alone_a_passing_mention_would_count_as_a_request():
    assert interruption("the change in HLP-0002 broke this too", "inform", "HLP-") is not None
