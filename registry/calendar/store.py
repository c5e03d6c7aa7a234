"""The working-day calendar as the registry keeps it: loaded years and their exceptions."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from registry.calendar.tables import CalendarDay, CalendarYearRow
from registry.seed import CALENDAR_DIR
from rules.calendar import CalendarYear, WorkingCalendar
from workbooks.calendar_files import read_calendar_file

_CALENDAR = "reform.calendar"  # the transaction's calendar, in Session.info


def shipped_years() -> list[CalendarYear]:
    """The calendar years that come with the project (2015 onwards)."""
    years: list[CalendarYear] = []
    for path in sorted(CALENDAR_DIR.glob("*.yaml")):
        years.extend(read_calendar_file(path))
    return years


def store_years(session: Session, years: list[CalendarYear]) -> None:
    """Replace each given year whole: a new State Council notice supersedes the old one."""
    session.info.pop(_CALENDAR, None)
    for year in years:
        session.execute(delete(CalendarDay).where(CalendarDay.year == year.year))
        session.merge(CalendarYearRow(year=year.year, source=year.source))
        session.flush()
        session.add_all(
            [CalendarDay(day=d, year=year.year, working=False, name=n) for d, n in year.holidays.items()]
            + [CalendarDay(day=d, year=year.year, working=True, name=n) for d, n in year.workdays.items()]
        )


def loaded_years(session: Session) -> list[CalendarYear]:
    return _years(*_calendar_rows(session))


def load_calendar(session: Session) -> WorkingCalendar:
    # Nearly every use case reads the calendar, and a flow reads it many times over: two plain
    # queries decide whether the one built last time still holds, instead of building it afresh,
    # and a transaction asks them once (store_years forgets its answer).
    calendar = session.info.get(_CALENDAR)
    if calendar is None:
        calendar = session.info[_CALENDAR] = _calendar(*_calendar_rows(session))
    return calendar


def _calendar_rows(session: Session) -> tuple[tuple, tuple]:
    years = tuple(session.execute(select(CalendarYearRow.year, CalendarYearRow.source)
                                  .order_by(CalendarYearRow.year)))
    days = tuple(session.execute(select(CalendarDay.year, CalendarDay.day, CalendarDay.working, CalendarDay.name)
                                 .order_by(CalendarDay.year, CalendarDay.day)))
    return years, days


def _years(years: tuple, days: tuple) -> list[CalendarYear]:
    by_year: dict[int, list[tuple]] = defaultdict(list)
    for row in days:
        by_year[row[0]].append(row)
    return [
        CalendarYear(
            year=year,
            holidays={day: name for _, day, working, name in by_year[year] if not working},
            workdays={day: name for _, day, working, name in by_year[year] if working},
            source=source,
        )
        for year, source in years
    ]


@lru_cache(maxsize=8)  # a few registries per process at most (tests, the benchmarks)
def _calendar(years: tuple, days: tuple) -> WorkingCalendar:
    return WorkingCalendar(_years(years, days))
