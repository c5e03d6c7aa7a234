"""Rendering `reform inspection show` for a person at a terminal."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def print_inspection(console: Console, record: dict) -> None:
    console.print(f"[bold]督导检查“{escape(record['round'])}”[/]　开启 {record['opened_on']}　检查截止 {record['due']}"
                  f"　截至 {record['as_of']}", soft_wrap=True, highlight=False)
    console.print("检查清单：" + "；".join(record["checklist"]), soft_wrap=True, highlight=False)
    units = Table(title=f"被检查单位（{len(record['units'])} 个）")
    for header in ("单位", "被投诉件数", "发现问题", "已整改"):
        units.add_column(header, overflow="fold")
    for u in record["units"]:
        units.add_row(u["org_short_name"], str(u["complaints"]), str(u["findings"]), str(u["rectified"]))
    console.print(units)
    if not record["findings"]:
        console.print("尚未记录发现的问题（reform inspection finding …）。")
        return
    findings = Table(title="发现的问题")
    for header, whole in (("编号", True), ("单位", False), ("检查项目", False), ("问题", False), ("整改期限", True),
                          ("进展", False)):
        findings.add_column(header, no_wrap=whole, overflow="fold")
    for f in record["findings"]:
        standing = f"已于 {f['rectified_on']} 整改" if f["rectified_on"] else f["standing_name"]
        green = "　[green]绿色通道[/]" if f["priority"] else ""
        # The finding's words are the inspectors': "[…]" in them is text, not markup.
        findings.add_row(str(f["id"]), f["org_name"], f["item"], escape(f["text"]), f["due"], standing + green)
    console.print(findings)
    console.print("说明一个整改事项：reform explain 事项编号；记录整改完成：reform inspection rectified 编号 --note …",
                  soft_wrap=True, highlight=False)
