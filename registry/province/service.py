"""The province's use cases: generate one as files, load one into the registry, count what it holds.

Each takes plain values (the database URL first where there is one) and opens the one transaction.
"""
from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text

from registry.calendar.store import loaded_years, shipped_years, store_years
from registry.campaign.tables import Campaign, Obligation
from registry.db import engine_for, migrate, transaction
from registry.directory.tables import Organisation
from registry.province import checking, generate, loading
from registry.province.checking import ProvinceError
from registry.province.generate import BadSizes, Sizes
from rules.calendar import WorkingCalendar
from rules.obligations import State

__all__ = ["BadSizes", "ProvinceError", "ProvinceLoad", "Sizes", "generate_province", "load_province",
           "province_counts"]


@dataclass(frozen=True)
class ProvinceLoad:
    cities: int
    districts: int
    calendar_years_added: tuple[int, ...]
    organisations_added: int
    campaigns_added: int
    obligations_opened: int
    seconds: float  # reading and checking the files, and writing them


def generate_province(out: Path, sizes: Sizes = Sizes(), seed: int = 2016) -> dict:
    """Write a province's directories, plans and manifest (province.yaml) into ``out``; returns
    the counts (cities, districts, campaigns, organisations and organisations by kind)."""
    return generate.generate_province(out, sizes, seed).summary()


def load_province(url: str, folder: Path, today: date | None = None) -> ProvinceLoad:
    """`reform init --plans DIR`: migrate, load the calendar, then every city's and district's
    directory and campaign with its dated phases opened. Every file is read and checked first:
    ProvinceError names every problem and nothing is written. Loading again adds nothing."""
    started = clock.perf_counter()
    # The plans are checked against the shipped calendar: the registry may not exist yet.
    cities = checking.read_province(folder, WorkingCalendar(shipped_years()))
    migrate(url)
    with transaction(url) as session:
        have = {y.year for y in loaded_years(session)}
        new_years = [y for y in shipped_years() if y.year not in have]
        store_years(session, new_years)
        session.flush()
        loaded = loading.load_province(session, cities, WorkingCalendar(loaded_years(session)), today)
    if url.startswith("postgresql") and loaded.obligations_opened:
        # The planner's statistics, as after any large load: the sweep and status read these tables next.
        with engine_for(url).connect() as connection:
            connection.execute(text("ANALYZE"))
    return ProvinceLoad(len(cities), sum(len(c.districts) for c in cities), tuple(y.year for y in new_years),
                        loaded.organisations_added, loaded.campaigns_added, loaded.obligations_opened,
                        round(clock.perf_counter() - started, 2))


def province_counts(url: str) -> dict:
    """What the registry holds: organisations (by kind), campaigns (by level), open obligations."""
    with transaction(url) as session:
        kinds = dict(session.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all())
        levels = dict(session.execute(select(Campaign.level, func.count()).group_by(Campaign.level)).all())
        open_obligations = session.scalar(select(func.count()).select_from(Obligation)
                                          .where(Obligation.state == State.OPEN))
    return {"organisations": sum(kinds.values()), "organisations_by_kind": kinds,
            "campaigns": sum(levels.values()), "campaigns_by_level": levels, "open_obligations": open_obligations}
