"""Bringing a registry from nothing (or from an older version) to a loaded, running campaign."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from registry.calendar.store import loaded_years, shipped_years, store_years
from registry.campaign.plan import PlanSpec, load_plan, open_phase, read_plan
from registry.db import migrate, transaction
from registry.directory.store import upsert_directory
from registry.directory.tables import Organisation
from registry.seed import sample_directory_path
from rules.calendar import WorkingCalendar
from workbooks.directory import read_directory


@dataclass(frozen=True)
class InitReport:
    calendar_years_added: tuple[int, ...]
    organisations_added: int
    obligations_opened: int
    campaign: str


def initialise(url: str, plan: PlanSpec | None = None, today: date | None = None) -> InitReport:
    """Migrate, then load what is missing. Never overwrites what a coordinator has imported."""
    migrate(url)
    plan = plan or read_plan()
    with transaction(url) as session:
        have = {y.year for y in loaded_years(session)}
        new_years = [y for y in shipped_years() if y.year not in have]
        store_years(session, new_years)
        added = 0
        if not session.scalar(select(func.count()).select_from(Organisation)):
            added, _ = upsert_directory(session, read_directory(sample_directory_path()))
        session.flush()
        calendar = WorkingCalendar(loaded_years(session))
        campaign = load_plan(session, plan, calendar)
        opened_on = today or campaign.issued_on or date(plan.year, 1, 1)
        opened = sum(open_phase(session, campaign.code, p.code, opened_on) for p in plan.phases)
    return InitReport(tuple(y.year for y in new_years), added, opened, plan.code)
