"""Supervision's use cases. Each takes the database URL and plain values, opens the one
transaction and returns plain values."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from registry.calendar.store import load_calendar
from registry.campaign.tables import Campaign, Obligation
from registry.db import transaction
from registry.supervision.sweep import OPEN_STATES, sweep
from rules.escalation import policy_from_settings
from rules.obligations import DEFAULT_NEAR_DUE_WORKING_DAYS, classify


def standings(url: str, as_of: date) -> dict[str, int]:
    """How many open obligations stand where on ``as_of`` (on_track, near_due, due, yellow, red).

    One query and the pure rules, nothing queued: the floor any sweep stands on.
    """
    with transaction(url) as session:
        calendar = load_calendar(session)
        policies = {c.id: policy_from_settings(c.settings or {}) for c in session.scalars(select(Campaign))}
        rows = session.execute(select(Obligation.campaign_id, Obligation.due, Obligation.state, Obligation.priority)
                               .where(Obligation.state.in_(OPEN_STATES))).all()
        counts = Counter(
            classify(state, due, as_of, calendar, DEFAULT_NEAR_DUE_WORKING_DAYS,
                     policies[cid].for_priority(priority).red_after_working_days)
            for cid, due, state, priority in rows)
    return {str(standing): n for standing, n in counts.items()}


@dataclass(frozen=True)
class SweepFigures:
    as_of: date
    examined: int  # open obligations looked at
    notices: int  # new notices queued
    already_sent: int  # current rungs whose notice an earlier run queued


def run_sweep(url: str, day: date) -> SweepFigures:
    """The sweep alone (no period reports, no digest), committed: every new rung's notice queued once.

    Raises rules.calendar.YearNotLoaded for a day outside the loaded calendar.
    """
    with transaction(url) as session:
        result = sweep(session, day)
    return SweepFigures(day, result.examined, len(result.notices), result.already_sent)
