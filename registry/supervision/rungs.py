"""The rungs each obligation has taken, and the messages that told of them.

A rung is recorded once per obligation (the unique index on obligation and rung); the message is
shared by every obligation of one organisation at that rung that day, under the outbox key
``rungs:<organisation code>:<rung>:<day>``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from operator import itemgetter

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from registry.campaign.tables import Obligation
from registry.outbox.bulk import insert_rows
from registry.outbox.tables import OutboxMessage
from registry.supervision.tables import RungTaken
from rules.notice_groups import NoticeGroup


def notice_key(group: NoticeGroup, taken_today: set[str], campaign: str | None = None) -> str:
    """The group's outbox key; a second message the same day (an obligation opened since the
    morning's run reaching a rung already told of) gets the next free number.

    A sweep of one campaign names it in the key: an organisation owing in two campaigns (a
    district's government, to the city and in its own campaign) may be told by two sweeps running
    side by side, neither of which sees the other's keys before it commits."""
    base = f"rungs:{campaign}/{group.recipient}" if campaign else f"rungs:{group.recipient}"
    key = f"{base}:{group.rung}:{group.on.isoformat()}"
    n = 1
    while key in taken_today:
        n += 1
        key = f"{base}:{group.rung}:{group.on.isoformat()}:{n}"
    return key


def taken_rungs(session: Session, states: Iterable[str], campaign_id: int | None = None) -> set[tuple[int, str]]:
    """(obligation, rung) of every rung taken by an obligation in one of ``states`` (of one
    campaign, when named): one query."""
    in_states = select(Obligation.id).where(Obligation.state.in_(tuple(states)))
    if campaign_id is not None:
        in_states = in_states.where(Obligation.campaign_id == campaign_id)
    return {(oid, rung) for oid, rung in session.connection().execute(
        select(RungTaken.obligation_id, RungTaken.rung).where(RungTaken.obligation_id.in_(in_states)))}


def keys_taken_on(session: Session, day: date) -> set[str]:
    return set(session.scalars(select(RungTaken.notice_key).where(RungTaken.taken_on == day).distinct()))


def record_rungs(session: Session, day: date, messages: Sequence[tuple[str, str, Sequence[int], str]]) -> None:
    """Record, in bulk, each obligation's rung taken on ``day``: (notice key, rung, obligations, district) per message."""
    # Ladder names and numbers never need escaping for COPY; a key would only for an odd
    # organisation code. Escaping checked per message, not per row: a third of the time at 100,000.
    plain = not any(set(key) & _COPY_SPECIAL for key, _, _, _ in messages)
    # In obligation order: the unique index on (obligation, rung) then grows at its end instead
    # of splitting pages all over, which halved the writing of a province's first morning.
    rows = sorted(((oid, rung, key, district) for key, rung, ids, district in messages for oid in ids),
                  key=_OBLIGATION)
    insert_rows(session, "rungs_taken", ("obligation_id", "rung", "notice_key", "district"), rows,
                {"taken_on": day}, plain=plain)


_COPY_SPECIAL = set("\t\n\r\\")
_OBLIGATION = itemgetter(0)


def rungs_of(session: Session, obligation_id: int) -> list[RungTaken]:
    return list(session.scalars(select(RungTaken).where(RungTaken.obligation_id == obligation_id)
                                .order_by(RungTaken.taken_on, RungTaken.id)))


def messages_of(session: Session, obligation_id: int) -> list[OutboxMessage]:
    """Every message about one obligation: its own (calls, receipts) and the rung messages listing it."""
    listed = select(RungTaken.notice_key).where(RungTaken.obligation_id == obligation_id)
    return list(session.scalars(
        select(OutboxMessage).where(or_(OutboxMessage.obligation_id == obligation_id, OutboxMessage.key.in_(listed)))
        .order_by(OutboxMessage.queued_at, OutboxMessage.id)))
