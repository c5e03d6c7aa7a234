"""Self-reports' use cases: the period's supervision report (督导检查通报).

Each takes the database URL and plain values, opens the one transaction and returns plain values.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from core.errors import UserError
from registry.db import transaction
from registry.self_reports.report import UnknownPeriod, bulletin_facts
from rules.self_reports import period_label
from workbooks.supervision_report import build_bulletin, bulletin_filename

__all__ = ["BadPeriod", "SupervisionReport", "UnknownPeriod", "supervision_report"]


class BadPeriod(UserError, ValueError):
    pass


@dataclass(frozen=True)
class SupervisionReport:
    period: str
    filename: str
    content: bytes
    tasks: list[dict]  # number, title, units, reported
    rows: list[dict]  # one per unit and indicator (workbooks.supervision_report.BulletinRow)
    unreported: list[dict]  # one per unit and task without an accepted report


def supervision_report(url: str, period: str, as_of: date | None = None,
                       campaign_code: str | None = None) -> SupervisionReport:
    """The period's 督导检查通报 from the accepted self-reports; ``as_of`` (today) says who is late."""
    label = period_label(period)
    if label is None:
        raise BadPeriod(f"报告期「{period}」无法识别，应写作 2016Q4（季度）、2016H2（半年）、2016-10（月）或 2016（年）")
    with transaction(url) as session:
        facts = bulletin_facts(session, label, as_of or date.today(), campaign_code)
    rows = [asdict(r) for r in facts.rows]
    unreported = [asdict(u) for u in facts.unreported]
    late = {(u["task_number"], u["org_code"]) for u in unreported}
    tasks = []
    for number, title in facts.tasks:
        units = {r["org_code"] for r in rows if r["task_number"] == number} | {
            u["org_code"] for u in unreported if u["task_number"] == number}
        tasks.append({"number": number, "title": title, "units": len(units),
                      "reported": len({c for c in units if (number, c) not in late})})
    return SupervisionReport(label, bulletin_filename(label), build_bulletin(facts), tasks, rows, unreported)
