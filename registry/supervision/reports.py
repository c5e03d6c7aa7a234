"""Long-term tasks (items 5-15, 长期推进): a self-report obligation per task, unit and period.

Each period's report is an ordinary obligation in the ``supervision`` phase (ref
``<period>/task-<n>``), due a few working days after the period ends, so the daily sweep reminds,
cards and escalates it like anything else. Opening a period twice changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.self_report_letters import self_report_call
from registry.calendar.store import load_calendar
from registry.campaign.audit import record_change
from registry.campaign.plan import task_units
from registry.campaign.tables import Campaign, Obligation, Phase, Task
from registry.directory.tables import Organisation
from registry.intake.calls import call_key, contact_of, template_with_address
from registry.intake.reply_tokens import reply_address, subject_tag, token_for
from registry.outbox.queue import XLSX, Attachment, queue_message
from registry.supervision.figures import report_figures
from registry.supervision.sweep import DEFAULT_INTAKE_ADDRESS
from rules.calendar import YearNotLoaded
from rules.obligations import State
from rules.periods import DEFAULT_CADENCE, period_containing
from rules.self_reports import Figures, indicator_rows

PHASE = "supervision"
DEFAULT_REPORT_WORKING_DAYS = 10


def report_ref(period_label: str, task_number: int) -> str:
    return f"{period_label}/task-{task_number}"


def reporting_units(session: Session, task: Task) -> list[Organisation]:
    """Who reports on a long-term task: the units that answer for it (its lead units, or those it names).

    Every department being 分别负责 for items 5-12 reports through the lead unit, which keeps the
    quarterly load at one workbook per lead unit and task.
    """
    return task_units(session, task)


@dataclass(frozen=True)
class Unopened:
    """A period's self-report not opened yet: its due date falls in a year whose calendar is not loaded."""

    campaign: str
    task_number: int
    task_title: str
    period: str
    period_end: date
    missing_year: int
    units: tuple[str, ...]  # who will report, once the year is loaded


@dataclass
class OpenedReports:
    created: int = 0
    unopened: list[Unopened] = field(default_factory=list)


def open_supervision_reports(session: Session, as_of: date, campaign_code: str | None = None,
                             actor: str = "system", mail_domain: str = "reform.shenyang.example.org",
                             intake_address: str = DEFAULT_INTAKE_ADDRESS) -> int:
    """Open the current period's self-report of every long-term task; returns how many are new."""
    return open_period_reports(session, as_of, campaign_code, actor, mail_domain, intake_address).created


def open_period_reports(session: Session, as_of: date, campaign_code: str | None = None,
                        actor: str = "system", mail_domain: str = "reform.shenyang.example.org",
                        intake_address: str = DEFAULT_INTAKE_ADDRESS) -> OpenedReports:
    """Open the current period's self-reports; a report whose due date needs an unloaded year waits.

    A later sweep opens it once that year is imported (opening is idempotent), so nothing is lost.
    Each report keeps on its obligation (``scope``) its task, period and the figures the registry
    knows that day, so that its workbook, its check and the period's supervision report agree.
    """
    outcome = OpenedReports()
    calendar = load_calendar(session)
    query = select(Campaign).order_by(Campaign.id)
    if campaign_code:
        query = query.where(Campaign.code == campaign_code)
    for campaign in session.scalars(query):
        phase = session.scalar(select(Phase).where(Phase.campaign_id == campaign.id, Phase.code == PHASE))
        if phase is None or (campaign.issued_on and as_of < campaign.issued_on):
            continue
        settings = campaign.settings or {}
        days = int(settings.get("supervision_report_working_days", DEFAULT_REPORT_WORKING_DAYS))
        existing = {(o.debtor_id, o.ref) for o in session.scalars(select(Obligation).where(Obligation.phase_id == phase.id))}
        city: Figures | None = None  # the city's figures, read once a day for every lead unit's report
        tasks = session.scalars(select(Task).where(Task.campaign_id == campaign.id, Task.long_term.is_(True))
                                .order_by(Task.number))
        for task in tasks:
            period = period_containing(as_of, task.cadence or settings.get("supervision_cadence") or DEFAULT_CADENCE)
            if campaign.issued_on and period.start < campaign.issued_on:
                continue  # a period the plan was issued in the middle of has no report of its own
            ref = report_ref(period.label, task.number)
            try:
                due = calendar.add_working_days(period.end, days)
            except YearNotLoaded as gap:
                units = tuple(u.short_name or u.name for u in reporting_units(session, task)
                              if (u.id, ref) not in existing)
                if units:
                    outcome.unopened.append(Unopened(campaign.code, task.number, task.title, period.label,
                                                     period.end, gap.year, units))
                continue
            reason = (f"第{task.number}项「{task.title}」{period.label} 自查报告：期末 {period.end.isoformat()} "
                      f"后第 {days} 个工作日，即 {due.isoformat()}")
            for unit in reporting_units(session, task):
                if (unit.id, ref) in existing:
                    continue
                # A task with lead units reports the city's figures; a task every unit answers for, its own.
                if task.lead_units:
                    city = city or report_figures(session, campaign.id)
                figures = city if task.lead_units else report_figures(session, campaign.id, unit.code)
                scope = {"task": task.number, "task_title": task.title, "period": period.label,
                         "indicators": indicator_rows(task.number, figures)}
                obligation = Obligation(campaign_id=campaign.id, phase_id=phase.id, debtor_id=unit.id,
                                        creditor_id=campaign.owner_org_id, ref=ref, due=due, due_reason=reason,
                                        state=State.OPEN, opened_on=as_of, scope=scope)
                session.add(obligation)
                session.flush()
                record_change(session, obligation, actor, "open", "", State.OPEN, reason, as_of)
                _send_report_call(session, obligation, unit, task, period.label, reason, as_of, mail_domain,
                                  intake_address)
                existing.add((unit.id, ref))
                outcome.created += 1
    return outcome


def _send_report_call(session: Session, obligation: Obligation, unit: Organisation, task: Task, period: str,
                      reason: str, on: date, mail_domain: str, intake_address: str) -> None:
    """The call for one period's report, with its workbook and the obligation's reply address:
    queued once, under the obligation's key."""
    contact = contact_of(session, unit.id)
    if contact is None:
        return  # the sweep's reminders climb past the missing contact and tell the coordinator
    now = datetime.combine(on, time(9))
    token = token_for(session, obligation.id, now)
    filename, content = template_with_address(obligation, contact, token, intake_address)
    address = reply_address(intake_address, token)
    letter = self_report_call(org_name=unit.name, task_number=task.number, task_title=task.title, period=period,
                              deadline=obligation.due, reason=reason, reply_address=address, tag=subject_tag(token),
                              filename=filename)
    queue_message(
        session, key=call_key(PHASE, obligation.id), to=[contact.email], kind="call", obligation_id=obligation.id,
        subject=letter.subject, text=letter.text, html=letter.html, reply_to=address,
        attachments=[Attachment(filename, content, XLSX)], now=now, mail_domain=mail_domain)
