"""Opening a district's or a regulator's campaign: by hand, or when its 工作方案 is accepted in the city's.

The city plan says each district and county makes its own plan (坚持市和区、县(市)同步推进) and
each industry regulator its plan for the enterprises it supervises (task 15). Accepting that work
plan in the city campaign (phase district_plans) opens the campaign it describes, once: the
inventory is called at once, and the opening is recorded on the city's obligation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from core.settings import Settings
from registry.calendar.store import load_calendar
from registry.campaign.audit import record_change
from registry.campaign.plan import PlanSpec, load_plan, open_phase
from registry.campaign.queries import city_campaigns, district_campaign, find_campaign, scope_campaign
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.directory.queries import district_government, district_governments, organisations_of
from registry.directory.store import upsert_directory
from registry.directory.tables import Organisation
from registry.districts.plans import CITY_MILESTONE, Naming, district_plan, regulator_plan
from registry.intake.calls import obligations_to_call, queue_call
from registry.seed import district_directory_path
from rules.obligations import State
from rules.organisations import OrgKind, OrgRole
from workbooks.directory import read_directory

DISTRICT_PLANS = "district_plans"  # the city phase in which districts and regulators hand in their plans


class UnknownDistrict(UserError, LookupError):
    pass


class AlreadyOpen(UserError, ValueError):
    pass


@dataclass(frozen=True)
class Opened:
    code: str  # the district's GB/T 2260 code, or the regulator's organisation code
    name: str
    campaign: str
    obligations: int  # opened in its dated phases
    called: int  # calls queued for its first phase
    directory_loaded: int  # organisations of the shipped sample directory loaded because it had none


def known_district(session: Session, named: str) -> Organisation:
    """The district's government (by code or name), or refused naming the districts there are."""
    government = district_government(session, named)
    if government is None:
        listed = "、".join(f"{g.division_code or g.code} {g.short_name}" for g in district_governments(session))
        raise UnknownDistrict(f"没有代码为 {named!r} 的区县；可用的区县代码：{listed or '（目录中没有区县）'}")
    return government


def open_district(session: Session, code: str, on: date, settings: Settings, now: datetime,
                  plan_text: str | None = None, plan_file: str = "", actor: str = "system") -> Opened:
    """Open the district's campaign from its plan file's text, or from the template when None."""
    government = known_district(session, code)
    code = government.division_code or government.code
    existing = district_campaign(session, code)
    if existing is not None:
        raise AlreadyOpen(f"{government.short_name}的工作方案已经开启（{existing.code}）；修改期限请改方案文件后"
                          "用 reform init --plan 重新载入，不必再次开启")
    loaded = _sample_directory_if_empty(session, code)
    # The city the district is in: its government's rows are that city's (in a province, one of several).
    city = scope_campaign(session, government.district) or find_campaign(session, None)
    milestone = session.scalar(select(Phase.deadline).where(Phase.campaign_id == city.id,
                                                            Phase.code == CITY_MILESTONE))
    naming = Naming(code, government.short_name, f"{government.short_name}政府", city.code)
    spec = district_plan(naming, plan_text, plan_file or f"{code}.yaml", load_calendar(session), milestone)
    return _open(session, spec, code, government.short_name, on, settings, now, actor, loaded)


def open_regulator(session: Session, org_code: str, on: date, settings: Settings, now: datetime,
                   actor: str = "system") -> Opened:
    """The light campaign of an industry regulator: the enterprises it supervises hand in their plans."""
    regulator = session.scalar(select(Organisation).where(Organisation.code == org_code))
    if regulator is None or OrgRole.REGULATOR not in regulator.roles:
        names = "、".join(f"{o.code} {o.short_name}" for o in organisations_of(session)
                         if OrgRole.REGULATOR in o.roles)
        raise UnknownDistrict(f"{org_code!r} 不是行业主管部门；行业主管部门：{names or '（目录中没有）'}")
    if regulator_campaign(session, regulator) is not None:
        raise AlreadyOpen(f"{regulator.short_name}的工作方案已经开启")
    spec = regulator_plan(Naming(regulator.code, regulator.short_name))
    return _open(session, spec, regulator.code, regulator.short_name, on, settings, now, actor, 0)


def regulator_campaign(session: Session, regulator: Organisation) -> Campaign | None:
    return session.scalar(select(Campaign).where(Campaign.level == "regulator",
                                                 Campaign.owner_org_id == regulator.id))


def _open(session: Session, spec: PlanSpec, code: str, name: str, on: date, settings: Settings, now: datetime,
          actor: str, loaded: int) -> Opened:
    campaign = load_plan(session, spec, load_calendar(session))
    opened = sum(open_phase(session, campaign.code, p.code, on, actor) for p in spec.phases)
    first = spec.phases[0].code
    called = sum(queue_call(session, oid, settings, now)[1] for oid in obligations_to_call(session, first, campaign.code))
    for obligation in _city_obligations(session, campaign):
        record_change(session, obligation, actor, "cascade", obligation.state, obligation.state,
                      f"已开启{name}的工作方案（{campaign.code}），首个阶段通知 {called} 个单位", now)
    return Opened(code, name, campaign.code, opened, called, loaded)


def _city_obligations(session: Session, campaign: Campaign) -> list[Obligation]:
    """What the campaign's owner owes the city's campaign for it: its work plan (and, for a district, its publication)."""
    owner = campaign.owner_org_id
    if campaign.level == "district":
        government = district_government(session, campaign.district)
        owner = government.id if government else owner
    return list(session.scalars(select(Obligation).join(Phase, Phase.id == Obligation.phase_id)
                                .where(Obligation.campaign_id == campaign.parent_id, Obligation.debtor_id == owner,
                                       Phase.code == DISTRICT_PLANS)))


def _sample_directory_if_empty(session: Session, code: str) -> int:
    if any(o.kind == OrgKind.DEPARTMENT for o in organisations_of(session, code)):
        return 0
    try:
        path = district_directory_path(code)
    except ValueError:
        return 0
    added, _ = upsert_directory(session, read_directory(path, district=code))
    session.flush()
    return added


def open_accepted(session: Session, on: date, settings: Settings, now: datetime) -> list[Opened]:
    """Open the campaign of every district and regulator whose work plan the city has accepted and
    whose campaign is not open yet: after each intake, and in the daily sweep as a safety net."""
    return [open_district(session, org.division_code or org.code, on, settings, now) if org.kind == OrgKind.DISTRICT
            else open_regulator(session, org.code, on, settings, now) for org in awaiting_campaigns(session)]


def awaiting_campaigns(session: Session) -> list[Organisation]:
    """The districts and regulators whose work plan the city has accepted and whose campaign is not open."""
    cities = [c.id for c in city_campaigns(session)]  # in a province, every city's districts
    fulfilled = session.scalars(select(Organisation).join(Obligation, Obligation.debtor_id == Organisation.id)
                                .join(Phase, Phase.id == Obligation.phase_id)
                                .where(Obligation.campaign_id.in_(cities), Phase.code == DISTRICT_PLANS,
                                       Obligation.state == State.FULFILLED).order_by(Organisation.id)).all()
    return [org for org in fulfilled
            if (org.kind == OrgKind.DISTRICT and district_campaign(session, org.division_code or org.code) is None)
            or (org.kind != OrgKind.DISTRICT and OrgRole.REGULATOR in org.roles
                and regulator_campaign(session, org) is None)]
