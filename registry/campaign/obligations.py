"""Finding obligations by what a person calls them: a campaign, a phase and an organisation."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign.audit import move_obligation
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Phase
from registry.directory.tables import Organisation
from rules.obligations import State, check_reopen, check_waive


class UnknownObligation(UserError, LookupError):
    pass


class ReasonRequired(UserError, ValueError):
    pass


def obligation_by_id(session: Session, obligation_id: int) -> Obligation:
    obligation = session.get(Obligation, obligation_id)
    if obligation is None:
        raise UnknownObligation(f"没有编号为 {obligation_id} 的事项（编号见 reform status）")
    return obligation


def find_obligation(session: Session, phase_code: str, org_code: str, ref: str = "",
                    campaign_code: str | None = None) -> Obligation:
    campaign = find_campaign(session, campaign_code)
    obligation = session.scalar(
        select(Obligation)
        .join(Phase, Phase.id == Obligation.phase_id)
        .join(Organisation, Organisation.id == Obligation.debtor_id)
        .where(Obligation.campaign_id == campaign.id, Phase.code == phase_code,
               Organisation.code == org_code, Obligation.ref == ref)
    )
    if obligation is None:
        raise UnknownObligation(f"单位 {org_code} 在 {phase_code} 阶段没有待办事项")
    return obligation


def fulfil(session: Session, phase_code: str, org_code: str, on: date, actor: str, reason: str,
           ref: str = "", campaign_code: str | None = None) -> Obligation:
    """Mark what an organisation owed as done; doing it again on a done obligation changes nothing."""
    obligation = find_obligation(session, phase_code, org_code, ref, campaign_code)
    if obligation.state != State.FULFILLED:
        move_obligation(session, obligation, State.FULFILLED, actor, reason, on)
    return obligation


def _reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise ReasonRequired(f"{what}事项须写明理由：--reason …")
    return reason.strip()


def waive(session: Session, obligation_id: int, reason: str, actor: str, now: datetime) -> Obligation:
    """Release a debtor from what it still owes, by hand; the reason goes in the audit log."""
    reason = _reason(reason, "免除")
    obligation = obligation_by_id(session, obligation_id)
    check_waive(obligation.id, obligation.state)
    move_obligation(session, obligation, State.WAIVED, actor, f"免除：{reason}", now, action="waive")
    return obligation


def reopen(session: Session, obligation_id: int, reason: str, actor: str, now: datetime,
           due: date | None = None) -> Obligation:
    """Bring back a closed obligation, by hand, optionally with a new due date."""
    reason = _reason(reason, "重新开启")
    obligation = obligation_by_id(session, obligation_id)
    check_reopen(obligation.id, obligation.state)
    if due is not None:
        # The old date has usually passed: without a new one the reopened obligation is late at once.
        obligation.due, obligation.due_reason = due, f"{now.date().isoformat()} 重新开启时定为 {due.isoformat()}：{reason}"
    move_obligation(session, obligation, State.OPEN, actor, f"重新开启：{reason}", now, action="reopen")
    return obligation
