"""Writing to the append-only audit log, and the one way to change an obligation's state."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.campaign.tables import AuditEntry, Obligation
from rules.obligations import CLOSED, check_transition


def _moment(at: date | datetime) -> datetime:
    # The campaign runs on a (possibly simulated) calendar day; a bare date is stamped at midnight.
    return at if isinstance(at, datetime) else datetime.combine(at, time())


def record_change(
    session: Session,
    obligation: Obligation,
    actor: str,
    action: str,
    from_state: str,
    to_state: str,
    reason: str,
    at: date | datetime,
) -> AuditEntry:
    entry = AuditEntry(
        at=_moment(at),
        actor=actor,
        entity="obligation",
        entity_id=obligation.id,
        action=action,
        from_state=str(from_state),
        to_state=str(to_state),
        reason=reason,
        district=obligation.district,
    )
    session.add(entry)
    return entry


def move_obligation(
    session: Session, obligation: Obligation, target: str, actor: str, reason: str, at: date | datetime,
    action: str = "transition",
) -> None:
    """Apply a state change the rules allow, and log it; raises IllegalTransition otherwise.

    ``action`` names why in the log when it is more than the usual course: waive, reopen, supersede.
    """
    new_state = check_transition(obligation.state, target)
    previous = obligation.state
    obligation.state = new_state
    obligation.closed_on = _moment(at).date() if new_state in CLOSED else None
    record_change(session, obligation, actor, action, previous, new_state, reason, at)


def obligation_history(session: Session, obligation_id: int) -> list[AuditEntry]:
    """Every entry the audit log holds on one obligation, oldest first."""
    return list(session.scalars(select(AuditEntry).where(AuditEntry.entity == "obligation",
                                                         AuditEntry.entity_id == obligation_id)
                                .order_by(AuditEntry.at, AuditEntry.id)))
