"""Finding obligations by what a person calls them: a campaign, a phase and an organisation."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign.audit import move_obligation
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Phase
from registry.directory.tables import Organisation
from rules.obligations import State


class UnknownObligation(UserError, LookupError):
    pass


def find_obligation(session: Session, phase_code: str, org_code: str, ref: str = "",
                    campaign_code: str | None = None) -> Obligation:
    campaign = find_campaign(session, campaign_code)
    obligation = session.scalar(
        select(Obligation)
        .join(Phase, Phase.id == Obligation.phase_id)
        .join(Organisation, Organisation.id == Obligation.debtor_id)
        .where(Obligation.campaign_id == campaign.id, Phase.code == phase_code,
               Organisation.code == org_code, Obligation.ref == ref)
    )
    if obligation is None:
        raise UnknownObligation(f"单位 {org_code} 在 {phase_code} 阶段没有待办事项")
    return obligation


def fulfil(session: Session, phase_code: str, org_code: str, on: date, actor: str, reason: str,
           ref: str = "", campaign_code: str | None = None) -> Obligation:
    """Mark what an organisation owed as done; doing it again on a done obligation changes nothing."""
    obligation = find_obligation(session, phase_code, org_code, ref, campaign_code)
    if obligation.state != State.FULFILLED:
        move_obligation(session, obligation, State.FULFILLED, actor, reason, on)
    return obligation
