"""Finding a campaign by its code (the city campaign when none is named), and a phase of it by its code."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign.tables import Campaign, Phase
from registry.directory.queries import district_government
from registry.directory.tables import Organisation
from registry.scope import CITY, EVERY_DISTRICT, current_scope
from rules.organisations import OrgKind

# The registry's own city: its campaign's rows are the city's (""); in a province the other
# cities' campaigns are city-level too, each in its own scope (registry/province).
HOME_CITY = (Campaign.level == "city") & (Campaign.district == CITY)


class UnknownCampaign(UserError, LookupError):
    pass


def find_campaign(session: Session, code: str | None) -> Campaign:
    """The named campaign, or when none is named the home city's (a scope's user's own: their
    district's, or in a province another city's, whose rows are its own scope)."""
    query = select(Campaign).order_by(Campaign.id)
    if current_scope() == EVERY_DISTRICT:
        default = HOME_CITY
    else:  # the scope's criteria (registry.scope) leave only the scope's own campaigns
        default = Campaign.level.in_(("city", "district")) & (Campaign.district != CITY)
    query = query.where(Campaign.code == code) if code else query.where(default)
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


def government_of(session: Session, campaign: Campaign) -> str:
    """Who approves the campaign's list: 市政府, or a district's own government (和平区政府)."""
    if campaign.level == "city" or not campaign.district:
        return "市政府"
    government = district_government(session, campaign.district)
    return f"{government.short_name}政府" if government else "区县政府"


def scope_campaign(session: Session, scope: str) -> Campaign | None:
    """The campaign whose rows are the scope's: a district's own, another city's, the home city's for ""."""
    if scope == CITY:
        return session.scalars(select(Campaign).where(HOME_CITY).order_by(Campaign.id)).first()
    return session.scalars(select(Campaign).where(Campaign.level.in_(("city", "district")), Campaign.district == scope)
                           .order_by(Campaign.id)).first()


def city_campaigns(session: Session) -> list[Campaign]:
    """Every city's campaign, the home city's first: one in a city's registry, one per city in a province's."""
    return list(session.scalars(select(Campaign).where(Campaign.level == "city")
                                .order_by(Campaign.district != CITY, Campaign.district, Campaign.id)))


def district_campaign(session: Session, district: str) -> Campaign | None:
    """The district's own campaign (by its GB/T 2260 code), once opened."""
    return session.scalar(select(Campaign).where(Campaign.level == "district", Campaign.district == district))


def home_campaign(session: Session, org_code: str) -> Campaign:
    """The campaign an organisation answers to: a district department its district's, once open; an
    enterprise its regulator's; another city's units their city's; everyone else (and anyone
    unknown) the home city's."""
    org = session.scalar(select(Organisation).where(Organisation.code == org_code))
    own = None
    if org is not None and org.kind == OrgKind.ENTERPRISE and org.parent_id is not None:
        own = session.scalar(select(Campaign).where(Campaign.level == "regulator",
                                                    Campaign.owner_org_id == org.parent_id))
    elif org is not None and org.district:
        # A district's department answers to its district; another city's departments, and the
        # governments of its districts, to that city (their rows carry the city's scope).
        own = scope_campaign(session, org.district)
    return own or find_campaign(session, None)
