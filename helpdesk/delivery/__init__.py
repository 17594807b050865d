"""Delivery of tickets and their events to the support team, without losing or repeating one.

settings    the targets as helpdesk.yml declares them (read by helpdesk.config)
message     the JSON a ticket event becomes, stored with its outbox row
outbox      rows waiting for each target: enqueue (by the store), claim, finish, retry
targets     what a target is to the worker, and how HTTP failures are judged
webhook, mail, zendesk   the targets; summary is the readable text mail and Zendesk share
references  references reserved ahead for tickets filed while the database is down
journal     the append-only file those tickets wait in until replayed, exactly once
durable     fsync and file locks for those two files
intake      how the bot files: the database, or the journal when it is unreachable
worker      replays the journal, keeps references reserved, sends due rows with backoff

The store writes outbox rows in the transaction that changes a ticket, so it imports
the outbox; settings, message and outbox import nothing of the store at run time.
"""
