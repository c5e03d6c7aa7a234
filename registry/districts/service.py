"""The districts' use cases: open a district's (or a regulator's) campaign, the city's roll-up, the bulletin."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

from core.errors import MissingFile
from core.settings import Settings, get_settings
from registry.campaign.queries import find_campaign, scope_campaign
from registry.db import transaction
from registry.directory.queries import district_government, organisations_of
from registry.districts import opening, rollup
from registry.districts.plans import Naming, template_text
from rules.organisations import OrgRole
from workbooks.weekly_report import write_weekly_report


def open_campaign(url: str, code: str, on: date, now: datetime, plan: Path | None = None,
                  settings: Settings | None = None, actor: str = "coordinator") -> dict:
    """Open a district's campaign (a GB/T 2260 code or its short name), or a regulator's (its code)."""
    settings = settings or get_settings()
    if plan is not None and not plan.is_file():
        raise MissingFile(f"找不到方案文件：{plan}")
    text = plan.read_text(encoding="utf-8") if plan is not None else None
    with transaction(url) as session:
        if any(o.code == code and OrgRole.REGULATOR in o.roles for o in organisations_of(session)):
            return asdict(opening.open_regulator(session, code, on, settings, now, actor))
        return asdict(opening.open_district(session, _district_code(session, code), on, settings, now, text,
                                            plan.name if plan else "", actor))


def _district_code(session, named: str) -> str:
    government = district_government(session, named)
    return (government.division_code or government.code) if government else named  # refused by open_district


def plan_template(url: str, code: str) -> str:
    """The district's plan file as the template makes it: a copy its coordinator edits before opening."""
    with transaction(url) as session:
        government = opening.known_district(session, code)
        city = scope_campaign(session, government.district) or find_campaign(session, None)
        return template_text(Naming(government.division_code, government.short_name, f"{government.short_name}政府",
                                    city.code))


def open_accepted(url: str, on: date, now: datetime, settings: Settings | None = None) -> list[dict]:
    """Open every campaign whose work plan the city has accepted and which is not open yet."""
    with transaction(url) as session:
        return [asdict(o) for o in opening.open_accepted(session, on, settings or get_settings(), now)]


def campaigns_to_open(url: str) -> bool:
    """Whether open_accepted would open anything now."""
    with transaction(url) as session:
        return bool(opening.awaiting_campaigns(session))


def district_list(url: str, as_of: date) -> list[dict]:
    """One entry per district: code, name, campaign, phases (each with its standing counts), published."""
    with transaction(url) as session:
        return rollup.district_entries(session, as_of)


def weekly_report(url: str, as_of: date, out: Path) -> dict:
    """Write the weekly 进展通报 workbook; returns what the bulletin counted, and the districts' roll-up."""
    with transaction(url) as session:
        entries = rollup.district_entries(session, as_of)
        facts = rollup.weekly_facts(session, as_of, entries)
    write_weekly_report(out, facts)
    districts = [r for r in facts.rows if r.kind == "district"]
    return {"path": str(out), "as_of": as_of.isoformat(), "districts": len(districts),
            "departments": len(facts.rows) - len(districts),
            "published": sum(1 for r in districts if r.published), "entries": entries,
            "rows": [{"kind": r.kind, "code": r.code, "name": r.name, "published": r.published, "note": r.note,
                      "phases": {c: asdict(s) | {"due": s.due.isoformat() if s.due else None}
                                 for c, s in r.phases.items()}} for r in facts.rows]}
