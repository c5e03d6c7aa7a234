"""Obligations that cover a set of items: a department's guides and its certificates cover its
approved items, and follow the approved list from version to version.

Opened once per department and phase (the obligations table's unique key); an adjustment that
changes a department's items gives its obligation the new items and, if it was done, opens it again
with a fresh period, so that the new items get their guides too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.calendar.store import load_calendar
from registry.campaign.audit import move_obligation, record_change
from registry.campaign.tables import Campaign, Obligation, Phase
from rules.obligations import CLOSED, State

OPENED, RESCOPED, UNCHANGED = "opened", "rescoped", "unchanged"
# A phase opened after its deadline (an adjustment in March) still gives its debtors this long.
LATE_OPENING_WORKING_DAYS = 10


def due_in_phase(session: Session, phase: Phase, on: date, working_days: int) -> tuple[date, str]:
    """The phase's deadline; past it (or without one), ``working_days`` working days from ``on``,
    with the reason."""
    calendar = load_calendar(session)
    if phase.deadline is not None and on <= phase.deadline:
        return phase.deadline, ""
    due = calendar.add_working_days(on, working_days)
    late = f"（已过阶段期限 {phase.deadline.isoformat()}）" if phase.deadline else ""
    return due, f"{on.isoformat()} 开启，{working_days} 个工作日内完成{late}"


@dataclass(frozen=True)
class Scoped:
    obligation_id: int
    event: str  # opened | rescoped | unchanged


def open_scoped(session: Session, campaign: Campaign, phase_code: str, debtor_id: int, creditor_id: int | None,
                items: list[dict], version: int, why: str, now: datetime) -> Scoped:
    """The debtor's obligation in the phase, covering ``items`` of approved version ``version``."""
    phase = session.scalar(select(Phase).where(Phase.campaign_id == campaign.id, Phase.code == phase_code))
    obligation = session.scalar(select(Obligation).where(Obligation.phase_id == phase.id,
                                                         Obligation.debtor_id == debtor_id, Obligation.ref == ""))
    scope = {"version": version, "items": items}
    if obligation is None:
        due, due_reason = due_in_phase(session, phase, now.date(), LATE_OPENING_WORKING_DAYS)
        obligation = Obligation(campaign_id=campaign.id, phase_id=phase.id, debtor_id=debtor_id,
                                creditor_id=creditor_id, due=due, due_reason=due_reason, state=State.OPEN,
                                opened_on=now.date(), scope=scope)
        session.add(obligation)
        session.flush()
        record_change(session, obligation, "system", "open", "", State.OPEN, f"{phase.name}：{why}", now)
        return Scoped(obligation.id, OPENED)
    if obligation.scope and obligation.scope.get("items") == items:
        return Scoped(obligation.id, UNCHANGED)
    obligation.scope = scope
    if obligation.state in CLOSED:
        obligation.due, obligation.due_reason = due_in_phase(session, phase, now.date(), LATE_OPENING_WORKING_DAYS)
        move_obligation(session, obligation, State.OPEN, "system", f"{phase.name}：{why}，需按新版清单重新报送", now,
                        action="reopen")
    else:
        record_change(session, obligation, "system", "rescope", obligation.state, obligation.state,
                      f"{phase.name}：{why}，范围改为第 {version} 版清单的 {len(items)} 个事项", now)
    return Scoped(obligation.id, RESCOPED)
