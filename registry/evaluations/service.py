"""好差评's use cases: evaluations taken in from each source, the cases a 差评 opens and their steps,
the month's public summary, and erasing a person on request.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
Only ``show_case`` returns the evaluator's name and contact: it is what the coordinators use.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.problems import Problem
from core.settings import get_settings
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Campaign
from registry.db import transaction
from registry.evaluations import cases, imports, summary
from registry.evaluations.tables import Evaluation, EvaluationCase
from registry.supervision import complaints
from registry.supervision.tables import Complaint
from rules.evaluations import CASE_STATE_NAMES, CaseState, Source, next_month, parse_month
from workbooks.evaluations_summary import summary_workbook

__all__ = ["appeal", "evaluate_complaint", "forget_case", "forget_complaint", "import_evaluations", "list_cases",
           "monthly_summary", "monthly_summary_workbook", "rectified", "review", "show_case", "verify", "visit"]


def _case(case: EvaluationCase) -> dict:
    """A case as plain values, without the person."""
    e = case.evaluation
    return {"id": case.id, "state": str(case.state), "state_name": CASE_STATE_NAMES[CaseState(case.state)],
            "unit_code": case.organisation.code if case.organisation else "",
            "unit": case.organisation.name if case.organisation else "",
            "source": e.source, "evaluated_at": e.evaluated_at.isoformat(sep=" "), "level": e.level,
            "item_code": e.item_code, "item_name": e.item_name, "complaint_id": e.complaint_id,
            "opened_on": case.opened_on.isoformat(), "founded": case.founded,
            "obligation_id": case.obligation_id,
            "due": case.obligation.due.isoformat() if case.obligation else None,
            "rectified_on": case.rectified_on.isoformat() if case.rectified_on else None,
            "on_time": summary.on_time(case),
            "visited_on": case.visited_on.isoformat() if case.visited_on else None,
            "visit_result": case.visit_result, "appealed": case.appealed_on is not None,
            "closed_on": case.closed_on.isoformat() if case.closed_on else None}


def import_evaluations(url: str, content: bytes, filename: str, now: datetime, actor: str = "coordinator",
                       campaign_code: str | None = None) -> dict:
    """``{"evaluations": n, "cases": [ids], "problems": [Problem…]}``; with problems nothing is stored."""
    with transaction(url) as session:
        result = imports.import_file(session, find_campaign(session, campaign_code), content, filename, now, actor)
        if result.problems:
            session.rollback()
    return {"evaluations": 0 if result.problems else result.evaluations,
            "cases": [] if result.problems else result.cases, "problems": result.problems}


def evaluate_complaint(url: str, complaint_id: int, level: str, on: date, actor: str = "coordinator") -> dict:
    """The complainant's rating of the answer, recorded on the complaint and as an evaluation of the
    department; a 差评 opens a case. ``{"complaint_id", "evaluation", "case_id"}``."""
    with transaction(url) as session:
        complaint = complaints.evaluate_complaint(session, complaint_id, level, on)
        _, case = cases.record_evaluation(session, session.get(Campaign, complaint.campaign_id),
                                          source=Source.COMPLAINT, at=datetime.combine(on, datetime.min.time()),
                                          level=complaint.evaluation, org_id=complaint.department_id,
                                          complaint_id=complaint.id, actor=actor)
        return {"complaint_id": complaint.id, "evaluation": complaint.evaluation,
                "case_id": case.id if case else None}


def verify(url: str, case_id: int, founded: bool, reason: str, on: date, actor: str = "coordinator") -> dict:
    with transaction(url) as session:
        return _case(cases.verify(session, case_id, founded, reason, on, actor, get_settings().smtp.mail_domain))


def review(url: str, case_id: int, agree: bool, note: str, on: date, actor: str = "general_office") -> dict:
    with transaction(url) as session:
        return _case(cases.review(session, case_id, agree, note, on, actor, get_settings().smtp.mail_domain))


def rectified(url: str, case_id: int, note: str, on: date, actor: str = "coordinator") -> dict:
    with transaction(url) as session:
        return _case(cases.rectified(session, case_id, note, on, actor))


def visit(url: str, case_id: int, result: str, note: str, on: date, actor: str = "coordinator") -> dict:
    with transaction(url) as session:
        return _case(cases.visit(session, case_id, result, note, on, actor))


def appeal(url: str, case_id: int, reason: str, on: date, actor: str = "coordinator") -> dict:
    with transaction(url) as session:
        return _case(cases.appeal(session, case_id, reason, on, actor))


def list_cases(url: str, month: str | None = None) -> list[dict]:
    """Every case (of the month its 差评 was given, with ``month`` 2017-01), without persons."""
    with transaction(url) as session:
        query = select(EvaluationCase).join(Evaluation, Evaluation.id == EvaluationCase.evaluation_id)
        if month:
            first = parse_month(month)
            query = query.where(Evaluation.evaluated_at >= datetime.combine(first, datetime.min.time()),
                                Evaluation.evaluated_at < datetime.combine(next_month(first), datetime.min.time()))
        return [_case(c) for c in session.scalars(query.order_by(EvaluationCase.id))]


def show_case(url: str, case_id: int) -> dict:
    """One case with its texts and the evaluator's name and contact: for the coordinators only."""
    with transaction(url) as session:
        case = cases.get_case(session, case_id)
        e = case.evaluation
        name, contact = ("", "")
        if e.person is not None:
            name, contact = e.person.name, e.person.contact
        elif e.complaint_id is not None:
            complaint = session.get(Complaint, e.complaint_id)
            name, contact = complaint.complainant, complaint.complainant_contact
        return {**_case(case), "text": e.text, "person": name, "contact": contact,
                "verify_reason": case.verify_reason, "review_note": case.review_note,
                "rectification_note": case.rectification_note, "visit_note": case.visit_note,
                "appeal_reason": case.appeal_reason}


def monthly_summary(url: str, month: str, as_of: date | None = None) -> dict:
    """The month's public summary (month written 2017-01) as it stands on ``as_of`` (today):
    ``totals`` and four tables, each ``{"headers": [...], "rows": [[plain values]]}`` — by_level,
    by_unit, by_item, cases (a case still owed reads 逾期未整改 once past its deadline)."""
    first = parse_month(month)
    with transaction(url) as session:
        return summary.monthly_summary(session, first, as_of or date.today())


def monthly_summary_workbook(url: str, month: str, as_of: date | None = None) -> bytes:
    return summary_workbook(monthly_summary(url, month, as_of))


def forget_case(url: str, case_id: int, on: date, actor: str = "coordinator", reason: str = "") -> dict:
    with transaction(url) as session:
        return _case(cases.forget_case_person(session, case_id, on, actor, reason))


def forget_complaint(url: str, complaint_id: int, on: date, actor: str = "coordinator", reason: str = "") -> int:
    with transaction(url) as session:
        return cases.forget_complaint(session, complaint_id, on, actor, reason).id


def problem_lines(problems: list[Problem]) -> list[str]:
    return [f"{p.where()}：{p.what}" + (f"。{p.fix}" if p.fix else "") for p in problems]


