"""The REST webhook's edges over HTTP, against the real servers (channels/rest.py):
bad requests get a 400 or 413 that says why, floods and empty or unreadable messages get
a polite answer, a very long message is quick and reaches the ticket whole."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from channels.request import MAX_SENDER_CHARS
from channels.settings import ChannelSettings
from helpdesk.store import TicketStore
from helpdesk.wiring import default_policy
from tests.conftest import REFERENCE, ROOT, WIDGET_ORIGIN, Servers, texts

CHANNEL = "channels.rest.HardenedRestInput"
SETTINGS = ChannelSettings.from_credentials(yaml.safe_load((ROOT / "credentials.yml").read_text())[CHANNEL])

MALFORMED = [
    (b"[]", "must be a JSON object, not an array"),
    (b'"hi"', "must be a JSON object, not a string"),
    (b"", "not valid JSON"),
    (b"{sender: me}", "not valid JSON"),
    (b'\xff\xfe{"sender"}', "not valid JSON"),
    (b"[" * 60_000, "nested too deeply"),
    (b'{"message": "hi"}', '"sender" must be a non-empty string, not null or missing'),
    (b'{"sender": 42, "message": "hi"}', '"sender" must be a non-empty string, not a number'),
    (b'{"sender": "  ", "message": "hi"}', '"sender" must be a non-empty string, not an empty string'),
    (b'{"sender": "%s", "message": "hi"}' % (b"s" * (MAX_SENDER_CHARS + 1)), f"at most {MAX_SENDER_CHARS} characters"),
    (b'{"sender": "me"}', '"message" must be a string, not null or missing'),
    (b'{"sender": "me", "message": ["hi"]}', '"message" must be a string, not an array'),
    (b'{"sender": "me", "message": "hi", "metadata": "x"}', '"metadata" must be a JSON object, not a string'),
    (b'{"sender": "me", "message": "hi", "metadata": [1]}', '"metadata" must be a JSON object, not an array'),
]
"""Request bodies the channel refuses, with what its 400 error says."""
OVERSIZED = [SETTINGS.max_body_bytes + 1, 2_000_000]
"""Body sizes over the limit: just over, and far over (refused before it is read)."""
EMPTY = ["", "   ", "\n\t "]
OTHER_SCRIPTS = [
    "مرحبا، البوت لا يرد على العملاء منذ الصباح",
    "你好，我们的机器人从今天早上开始不回复客户了",
    "नमस्ते, हमारा बॉट सुबह से ग्राहकों को जवाब नहीं दे रहा है",
    "Здравствуйте, наш бот не отвечает клиентам",
]
ODD = ["👍", "?", "12345", "/", "/no_such_intent", '/inform{"broken', "x" * 5_000]


def long_description(words: int) -> str:
    """A problem report of `words` words whose last sentence only the whole text holds."""
    sentence = (
        "Since the release this morning our WhatsApp bot answers customers on production with the wrong "
        "offers, sometimes twice, and agents see the chats arrive out of order in the inbox. "
    )
    body = " ".join((sentence * (words // len(sentence.split()) + 1)).split()[: words - 4])
    return f"{body} The last words: zebra-marker."


def post(servers: Servers, body: bytes, **headers: str) -> requests.Response:
    """A raw request to the webhook, which `Servers.say` would refuse to build."""
    return requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=60,
    )


def resident_mb(pid: int) -> float:
    """What the process holds in RAM (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def oversized_body(size: int) -> bytes:
    """A well-formed request of exactly `size` bytes."""
    padding = b"x" * (size - len(b'{"sender": "big", "message": ""}'))
    return b'{"sender": "big", "message": "%s"}' % padding


@pytest.mark.parametrize(("body", "says"), MALFORMED)
def test_a_malformed_request_gets_400_saying_what_is_wrong(servers, body, says):
    response = post(servers, body)
    assert response.status_code == 400
    assert says in response.json()["error"]


@pytest.mark.parametrize("size", OVERSIZED)
def test_a_body_over_the_limit_gets_413(servers, size):
    response = post(servers, oversized_body(size))
    assert response.status_code == 413
    assert str(SETTINGS.max_body_bytes) in response.json()["error"]


def test_the_widget_can_call_the_webhook_across_origins(servers):
    preflight = requests.options(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        timeout=10,
        headers={
            "Origin": WIDGET_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.ok and preflight.headers["Access-Control-Allow-Origin"] == WIDGET_ORIGIN
    answered = post(servers, b'{"sender": "cors", "message": "hi"}', Origin=WIDGET_ORIGIN)
    refused = post(servers, b"[]", Origin=WIDGET_ORIGIN)
    assert answered.status_code == 200 and answered.headers["Access-Control-Allow-Origin"] == WIDGET_ORIGIN
    assert refused.status_code == 400 and refused.headers["Access-Control-Allow-Origin"] == WIDGET_ORIGIN


@pytest.mark.parametrize("message", EMPTY)
def test_an_empty_message_gets_a_prompt(servers, message):
    said = texts(servers.say(f"empty-{uuid.uuid4().hex}", message))
    assert "What can I help you with?" in said


@pytest.mark.parametrize("message", OTHER_SCRIPTS)
def test_a_message_in_another_script_gets_an_english_reply_with_the_support_email(servers, message):
    said = texts(servers.say(f"lang-{uuid.uuid4().hex}", message))
    assert "only understand English" in said and default_policy().contact.email in said


def test_a_few_foreign_words_in_an_english_message_are_understood(servers):
    said = texts(servers.say(f"mixed-{uuid.uuid4().hex}", "our bot مساعد stopped replying to customers on production"))
    assert "file a ticket" in said and "English" not in said


@pytest.mark.parametrize("message", ODD)
def test_every_odd_message_gets_an_answer(servers, message):
    assert texts(servers.say(f"odd-{uuid.uuid4().hex}", message)).strip()


def test_a_sender_over_the_rate_limit_is_asked_to_wait_and_others_are_not(servers):
    flooder = f"flood-{uuid.uuid4().hex}"
    for _ in range(SETTINGS.rate_limit_messages):
        assert "faster than I can keep up" not in texts(servers.say(flooder, "hi"))
    assert "Please wait a minute" in texts(servers.say(flooder, "hi"))
    assert "faster than I can keep up" not in texts(servers.say(f"calm-{uuid.uuid4().hex}", "hi"))


def test_a_very_long_message_is_answered_quickly_without_growing_memory(servers):
    description = long_description(4_900)
    servers.say(f"warm-{uuid.uuid4().hex}", description)  # first-use costs (lazy imports, caches) are not growth
    before = resident_mb(servers.rasa_pid)
    for _ in range(5):
        start = time.monotonic()
        said = texts(servers.say(f"long-{uuid.uuid4().hex}", description))
        assert time.monotonic() - start < 1.0
        assert "file a ticket" in said
    assert resident_mb(servers.rasa_pid) - before < 100


def test_nlu_reads_the_start_of_a_long_message_and_the_ticket_keeps_it_whole(servers):
    description = long_description(5_000)
    sender = f"long-{uuid.uuid4().hex}"
    receipt = servers.file_ticket(sender, description)

    first = next(event for event in servers.tracker(sender)["events"] if event["event"] == "user")
    assert len(first["text"]) <= SETTINGS.max_nlu_chars and description.startswith(first["text"])
    assert description[len(first["text"])].isspace()  # cut where a word ends
    assert first["metadata"]["full_text"] == description
    ticket = TicketStore(servers.database_url, "HLP-").get(REFERENCE.search(receipt).group(0))
    assert ticket.description == description


def test_a_client_cannot_supply_the_full_text_of_a_short_message(servers):
    sender = f"spoof-{uuid.uuid4().hex}"
    servers.say(sender, "hi", {"full_text": "something the user never typed"})
    first = next(event for event in servers.tracker(sender)["events"] if event["event"] == "user")
    assert "full_text" not in first["metadata"]
