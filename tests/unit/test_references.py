"""Ticket references as people type them (helpdesk/references.py)."""

from __future__ import annotations

import pytest

from helpdesk.references import near_misses, read_references

PREFIX = "HLP-"


def refs(text: str, **kwargs) -> list[str]:
    return [mention.reference for mention in read_references(text, PREFIX, **kwargs)]


@pytest.mark.parametrize(
    "text",
    [
        "status of HLP-0121",
        "status of hlp-0121",
        "Hlp-121?",
        "hlp 0121",
        "hlp0121",
        "HLP - 121",
        "HLP#121",
        "what about HPL-0121",
        "HLPP-0121 please",
        "hl-0121",
        "help 0121",
        "lhp-121",
    ],
)
def test_a_reference_is_read_in_any_case_with_or_without_dash_zeros_or_a_slip_in_the_prefix(text):
    assert refs(text) == ["HLP-0121"]


@pytest.mark.parametrize(
    "text",
    [
        "help 2 users",
        "it's sev-1",
        "since 10am",
        "raise it to S1",
        "covid-19 made us late",
        "about 300 users",
        "call me on +91 98200 12345",
        "https://acme.example/c/0121",
        "at 10:30",
        "v2.0121",
    ],
)
def test_words_and_numbers_that_are_not_references_are_not_read(text):
    assert refs(text) == []


def test_bare_numbers_count_only_when_asked_and_only_if_they_look_like_a_reference():
    assert refs("and 0121?") == []
    assert refs("and 0121?", bare_numbers=True) == ["HLP-0121"]
    assert refs("#121 please", bare_numbers=True) == ["HLP-0121"]
    assert refs("add 2 screenshots to 0121", bare_numbers=True) == ["HLP-0121"]
    assert refs("it fails 50% of the time at 10:30", bare_numbers=True) == []


def test_several_references_are_read_in_order_each_once():
    text = "status of HLP-0129 and also hlp 121, and HLP-0129 again"
    assert refs(text) == ["HLP-0129", "HLP-0121"]
    assert [(m.start, m.end) for m in read_references(text, PREFIX)] == [(10, 18), (28, 35)]


def test_journal_references_keep_their_mark():
    assert refs("status of hlp-j3") == ["HLP-J0003"]


def test_another_prefix_is_read_as_configured():
    assert [m.reference for m in read_references("status of SUP-12 and HLP-0001", "SUP-")] == ["SUP-0012"]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("HLP-0112", ("HLP-0121",)),  # two digits swapped
        ("HLP-0122", ("HLP-0121", "HLP-0123")),  # one digit wrong
        ("HLP-01211", ("HLP-0121",)),  # one digit extra
        ("HLP-0500", ()),
    ],
)
def test_near_misses_are_one_slip_away(typed, expected):
    assert near_misses(typed, ["HLP-0121", "HLP-0123", "HLP-0345"]) == expected


@pytest.mark.parametrize(
    "text", ["escalate it, 300 users are affected", "raise to S1 because 20 users", "since 2024 we use it"]
)
def test_a_number_that_counts_something_is_not_a_reference_even_in_a_follow_up(text):
    assert refs(text, bare_numbers=True) == []


def test_a_number_of_three_digits_ending_a_clause_is_a_reference_in_a_follow_up():
    assert refs("status of 121 and 122 please", bare_numbers=True) == ["HLP-0121", "HLP-0122"]
