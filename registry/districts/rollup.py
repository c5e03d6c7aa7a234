"""The city's view of the districts: each district's standing phase by phase, and the weekly bulletin.

Counts come from the same standings as ``reform status`` (registry.campaign.status), so the roll-up,
the bulletin and a district's own view never disagree.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.campaign.queries import district_campaign, find_campaign
from registry.campaign.status import campaign_status
from registry.campaign.tables import Campaign
from registry.directory.queries import district_governments
from registry.publication.tables import Publication
from registry.review.tables import Approval
from rules.obligations import Standing
from workbooks.weekly_report import PhaseStanding, WeeklyFacts, WeeklyRow

LATE = {str(Standing.YELLOW), str(Standing.RED)}
# The city phases the bulletin follows: the plan's dated work, not the standing 长期推进 reports.
BULLETIN_PHASES = ("inventory", "review", "response", "approval", "guides", "guides_review", "publication",
                   "certificates", "certificates_review", "district_plans", "district_publication")


def district_entries(session: Session, as_of: date) -> list[dict]:
    """One entry per district: its campaign, each phase's standing counts, what it has published."""
    city = find_campaign(session, None)
    owed = _city_obligations_by_district(session, as_of, city.code)
    entries = []
    for government in district_governments(session, city.district):  # in a province, this city's alone
        code = government.division_code or government.code
        campaign = district_campaign(session, code)
        phases = _phase_counts(session, as_of, campaign.code) if campaign else []
        published = _published(session, campaign)
        entries.append({
            "code": code,
            "name": government.short_name or government.name,
            "campaign": campaign.code if campaign else None,
            "phases": phases,
            "published": published,
            "why_not_published": None if published else _why_not(session, campaign, owed.get(code, {})),
            "city": owed.get(code, {}),
        })
    return entries


def _phase_counts(session: Session, as_of: date, campaign_code: str) -> list[dict]:
    report = campaign_status(session, as_of, campaign_code)
    counts: dict[str, Counter] = defaultdict(Counter)
    for o in report["obligations"]:
        counts[o["phase"]][o["standing"]] += 1
    return [{"code": p["code"], "name": p["name"], "deadline": p["deadline"],
             "total": sum(counts[p["code"]].values()), "done": counts[p["code"]][str(Standing.DONE)],
             "late": sum(n for s, n in counts[p["code"]].items() if s in LATE),
             "standings": dict(counts[p["code"]])}
            for p in report["phases"]]


def _city_obligations_by_district(session: Session, as_of: date, city_code: str) -> dict[str, dict[str, str]]:
    """What each district owes the city (its work plan, its publication): phase -> standing."""
    owed: dict[str, dict[str, str]] = defaultdict(dict)
    for o in campaign_status(session, as_of, city_code)["obligations"]:
        if o.get("district") and o["phase"] in ("district_plans", "district_publication") and o["ref"] == "":
            owed[o["district"]][o["phase"]] = o["standing"]
    return owed


def _published(session: Session, campaign: Campaign | None) -> int | None:
    if campaign is None:
        return None
    return session.scalar(select(func.max(Publication.version)).where(Publication.campaign_id == campaign.id))


def _why_not(session: Session, campaign: Campaign | None, owed: dict[str, str]) -> str:
    if campaign is None:
        state = owed.get("district_plans")
        late = "，已逾期" if state in LATE else ""
        return f"区县工作方案尚未报送市编委办或尚未受理{late}，区县方案未开启"
    if session.scalar(select(Approval.id).where(Approval.campaign_id == campaign.id)) is None:
        return "公共服务事项清单尚未经区县政府审定"
    return "清单已审定，尚未公布"


def weekly_facts(session: Session, as_of: date, entries: list[dict] | None = None) -> WeeklyFacts:
    """The bulletin: every district (its own campaign's phases and what it owes the city) and every
    city department, against the plan's phases; ``entries`` are the districts' roll-up when the
    caller has it already."""
    city = find_campaign(session, None)
    report = campaign_status(session, as_of, city.code)
    names = {p["code"]: p["name"] for p in report["phases"]}
    phases = tuple((code, names[code]) for code in BULLETIN_PHASES if code in names)
    followed = {code for code, _ in phases}
    deadlines = {p["code"]: p["deadline"] for p in report["phases"]}
    rows: list[WeeklyRow] = []
    for entry in entries if entries is not None else district_entries(session, as_of):
        cells: dict[str, PhaseStanding] = {}
        for phase in entry["phases"]:
            if phase["code"] in followed and phase["total"]:
                cells[phase["code"]] = _standing(phase["standings"], _day(phase["deadline"]))
        for code, standing in entry["city"].items():
            cells[code] = _standing({standing: 1}, _day(deadlines.get(code)))
        note = "" if entry["published"] else entry["why_not_published"]
        rows.append(WeeklyRow("district", entry["code"], entry["name"], cells,
                              f"v{entry['published']}" if entry["published"] else "", note))
    by_org: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    org_names: dict[str, str] = {}
    for o in report["obligations"]:
        if o.get("district") or o["phase"] not in followed:
            continue
        by_org[o["org"]][o["phase"]][o["standing"]] += 1
        org_names[o["org"]] = o.get("org_short_name") or o["org_name"]
    for org, counted in by_org.items():
        rows.append(WeeklyRow("department", org, org_names[org],
                              {code: _standing(c, _day(deadlines.get(code))) for code, c in counted.items()}))
    return WeeklyFacts(as_of, f"{city.name}进展通报", phases, tuple(rows))


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _standing(standings: dict[str, int], due: date | None) -> PhaseStanding:
    total = sum(standings.values())
    done = standings.get(str(Standing.DONE), 0)
    late = sum(n for s, n in standings.items() if s in LATE)
    if done == total:
        light = "done"
    elif standings.get(str(Standing.RED)):
        light = "red"
    elif late or standings.get(str(Standing.DUE)) or standings.get(str(Standing.NEAR_DUE)):
        light = "yellow"
    else:
        light = "green"
    return PhaseStanding(total, done, late, due, light)
