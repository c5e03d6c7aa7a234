"""Where a campaign stands on a given day: phases, tasks and every obligation with its standing."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.calendar.store import load_calendar
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Phase, Task
from registry.directory.tables import Organisation
from rules.escalation import Level, current_step, policy_from_settings
from rules.obligations import DEFAULT_NEAR_DUE_WORKING_DAYS, classify


def campaign_status(session: Session, as_of: date, campaign_code: str | None = None) -> dict:
    campaign = find_campaign(session, campaign_code)
    calendar = load_calendar(session)
    calendar.is_working_day(as_of)  # a day outside the loaded calendar fails loudly, never guessed
    near_due = int(campaign.settings.get("near_due_working_days", DEFAULT_NEAR_DUE_WORKING_DAYS))
    # Cards turn red on the campaign's thresholds; green-channel obligations sooner.
    policy = policy_from_settings(campaign.settings)
    phases = session.scalars(select(Phase).where(Phase.campaign_id == campaign.id).order_by(Phase.position)).all()
    tasks = session.scalars(select(Task).where(Task.campaign_id == campaign.id).order_by(Task.number)).all()
    rows = session.execute(
        select(Obligation.id, Obligation.ref, Obligation.due, Obligation.state,
               Organisation.code.label("org"), Organisation.name.label("org_name"), Phase.code.label("phase"),
               Obligation.priority)
        .join(Organisation, Organisation.id == Obligation.debtor_id)
        .join(Phase, Phase.id == Obligation.phase_id)
        .where(Obligation.campaign_id == campaign.id)
        .order_by(Phase.position, Obligation.id)
    ).all()
    return {
        "campaign": {"code": campaign.code, "name": campaign.name},
        "as_of": as_of.isoformat(),
        "phases": [
            {
                "code": p.code,
                "name": p.name,
                "source_phrase": p.source_phrase,
                "nominal": p.nominal.isoformat() if p.nominal else None,
                "deadline": p.deadline.isoformat() if p.deadline else None,
                "deadline_reason": p.deadline_reason,
                "debtors": p.debtors,
                "creditor": p.creditor,
            }
            for p in phases
        ],
        "tasks": [
            {
                "number": t.number,
                "title": t.title,
                "lead": t.lead_units,
                "responsible": t.responsible,
                "timing": t.timing,
                "long_term": t.long_term,
                "cadence": t.cadence,
                "phases": t.phase_codes,
            }
            for t in tasks
        ],
        "obligations": [
            {
                "id": r.id,
                "org": r.org,
                "org_name": r.org_name,
                "phase": r.phase,
                "ref": r.ref,
                "due": r.due.isoformat(),
                "state": r.state,
                "standing": str(classify(r.state, r.due, as_of, calendar, near_due,
                                         policy.for_priority(r.priority).red_after_working_days)),
                "priority": r.priority,
                # The rung reached, by the rules: no column keeps it, since the daily sweep would have to
                # rewrite tens of thousands of rows; the outbox records which notices went out.
                "escalation_level": int(getattr(current_step(r.state, r.due, as_of,
                                                             policy.for_priority(r.priority), calendar),
                                                "level", Level.NONE)),
            }
            for r in rows
        ],
    }
