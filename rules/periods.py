"""Reporting periods of long-term tasks (长期推进): which period a day falls in. Pure."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# Months per period; the label says which period of the year it is.
CADENCES = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
DEFAULT_CADENCE = "quarterly"
CADENCE_NAMES = {"monthly": "每月", "quarterly": "每季度", "half_yearly": "每半年", "yearly": "每年"}


@dataclass(frozen=True)
class Period:
    label: str  # "2016Q3", "2016-07", "2016H2", "2016"
    start: date
    end: date


def period_containing(day: date, cadence: str = DEFAULT_CADENCE) -> Period:
    months = CADENCES.get(cadence)
    if months is None:
        raise ValueError(f"督导周期“{cadence}”无法识别，应为 {'、'.join(CADENCES)} 之一")
    index = (day.month - 1) // months  # which period of the year, from 0
    first_month = index * months + 1
    start = date(day.year, first_month, 1)
    next_start = date(day.year + 1, 1, 1) if first_month + months > 12 else date(day.year, first_month + months, 1)
    label = {1: f"{day.year}-{first_month:02d}", 3: f"{day.year}Q{index + 1}", 6: f"{day.year}H{index + 1}",
             12: f"{day.year}"}[months]
    return Period(label, start, next_start - timedelta(days=1))


def months_of(label: str) -> list[str]:
    """The months ("2016-10") a period label covers: "2016Q4", "2016-10", "2016H2" or "2016"."""
    year, rest = label[:4], label[4:]
    if rest.startswith("Q") and rest[1:].isdigit():
        first, count = (int(rest[1:]) - 1) * 3 + 1, 3
    elif rest.startswith("H") and rest[1:].isdigit():
        first, count = (int(rest[1:]) - 1) * 6 + 1, 6
    elif rest.startswith("-") and rest[1:].isdigit():
        first, count = int(rest[1:]), 1
    elif not rest and year.isdigit():
        first, count = 1, 12
    else:
        raise ValueError(f"报告期“{label}”无法识别")
    return [f"{year}-{month:02d}" for month in range(first, first + count)]
