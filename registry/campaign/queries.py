"""Finding a campaign by its code (the city campaign when none is named), and a phase of it by its code."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign.tables import Campaign, Phase


class UnknownCampaign(UserError, LookupError):
    pass


def find_campaign(session: Session, code: str | None) -> Campaign:
    """The named campaign, or the city campaign when none is named."""
    query = select(Campaign).order_by(Campaign.id)
    query = query.where(Campaign.code == code) if code else query.where(Campaign.level == "city")
    campaign = session.scalars(query).first()
    if campaign is None:
        raise UnknownCampaign(
            f"找不到工作方案 {code!r}，请先运行 reform init" if code else "尚未载入工作方案，请先运行 reform init"
        )
    return campaign



class UnknownPhase(UserError, LookupError):
    pass


def find_phase(session: Session, phase_code: str, campaign_code: str | None = None) -> Phase:
    """The campaign's phase; refused, naming the phases it has in the plan's order, when it has none by that code."""
    campaign = find_campaign(session, campaign_code)
    phases = session.scalars(select(Phase).where(Phase.campaign_id == campaign.id).order_by(Phase.position)).all()
    for phase in phases:
        if phase.code == phase_code:
            return phase
    raise UnknownPhase(f"没有阶段 {phase_code!r}，可用的阶段代码：{'、'.join(p.code for p in phases)}")
