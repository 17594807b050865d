"""The cluster of `make cluster` on real parts (scripts/cluster.sh, README "Running at scale"):
PostgreSQL, Redis, HAProxy, two Rasa replicas, two action servers, two delivery workers.

One cluster serves the whole module (starting it costs about a minute on 2 cores). The
tests that hurt a part (Redis, PostgreSQL, a replica) leave it running again, except the
last, which kills a replica for good. Every user files through the shared helper in
tests/conftest.py (Servers.file_ticket), which answers whatever the form asks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
import redis
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from helpdesk.store import TicketStore
from servers.tracker_store import HelpdeskTrackerStore
from tests.clusters import Cluster, ClusterServers, in_parallel, running_cluster
from tests.conftest import ANSWERS, ROOT, texts
from tests.delivery.delivery_helpers import (
    SECRET,
    LocalServer,
    WebhookReceiver,
    webhook_target,
)

pytestmark = pytest.mark.servers

REFERENCE = re.compile(r"\bHLP-J?\d{4,}\b")
"""A reference as quoted to a user, including one reserved for a journaled ticket (HLP-J0001)."""
CONFIRM = "Shall I file it?"
LOCK_LIFETIME_SECONDS = 10
"""TICKET_LOCK_LIFETIME of this cluster: how long a lock of a dead replica can hold a conversation."""


@pytest.fixture(scope="module")
def receiver() -> WebhookReceiver:
    """The support team's webhook, which the cluster's delivery workers send to."""
    return WebhookReceiver()


@pytest.fixture(scope="module")
def cluster(receiver) -> Iterator[tuple[Cluster, ClusterServers]]:
    webhook = LocalServer(receiver)
    extra = {
        "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_SECONDS),
        "CLUSTER_RESTART_SECONDS": "2",
        "HELPDESK_DELIVERY_TARGETS": json.dumps([webhook_target(webhook.url)]),
        "TEST_WEBHOOK_SECRET": SECRET,
        "HELPDESK_DELIVERY_BACKOFF_SECONDS": "0.2",
        "HELPDESK_DELIVERY_BACKOFF_MAX_SECONDS": "1",
    }
    try:
        with running_cluster(replicas=2, extra_env=extra) as started:
            yield started
    finally:
        webhook.close()


@pytest.fixture
def bot(cluster) -> ClusterServers:
    return cluster[1]


def store(servers: ClusterServers) -> TicketStore:
    return TicketStore(servers.database_url, "HLP-")


def description(sender: str) -> str:
    return f"the offers bot stopped replying on production for all users since 10am ({sender})"


def file_all(servers: ClusterServers, senders: list[str]) -> dict[str, str]:
    """Each sender files a ticket at the same time; their references as quoted to them."""
    receipts = in_parallel(lambda sender: servers.file_ticket(sender, description(sender)), senders)
    return {sender: REFERENCE.search(receipt).group(0) for sender, receipt in zip(senders, receipts, strict=False)}


def tickets_by_conversation(servers: ClusterServers, senders: list[str]) -> Counter:
    return Counter(t.conversation_id for t in store(servers).list() if t.conversation_id in set(senders))


def assert_filed_once(servers: ClusterServers, quoted: dict[str, str]) -> None:
    """Every user's ticket is in the store exactly once, under the reference they were given."""
    senders = list(quoted)
    assert tickets_by_conversation(servers, senders) == Counter(senders)
    for sender, reference in quoted.items():
        ticket = store(servers).get(reference)
        assert ticket is not None and ticket.conversation_id == sender, (sender, reference)


def user_texts(servers: ClusterServers, sender: str) -> list[str]:
    return [event["text"] for event in servers.tracker(sender)["events"] if event["event"] == "user"]


def senders(prefix: str, count: int) -> list[str]:
    run = uuid.uuid4().hex[:6]
    return [f"{prefix}-{run}-{number}" for number in range(count)]


# --- one conversation across replicas ---------------------------------------------------------


def test_consecutive_messages_go_to_alternate_replicas_and_the_conversation_stays_in_order(bot):
    sender = senders("alternate", 1)[0]

    receipt = bot.file_ticket(sender, description(sender))

    served = bot.replicas[sender]
    assert set(served) == {"rasa-1", "rasa-2"}
    assert all(first != second for first, second in itertools.pairwise(served)), served
    assert user_texts(bot, sender) == bot.sent[sender] and len(served) == len(bot.sent[sender])
    ticket = store(bot).get(REFERENCE.search(receipt).group(0))
    assert ticket.conversation_id == sender and ticket.environment == "production"
    assert ticket.description == description(sender)


# --- many users at once -------------------------------------------------------------------------


def test_fifty_users_filing_at_once_each_get_one_stored_ticket_and_one_delivery(bot, receiver):
    users = senders("fifty", 50)

    quoted = file_all(bot, users)

    assert len(set(quoted.values())) == 50
    assert_filed_once(bot, quoted)
    references = set(quoted.values())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not references <= delivered(receiver):
        time.sleep(0.5)
    assert references <= delivered(receiver)
    created = Counter(
        row.ticket_reference
        for row in store(bot).outbox.rows()
        if row.event == "created" and row.ticket_reference in references
    )
    assert created == Counter(references)
    assert receiver.bad_signatures == 0


def delivered(receiver: WebhookReceiver) -> set[str]:
    return {body["ticket"]["reference"] for body in receiver.accepted.values() if body["event"] == "created"}


# --- Redis restarted under load -------------------------------------------------------------------


def test_redis_restarted_under_load_leaves_no_lock_held_longer_than_its_lifetime(cluster):
    parts, bot = cluster
    users = senders("redis", 12)

    def restart_redis() -> None:
        time.sleep(1.5)
        parts.kill("redis", signal.SIGKILL)  # its data (the locks, the copies) is gone with it

    started = time.monotonic()
    quoted, _ = in_parallel(lambda job: job(), [lambda: file_all(bot, users), restart_redis])
    took = time.monotonic() - started

    assert_filed_once(bot, quoted)
    parts.wait_until(lambda: _redis_answers(parts), "Redis back")
    assert not [key for key in parts.redis().keys("*") if b"lock" in key], "a lock outlived its turn"
    # The slowest conversation waited for Redis (down 2 s) and at most one lock lifetime.
    assert took < 30 + LOCK_LIFETIME_SECONDS


def _redis_answers(parts: Cluster) -> bool:
    try:
        return bool(parts.redis().ping())
    except redis.RedisError:
        return False


# --- PostgreSQL stopped and started -------------------------------------------------------------


def test_postgresql_stopped_the_journal_takes_the_tickets_and_replay_stores_each_once(cluster):
    parts, bot = cluster
    users = senders("postgres", 4)
    in_parallel(lambda sender: to_confirmation(bot, sender), users)

    parts.hold("postgres")
    parts.kill("postgres", signal.SIGINT)  # PostgreSQL's fast shutdown
    parts.wait_until(lambda: not _postgres_answers(parts), "PostgreSQL down")
    receipts = in_parallel(lambda sender: texts(bot.say(sender, dict(ANSWERS)[CONFIRM])), users)
    quoted = {sender: REFERENCE.search(receipt).group(0) for sender, receipt in zip(users, receipts, strict=False)}
    parts.release("postgres")
    parts.wait_until(lambda: _postgres_answers(parts), "PostgreSQL back")

    assert all(reference.startswith("HLP-J") for reference in quoted.values()), receipts
    assert all("as soon as the database is back" in receipt for receipt in receipts), receipts
    parts.wait_until(lambda: _all_stored(bot, quoted), "the journal replayed", 60)
    assert_filed_once(bot, quoted)
    for sender in users:  # the conversation, kept in Redis meanwhile, reaches PostgreSQL whole, once
        bot.say(sender, "thanks")
        assert _stored_user_texts(parts, sender) == bot.sent[sender]


def to_confirmation(servers: ClusterServers, sender: str) -> None:
    """Answers the form until it asks to confirm, without confirming."""
    said = texts(servers.say(sender, description(sender)))
    for _ in range(12):
        if CONFIRM in said:
            return
        said = texts(servers.say(sender, next(reply for question, reply in ANSWERS if question in said)))
    raise AssertionError(f"never asked to confirm; the bot last said: {said}")


def _postgres_answers(parts: Cluster) -> bool:
    try:
        engine = sa.create_engine(parts.database_url(), connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def _all_stored(servers: ClusterServers, quoted: dict[str, str]) -> bool:
    try:
        return all(store(servers).get(reference) is not None for reference in quoted.values())
    except sa.exc.OperationalError:
        return False


def _stored_user_texts(parts: Cluster, sender: str) -> list[str]:
    engine = sa.create_engine(parts.database_url("conversations"))
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user' ORDER BY id"),
            {"sender": sender},
        ).all()
    engine.dispose()
    return [json.loads(data)["text"] for (data,) in rows]


# --- our tracker store on PostgreSQL ---------------------------------------------------------------


def test_our_tracker_store_reads_back_what_it_stored_on_postgresql(cluster):
    parts, _ = cluster
    domain = Domain.load(ROOT / "domain.yml")
    password = parts.secret("postgres-password")
    tracker_store = HelpdeskTrackerStore(
        domain,
        dialect="postgresql",
        host="127.0.0.1",
        port=parts.ports["POSTGRES_PORT"],
        db="conversations",
        username="helpdesk",
        password=password,
    )
    sender = senders("store", 1)[0]
    tracker = DialogueStateTracker(sender, domain.slots)
    for number in range(3):
        tracker.update(UserUttered(f"message {number}", timestamp=1700000000.0 + number))
    asyncio.run(tracker_store.save(tracker))
    asyncio.run(tracker_store.save(tracker))  # nothing new: nothing stored twice

    read = asyncio.run(tracker_store.retrieve(sender))
    assert [event.text for event in read.events] == ["message 0", "message 1", "message 2"]
    indexes = {index["name"] for index in sa.inspect(tracker_store.engine).get_indexes("events")}
    assert {"ix_events_sender_id", "ix_events_sender_id_type_name_timestamp"} <= indexes


# --- a replica killed under load (last: it leaves the cluster with one replica) -----------------


def test_a_replica_killed_under_load_loses_and_duplicates_no_ticket(cluster):
    parts, bot = cluster
    users = senders("kill", 16)
    parts.hold("rasa-1")

    def kill_a_replica() -> None:  # once every user is in the middle of the form
        parts.wait_until(lambda: all(len(bot.replicas[user]) >= 2 for user in users), "every user answered twice")
        parts.kill("rasa-1")

    quoted, _ = in_parallel(lambda job: job(), [lambda: file_all(bot, users), kill_a_replica])

    assert_filed_once(bot, quoted)
    on_killed = [user for user in users if "rasa-1" in bot.replicas[user]]
    assert on_killed, "the replica was killed before it took any conversation"
    for user in on_killed:  # each message kept once, in order, whichever replica took it
        assert user_texts(bot, user) == bot.sent[user]
    # A user may have finished on rasa-1 before it died; the others went on on rasa-2.
    went_on = [user for user in on_killed if "rasa-2" in bot.replicas[user][bot.replicas[user].index("rasa-1") + 1 :]]
    assert went_on, "no conversation went on on the other replica"
    with pytest.raises(ProcessLookupError):  # held down: not started again
        os.kill(parts.pid("rasa-1"), 0)
