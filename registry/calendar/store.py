"""The working-day calendar as the registry keeps it: loaded years and their exceptions."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from registry.calendar.tables import CalendarDay, CalendarYearRow
from registry.seed import CALENDAR_DIR
from rules.calendar import CalendarYear, WorkingCalendar
from workbooks.calendar_files import read_calendar_file


def shipped_years() -> list[CalendarYear]:
    """The calendar years that come with the project (2015 onwards)."""
    years: list[CalendarYear] = []
    for path in sorted(CALENDAR_DIR.glob("*.yaml")):
        years.extend(read_calendar_file(path))
    return years


def store_years(session: Session, years: list[CalendarYear]) -> None:
    """Replace each given year whole: a new State Council notice supersedes the old one."""
    for year in years:
        session.execute(delete(CalendarDay).where(CalendarDay.year == year.year))
        session.merge(CalendarYearRow(year=year.year, source=year.source))
        session.flush()
        session.add_all(
            [CalendarDay(day=d, year=year.year, working=False, name=n) for d, n in year.holidays.items()]
            + [CalendarDay(day=d, year=year.year, working=True, name=n) for d, n in year.workdays.items()]
        )


def loaded_years(session: Session) -> list[CalendarYear]:
    days: dict[int, list[CalendarDay]] = defaultdict(list)
    for day in session.scalars(select(CalendarDay)):
        days[day.year].append(day)
    return [
        CalendarYear(
            year=row.year,
            holidays={d.day: d.name for d in days[row.year] if not d.working},
            workdays={d.day: d.name for d in days[row.year] if d.working},
            source=row.source,
        )
        for row in session.scalars(select(CalendarYearRow).order_by(CalendarYearRow.year))
    ]


def load_calendar(session: Session) -> WorkingCalendar:
    return WorkingCalendar(loaded_years(session))
