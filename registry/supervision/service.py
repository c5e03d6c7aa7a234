"""Supervision's use cases: a day's sweep, why an obligation stands where it does, complaints.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
The mail domain (for deterministic Message-IDs) defaults to the environment's.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from core.settings import get_settings
from registry.calendar.store import load_calendar
from registry.campaign.tables import AuditEntry, Campaign, Obligation
from registry.db import transaction
from registry.outbox.resend import copy_message
from registry.supervision import cards, complaints, day, explain, obligation_record, sweep
from registry.supervision.day import SweepDay
from registry.supervision.sweep import OPEN_STATES
from registry.supervision.tables import Complaint
from rules.calendar import YearNotLoaded
from rules.escalation import policy_from_settings
from rules.obligations import DEFAULT_NEAR_DUE_WORKING_DAYS, classify

__all__ = ["ComplaintView", "SweepDay", "answer_complaint", "assign_complaint", "cards_received",
           "evaluate_complaint", "explain_obligation", "is_sweep_day", "record_complaint", "resend_notice",
           "show_obligation", "sweep_day"]


UNDATED = "undated"  # a standing that needs a calendar year not loaded yet


def _mail_domain(mail_domain: str | None) -> str:
    return mail_domain or get_settings().smtp.mail_domain


def is_sweep_day(url: str, on: date) -> bool:
    """Raises YearNotLoaded for a day outside the loaded calendar: a sweep never guesses."""
    with transaction(url) as session:
        return sweep.is_sweep_day(load_calendar(session), on)


def sweep_day(url: str, as_of: date, *, dry_run: bool = False, mail_domain: str | None = None,
              campaign: str | None = None) -> SweepDay:
    """Open the period's reports, decide every rung and queue new notices and the digest: one commit,
    of every campaign or of the one named. A dry run decides the rungs and writes nothing. What
    needs a calendar year not loaded yet waits, named in ``undated``/``unopened`` and in the digest;
    a day in an unloaded year raises YearNotLoaded."""
    with transaction(url) as session:
        return day.sweep_day(session, as_of, dry_run=dry_run, mail_domain=_mail_domain(mail_domain),
                             intake_address=get_settings().mailbox.intake_address, campaign=campaign)



def explain_obligation(url: str, obligation_id: int, as_of: date) -> dict:
    """How the deadline was derived, every notice sent, the next rung: JSON-ready values."""
    with transaction(url) as session:
        return explain.explain_obligation(session, obligation_id, as_of)


def show_obligation(url: str, obligation_id: int, as_of: date, now: datetime | None = None) -> dict:
    """``explain`` and around it the parties, the reply address and token, and the audit history."""
    with transaction(url) as session:
        return obligation_record.obligation_record(session, obligation_id, as_of,
                                                   get_settings().mailbox.intake_address, now or datetime.now())


@dataclass(frozen=True)
class ComplaintView:
    id: int
    state: str
    department: str = ""  # the assigned department's name, "" while unassigned
    obligation_id: int | None = None
    due: date | None = None  # the answer's deadline, once assigned
    answered_on: date | None = None
    evaluation: str | None = None


def _view(c: Complaint) -> ComplaintView:
    return ComplaintView(c.id, str(c.state), c.department.name if c.department else "", c.obligation_id,
                         c.obligation.due if c.obligation else None, c.answered_on, c.evaluation)


def record_complaint(url: str, *, text: str, received_on: date, department: str = "", complainant: str = "",
                     contact: str = "", subject: str = "", channel: str = "cli",
                     mail_domain: str | None = None, refuse_unknown_department: bool = False) -> ComplaintView:
    """Record a complaint; naming a known department assigns it at once, else the coordinator is told
    (or, with ``refuse_unknown_department``, an unknown department is refused and nothing recorded)."""
    with transaction(url) as session:
        return _view(complaints.record_complaint(
            session, text=text, received_on=received_on, department=department, complainant=complainant,
            complainant_contact=contact, subject=subject, channel=channel, mail_domain=_mail_domain(mail_domain),
            refuse_unknown_department=refuse_unknown_department))


def assign_complaint(url: str, complaint_id: int, department: str, on: date,
                     mail_domain: str | None = None) -> ComplaintView:
    with transaction(url) as session:
        return _view(complaints.assign_complaint(session, complaint_id, department, on,
                                                 mail_domain=_mail_domain(mail_domain)))


def answer_complaint(url: str, complaint_id: int, answer: str, on: date) -> ComplaintView:
    with transaction(url) as session:
        return _view(complaints.answer_complaint(session, complaint_id, answer, on))


def evaluate_complaint(url: str, complaint_id: int, level: str, on: date) -> ComplaintView:
    """The rating alone; registry.evaluations.service.evaluate_complaint also opens a 差评's case."""
    with transaction(url) as session:
        return _view(complaints.evaluate_complaint(session, complaint_id, level, on))


def standings(url: str, as_of: date) -> dict[str, int]:
    """How many open obligations stand where on ``as_of`` (on_track, near_due, due, yellow, red).

    One query and the pure rules, nothing queued: the floor any sweep stands on. Those whose
    standing needs a year not loaded yet count as ``undated`` (each December, until it is imported).
    """
    with transaction(url) as session:
        calendar = load_calendar(session)
        calendar.is_working_day(as_of)  # a day in an unloaded year is refused, as by the sweep
        policies = {c.id: policy_from_settings(c.settings or {}) for c in session.scalars(select(Campaign))}
        rows = session.execute(select(Obligation.campaign_id, Obligation.due, Obligation.state, Obligation.priority)
                               .where(Obligation.state.in_(OPEN_STATES))).all()
        counts: Counter = Counter()
        for cid, due, state, priority in rows:
            try:  # free in Python 3.11 while nothing is raised
                counts[str(classify(state, due, as_of, calendar, DEFAULT_NEAR_DUE_WORKING_DAYS,
                                    policies[cid].for_priority(priority).red_after_working_days))] += 1
            except YearNotLoaded:
                counts[UNDATED] += 1
    return dict(counts)


@dataclass(frozen=True)
class SweepFigures:
    as_of: date
    examined: int  # open obligations looked at
    notices: int  # obligations that reached a new rung
    already_sent: int  # current rungs taken on an earlier run
    messages: int = 0  # messages queued: one per organisation and rung


def run_sweep(url: str, day: date) -> SweepFigures:
    """The sweep alone (no period reports, no digest), committed: every new rung recorded once and
    each organisation's new rungs queued in one message per rung.

    Raises rules.calendar.YearNotLoaded for a day outside the loaded calendar.
    """
    with transaction(url) as session:
        result = sweep.sweep(session, day, intake_address=get_settings().mailbox.intake_address)
    return SweepFigures(day, result.examined, len(result.notices), result.already_sent, len(result.messages))


def cards_received(url: str, campaign_code: str | None = None) -> dict[str, dict[str, int]]:
    """Organisation code -> how many yellow, red and 督查 rungs its obligations in the campaign took."""
    with transaction(url) as session:
        return cards.cards_by_organisation(session, campaign_code)


def resend_notice(url: str, key: str, request_key: str, actor: str, now: datetime,
                  mail_domain: str | None = None) -> dict:
    """Queue a copy of a notice to the same people, audited with who asked; one copy per ``request_key``
    (the form's own), so a form sent twice sends once."""
    with transaction(url) as session:
        original, copy, created = copy_message(session, key, request_key, now, _mail_domain(mail_domain))
        if created:
            session.add(AuditEntry(at=now, actor=actor, entity="outbox", entity_id=copy.id, action="resend",
                                   reason=f"重发通知「{original.subject}」（{original.key}）",
                                   district=original.district))
        return {"key": copy.key, "original": original.key, "created": created, "obligation_id": copy.obligation_id}
