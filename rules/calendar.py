"""The Chinese working-day calendar, as data the project owns.

Which days are worked in China is decided each year by a State Council notice, with
make-up working days (调休) on weekends. Nothing here guesses a year that has not been
loaded: a deadline computed from a guessed calendar would be silently wrong, so every
question about an unloaded year raises `YearNotLoaded`.

Pure module: standard library only, so rules and tests can use it without any I/O.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.errors import UserError

_SATURDAY = 5  # date.weekday(): Monday is 0


def is_weekend(d: date) -> bool:
    return d.weekday() >= _SATURDAY


@dataclass(frozen=True)
class CalendarYear:
    """One year of a holiday notice.

    `holidays` lists days off (those on Mon–Fri are what change the weekend rule;
    weekend days of a holiday may be listed too, so the data reads like the notice).
    `workdays` lists make-up working days (调休), normally on Sat/Sun.
    Every other day follows the default rule: Mon–Fri working, Sat/Sun not.
    """

    year: int
    holidays: dict[date, str]
    workdays: dict[date, str]
    source: str = ""

    def __post_init__(self) -> None:
        # Reject inconsistent data at the boundary, so WorkingCalendar can trust it.
        for kind, days in (("holidays", self.holidays), ("workdays", self.workdays)):
            for d in days:
                if d.year != self.year:
                    raise ValueError(f"{self.year} 年日历的 {kind} 含有其他年份的日期 {d.isoformat()}")
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError(
                f"{self.year} 年日历中 {both[0].isoformat()} 同时列为放假日和调休工作日"
            )


class YearNotLoaded(UserError, LookupError):
    """A date falls in a year whose holiday notice has not been imported."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(year)

    def __str__(self) -> str:
        return (
            f'工作日历未载入 {self.year} 年：请先用 "reform calendar import" 导入该年度的节假日安排'
            f" (calendar year {self.year} is not loaded)"
        )


@dataclass(frozen=True)
class _Run:
    """Consecutive loaded years, flattened so any count inside them is two lookups.

    `cum[i]` is the number of working days among the first i days of the run, hence
    working days in (a, b] is cum[ib + 1] - cum[ia + 1].
    """

    first_year: int
    last_year: int
    first_ordinal: int
    cum: list[int] = field(repr=False)


class WorkingCalendar:
    """Answers working-day questions for the loaded years only."""

    def __init__(self, years: Iterable[CalendarYear]) -> None:
        by_year: dict[int, CalendarYear] = {}
        for cy in years:
            if cy.year in by_year:
                raise ValueError(f"{cy.year} 年的工作日历重复载入")
            by_year[cy.year] = cy
        self._years: tuple[int, ...] = tuple(sorted(by_year))
        self._names: dict[date, str] = {}
        self._working: dict[int, frozenset[date]] = {}  # exceptions only: see _is_working
        self._off: dict[int, frozenset[date]] = {}
        for y, cy in by_year.items():
            self._names.update(cy.holidays)
            self._names.update(cy.workdays)
            self._working[y] = frozenset(cy.workdays)
            self._off[y] = frozenset(cy.holidays)
        self._runs: dict[int, _Run] = {}
        for run in self._build_runs():
            for y in range(run.first_year, run.last_year + 1):
                self._runs[y] = run

    def _build_runs(self) -> list[_Run]:
        runs: list[_Run] = []
        groups: list[list[int]] = []
        for y in self._years:
            if groups and groups[-1][-1] == y - 1:
                groups[-1].append(y)
            else:
                groups.append([y])
        for group in groups:
            first = date(group[0], 1, 1)
            n_days = (date(group[-1], 12, 31) - first).days + 1
            cum = [0] * (n_days + 1)
            d = first
            for i in range(n_days):
                cum[i + 1] = cum[i] + (1 if self._is_working(d) else 0)
                d += timedelta(days=1)
            runs.append(_Run(group[0], group[-1], first.toordinal(), cum))
        return runs

    def _is_working(self, d: date) -> bool:
        # Listed days win over the weekend rule, in both directions.
        if d in self._working[d.year]:
            return True
        if d in self._off[d.year]:
            return False
        return not is_weekend(d)

    def _run(self, d: date) -> _Run:
        run = self._runs.get(d.year)
        if run is None:
            raise YearNotLoaded(d.year)
        return run

    @property
    def years(self) -> tuple[int, ...]:
        return self._years

    def is_working_day(self, d: date) -> bool:
        self._run(d)
        return self._is_working(d)

    def day_name(self, d: date) -> str:
        """The notice's name for a listed day (e.g. "国庆节", "国庆节调休"), else ""."""
        self._run(d)
        return self._names.get(d, "")

    def next_working_day(self, d: date) -> date:
        return d if self.is_working_day(d) else self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        return d if self.is_working_day(d) else self.add_working_days(d, -1)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after d (before d when n < 0); d itself is never counted."""
        run = self._run(d)
        if n == 0:
            return d
        i = d.toordinal() - run.first_ordinal
        if n > 0:
            target = run.cum[i + 1] + n
            if target > run.cum[-1]:
                raise YearNotLoaded(run.last_year + 1)
        else:
            target = run.cum[i] + n + 1  # working days strictly before d, minus |n|, plus one
            if target <= 0:
                raise YearNotLoaded(run.first_year - 1)
        # The first index where the count reaches target is that working day itself.
        j = bisect_left(run.cum, target)
        return date.fromordinal(run.first_ordinal + j - 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative of those in (end, start] when end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        run = self._run(start)
        end_run = self._run(end)
        if end_run is not run:
            # Some year between the two runs is missing: the first one after start's run.
            raise YearNotLoaded(run.last_year + 1)
        return run.cum[end.toordinal() - run.first_ordinal + 1] - run.cum[
            start.toordinal() - run.first_ordinal + 1
        ]


# The seven statutory holidays (全国年节及纪念日放假办法): every year's notice names each of them.
STATUTORY_HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


@dataclass(frozen=True)
class NamedDay:
    """A day off within a holiday, or a make-up working day (调休), with the notice's name."""

    day: date
    working: bool
    name: str


@dataclass(frozen=True)
class YearAtAGlance:
    days: tuple[NamedDay, ...]  # in date order
    plain_weekend_days: int  # Saturdays and Sundays off that belong to no holiday
    working_days: int


def year_at_a_glance(cy: CalendarYear) -> YearAtAGlance:
    """Every day off of each holiday, and every make-up working day, of one year.

    A notice may list only the weekdays of a holiday; the weekend days it spans are off as part of
    it, so each unbroken run of days off takes the name of the holiday listed in it (National Day
    is 10-01..10-07 whole, not from the first weekday on).
    """
    first = date(cy.year, 1, 1)
    all_days = [first + timedelta(days=k) for k in range((date(cy.year, 12, 31) - first).days + 1)]

    def working(d: date) -> bool:
        return d in cy.workdays or (d not in cy.holidays and not is_weekend(d))

    named: list[NamedDay] = []
    plain = 0
    run: list[date] = []
    for d in [*all_days, None]:
        if d is not None and not working(d):
            run.append(d)
            continue
        names = [cy.holidays[x] for x in run if cy.holidays.get(x)]
        if names:
            named += [NamedDay(x, False, cy.holidays.get(x) or names[0]) for x in run]
        else:
            plain += len(run)
        run = []
        if d is not None and d in cy.workdays:
            named.append(NamedDay(d, True, cy.workdays[d] or "调休上班"))
    return YearAtAGlance(tuple(named), plain, sum(map(working, all_days)))


def weekday_holidays(cy: CalendarYear) -> int:
    """Days off that fall Monday to Friday: what a notice changes in the weekend rule."""
    return sum(1 for d in cy.holidays if not is_weekend(d))


def import_warnings(new: CalendarYear, loaded: Iterable[CalendarYear]) -> list[str]:
    """What looks incomplete in a year's notice, against the holidays and the years loaded so far.

    A warning, not a refusal: a notice may really differ (a one-off 纪念日, a changed rule), and a
    coordinator who has checked it must be able to load it.
    """
    warnings = []
    names = {name for name in new.holidays.values() if name}
    missing = [h for h in STATUTORY_HOLIDAYS if not any(h in name for name in names)]
    if missing:
        warnings.append(f"{new.year} 年日历缺少法定节假日：{'、'.join(missing)}")
    others = [cy for cy in loaded if cy.year != new.year]
    if others:
        fewest = min(others, key=weekday_holidays)
        if weekday_holidays(new) < weekday_holidays(fewest):
            warnings.append(f"{new.year} 年日历只有 {weekday_holidays(new)} 个周一至周五的放假日，"
                            f"少于已载入年份中最少的 {weekday_holidays(fewest)} 个（{fewest.year} 年）")
    return warnings


def calendar_year_from_days(
    year: int, days: Mapping[date, tuple[bool, str]], source: str = ""
) -> CalendarYear:
    """Turn a complete per-day table (working?, name) into the notice form.

    Only what the weekend rule would get wrong is kept, plus named days off on a weekend
    (so "国庆节" still shows on 2016-10-01). An incomplete table is refused: the missing
    days would otherwise be filled in by the weekend rule, which is a guess.
    """
    first = date(year, 1, 1)
    n_days = (date(year, 12, 31) - first).days + 1
    for d in days:
        if d.year != year:
            raise ValueError(f"{year} 年的日历表含有其他年份的日期 {d.isoformat()}")
    for k in range(n_days):
        d = first + timedelta(days=k)
        if d not in days:
            raise ValueError(f"{year} 年的日历表不完整：缺少 {d.isoformat()}")
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    for d in sorted(days):
        working, name = days[d]
        if working and is_weekend(d):
            workdays[d] = name
        elif not working and (not is_weekend(d) or name):
            holidays[d] = name
    return CalendarYear(year=year, holidays=holidays, workdays=workdays, source=source)
