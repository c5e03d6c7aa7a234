"""Complaints and evaluations (item 14): record, assign with a deadline, answer, evaluate.

``record_complaint`` is the one entry point for every channel: the CLI calls it, and so does
intake for a complaint that arrives by email at the complaints address (pass the message's
Message-ID as ``source_ref``; the same message taken in twice records one complaint).
The department's answer is an obligation in the ``complaints`` phase, swept like any other.
"""
from __future__ import annotations

import difflib
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from registry.calendar.store import load_calendar
from registry.campaign.audit import move_obligation, record_change
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.directory.queries import coordinator_addresses, general_office
from registry.directory.tables import Contact, Organisation
from registry.outbox.queue import queue_message
from registry.supervision.tables import Complaint, ComplaintPerson
from rules.complaints import (
    DEFAULT_RESPONSE_WORKING_DAYS,
    ComplaintError,
    ComplaintState,
    parse_evaluation,
)
from rules.obligations import State

PHASE = "complaints"


def _find_org(session: Session, named: str) -> Organisation | None:
    named = named.strip()
    if not named:
        return None
    return session.scalar(select(Organisation).where(
        or_(Organisation.code == named, Organisation.name == named, Organisation.short_name == named)))


def department_named_in(session: Session, text: str) -> str:
    """The code of the one organisation whose name a complainant wrote, or "" when none or several."""
    named = {code for code, name, short in session.execute(
        select(Organisation.code, Organisation.name, Organisation.short_name))
        if name in text or (len(short) >= 3 and short.removeprefix("市") in text)}
    return named.pop() if len(named) == 1 else ""


def _get(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise ComplaintError(f"没有编号为 {complaint_id} 的投诉")
    return complaint


def unknown_department(session: Session, named: str) -> ComplaintError:
    """A department the directory does not have, named with the ones whose code or name is close."""
    choices = {}
    for code, short in session.execute(select(Organisation.code, Organisation.short_name)):
        choices[code] = choices[short] = f"{code}（{short}）"
    near = [choices[c] for c in difflib.get_close_matches(named.strip(), list(choices), n=3, cutoff=0.5)]
    hint = f"，是否指 {'、'.join(dict.fromkeys(near))}" if near else ""
    return ComplaintError(f"组织目录中没有单位“{named.strip()}”{hint}；单位代码见 reform directory export")


def record_complaint(session: Session, *, text: str, received_on: date, department: str = "",
                     complainant: str = "", complainant_contact: str = "", subject: str = "", channel: str = "cli",
                     source_ref: str | None = None, campaign_code: str | None = None, actor: str = "system",
                     mail_domain: str = "reform.shenyang.example.org",
                     refuse_unknown_department: bool = False) -> Complaint:
    """Record a complaint; with a known department it is assigned at once, else the coordinator is told.

    A department a complainant named is kept as written for the coordinator to assign; one a
    coordinator typed (``refuse_unknown_department``) is meant as a code, so an unknown one is a
    typo, refused before anything is recorded.
    """
    if source_ref:
        seen = session.scalar(select(Complaint).where(Complaint.source_ref == source_ref))
        if seen is not None:
            return seen
    if not text.strip():
        raise ComplaintError("投诉内容为空")
    if refuse_unknown_department and department.strip() and _find_org(session, department) is None:
        raise unknown_department(session, department)
    campaign = find_campaign(session, campaign_code)
    # The complainant is kept apart from the complaint, so that erasing them leaves the case whole.
    person = None
    if complainant.strip() or complainant_contact.strip():
        person = ComplaintPerson(name=complainant.strip(), contact=complainant_contact.strip())
    complaint = Complaint(campaign_id=campaign.id, received_on=received_on, channel=channel, source_ref=source_ref,
                          person=person, subject=subject, text=text, named_department=department.strip(),
                          state=ComplaintState.UNASSIGNED)
    session.add(complaint)
    session.flush()
    org = _find_org(session, department)
    if org is not None:
        return assign_complaint(session, complaint.id, org.code, received_on, actor, mail_domain)
    why = f"投诉指向的单位“{department}”不在组织目录中" if department.strip() else "投诉未指明被投诉单位"
    queue_message(session, key=f"complaint:{complaint.id}:unassigned", to=coordinator_addresses(session),
                  subject=f"【待分派投诉】第 {complaint.id} 号：{subject or text[:20]}",
                  text=f"{why}，请指定承办部门：\nreform complaint assign {complaint.id} 单位代码\n\n"
                       f"投诉人：{complainant or '（未留姓名）'} {complainant_contact}\n收到日期：{received_on}\n\n{text}",
                  kind="complaint", now=datetime.combine(received_on, datetime.min.time()), mail_domain=mail_domain)
    return complaint


def assign_complaint(session: Session, complaint_id: int, org_code: str, on: date, actor: str = "system",
                     mail_domain: str = "reform.shenyang.example.org") -> Complaint:
    """Give the complaint to a department, due in the campaign's working days (15 by default)."""
    complaint = _get(session, complaint_id)
    if complaint.state != ComplaintState.UNASSIGNED:
        raise ComplaintError(f"第 {complaint_id} 号投诉已分派给其他单位，不能重复分派")
    org = _find_org(session, org_code)
    if org is None:
        raise unknown_department(session, org_code)
    campaign = complaint.campaign_id
    phase = session.scalar(select(Phase).where(Phase.campaign_id == campaign, Phase.code == PHASE))
    if phase is None:
        raise ComplaintError("工作方案中没有“投诉办理答复”阶段，请先运行 reform init 更新方案")
    settings = session.get(Campaign, campaign).settings or {}
    days = int(settings.get("complaint_response_working_days", DEFAULT_RESPONSE_WORKING_DAYS))
    due = load_calendar(session).add_working_days(on, days)
    # 市政府办公厅 leads item 14: the answer is owed under its supervision.
    office = general_office(session)
    reason = f"{on.isoformat()} 分派，限 {days} 个工作日内答复（限时办结），即 {due.isoformat()}"
    obligation = Obligation(campaign_id=campaign, phase_id=phase.id, debtor_id=org.id,
                            creditor_id=office.id if office else None, ref=f"complaint-{complaint.id}", due=due,
                            due_reason=reason, state=State.OPEN, opened_on=on)
    session.add(obligation)
    session.flush()
    record_change(session, obligation, actor, "open", "", State.OPEN, f"投诉第 {complaint.id} 号：{reason}", on)
    complaint.department_id, complaint.obligation_id = org.id, obligation.id
    complaint.state = ComplaintState.ASSIGNED
    contact = session.scalar(select(Contact.email).where(Contact.org_id == org.id, Contact.role == "contact"))
    if contact:
        queue_message(session, key=f"complaint:{complaint.id}:assigned", to=[contact], kind="complaint",
                      obligation_id=obligation.id,
                      subject=f"【投诉转办】第 {complaint.id} 号，请于 {due.isoformat()} 前答复",
                      text=f"{org.name}：\n\n现将群众投诉转你单位办理，请于 {due.isoformat()} 前答复投诉人并报送答复情况。\n"
                           f"期限：{reason}\n\n{complaint.text}",
                      now=datetime.combine(on, datetime.min.time()), mail_domain=mail_domain)
    return complaint


def answer_complaint(session: Session, complaint_id: int, answer: str, on: date, actor: str = "system") -> Complaint:
    complaint = _get(session, complaint_id)
    if complaint.state != ComplaintState.ASSIGNED:
        raise ComplaintError(f"第 {complaint_id} 号投诉{'尚未分派' if complaint.state == ComplaintState.UNASSIGNED else '已答复'}，"
                             "不能记录答复")
    if not answer.strip():
        raise ComplaintError("答复内容为空")
    obligation = session.get(Obligation, complaint.obligation_id)
    move_obligation(session, obligation, State.FULFILLED, actor, f"投诉第 {complaint_id} 号已答复", on)
    complaint.answer, complaint.answered_on, complaint.state = answer, on, ComplaintState.ANSWERED
    return complaint


def evaluate_complaint(session: Session, complaint_id: int, level: str, on: date) -> Complaint:
    complaint = _get(session, complaint_id)
    if complaint.state not in (ComplaintState.ANSWERED, ComplaintState.EVALUATED):
        raise ComplaintError(f"第 {complaint_id} 号投诉尚未答复，不能评价")
    complaint.evaluation, complaint.evaluated_on = parse_evaluation(level).value, on
    complaint.state = ComplaintState.EVALUATED
    return complaint
