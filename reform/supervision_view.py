"""Rendering `reform explain` for a person at a terminal."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

NOTICE_STATES = {"pending": "待发送", "sent": "已发送", "failed": "投递失败"}


def print_explanation(console: Console, report: dict) -> None:
    print_heading(console, report)
    print_derivation(console, report)


def print_heading(console: Console, report: dict) -> None:
    """Which obligation, its state and standing."""
    # Lines are pasted into chats and grepped: never wrapped mid-sentence.
    console = _Unwrapped(console)
    ref = f"（{report['ref']}）" if report["ref"] else ""
    green = "　[green]绿色通道[/]" if report["priority"] else ""
    console.print(f"[bold]事项 {report['id']}[/]：{report['org_name']}（{report['org']}）「{report['phase_name']}」{ref}{green}")
    console.print(f"状态：{report['state']}　截至 {report['as_of']}：{report['standing_name']}", highlight=False)


def print_derivation(console: Console, report: dict) -> None:
    """How the deadline was derived, the ladder, the notices sent and the next step."""
    console = _Unwrapped(console)
    d = report["deadline"]
    console.print("\n[bold]期限如何得出[/]")
    if d["source_phrase"]:
        console.print(f"  原文「{d['source_phrase']}」→ 日期 {d['nominal']} → {d['reason']}", highlight=False)
    else:
        console.print(f"  {d['reason'] or '单独设定'}", highlight=False)
    console.print(f"  截止日期：{d['due']}", highlight=False)

    missing = report.get("missing_year")
    if missing:
        console.print(f"\n[bold]督办阶梯[/]：需要 {missing} 年工作日历才能推算，请先导入该年度的节假日安排"
                      f"（reform calendar import {missing}.yaml）", highlight=False)
    else:
        _print_ladder(console, report)

    console.print("\n[bold]已发送的通知[/]")
    if not report["notices"]:
        console.print("  （无）")
    for n in report["notices"]:
        when = f"，发送于 {n['sent_at']}" if n["sent_at"] else ""
        console.print(f"  {n['queued_at']}　{n['subject']}\n    收件人：{'、'.join(n['to'])}"
                      f"{'　抄送：' + '、'.join(n['cc']) if n['cc'] else ''}　"
                      f"{NOTICE_STATES.get(n['state'], n['state'])}{when}", highlight=False)

    nxt = report["next"]
    console.print("\n[bold]下一步[/]")
    if nxt:
        console.print(f"  {nxt['on']}：{nxt['title']}，发给{nxt['to']}", highlight=False)
    elif missing:
        console.print(f"  导入 {missing} 年工作日历后推算", highlight=False)
    else:
        console.print("  无：事项已办结" if report["standing"] == "done" else "  无：督办阶梯已走完，待市政府办公厅督查",
                      highlight=False)


def _print_ladder(console, report: dict) -> None:
    t = report["thresholds"]
    console.print(f"\n[bold]督办阶梯[/]（到期前 {'、'.join(map(str, t['reminder_working_days']))} 个工作日提醒；"
                  f"逾期即黄牌；逾期超过 {t['red_after_working_days']} 个工作日红牌；"
                  f"红牌后 {t['supervision_after_working_days']} 个工作日提请督查）", highlight=False)
    ladder = Table(show_header=True)
    for header in ("日期", "步骤", "发送对象", "情况"):
        ladder.add_column(header)
    for step in report["ladder"]:
        done = "已发出" if step["taken"] else ("未发（已越过）" if step["on"] <= report["as_of"] else "待到期")
        ladder.add_row(step["on"], step["title"], step["to"], done)
    console.print(ladder)


class _Unwrapped:
    def __init__(self, console: Console) -> None:
        self._console = console

    def print(self, *objects, **kwargs) -> None:
        self._console.print(*objects, soft_wrap=True, **kwargs)
