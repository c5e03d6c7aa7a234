"""Finding a campaign by its code, or the city campaign when none is named."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign.tables import Campaign


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

