"""编委办's recheck, the city government's approval, and the approved list as frozen versions.

Version 1 is frozen at approval; each later adjustment (动态调整) freezes the next version with a
change log against the one before. Frozen versions are never rewritten.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.campaign.audit import move_obligation
from registry.campaign.plan import debtors_for
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.directory.queries import coordinator
from registry.intake.tables import Submission
from registry.review.obligations import (
    APPROVAL,
    RESPONSE,
    REVIEW,
    ReviewError,
    find_ref_obligation,
    recheck_ref,
)
from registry.review.routing import items_of
from registry.review.tables import (
    Approval,
    ApprovedListVersion,
    ConsolidatedItem,
    ConsolidatedOpinion,
    ReviewResponse,
)
from rules.obligations import CLOSED, State
from rules.review import Opinion, diff_lists
from workbooks.approved_list import DepartmentList, build_approved_list


def finish_recheck(session: Session, submission_id: int, actor: str, note: str, now: datetime) -> Obligation:
    """Mark 编委办's recheck of a department's response done; the id may be the reviewed or the revised list."""
    campaign = find_campaign(session, None)
    reviewed = session.scalar(select(ReviewResponse.reviewed_submission_id)
                              .where(ReviewResponse.submission_id == submission_id)) or submission_id
    found = find_ref_obligation(session, campaign.id, APPROVAL, recheck_ref(reviewed))
    if not found:
        raise ReviewError(f"送审编号 {submission_id} 没有待复核的事项（部门尚未报送修改后的清单）")
    recheck = found[0]
    if recheck.state not in CLOSED:
        move_obligation(session, recheck, State.FULFILLED, actor, f"复核完成：{note}" if note else "复核完成", now)
    return recheck


def approve(session: Session, on: date, meeting: str, document: str, actor: str, now: datetime) -> ApprovedListVersion:
    """Record the approval and freeze version 1. The same document again returns the same version."""
    campaign = find_campaign(session, None)
    existing = session.scalar(select(Approval).where(Approval.campaign_id == campaign.id))
    if existing is not None:
        if existing.document == document:
            return session.scalar(select(ApprovedListVersion).where(ApprovedListVersion.approval_id == existing.id)
                                  .order_by(ApprovedListVersion.version).limit(1))
        raise ReviewError(f"清单已于 {existing.approved_on.isoformat()} 经{existing.meeting}审定（{existing.document}）；"
                          "此后的变化请用 reform adjust 作为动态调整")
    approval = Approval(campaign_id=campaign.id, approved_on=on, meeting=meeting, document=document,
                        recorded_at=now, actor=actor)
    session.add(approval)
    session.flush()
    office = coordinator(session)
    for obligation in find_ref_obligation(session, campaign.id, APPROVAL, "", office.id):
        if obligation.state not in CLOSED:
            move_obligation(session, obligation, State.FULFILLED, actor,
                            f"{on.isoformat()} {meeting}审定（{document}）", now)
    return freeze(session, campaign, approval, on, "市政府审定", document, now)


def adjust(session: Session, on: date, reason: str, document: str, actor: str, now: datetime) -> ApprovedListVersion:
    """A later adjustment (动态调整): freeze the lists as they now stand as the next version."""
    campaign = find_campaign(session, None)
    approval = session.scalar(select(Approval).where(Approval.campaign_id == campaign.id))
    if approval is None:
        raise ReviewError("清单尚未经市政府审定，不能动态调整；请先运行 reform approve")
    version = freeze(session, campaign, approval, on, reason, document, now)
    if not version.change_log:
        raise ReviewError("各部门清单与上一版相比没有变化，无需调整")
    return version


def freeze(session: Session, campaign: Campaign, approval: Approval, on: date, reason: str, document: str,
           now: datetime) -> ApprovedListVersion:
    departments = approved_lists(session, campaign)
    previous = session.scalar(select(ApprovedListVersion).where(ApprovedListVersion.campaign_id == campaign.id)
                              .order_by(ApprovedListVersion.version.desc()).limit(1))
    snapshot = {d.code: d.items for d in departments}
    change_log = {}
    if previous is not None:
        for code in sorted(snapshot.keys() | previous.snapshot.keys()):
            diff = diff_lists(previous.snapshot.get(code, []), snapshot.get(code, []))
            if not diff.empty:
                change_log[code] = diff.as_dict()
    number = (session.scalar(select(func.max(ApprovedListVersion.version))
                             .where(ApprovedListVersion.campaign_id == campaign.id)) or 0) + 1
    note = f"第 {number} 版：{reason}（{document}）" if number > 1 else ""
    content = build_approved_list(campaign_name=campaign.name, version=number, approved_on=approval.approved_on,
                                  meeting=approval.meeting, document=approval.document, departments=departments,
                                  change_note=note)
    version = ApprovedListVersion(campaign_id=campaign.id, version=number, approval_id=approval.id, created_at=now,
                                  effective_on=on, reason=reason, document=document,
                                  item_count=sum(len(d.items) for d in departments), snapshot=snapshot,
                                  change_log=change_log, content=content)
    session.add(version)
    session.flush()
    return version


def approved_lists(session: Session, campaign: Campaign) -> list[DepartmentList]:
    """Each department's current list, without the items its written opinion cancelled."""
    inventory = session.scalar(select(Phase).where(Phase.campaign_id == campaign.id, Phase.code == "inventory"))
    result = []
    for org in debtors_for(session, "departments"):
        obligation = session.scalar(select(Obligation).where(Obligation.phase_id == inventory.id,
                                                             Obligation.debtor_id == org.id, Obligation.ref == ""))
        current = session.scalar(select(Submission).where(Submission.obligation_id == obligation.id,
                                                          Submission.state == "accepted")) if obligation else None
        if current is None:
            result.append(DepartmentList(org.code, org.name, org.short_name, None, "未报送", []))
            continue
        if current.zero_report:
            result.append(DepartmentList(org.code, org.name, org.short_name, current.version, "零报告", []))
            continue
        cancelled = set(session.scalars(
            select(ConsolidatedItem.name).join(ConsolidatedOpinion,
                                               ConsolidatedOpinion.id == ConsolidatedItem.consolidated_id)
            .where(ConsolidatedOpinion.submission_id == current.id, ConsolidatedItem.outcome == Opinion.CANCEL)))
        items = [i for i in items_of(session, current.id) if i["name"] not in cancelled]
        result.append(DepartmentList(org.code, org.name, org.short_name, current.version,
                                     review_stage(session, campaign, obligation), items))
    return result


def review_stage(session: Session, campaign: Campaign, inventory_obligation: Obligation) -> str:
    """Where a department's list stands in review, in a word a coordinator uses."""
    ids = [str(i) for i in session.scalars(select(Submission.id).where(
        Submission.obligation_id == inventory_obligation.id).order_by(Submission.id.desc()))]
    for ref in ids:
        recheck = find_ref_obligation(session, campaign.id, APPROVAL, recheck_ref(int(ref)))
        if recheck:
            return "已复核" if recheck[0].state in CLOSED else "待复核"
        response = find_ref_obligation(session, campaign.id, RESPONSE, ref)
        if response:
            return "待部门回复" if response[0].state not in CLOSED else "已回复"
        if session.scalar(select(ConsolidatedOpinion.state).where(ConsolidatedOpinion.submission_id == int(ref))):
            return "待协调"
        review = find_ref_obligation(session, campaign.id, REVIEW, ref)
        if review and any(o.state != State.WAIVED for o in review):
            return "审核中"
    return "未送审"

