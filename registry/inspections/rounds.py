"""Opening an inspection round, recording its findings and their rectification, and reading it back.

Each finding opens a rectification obligation on the unit through the review room's idempotent
``open_obligation``: the sweep then reminds, cards and escalates it by its due date like any other.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.problems import Problem
from registry.calendar.store import load_calendar
from registry.campaign.audit import move_obligation
from registry.campaign.plan import debtors_for
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Campaign
from registry.directory.queries import general_office
from registry.directory.tables import Organisation
from registry.inspections.tables import Finding, InspectedUnit, InspectionRound
from registry.review.obligations import open_obligation, phase_of
from registry.supervision.tables import Complaint
from rules.calendar import YearNotLoaded
from rules.cell_text import fold
from rules.escalation import policy_from_settings
from rules.inspections import (
    CHECKLIST,
    COUNTED_BY_COMPLAINTS,
    DEFAULT_RECTIFICATION_WORKING_DAYS,
    ChecklistRefused,
    InspectionError,
    check_checklist_rows,
    check_rectification_days,
    check_round_due,
    checklist_item,
)
from rules.obligations import DEFAULT_NEAR_DUE_WORKING_DAYS, STANDING_NAMES, STATE_NAMES, State, classify
from workbooks.inspection_checklist import SHEET as CHECKLIST_SHEET
from workbooks.inspection_checklist import ChecklistUnit, read_checklist
from workbooks.safety import Limits, check_workbook

PHASE = "rectification"


def finding_ref(finding_id: int) -> str:
    return f"inspection:{finding_id}"


def _organisations(session: Session, named: list[str]) -> list[Organisation]:
    """The units a coordinator named by code, name or short name; every unknown one refused at once."""
    orgs = session.scalars(select(Organisation).order_by(Organisation.id)).all()
    chosen: dict[int, Organisation] = {}
    unknown = []
    for name in (n.strip() for n in named):
        org = next((o for o in orgs if name in (o.code, o.name, o.short_name)), None)
        if org is None:
            unknown.append(name)
        else:
            chosen[org.id] = org
    if unknown:
        raise InspectionError(f"组织目录中没有单位：{'、'.join(unknown)}（单位代码见 reform directory export）")
    return list(chosen.values())


def get_round(session: Session, name: str) -> InspectionRound:
    found = session.scalar(select(InspectionRound).where(InspectionRound.name == name.strip()))
    if found is None:
        raise InspectionError(f"没有名为“{name.strip()}”的检查（先用 reform inspection open --round 开启）")
    return found


def get_finding(session: Session, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise InspectionError(f"没有编号为 {finding_id} 的检查发现问题（编号见 reform inspection show）")
    return finding


def open_round(session: Session, name: str, due: date, on: date, org_names: list[str] | None = None,
               campaign_code: str | None = None) -> InspectionRound:
    """A new round over the named units (every city department by default), complaints counted per unit."""
    name = name.strip()
    if not name:
        raise InspectionError("检查须有名称：--round …")
    if session.scalar(select(InspectionRound.id).where(InspectionRound.name == name)) is not None:
        raise InspectionError(f"检查“{name}”已经开启过，请换一个名称")
    check_round_due(due, on, load_calendar(session))
    campaign = find_campaign(session, campaign_code)
    units = _organisations(session, org_names) if org_names else debtors_for(session, "departments")
    if not units:
        raise InspectionError("没有选定被检查单位：--orgs 单位代码,单位代码")
    complaints = dict(session.execute(
        select(Complaint.department_id, func.count()).where(Complaint.received_on <= on)
        .group_by(Complaint.department_id)).all())
    inspection = InspectionRound(campaign_id=campaign.id, name=name, opened_on=on, due=due)
    inspection.units = [InspectedUnit(org_id=o.id, complaints=complaints.get(o.id, 0)) for o in units]
    session.add(inspection)
    session.flush()
    return inspection


def record_finding(session: Session, round_name: str, org_name: str, item: str, text: str, on: date,
                   days: int | None = None) -> Finding:
    """A finding against one checklist item, and the rectification the unit owes for it."""
    inspection = get_round(session, round_name)
    chosen = checklist_item(item)
    if not text.strip():
        raise InspectionError("须写明发现的问题：--text …")
    org = _organisations(session, [org_name])[0]
    if org.id not in {u.org_id for u in inspection.units}:
        raise InspectionError(f"{org.name}（{org.code}）不在检查“{inspection.name}”的被检查单位中")
    campaign = session.get(Campaign, inspection.campaign_id)
    phase = phase_of(session, campaign.id, PHASE)
    if phase is None:
        raise InspectionError("工作方案中没有“督导检查问题整改”阶段，请先运行 reform init 更新方案")
    days = check_rectification_days(days or phase.working_days or DEFAULT_RECTIFICATION_WORKING_DAYS)
    due = load_calendar(session).add_working_days(on, days)
    finding = Finding(round_id=inspection.id, org_id=org.id, item=chosen, text=text.strip(), found_on=on)
    session.add(finding)
    session.flush()
    office = general_office(session)  # 市政府办公厅 supervises (督查) what an inspection finds
    reason = f"{on.isoformat()} 督导检查“{inspection.name}”发现问题，限 {days} 个工作日内整改，即 {due.isoformat()}"
    obligation, _ = open_obligation(session, campaign, PHASE, org.id, office.id if office else None,
                                    finding_ref(finding.id), due, reason,
                                    datetime.combine(on, datetime.min.time()),
                                    f"检查发现问题第 {finding.id} 号（{chosen}）：{reason}")
    finding.obligation_id = obligation.id
    return finding


def rectify(session: Session, finding_id: int, note: str, on: date, actor: str = "coordinator") -> Finding:
    """The unit has rectified: its obligation is fulfilled, the note kept and audited."""
    finding = get_finding(session, finding_id)
    if finding.rectified_on is not None:
        raise InspectionError(f"检查发现问题第 {finding_id} 号已于 {finding.rectified_on.isoformat()} 整改完成，不能重复记录")
    if not note.strip():
        raise InspectionError("须写明整改情况：--note …")
    move_obligation(session, finding.obligation, State.FULFILLED, actor,
                    f"检查发现问题第 {finding_id} 号已整改：{note.strip()}", on)
    finding.rectified_on, finding.note = on, note.strip()
    return finding


def _standing(finding: Finding, as_of: date, calendar, settings: dict) -> tuple[str, str]:
    obligation = finding.obligation
    thresholds = policy_from_settings(settings).for_priority(obligation.priority)
    try:
        standing = classify(obligation.state, obligation.due, as_of, calendar,
                            int(settings.get("near_due_working_days", DEFAULT_NEAR_DUE_WORKING_DAYS)),
                            thresholds.red_after_working_days)
    except YearNotLoaded as error:
        return "undated", f"待导入 {error.year} 年工作日历"
    return str(standing), STANDING_NAMES[standing]


def round_record(session: Session, name: str, as_of: date) -> dict:
    """The round as JSON-ready values: its units with their figures, the checklist, every finding's standing."""
    inspection = get_round(session, name)
    calendar = load_calendar(session)
    settings = session.get(Campaign, inspection.campaign_id).settings or {}
    per_unit: dict[int, list[Finding]] = {}
    for f in inspection.findings:
        per_unit.setdefault(f.org_id, []).append(f)
    findings = []
    for f in inspection.findings:
        standing, standing_name = _standing(f, as_of, calendar, settings)
        findings.append({
            "id": f.id, "org": f.org.code, "org_name": f.org.name, "item": f.item, "text": f.text,
            "found_on": f.found_on.isoformat(), "obligation_id": f.obligation_id,
            "due": f.obligation.due.isoformat(), "state": STATE_NAMES[State(f.obligation.state)],
            "priority": f.obligation.priority, "standing": standing, "standing_name": standing_name,
            "rectified_on": f.rectified_on.isoformat() if f.rectified_on else None, "note": f.note,
        })
    return {
        "round": inspection.name,
        "opened_on": inspection.opened_on.isoformat(),
        "due": inspection.due.isoformat(),
        "as_of": as_of.isoformat(),
        "checklist": list(CHECKLIST),
        "units": [{
            "org": u.org.code, "org_name": u.org.name, "org_short_name": u.org.short_name,
            # Only the conduct item has a figure the registry holds; the others are the inspectors' to fill.
            "checklist": {item: (u.complaints if item == COUNTED_BY_COMPLAINTS else None) for item in CHECKLIST},
            "complaints": u.complaints,
            "findings": len(per_unit.get(u.org_id, [])),
            "rectified": sum(1 for f in per_unit.get(u.org_id, []) if f.rectified_on is not None),
        } for u in inspection.units],
        "findings": findings,
    }


def checklist_units(session: Session, name: str) -> tuple[InspectionRound, list[ChecklistUnit]]:
    inspection = get_round(session, name)
    return inspection, [ChecklistUnit(u.org.code, u.org.name, u.complaints) for u in inspection.units]


def import_checklist(session: Session, name: str, filename: str, content: bytes, on: date) -> list[Finding]:
    """Every finding a filled checklist records, each a rectification; with any problem, none (told all at once)."""
    inspection = get_round(session, name)
    refused = check_workbook(filename, content, Limits())
    if refused is not None:
        raise ChecklistRefused([refused])
    filled = read_checklist(content)
    problems = list(filled.problems)
    if not problems and fold(filled.round_name) != fold(inspection.name):
        problems.append(Problem(f"这份清单属于检查“{filled.round_name or '（未写明）'}”，不是“{inspection.name}”",
                                f"请导入“{inspection.name}”下发的清单，或改用 reform inspection import "
                                f"{filled.round_name or '检查名称'} …", sheet=CHECKLIST_SHEET))
    entries, row_problems = check_checklist_rows(filled.rows, CHECKLIST_SHEET, {u.org.code for u in inspection.units})
    problems += row_problems
    if problems:
        raise ChecklistRefused(problems)
    return [record_finding(session, inspection.name, e.org_code, e.item, e.text, on, e.days) for e in entries]
