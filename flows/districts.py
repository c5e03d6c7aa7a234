"""The districts' roll-up for the city: the weekly 进展通报 for 市政府, kept as a workbook and as artifacts.

Scheduled every Monday (deployments/districts.py); rerunning it writes the same bulletin again.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks.districts import write_weekly_report

SHANGHAI = ZoneInfo("Asia/Shanghai")


@flow(name="weekly-report")
async def weekly_report_flow(as_of: date | None = None, out: Path | None = None) -> dict:
    as_of = as_of or datetime.now(SHANGHAI).date()
    written = write_weekly_report(as_of, out)
    entries = written["entries"]
    await create_table_artifact(key="district-rollup", table=rollup_rows(entries),
                                description=f"{as_of.isoformat()} 各区县进展（完成/总数）")
    await create_markdown_artifact(key="weekly-report", markdown=weekly_markdown(written, entries))
    return {"path": written["path"], "districts": written["districts"], "published": written["published"],
            "opened": sum(1 for e in entries if e["campaign"]), "late": _late(entries)}


def _late(entries: list[dict]) -> list[str]:
    """The districts with a yellow or red card in any phase of their own campaign."""
    return [e["name"] for e in entries if any(p["late"] for p in e["phases"])]


def rollup_rows(entries: list[dict]) -> list[dict]:
    rows = []
    for e in entries:
        row = {"区县": e["name"], "方案": e["campaign"] or "未开启"}
        row.update({p["name"]: f"{p['done']}/{p['total']}" for p in e["phases"] if p["total"]})
        row["公布"] = f"第 {e['published']} 版" if e["published"] else e["why_not_published"]
        rows.append(row)
    return rows


def weekly_markdown(written: dict, entries: list[dict]) -> str:
    late = _late(entries)
    lines = [f"# {written['as_of']} 进展通报",
             f"- 区县 {written['districts']} 个，已公布清单 {written['published']} 个；市直部门 {written['departments']} 个",
             f"- 有黄牌、红牌的区县：{'、'.join(late) or '无'}",
             f"- 工作簿：`{written['path']}`"]
    return "\n".join(lines) + "\n"
