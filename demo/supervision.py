"""The supervision part of `reform demo`: the daily sweep at 09:00 and the mail it sends.

Kept apart from demo/run.py so the intake demo and this one grow without stepping on each other.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date, datetime, time

from core.settings import get_settings
from demo.long_term import QUARTER
from flows.sweep import daily_sweep_flow
from registry.campaign.service import complete_obligation, open_obligations
from registry.supervision.service import sweep_day
from rules.calendar import WorkingCalendar
from rules.periods import period_containing

RUNG_STYLE = {1: ("blue", "提醒"), 2: ("yellow", "黄牌"), 3: ("red", "红牌"), 4: ("magenta", "提请督查")}
TO_WHOM = {"contact": "工作联系人", "leader": "分管领导", "head": "主要负责同志",
           "supervision": "市政府办公厅督查（抄送牵头单位）", "coordinator": "市编委办"}


async def sweep_events(day: date, calendar: WorkingCalendar) -> list[str]:
    """Run the daily sweep flow at the simulated 09:00 and tell what it did, in Chinese."""
    reported, has_work = _before_the_sweep(day, calendar)
    lines = [f"[cyan]长期推进[/] 收到各单位自查报告 {reported} 份"] if reported else []
    if not has_work:
        return lines
    result = await daily_sweep_flow(day, now=datetime.combine(day, time(9)))
    if not result["working_day"]:
        return lines
    groups: dict[tuple, Counter] = defaultdict(Counter)
    for n in result["notices"]:
        groups[(n["level"], n["phase_name"], n["rung"], n["to_role"])][n["org_name"].removeprefix("沈阳市")] += 1
    for (level, phase, rung, to_role), orgs in sorted(groups.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
        style, tag = RUNG_STYLE[level]
        if level == 1:
            days = rung.removeprefix("reminder-")
            lines.append(f"[{style}]{tag}[/] {phase}：到期前第 {days} 个工作日，发给 {len(orgs)} 个单位的{TO_WHOM[to_role]}"
                         f"（{sum(orgs.values())} 项）")
        else:
            lines.append(f"[{style}]{tag}[/] {phase}：{_names(orgs)}（发给{TO_WHOM[to_role]}）")
    if result["reports_opened"]:
        lines.append(f"[cyan]长期推进[/] 新一期自查报告开启 {result['reports_opened']} 项（附自查报告模板）")
    sent = result["delivery"].get("sent", 0)
    if sent and result["notices"]:
        lines.append(f"[dim]邮件：本地 SMTP 收到 {sent} 封（含给市编委办的督办日报）[/]")
    return lines


def _before_the_sweep(day: date, calendar: WorkingCalendar) -> tuple[int, bool]:
    """Units hand in self-reports; then: would today's sweep queue a notice or open a period?

    The deployment runs on every working day; the demo skips, on its simulated clock, the days
    on which the sweep would find nothing (a flow run costs most of a second, a dry run a few
    milliseconds), so the whole campaign plays in a couple of minutes.
    """
    if not calendar.is_working_day(day):
        return 0, False
    url = get_settings().database_url
    reported = _simulate_self_reports(url, calendar, day)
    new_period = period_containing(day).start > calendar.add_working_days(day, -1)
    return reported, new_period or bool(sweep_day(url, day, dry_run=True).notices)


def _names(orgs: Counter, limit: int = 5) -> str:
    names = [f"{name}（{n} 项）" if n > 1 else name for name, n in orgs.items()]
    shown = "、".join(names[:limit])
    return f"{shown}等 {len(names)} 个单位" if len(names) > limit else shown


def _simulate_self_reports(url: str, calendar: WorkingCalendar, day: date) -> int:
    """Units hand in their quarterly self-reports: most before the due date, a few late."""
    reported = 0
    for obligation in open_obligations(url, "supervision"):
        if obligation.ref.startswith(QUARTER):
            continue  # this quarter's come by email (demo.long_term)
        roll = int(hashlib.sha256(f"{obligation.id}".encode()).hexdigest()[:4], 16) % 100
        offset = -(roll % 8) - 1 if roll < 85 else roll % 5 + 1  # seeded: the same story every run
        if calendar.add_working_days(obligation.due, offset) == day:
            complete_obligation(url, obligation.id, day, "demo", "模拟：单位报送自查报告")
            reported += 1
    return reported
