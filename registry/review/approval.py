"""编委办's recheck, the city government's approval, and the approved list as frozen versions.

Version 1 is frozen at approval; each later adjustment (动态调整) freezes the next version with a
change log against the one before. Frozen versions are never rewritten.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import Settings, get_settings
from registry.campaign.audit import move_obligation
from registry.campaign.plan import debtors_for
from registry.campaign.queries import find_campaign, government_of
from registry.campaign.scoped import UNCHANGED, open_scoped
from registry.campaign.tables import AuditEntry, Campaign, Obligation, Phase
from registry.directory.queries import coordinator
from registry.intake.calls import queue_call
from registry.intake.tables import Submission
from registry.review.obligations import (
    APPROVAL,
    RESPONSE,
    REVIEW,
    ReviewError,
    find_ref_obligation,
    recheck_ref,
)
from registry.review.subjects import campaign_of, items_of
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

# Where a department's list stands, in the words a coordinator uses (also 未送审, 待协调, 已回复).
NOT_SUBMITTED, ZERO_REPORT, UNDER_REVIEW = "未提交", "零报告", "审核中"
AWAITING_RESPONSE, AWAITING_RECHECK, RECHECKED = "待部门回复", "待复核", "已复核"
OVERTAKEN = "审定时未完成"  # a response or recheck a forced approval closed: not done, and no longer owed
# Named in this order: the lists closest to done first, those not handed in (often the most) last.
STAGE_ORDER = (AWAITING_RECHECK, AWAITING_RESPONSE, "已回复", "待协调", UNDER_REVIEW, OVERTAKEN, "未送审",
               NOT_SUBMITTED)
# The stages at which a list may be frozen: through review, response and recheck, or nothing to review.
FINISHED = frozenset({RECHECKED, ZERO_REPORT})


def finish_recheck(session: Session, submission_id: int, actor: str, note: str, now: datetime) -> Obligation:
    """Mark 编委办's recheck of a department's response done; the id may be the reviewed or the revised list."""
    reviewed = session.scalar(select(ReviewResponse.reviewed_submission_id)
                              .where(ReviewResponse.submission_id == submission_id)) or submission_id
    submission = session.get(Submission, reviewed)
    found = find_ref_obligation(session, campaign_of(session, submission).id, APPROVAL,
                                recheck_ref(reviewed)) if submission is not None else []
    if not found:
        raise ReviewError(f"送审编号 {submission_id} 没有待复核的事项（部门尚未报送修改后的清单）")
    recheck = found[0]
    if recheck.state not in CLOSED:
        move_obligation(session, recheck, State.FULFILLED, actor, f"复核完成：{note}" if note else "复核完成", now)
    return recheck


class ApprovalRefused(ReviewError):
    """The lists are not ready to be frozen; the message names each department and its stage."""


@dataclass(frozen=True)
class Overtaken:
    """A review, response or recheck obligation the approval closed while it was still open."""

    obligation_id: int
    phase: str
    org_name: str


@dataclass(frozen=True)
class Frozen:
    """A version just frozen (or found again), what its approval overtook, and what it froze unfinished."""

    version: ApprovedListVersion
    overtaken: list[Overtaken] = field(default_factory=list)
    unfinished: list[tuple[str, str]] = field(default_factory=list)  # (department, stage)
    called: int = 0  # guides and certificates obligations opened or given new items, each called


def approve(session: Session, on: date, meeting: str, document: str, actor: str, now: datetime,
            force_reason: str = "", settings: Settings | None = None, campaign_code: str | None = None) -> Frozen:
    """Record the approval and freeze version 1. The same document again returns the same version.

    Refused while no department has handed in a list, and, unless forced with a reason, while any
    department's list has not been through review, response and recheck. What is still open of
    review, response and recheck is closed as overtaken by the approval, each with its reason.
    """
    campaign = find_campaign(session, campaign_code)
    existing = session.scalar(select(Approval).where(Approval.campaign_id == campaign.id))
    if existing is not None:
        if existing.document == document:
            return Frozen(session.scalar(select(ApprovedListVersion)
                                         .where(ApprovedListVersion.approval_id == existing.id)
                                         .order_by(ApprovedListVersion.version).limit(1)))
        raise ReviewError(f"清单已于 {existing.approved_on.isoformat()} 经{existing.meeting}审定（{existing.document}）；"
                          "此后的变化请用 reform adjust 作为动态调整")
    departments = approved_lists(session, campaign)
    if all(d.status == NOT_SUBMITTED for d in departments):
        raise ApprovalRefused("还没有任何部门报送清单，没有可审定的内容；请先征集各部门清单（reform kickoff inventory）")
    check_finished(departments, "审定", force_reason)
    approval = Approval(campaign_id=campaign.id, approved_on=on, meeting=meeting, document=document,
                        recorded_at=now, actor=actor)
    session.add(approval)
    session.flush()
    if force_reason:
        _record_forced(session, approval.id, actor, departments, "审定", force_reason, now)
    office = coordinator(session, campaign.district)
    for obligation in find_ref_obligation(session, campaign.id, APPROVAL, "", office.id):
        if obligation.state not in CLOSED:
            move_obligation(session, obligation, State.FULFILLED, actor,
                            f"{on.isoformat()} {meeting}审定（{document}）", now)
    overtaken = supersede_open_review(session, campaign, f"{on.isoformat()} {meeting}审定（{document}）", actor, now)
    version = freeze(session, campaign, approval, on, f"{government_of(session, campaign)}审定", document, now,
                     departments, force_reason)
    opened = open_item_phases(session, campaign, version, settings or get_settings(), now)
    return Frozen(version, overtaken, _unfinished(departments), opened)


def _unfinished(departments: list[DepartmentList]) -> list[tuple[str, str]]:
    return [(d.short_name or d.name, d.status) for d in departments if not d.finished]


def by_stage(unfinished: list[tuple[str, str]]) -> str:
    """"审核中：市教育局、市民委；未提交：市财政局": one line, however many departments."""
    stages: dict[str, list[str]] = {}
    for name, stage in unfinished:
        stages.setdefault(stage, []).append(name)
    ordered = sorted(stages.items(), key=lambda kv: STAGE_ORDER.index(kv[0]) if kv[0] in STAGE_ORDER else 0)
    return "；".join(f"{stage}：{'、'.join(names)}" for stage, names in ordered)


def check_finished(departments: list[DepartmentList], what: str, force_reason: str) -> None:
    """Refuse, naming each unfinished department by its stage, unless forced with a reason."""
    unfinished = _unfinished(departments)
    if not unfinished or force_reason:
        return
    raise ApprovalRefused(f"{len(unfinished)} 个部门的清单尚未完成审核、回复和复核，不能{what}（{by_stage(unfinished)}）；"
                          f"全部复核后再{what}，或用 --force --reason 写明理由强行{what}")


def _record_forced(session: Session, approval_id: int, actor: str, departments: list[DepartmentList], what: str,
                   reason: str, now: datetime) -> None:
    session.add(AuditEntry(at=now, actor=actor, entity="approval", entity_id=approval_id, action="force",
                           district=session.get(Approval, approval_id).district,
                           reason=f"强行{what}：{reason}；未完成的部门：{by_stage(_unfinished(departments)) or '无'}"))


def supersede_open_review(session: Session, campaign: Campaign, by: str, actor: str,
                          now: datetime) -> list[Overtaken]:
    """Close what review, response and recheck still owe: the approval has decided it instead."""
    phases = {REVIEW: "审核", RESPONSE: "部门回复", APPROVAL: "复核"}
    still_open = session.execute(
        select(Obligation, Phase.code).join(Phase, Phase.id == Obligation.phase_id)
        .where(Obligation.campaign_id == campaign.id, Phase.code.in_(phases),
               Obligation.state.not_in([str(s) for s in CLOSED]),
               # The approval's own obligation is fulfilled by it, not overtaken.
               (Phase.code != APPROVAL) | Obligation.ref.like("recheck:%"))
        .order_by(Obligation.id)).all()
    overtaken = []
    for obligation, code in still_open:
        move_obligation(session, obligation, State.WAIVED, actor,
                        f"{phases[code]}尚未完成，已被市政府审定取代：{by}", now, action="supersede")
        overtaken.append(Overtaken(obligation.id, code, obligation.debtor.name))
    return overtaken


def adjust(session: Session, on: date, reason: str, document: str, actor: str, now: datetime,
           force_reason: str = "", settings: Settings | None = None, campaign_code: str | None = None) -> Frozen:
    """A later adjustment (动态调整): freeze the lists as they now stand as the next version.

    The same gate as the approval: a list still in review, response or recheck is not frozen unless forced.
    """
    campaign = find_campaign(session, campaign_code)
    approval = session.scalar(select(Approval).where(Approval.campaign_id == campaign.id))
    if approval is None:
        raise ReviewError("清单尚未经市政府审定，不能动态调整；请先运行 reform approve")
    departments = approved_lists(session, campaign)
    check_finished(departments, "调整", force_reason)
    version = freeze(session, campaign, approval, on, reason, document, now, departments, force_reason)
    if not version.change_log:
        raise ReviewError("各部门清单与上一版相比没有变化，无需调整")
    if force_reason:
        _record_forced(session, approval.id, actor, departments, "调整", force_reason, now)
    opened = open_item_phases(session, campaign, version, settings or get_settings(), now)
    return Frozen(version, [], _unfinished(departments), opened)


# What each department owes item by item once its list is approved: a guide per item (task 2) and
# the clean-up of the certificates its items ask for (task 4).
ITEM_PHASES = ("guides", "certificates")


def open_item_phases(session: Session, campaign: Campaign, version: ApprovedListVersion, settings: Settings,
                     now: datetime) -> int:
    """Open (or bring up to date) each department's guides and certificates obligations for the
    version's items, and queue its call with the workbook made for it; returns how many changed."""
    office = coordinator(session, campaign.district)
    orgs = {o.code: o for o in debtors_for(session, "departments", campaign)}
    why = f"{'全市' if campaign.level == 'city' else campaign.owner.short_name.removesuffix('编委办')}清单第 {version.version} 版（{version.document}）"
    changed = 0
    for code, items in version.snapshot.items():
        if not items or code not in orgs:
            continue
        covered = [{**item, "code": item_code(code, n)} for n, item in enumerate(items, start=1)]
        for phase in ITEM_PHASES:
            scoped = open_scoped(session, campaign, phase, orgs[code].id, office.id, covered, version.version, why, now)
            if scoped.event != UNCHANGED:
                queue_call(session, scoped.obligation_id, settings, now)
                changed += 1
    return changed


def item_code(org_code: str, position: int) -> str:
    """An approved item's code in the guides and certificates workbooks: the department and its place."""
    return f"{org_code.upper()}-{position:03d}"


def freeze(session: Session, campaign: Campaign, approval: Approval, on: date, reason: str, document: str,
           now: datetime, departments: list[DepartmentList], force_reason: str = "") -> ApprovedListVersion:
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
                                  change_note=note, forced=force_reason)
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
    for org in debtors_for(session, "departments", campaign):
        obligation = session.scalar(select(Obligation).where(Obligation.phase_id == inventory.id,
                                                             Obligation.debtor_id == org.id, Obligation.ref == ""))
        current = session.scalar(select(Submission).where(Submission.obligation_id == obligation.id,
                                                          Submission.state == "accepted")) if obligation else None
        if current is None:
            result.append(_department(org, None, NOT_SUBMITTED, []))
            continue
        if current.zero_report:
            result.append(_department(org, current.version, ZERO_REPORT, []))
            continue
        cancelled = set(session.scalars(
            select(ConsolidatedItem.name).join(ConsolidatedOpinion,
                                               ConsolidatedOpinion.id == ConsolidatedItem.consolidated_id)
            .where(ConsolidatedOpinion.submission_id == current.id, ConsolidatedItem.outcome == Opinion.CANCEL)))
        items = [i for i in items_of(session, current.id) if i["name"] not in cancelled]
        result.append(_department(org, current.version, review_stage(session, campaign, obligation), items))
    return result


def _department(org, version: int | None, stage: str, items: list[dict]) -> DepartmentList:
    return DepartmentList(org.code, org.name, org.short_name, version, stage, items, finished=stage in FINISHED)


def review_stage(session: Session, campaign: Campaign, inventory_obligation: Obligation) -> str:
    """Where a department's list stands in review, in a word a coordinator uses."""
    return review_stages(session, campaign, [inventory_obligation.id])[inventory_obligation.id]


def review_stages(session: Session, campaign: Campaign, inventory_obligation_ids: list[int]) -> dict[int, str]:
    """``review_stage`` of many lists at once, in a fixed number of queries: the review status reads
    every list of the campaign on each routing and merge run."""
    versions: dict[int, list[str]] = {i: [] for i in inventory_obligation_ids}
    for submission_id, obligation_id in session.execute(
            select(Submission.id, Submission.obligation_id)
            .where(Submission.obligation_id.in_(inventory_obligation_ids)).order_by(Submission.id.desc())):
        versions[obligation_id].append(str(submission_id))
    owed: dict[str, dict[str, list[str]]] = {APPROVAL: {}, RESPONSE: {}, REVIEW: {}}
    for code, ref, state in session.execute(
            select(Phase.code, Obligation.ref, Obligation.state).join(Phase, Phase.id == Obligation.phase_id)
            .where(Obligation.campaign_id == campaign.id, Phase.code.in_(tuple(owed))).order_by(Obligation.id)):
        owed[code].setdefault(ref, []).append(state)
    merged = {str(i) for i, state in session.execute(
        select(ConsolidatedOpinion.submission_id, ConsolidatedOpinion.state)) if state}
    return {obligation_id: _stage_of(refs, owed, merged) for obligation_id, refs in versions.items()}


def _stage_of(refs: list[str], owed: dict[str, dict[str, list[str]]], merged: set[str]) -> str:
    for ref in refs:  # the newest version first
        if recheck := owed[APPROVAL].get(recheck_ref(int(ref))):
            return _stage(recheck[0], AWAITING_RECHECK, RECHECKED)
        if response := owed[RESPONSE].get(ref):
            return _stage(response[0], AWAITING_RESPONSE, "已回复")
        if ref in merged:
            return "待协调"
        if any(state != State.WAIVED for state in owed[REVIEW].get(ref, ())):
            return UNDER_REVIEW
    return "未送审"


def _stage(state: str, owed: str, done: str) -> str:
    return owed if state not in CLOSED else done if state == State.FULFILLED else OVERTAKEN
