"""Claiming a mailbox message before taking it in, so that two workers never both take it in.

The claim is the message's own ``mailbox_messages`` row, inserted first in the transaction that
takes the message in (insert-or-skip on its unique key). On PostgreSQL a second worker's insert
waits until the first worker's transaction ends, then finds the row and skips the message; on
SQLite the insert takes the single writer's lock, with the same result. The row of a message
whose last attempt failed is claimed again by locking it (``FOR UPDATE SKIP LOCKED``): a worker
that finds it locked leaves the message to the one holding it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Insert, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from registry.intake.tables import MailboxMessage

CLAIMED = "claimed"  # never committed: the transaction that claims a message also records its outcome
FAILED = "failed"  # the last attempt failed; the message is tried again on the next poll


@dataclass(frozen=True)
class MessageFacts:
    """What is kept of every message, whatever becomes of it."""

    key: str
    sender: str
    subject: str
    size: int
    sha256: str
    headers: str


@dataclass(frozen=True)
class Claim:
    row: MailboxMessage | None  # the message's row: this worker's to fill in when ``ours``
    ours: bool

    @property
    def busy(self) -> bool:
        """Another worker is taking the message in right now."""
        return self.row is None


def claim_message(session: Session, facts: MessageFacts, now: datetime) -> Claim:
    inserted = session.execute(_claim_statement(session.get_bind().dialect.name), {
        "key": facts.key, "sender": facts.sender[:254], "subject": facts.subject[:500], "received_at": now,
        "size": facts.size, "sha256": facts.sha256, "headers": facts.headers}).scalar()
    if inserted is not None:
        return _claimed(session, Claim(session.get(MailboxMessage, inserted), True))
    row = session.scalar(select(MailboxMessage).where(MailboxMessage.key == facts.key)
                         .with_for_update(skip_locked=True))
    if row is None:
        return Claim(None, False)
    return _claimed(session, Claim(row, row.outcome == FAILED))


@cache
def _claim_statement(dialect: str) -> Insert:
    """Insert-or-skip, returning the new row's id. Built once per dialect, as every message asks it;
    Core, as the ORM's insert returning the row itself costs more than this and a load by key."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = MailboxMessage.__table__
    values = {name: bindparam(name) for name in ("key", "sender", "subject", "received_at", "size", "sha256",
                                                 "headers")}
    return (insert(table)
            .values(**values, outcome=CLAIMED, detail="", attempts=0, last_error="", error_signature="")
            .on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id))


def _claimed(session: Session, claim: Claim) -> Claim:
    if claim.ours:
        session.info.setdefault(_CLAIMED_ROWS, {})[claim.row.key] = claim.row
    return claim


# The rows this session claimed, by key: recording a message's outcome needs no second query.
_CLAIMED_ROWS = "reform.claimed_rows"


def claimed_row(session: Session, key: str) -> MailboxMessage:
    """The row this transaction claimed."""
    row = session.info.get(_CLAIMED_ROWS, {}).get(key)
    if row is not None:
        return row
    return session.scalars(select(MailboxMessage).where(MailboxMessage.key == key)).one()
