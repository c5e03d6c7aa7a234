"""Where a campaign stands on a given day: phases, tasks and every obligation with its standing.

Everything a coordinator acts on is named: the obligation's id (what `reform explain` asks for),
the unit's name, its card, the district it belongs to. Filters narrow the obligations; an unknown
code in any of them is refused with the codes there are, all at once.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from core.errors import UserError
from registry.calendar.store import load_calendar
from registry.campaign.plan import task_selector, task_units
from registry.campaign.queries import district_campaign, find_campaign
from registry.campaign.tables import Obligation, Phase, Task
from registry.directory.tables import Organisation
from rules.calendar import YearNotLoaded
from rules.escalation import Level, current_step, policy_from_settings
from rules.obligations import DEFAULT_NEAR_DUE_WORKING_DAYS, STANDING_NAMES, Standing, classify
from rules.organisations import OrgKind
from rules.periods import CADENCE_NAMES

UNDATED = "undated"  # the standing needs a calendar year that is not loaded yet
# A standing, or a group of them: what is still open, and what carries a card.
STANDING_GROUPS = {"open": {*(str(s) for s in Standing if s != Standing.DONE), UNDATED},
                   "late": {str(Standing.YELLOW), str(Standing.RED)}}
STANDINGS = (*(str(s) for s in Standing), UNDATED, *STANDING_GROUPS)
CARDS = {Standing.YELLOW: ("黄牌", "yellow"), Standing.RED: ("红牌", "red")}


class BadStatusFilter(UserError, ValueError):
    pass


@dataclass(frozen=True)
class StatusFilter:
    """Which obligations to show; empty fields do not filter."""

    org: str = ""  # organisation code
    phase: str = ""  # phase code
    standing: str = ""  # one of STANDINGS: a standing, "open" or "late"
    district: str = ""  # a district's code (GB/T 2260): the district government and its departments

    def __bool__(self) -> bool:
        return any(asdict(self).values())


def campaign_status(session: Session, as_of: date, campaign_code: str | None = None,
                    only: StatusFilter | None = None) -> dict:
    only = only or StatusFilter()
    organisations = session.scalars(select(Organisation).order_by(Organisation.id)).all()
    only = _by_code(only, organisations)
    if only.district and campaign_code is None:
        # A district with a campaign of its own is seen in it; before that, in what it owes the city.
        own = district_campaign(session, only.district)
        campaign_code = own.code if own else None
    campaign = find_campaign(session, campaign_code)
    calendar = load_calendar(session)
    calendar.is_working_day(as_of)  # a day outside the loaded calendar fails loudly, never guessed
    near_due = int(campaign.settings.get("near_due_working_days", DEFAULT_NEAR_DUE_WORKING_DAYS))
    # Cards turn red on the campaign's thresholds; green-channel obligations sooner.
    policy = policy_from_settings(campaign.settings)
    phases = session.scalars(select(Phase).where(Phase.campaign_id == campaign.id).order_by(Phase.position)).all()
    tasks = session.scalars(select(Task).where(Task.campaign_id == campaign.id).order_by(Task.number)).all()
    _refuse_unknown_codes(only, phases, organisations)
    short_names = {o.code: o.short_name or o.name for o in organisations}

    parent = aliased(Organisation)
    query = (
        select(Obligation.id, Obligation.ref, Obligation.due, Obligation.state, Obligation.priority,
               Organisation.code.label("org"), Organisation.name.label("org_name"),
               Organisation.short_name.label("org_short_name"), Organisation.kind, Organisation.division_code,
               parent.division_code.label("parent_division"), Phase.code.label("phase"),
               Phase.name.label("phase_name"))
        .join(Organisation, Organisation.id == Obligation.debtor_id)
        .outerjoin(parent, parent.id == Organisation.parent_id)
        .join(Phase, Phase.id == Obligation.phase_id)
        .where(Obligation.campaign_id == campaign.id)
        .order_by(Phase.position, Obligation.id)
    )
    if only.org:
        query = query.where(Organisation.code == only.org)
    if only.phase:
        query = query.where(Phase.code == only.phase)
    obligations = [_obligation(r, as_of, calendar, near_due, policy) for r in session.execute(query)]
    if only.district:
        obligations = [o for o in obligations if o["district"] == only.district]
    if only.standing:
        wanted = STANDING_GROUPS.get(only.standing, {only.standing})
        obligations = [o for o in obligations if o["standing"] in wanted]
    return {
        "campaign": {"code": campaign.code, "name": campaign.name, "level": campaign.level,
                     "district": campaign.district or None},
        "as_of": as_of.isoformat(),
        "filters": {k: v for k, v in asdict(only).items() if v},
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
            for p in phases if not only.phase or p.code == only.phase
        ],
        "tasks": [_task(session, t, short_names) for t in tasks],
        "obligations": obligations,
    }


def _obligation(r, as_of: date, calendar, near_due: int, policy) -> dict:
    thresholds = policy.for_priority(r.priority)
    try:
        standing = classify(r.state, r.due, as_of, calendar, near_due, thresholds.red_after_working_days)
        # The rung reached, by the rules: no column keeps it, since the daily sweep would have to
        # rewrite tens of thousands of rows; the outbox records which notices went out.
        level = int(getattr(current_step(r.state, r.due, as_of, thresholds, calendar), "level", Level.NONE))
        missing_year = None
    except YearNotLoaded as error:  # each December, a date in next year waits for its calendar
        standing, level, missing_year = UNDATED, int(Level.NONE), error.year
    card, colour = CARDS.get(standing, (None, None))
    return {
        "id": r.id,
        "org": r.org,
        "org_name": r.org_name,
        "org_short_name": r.org_short_name or r.org_name,
        "district": r.division_code if r.kind == OrgKind.DISTRICT else (r.parent_division or None),
        "phase": r.phase,
        "phase_name": r.phase_name,
        "ref": r.ref,
        "due": r.due.isoformat(),
        "state": r.state,
        "standing": str(standing),
        "standing_name": STANDING_NAMES.get(standing, f"待导入 {missing_year} 年日历"),
        "card": card,
        "card_colour": colour,
        "missing_year": missing_year,
        "priority": r.priority,
        "escalation_level": level,
    }


def _task(session: Session, t: Task, short_names: dict[str, str]) -> dict:
    if t.lead_units:
        units = [short_names.get(code, code) for code in t.lead_units]
    elif task_selector(t) == "departments":
        units = [t.responsible.removesuffix("分别负责")]  # every department: the table's own words
    else:
        units = [o.short_name or o.name for o in task_units(session, t)]
    return {
        "number": t.number,
        "title": t.title,
        "lead": t.lead_units,
        "units": units,
        "responsible": t.responsible,
        "timing": t.timing,
        "long_term": t.long_term,
        "cadence": t.cadence,
        "cadence_name": CADENCE_NAMES.get(t.cadence, t.cadence) if t.cadence else None,
        "phases": t.phase_codes,
    }


def _by_code(only: StatusFilter, organisations) -> StatusFilter:
    """An organisation or a district may be named as the directory names it, or by its short name."""
    def code_of(named: str, candidates, code) -> str:
        return next((code(o) for o in candidates if named in (o.code, o.name, o.short_name)), named)

    districts = [o for o in organisations if o.kind == OrgKind.DISTRICT]
    return replace(only, org=code_of(only.org, organisations, lambda o: o.code) if only.org else "",
                   district=code_of(only.district, districts, lambda o: o.division_code) if only.district else "")


def _refuse_unknown_codes(only: StatusFilter, phases, organisations) -> None:
    problems = []
    if only.org and only.org not in {o.code for o in organisations}:
        problems.append(f"没有单位代码 {only.org!r}（单位代码见 reform directory export）")
    if only.phase and only.phase not in {p.code for p in phases}:
        problems.append(f"没有阶段 {only.phase!r}，可用的阶段代码：{'、'.join(p.code for p in phases)}")
    districts = [o for o in organisations if o.kind == OrgKind.DISTRICT]
    if only.district and only.district not in {o.division_code for o in districts}:
        problems.append(f"没有区县代码 {only.district!r}，可用的区县代码："
                        f"{'、'.join(f'{o.division_code}（{o.short_name}）' for o in districts)}")
    if only.standing and only.standing not in STANDINGS:
        problems.append(f"没有进展状态 {only.standing!r}，可用的：{'、'.join(STANDINGS)}")
    if problems:
        raise BadStatusFilter("；".join(problems))
