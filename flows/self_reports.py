"""The period's supervision report (督导检查通报) as a flow: compiled from the accepted self-reports,
written to a file, and left in Prefect as a table of every unit's figures and a summary."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from core.settings import get_settings
from flows.artifacts import artifact_key
from tasks.self_reports import compile_supervision_report


@flow(name="supervision-report")
async def supervision_report_flow(period: str, out: str | None = None, as_of: date | None = None) -> dict:
    """``out``: where the workbook goes (default REFORM_HOME/reports/<its name>). Rerunning it writes
    the same report again, with the self-reports accepted since."""
    report = compile_supervision_report(period, as_of)
    path = Path(out) if out else get_settings().home / "reports" / report["filename"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(report["content"])
    key = artifact_key(f"supervision-report-{report['period']}".lower())
    await create_table_artifact(key=key, table=[_row(r) for r in report["rows"]],
                                description=f"{report['period']} 督导检查通报：各单位指标的系统统计值与填报值")
    await create_markdown_artifact(key=f"{key}-summary", markdown=summary_markdown(report, path))
    return {"period": report["period"], "path": str(path), "tasks": report["tasks"],
            "unreported": report["unreported"], "rows": len(report["rows"])}


def _row(r: dict) -> dict:
    return {"任务": f"第{r['task_number']}项", "单位": r["org_name"], "指标": r["label"], "计量单位": r["unit"],
            "系统统计值": r["system"], "填报值": "未报送" if r["reported"] is None else r["reported"]}


def summary_markdown(report: dict, path: Path) -> str:
    lines = [f"# {report['period']} 长期推进任务督导检查通报", f"- 文件：`{path}`"]
    lines += [f"- 第{t['number']}项 {t['title']}：应报 {t['units']} 个单位，已报送 {t['reported']} 个"
              for t in report["tasks"]]
    if report["unreported"]:
        lines.append("## 未报送单位")
        lines += [f"- 第{u['task_number']}项 {u['org_name']}（截止 {u['due']}，{u['state']}）" for u in report["unreported"]]
    else:
        lines.append("- 本期所有单位均已报送")
    return "\n".join(lines) + "\n"
