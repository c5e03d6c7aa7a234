"""An evaluation recorded, the case a 差评 opens, and each step of that case, audited.

Each step a case waits for is an ordinary obligation in the ``evaluation_cases`` phase, so the daily
sweep reminds, cards and escalates it like any other: the unit's verification (ref
``evaluation-case-<id>/verify``), 市政府办公厅's review of an unfounded finding (``…/review``) and the
unit's rectification of a founded one (``evaluation-case-<id>``); after the appeal the refs read
``evaluation-case-<id>/appeal…``. Every step of a case is an audit entry on entity ``evaluation_case``.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.calendar.store import load_calendar
from registry.campaign.audit import move_obligation
from registry.campaign.tables import AuditEntry, Campaign, Obligation
from registry.directory.queries import general_office
from registry.directory.tables import Contact, Organisation
from registry.evaluations.tables import Evaluation, EvaluationCase, EvaluationPerson
from registry.outbox.queue import queue_message
from registry.outbox.tables import OutboxMessage
from registry.review.obligations import find_ref_obligation, open_obligation, phase_of
from registry.supervision.tables import Complaint
from rules.complaints import ComplaintError, parse_evaluation
from rules.evaluations import (
    DEFAULT_REVIEW_WORKING_DAYS,
    DEFAULT_VERIFY_WORKING_DAYS,
    CaseState,
    EvaluationError,
    Source,
    check_appeal,
    check_reason,
    check_rectified,
    check_review,
    check_verify,
    check_visit,
    is_bad,
)
from rules.obligations import CLOSED, State

PHASE = "evaluation_cases"
DEFAULT_WORKING_DAYS = 15
ERASED = "（已按本人要求删除）"
MAIL_DOMAIN = "reform.shenyang.example.org"


def _at(on: date | datetime) -> datetime:
    return on if isinstance(on, datetime) else datetime.combine(on, time())


def audit(session: Session, entity: str, entity_id: int, actor: str, action: str, from_state: str, to_state: str,
          reason: str, on: date | datetime) -> None:
    session.add(AuditEntry(at=_at(on), actor=actor, entity=entity, entity_id=entity_id, action=action,
                           from_state=str(from_state), to_state=str(to_state), reason=reason))


def person(session: Session, name: str, contact: str) -> EvaluationPerson | None:
    """The evaluator in the people table; None when the terminal recorded nobody."""
    if not (name.strip() or contact.strip()):
        return None
    found = EvaluationPerson(name=name.strip(), contact=contact.strip())
    session.add(found)
    session.flush()
    return found


def record_evaluation(session: Session, campaign: Campaign, *, source: Source, at: datetime, level: str,
                      org_id: int | None, item_code: str = "", item_name: str = "", text: str = "",
                      person_id: int | None = None, complaint_id: int | None = None,
                      source_ref: str | None = None, actor: str = "system",
                      opened_on: date | None = None) -> tuple[Evaluation, EvaluationCase | None]:
    """The evaluation stored; a 差评 (other than a 回访's answer, which belongs to its case) opens a case,
    on ``opened_on`` (the day the 差评 became known: an export is imported after the fact) or its day."""
    evaluation = Evaluation(campaign_id=campaign.id, source=source, source_ref=source_ref, evaluated_at=at,
                            org_id=org_id, item_code=item_code, item_name=item_name,
                            level=parse_evaluation(level).value, text=text, person_id=person_id,
                            complaint_id=complaint_id)
    session.add(evaluation)
    session.flush()
    if source == Source.VISIT or not is_bad(evaluation.level):
        return evaluation, None
    case = EvaluationCase(campaign_id=campaign.id, evaluation_id=evaluation.id, org_id=org_id,
                          state=CaseState.VERIFYING, opened_on=opened_on or at.date())
    session.add(case)
    session.flush()
    audit(session, "evaluation_case", case.id, actor, "open", "", case.state,
          f"差评（{evaluation.level}）待核实", case.opened_on)
    _owe_verification(session, case, case.opened_on)
    return evaluation, case


def get_case(session: Session, case_id: int) -> EvaluationCase:
    case = session.get(EvaluationCase, case_id)
    if case is None:
        raise EvaluationError(f"没有编号为 {case_id} 的差评案件；案件编号见 reform evaluations list")
    return case


def _move(session: Session, case: EvaluationCase, target: CaseState, actor: str, action: str, reason: str,
          on: date) -> None:
    audit(session, "evaluation_case", case.id, actor, action, case.state, target, reason, on)
    case.state = target


def _ref(case: EvaluationCase, step: str = "") -> str:
    return f"evaluation-case-{case.id}" + ("/appeal" if case.appealed_on else "") + (f"/{step}" if step else "")


def _owe(session: Session, case: EvaluationCase, debtor_id: int, step: str, days: int, on: date,
         what: str) -> Obligation:
    campaign = session.get(Campaign, case.campaign_id)
    if phase_of(session, campaign.id, PHASE) is None:
        raise EvaluationError("工作方案中没有“差评核实整改”阶段，请先运行 reform init 更新方案")
    due = load_calendar(session).add_working_days(on, days)
    office = general_office(session)
    why = f"{on.isoformat()} 起限 {days} 个工作日内{what}，即 {due.isoformat()}"
    obligation, _ = open_obligation(session, campaign, PHASE, debtor_id,
                                    office.id if office and office.id != debtor_id else None, _ref(case, step), due,
                                    why, _at(on), f"差评案件第 {case.id} 号：{why}")
    return obligation


def _settle(session: Session, case: EvaluationCase, step: str, actor: str, reason: str, on: date) -> None:
    """The step's obligation fulfilled, once the step is done."""
    for obligation in find_ref_obligation(session, case.campaign_id, PHASE, _ref(case, step)):
        if obligation.state not in CLOSED:
            move_obligation(session, obligation, State.FULFILLED, actor, f"差评案件第 {case.id} 号：{reason}", on)


def _setting(session: Session, case: EvaluationCase, key: str, default: int) -> int:
    return int((session.get(Campaign, case.campaign_id).settings or {}).get(key, default))


def _owe_verification(session: Session, case: EvaluationCase, on: date) -> None:
    if case.org_id is not None:
        _owe(session, case, case.org_id, "verify",
             _setting(session, case, "evaluation_verify_working_days", DEFAULT_VERIFY_WORKING_DAYS), on, "核实差评")


def _owe_review(session: Session, case: EvaluationCase, on: date) -> None:
    office = general_office(session)
    if office is not None:
        _owe(session, case, office.id, "review",
             _setting(session, case, "evaluation_review_working_days", DEFAULT_REVIEW_WORKING_DAYS), on,
             "复核不属实的差评")


def _open_rectification(session: Session, case: EvaluationCase, on: date, actor: str, mail_domain: str) -> None:
    if case.org_id is None:
        raise EvaluationError(f"第 {case.id} 号差评案件没有承办单位，无法开启整改（投诉须先分派）")
    phase = phase_of(session, case.campaign_id, PHASE)
    if phase is None:
        raise EvaluationError("工作方案中没有“差评核实整改”阶段，请先运行 reform init 更新方案")
    days = phase.working_days or DEFAULT_WORKING_DAYS
    obligation = _owe(session, case, case.org_id, "", days, on, "整改")
    case.obligation_id = obligation.id
    _move(session, case, CaseState.RECTIFYING, actor, "founded", obligation.due_reason, on)
    _tell_unit(session, case, obligation, on, mail_domain)


def _tell_unit(session: Session, case: EvaluationCase, obligation: Obligation, on: date, mail_domain: str) -> None:
    """The unit is told what to rectify and by when; the evaluator is not named (the case is enough)."""
    contact = session.scalar(select(Contact.email).where(Contact.org_id == case.org_id, Contact.role == "contact"))
    if not contact:
        return
    e = session.get(Evaluation, case.evaluation_id)
    org = session.get(Organisation, case.org_id)
    item = f"事项：{e.item_code} {e.item_name}\n" if e.item_code else f"投诉第 {e.complaint_id} 号的答复\n"
    queue_message(session, key=f"evaluation-case:{_ref(case)}:rectify", to=[contact], kind="evaluation_case",
                  obligation_id=obligation.id,
                  subject=f"【差评整改】差评案件第 {case.id} 号，请于 {obligation.due.isoformat()} 前整改",
                  text=f"{org.name}：\n\n你单位收到的差评经核实属实，请于 {obligation.due.isoformat()} 前整改并报送整改情况。\n"
                       f"期限：{obligation.due_reason}\n\n{item}评价：{e.level}（{e.evaluated_at:%Y-%m-%d}）{e.text}\n"
                       f"核实情况：{case.verify_reason}",
                  now=_at(on), mail_domain=mail_domain)


def verify(session: Session, case_id: int, founded: bool, reason: str, on: date, actor: str,
           mail_domain: str = MAIL_DOMAIN) -> EvaluationCase:
    case = get_case(session, case_id)
    check_verify(case.id, case.state)
    case.verify_reason = check_reason(reason, "核实理由")
    case.verified_on, case.founded = on, founded
    _settle(session, case, "verify", actor, "已核实" + ("属实" if founded else "不属实"), on)
    if founded:
        _open_rectification(session, case, on, actor, mail_domain)
    else:
        _move(session, case, CaseState.REVIEWING, actor, "unfounded", f"核实不属实：{case.verify_reason}", on)
        _owe_review(session, case, on)
    return case


def review(session: Session, case_id: int, agree: bool, note: str, on: date, actor: str,
           mail_domain: str = MAIL_DOMAIN) -> EvaluationCase:
    """市政府办公厅's review of an unfounded finding; disagreeing makes the case founded."""
    case = get_case(session, case_id)
    check_review(case.id, case.state)
    case.reviewed_on, case.review_note = on, note.strip()
    _settle(session, case, "review", actor, "已复核" + ("，同意不属实" if agree else "，按属实整改"), on)
    if agree:
        case.closed_on = on
        _move(session, case, CaseState.UNFOUNDED, actor, "review-agree", note.strip() or "同意核实结论", on)
    else:
        case.founded = True
        audit(session, "evaluation_case", case.id, actor, "review-disagree", case.state, case.state,
              note.strip() or "不同意核实结论，按属实整改", on)
        _open_rectification(session, case, on, actor, mail_domain)
    return case


def rectified(session: Session, case_id: int, note: str, on: date, actor: str) -> EvaluationCase:
    case = get_case(session, case_id)
    check_rectified(case.id, case.state)
    case.rectification_note, case.rectified_on = check_reason(note, "整改情况"), on
    obligation = session.get(Obligation, case.obligation_id)
    if obligation.state not in CLOSED:
        move_obligation(session, obligation, State.FULFILLED, actor, f"差评案件第 {case.id} 号已整改", on)
    _move(session, case, CaseState.RECTIFIED, actor, "rectified", case.rectification_note, on)
    return case


def visit(session: Session, case_id: int, result: str, note: str, on: date, actor: str) -> EvaluationCase:
    """The 回访 that closes a rectified case; its answer is stored as an evaluation of its own."""
    case = get_case(session, case_id)
    check_visit(case.id, case.state)
    try:
        level = parse_evaluation(result).value
    except ComplaintError as error:
        raise EvaluationError(str(error)) from None
    first = session.get(Evaluation, case.evaluation_id)
    answer, _ = record_evaluation(session, session.get(Campaign, case.campaign_id), source=Source.VISIT,
                                  at=_at(on), level=level, org_id=case.org_id, item_code=first.item_code,
                                  item_name=first.item_name, text=note.strip(), person_id=first.person_id,
                                  complaint_id=first.complaint_id, actor=actor)
    case.visited_on, case.visit_result, case.visit_note = on, level, note.strip()
    case.visit_evaluation_id, case.closed_on = answer.id, on
    _move(session, case, CaseState.CLOSED, actor, "visit", f"回访结果：{level}", on)
    return case


def appeal(session: Session, case_id: int, reason: str, on: date, actor: str) -> EvaluationCase:
    """The evaluator's one appeal (申诉复核): the closed case is verified again from the start."""
    case = get_case(session, case_id)
    check_appeal(case.id, case.state, case.appealed_on is not None)
    case.appeal_reason, case.appealed_on = check_reason(reason, "申诉理由"), on
    case.closed_on = None
    _move(session, case, CaseState.VERIFYING, actor, "appeal", f"申诉复核：{case.appeal_reason}", on)
    _owe_verification(session, case, on)
    return case


def forget_complaint(session: Session, complaint_id: int, on: date, actor: str, reason: str = "") -> Complaint:
    """Erase a complainant (name, contact, and the coordinator's copy of the notice naming them);
    the complaint, its answer and its figures stay."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise EvaluationError(f"没有编号为 {complaint_id} 的投诉")
    who = complaint.person
    if who is not None:
        for value in {who.name, who.contact} - {""}:
            for message in session.scalars(select(OutboxMessage).where(
                    OutboxMessage.key.like(f"complaint:{complaint_id}:%"))):
                message.text = message.text.replace(value, ERASED)
        who.name = who.contact = ""
        who.erased_on = on
    audit(session, "complaint", complaint_id, actor, "forget", "", "", reason.strip() or "本人要求删除个人信息", on)
    return complaint


def forget_case_person(session: Session, case_id: int, on: date, actor: str, reason: str = "") -> EvaluationCase:
    """Erase the evaluator of a case (the complainant, for a complaint's rating); the case stays."""
    case = get_case(session, case_id)
    evaluation = session.get(Evaluation, case.evaluation_id)
    if evaluation.complaint_id is not None:
        forget_complaint(session, evaluation.complaint_id, on, actor, reason)
    if evaluation.person is not None:
        evaluation.person.name = evaluation.person.contact = ""
        evaluation.person.erased_on = on
        audit(session, "evaluation_person", evaluation.person.id, actor, "forget", "", "",
              reason.strip() or f"差评案件第 {case.id} 号评价人要求删除个人信息", on)
    return case
