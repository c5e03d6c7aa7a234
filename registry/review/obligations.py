"""Opening the obligations of review, response and recheck, once each, and finding them again.

They are ordinary obligations (so the daily sweep reminds, cards and escalates them) keyed by the
reviewed submission: the obligations table's unique (phase, debtor, ref) makes opening idempotent,
and a concurrent second opening fails on it instead of creating a twin.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign.audit import record_change
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.seed import REVIEW_ANGLES
from rules.obligations import State
from rules.review import Angle, angles_from_data

REVIEW, RESPONSE, APPROVAL = "review", "response", "approval"
DEFAULT_RESPONSE_WORKING_DAYS = 10
# A list that reaches an agency after the review deadline still gets this long; so does a recheck.
LATE_REVIEW_WORKING_DAYS = 10
RECHECK_WORKING_DAYS = 5


class ReviewError(UserError, ValueError):
    """Bad input to a review command; the message is for the coordinator, in Chinese."""


@cache
def _angles_data(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def load_angles(subject: str = "inventory", path: Path = REVIEW_ANGLES) -> dict[str, Angle]:
    """Each agency's angle on the subject (inventory, guides, certificates), from the angles file."""
    return angles_from_data(_angles_data(path), subject)


def phase_of(session: Session, campaign_id: int, code: str) -> Phase:
    return session.scalar(select(Phase).where(Phase.campaign_id == campaign_id, Phase.code == code))


def find_ref_obligation(session: Session, campaign_id: int, phase_code: str, ref: str,
                        debtor_id: int | None = None) -> list[Obligation]:
    query = (select(Obligation).join(Phase, Phase.id == Obligation.phase_id)
             .where(Obligation.campaign_id == campaign_id, Phase.code == phase_code, Obligation.ref == ref)
             .order_by(Obligation.id))
    if debtor_id is not None:
        query = query.where(Obligation.debtor_id == debtor_id)
    return list(session.scalars(query))


def open_obligation(session: Session, campaign: Campaign, phase_code: str, debtor_id: int, creditor_id: int | None,
                    ref: str, due: date, due_reason: str, now: datetime, reason: str) -> tuple[Obligation, bool]:
    """The obligation, opened now if it did not exist; returns (obligation, created)."""
    phase = phase_of(session, campaign.id, phase_code)
    existing = session.scalar(select(Obligation).where(Obligation.phase_id == phase.id,
                                                       Obligation.debtor_id == debtor_id, Obligation.ref == ref))
    if existing is not None:
        return existing, False
    obligation = Obligation(campaign_id=campaign.id, phase_id=phase.id, debtor_id=debtor_id,
                            creditor_id=creditor_id, ref=ref, due=due, due_reason=due_reason, state=State.OPEN,
                            opened_on=now.date())
    session.add(obligation)
    session.flush()
    record_change(session, obligation, "system", "open", "", State.OPEN, reason, now)
    return obligation, True


def response_working_days(campaign: Campaign, phase: Phase) -> int:
    return int(campaign.settings.get("response_working_days") or phase.working_days
               or DEFAULT_RESPONSE_WORKING_DAYS)


def recheck_ref(reviewed_submission_id: int) -> str:
    return f"recheck:{reviewed_submission_id}"
