"""Finding obligations by what a person calls them: a campaign, a phase and an organisation."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign.audit import move_obligation, record_change
from registry.campaign.queries import find_campaign, home_campaign
from registry.campaign.tables import Obligation, Phase
from registry.directory.tables import Organisation
from registry.scope import in_scope
from rules.obligations import CLOSED, STATE_NAMES, State, check_reopen, check_waive


class UnknownObligation(UserError, LookupError):
    pass


class ReasonRequired(UserError, ValueError):
    pass


class PriorityUnchanged(UserError, ValueError):
    """Marking an obligation as it already is, or putting a closed one on the green channel."""


def obligation_by_id(session: Session, obligation_id: int) -> Obligation:
    obligation = session.get(Obligation, obligation_id)
    # Another district's obligation is not found, with the same words as a missing id.
    if obligation is None or not in_scope(obligation):
        raise UnknownObligation(f"没有编号为 {obligation_id} 的事项（编号见 reform status）")
    return obligation


def find_obligation(session: Session, phase_code: str, org_code: str, ref: str = "",
                    campaign_code: str | None = None) -> Obligation:
    """What the organisation owes in the phase of the campaign named, or else of the campaign it answers to."""
    campaign = find_campaign(session, campaign_code) if campaign_code else home_campaign(session, org_code)
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


def set_priority(session: Session, obligation_id: int, priority: bool, reason: str, actor: str,
                 now: datetime) -> Obligation:
    """Put an obligation on the green channel (绿色通道, task 9) or take it off, with a reason in the audit log.

    On it, the sweep reminds, cards and escalates sooner (rules.escalation.DEFAULT_GREEN); the state
    does not change, so the log entry records the same state on both sides.
    """
    reason = _reason(reason, "标记绿色通道" if priority else "取消绿色通道")
    obligation = obligation_by_id(session, obligation_id)
    if obligation.priority == priority:
        raise PriorityUnchanged(f"事项 {obligation_id} {'已在' if priority else '不在'}绿色通道中，无需重复操作")
    if priority and obligation.state in CLOSED:
        raise PriorityUnchanged(f"事项 {obligation_id} 已是「{STATE_NAMES[State(obligation.state)]}」，"
                                "不能列入绿色通道；如需重新办理，请先用 reform obligation reopen")
    obligation.priority = priority
    record_change(session, obligation, actor, "priority" if priority else "priority-off", obligation.state,
                  obligation.state, f"{'列入' if priority else '移出'}绿色通道：{reason}", now)
    return obligation
