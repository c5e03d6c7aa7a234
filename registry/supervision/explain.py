"""Why an obligation is where it is: its deadline's derivation, every notice, the next step."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from registry.calendar.store import load_calendar
from registry.campaign.obligations import obligation_by_id
from registry.campaign.tables import Campaign, Phase
from registry.directory.tables import Organisation
from registry.supervision.rungs import messages_of, rungs_of
from rules.calendar import YearNotLoaded
from rules.escalation import RECIPIENT_NAMES, ladder, next_step, policy_from_settings
from rules.obligations import (
    DEFAULT_NEAR_DUE_WORKING_DAYS,
    STANDING_NAMES,
    STATE_NAMES,
    classify,
)

UNDATED = "undated"  # the standing needs a calendar year that is not loaded yet


def explain_obligation(session: Session, obligation_id: int, as_of: date) -> dict:
    obligation = obligation_by_id(session, obligation_id)
    phase = session.get(Phase, obligation.phase_id)
    campaign = session.get(Campaign, obligation.campaign_id)
    debtor = session.get(Organisation, obligation.debtor_id)
    calendar = load_calendar(session)
    settings = campaign.settings or {}
    thresholds = policy_from_settings(settings).for_priority(obligation.priority)
    notices = messages_of(session, obligation.id)  # its own and the rung messages that listed it
    taken = {r.rung for r in rungs_of(session, obligation.id)}
    try:
        standing = classify(obligation.state, obligation.due, as_of, calendar,
                            int(settings.get("near_due_working_days", DEFAULT_NEAR_DUE_WORKING_DAYS)),
                            thresholds.red_after_working_days)
        steps = ladder(obligation.due, thresholds, calendar)
        upcoming = next_step(obligation.state, obligation.due, as_of, thresholds, calendar)
        missing_year = None
    except YearNotLoaded as error:
        # The rest is still worth reading: the deadline's derivation and what was sent.
        standing, steps, upcoming, missing_year = UNDATED, [], None, error.year
    own_due = bool(obligation.due_reason) or obligation.due != phase.deadline
    return {
        "id": obligation.id,
        "campaign": campaign.code,
        "district": campaign.district or None,  # whose campaign: a district's code, None for the city's
        "state_code": obligation.state,
        "org": debtor.code,
        "org_name": debtor.name,
        "phase": phase.code,
        "phase_name": phase.name,
        "ref": obligation.ref,
        "state": STATE_NAMES.get(obligation.state, obligation.state),
        "priority": obligation.priority,
        "as_of": as_of.isoformat(),
        "standing": str(standing),
        "standing_name": STANDING_NAMES.get(standing, f"待导入 {missing_year} 年工作日历"),
        # Set when the standing and the ladder need a calendar year that is not loaded yet.
        "missing_year": missing_year,
        "deadline": {
            # A phase's deadline comes from the plan's words; an obligation's own from how it was opened.
            "source_phrase": "" if own_due else phase.source_phrase,
            "nominal": None if own_due or not phase.nominal else phase.nominal.isoformat(),
            "shift": "" if own_due else campaign.shift,
            "reason": obligation.due_reason if own_due else phase.deadline_reason,
            "due": obligation.due.isoformat(),
        },
        "thresholds": {
            "reminder_working_days": list(thresholds.reminder_working_days),
            "red_after_working_days": thresholds.red_after_working_days,
            "supervision_after_working_days": thresholds.supervision_after_working_days,
        },
        "ladder": [
            {"rung": s.rung, "title": s.title, "on": s.on.isoformat(), "to": RECIPIENT_NAMES[s.recipient],
             "taken": s.rung in taken}
            for s in steps
        ],
        "notices": [
            {"key": n.key, "kind": n.kind, "queued_at": n.queued_at.isoformat(sep=" ", timespec="minutes"),
             "subject": n.subject, "to": n.to_addrs, "cc": n.cc_addrs, "state": n.state,
             "sent_at": n.sent_at.isoformat(sep=" ", timespec="minutes") if n.sent_at else None,
             "error": n.last_error}
            for n in notices
        ],
        "next": None if upcoming is None else {
            "rung": upcoming.rung, "title": upcoming.title, "on": upcoming.on.isoformat(),
            "to": RECIPIENT_NAMES[upcoming.recipient]},
    }
