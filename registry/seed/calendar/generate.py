"""One-off generator of the shipped calendar files 2015.yaml .. 2026.yaml.

For maintainers only; nothing in the product runs it. It was run once to seed the
project's own calendar data from the `chinesecalendar` package (the only place that
package is imported). From 2027 on, write YYYY.yaml by hand from the State Council
notice (国务院办公厅关于YYYY年部分节假日安排的通知) and load it with
`reform calendar import`; chinesecalendar raises for years it does not know, and we
never guess.

Run from the repository root:  python -m registry.seed.calendar.generate
"""
from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import chinese_calendar

from rules.calendar import CalendarYear
from workbooks.calendar_files import write_calendar_yaml

FIRST_YEAR, LAST_YEAR = 2015, 2026
HERE = Path(__file__).resolve().parent

# chinesecalendar stores the English values of its Holiday enum as names.
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}

# 2015 had a second notice for the 70th anniversary of the victory (2015-09-03/04).
EXTRA_SOURCES = {
    2015: "国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知",
}


def source_for(year: int) -> str:
    titles = [f"国务院办公厅关于{year}年部分节假日安排的通知"]
    if year in EXTRA_SOURCES:
        titles.append(EXTRA_SOURCES[year])
    return "；".join(titles)


def calendar_year(year: int) -> CalendarYear:
    holidays = {d: CHINESE_NAMES[n] for d, n in chinese_calendar.holidays.items() if d.year == year}
    workdays = {
        d: f"{CHINESE_NAMES[n]}调休" for d, n in chinese_calendar.workdays.items() if d.year == year
    }
    return CalendarYear(year=year, holidays=holidays, workdays=workdays, source=source_for(year))


def main() -> None:
    comment = (
        f"由 registry/seed/calendar/generate.py 从 chinesecalendar {version('chinesecalendar')} 一次性生成；"
        "以国务院通知为准，发现错误请直接改本文件。"
    )
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        path = HERE / f"{year}.yaml"
        write_calendar_yaml(path, calendar_year(year), comment=comment)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
