"""`reform demo`: the campaign from nothing, on a simulated clock, through real Prefect flows.

Departments' behaviour is simulated (seeded, so every run tells the same story); everything
else is the real path: the registry, the working-day calendar, the rules and the flows.
"""
from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from rich.console import Console

from core.local_prefect import LaunchedServer, launch_temporary_server, use_embedded_prefect
from core.settings import get_settings
from demo.mail_server import local_smtp
from registry.calendar.service import working_calendar
from registry.campaign.service import campaign_status, fulfil_obligation, initialise
from registry.users.service import add_user
from rules.obligations import LATE, STANDING_NAMES, Standing

START, END = date(2016, 6, 9), date(2017, 4, 5)
WEEKDAYS = "一二三四五六日"
# Phases the demo's organisations are scheduled on from the start; review, guides, certificates and
# publication run from the flows (per submission, on approval, on publishing), and a district's
# publication is done by its own campaign (demo.districts).
SIMULATED_PHASES = ("inventory", "approval", "district_plans")


@dataclass(frozen=True)
class Delivery:
    phase: str
    org_code: str
    org_name: str


def run_demo(console: Console, workspace: Path | None = None) -> None:
    started = time.monotonic()
    workspace = (workspace or Path(tempfile.mkdtemp(prefix="reform-demo-"))).resolve()
    console.soft_wrap = True  # commands to copy and long names stay on one line
    os.environ["REFORM_HOME"] = str(workspace)
    os.environ.pop("REFORM_DATABASE_URL", None)
    use_embedded_prefect(workspace / "prefect")
    # Started by us, not by Prefect, so that a demo killed by any signal leaves no server behind; it
    # boots while the registry loads, and the first flow waits for it.
    server = launch_temporary_server(workspace / "prefect")
    server.use()
    with local_smtp(workspace / "mail"):  # the outbox delivers here; read it with any Maildir client
        asyncio.run(_simulate(console, workspace, server))
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    console.print(f"演示用时 {minutes} 分 {seconds} 秒", highlight=False)


async def _simulate(console: Console, workspace: Path, server: LaunchedServer) -> None:
    # The flows import Prefect, which reads its environment (set just above) on import.
    from flows.clients import shared_api_clients  # noqa: PLC0415 - Prefect's environment first

    url = get_settings().database_url
    console.rule("[bold]沈阳市简化优化公共服务流程工作方案 · 模拟运行")
    console.print(f"工作目录：{workspace}")
    report = initialise(url, today=START)
    console.print(f"已载入工作日历 {len(report.calendar_years_added)} 个年度、单位 {report.organisations_added} 个，"
                  f"开启事项 {report.obligations_opened} 项。")
    server.wait()
    async with shared_api_clients():
        await _play(console, workspace, url)


async def _play(console: Console, workspace: Path, url: str) -> None:
    """Day by day from 2016年6月9日 to 2017年4月5日, every flow run on one shared API client."""
    from demo.districts import DistrictsByMail, rollup_lines  # noqa: PLC0415 - Prefect's environment first
    from demo.long_term import (  # noqa: PLC0415 - Prefect's environment first
        EvaluationsMonth,
        LongTermSupervision,
        SelfReportsByMail,
    )
    from demo.mail import SubmissionsByMail  # noqa: PLC0415 - Prefect's environment first
    from demo.publication import PublicationByMail  # noqa: PLC0415 - Prefect's environment first
    from demo.review import ReviewByMail  # noqa: PLC0415 - Prefect's environment first
    from demo.second_half import GuidesAndCertificatesByMail  # noqa: PLC0415 - Prefect's environment first
    from demo.supervision import sweep_events  # noqa: PLC0415 - Prefect's environment first
    from flows.campaign import daily_standing_flow, open_phase_flow  # noqa: PLC0415 - Prefect's environment first

    again = sum([await open_phase_flow(code, START) for code in SIMULATED_PHASES])
    console.print(f"再次运行 open-phase 流程：新增 {again} 项（重复运行不会重复开启）。\n")

    calendar = working_calendar(url)
    status = campaign_status(url, START)
    deadlines = {p["code"]: date.fromisoformat(p["deadline"]) for p in status["phases"] if p["deadline"]}
    names = {p["code"]: p["name"] for p in status["phases"]}
    schedule = _schedule(status["obligations"], deadlines, calendar)
    by_mail = SubmissionsByMail.take_over(workspace, schedule, START, calendar)  # calls, replies, receipts
    review = ReviewByMail(workspace, calendar, deadlines["review"])  # review through approval
    second_half = GuidesAndCertificatesByMail(workspace, calendar, deadlines)  # guides and certificates
    publication = PublicationByMail(calendar)  # the public site, the departments' own parts
    long_term = LongTermSupervision()  # 督导检查, the green channel
    self_reports = SelfReportsByMail(workspace, calendar)  # one quarter's self-reports by email
    evaluations = EvaluationsMonth(workspace)  # a month of 好差评
    districts = DistrictsByMail(workspace, calendar)  # the 13 districts' own campaigns, opened by the cascade

    day = START
    while day <= END:
        events: list[str] = await by_mail.day(day)
        events += await review.day(day)
        events += await second_half.day(day)
        events += await publication.day(day)
        events += await long_term.day(day)
        events += await self_reports.day(day)
        events += evaluations.day(day)
        events += await districts.day(day)
        deliveries = schedule.pop(day, [])
        if deliveries:
            for d in deliveries:
                fulfil_obligation(url, d.phase, d.org_code, day, actor=d.org_code, reason="模拟：单位按时报送材料")
            by_phase = defaultdict(list)
            for d in deliveries:
                by_phase[d.phase].append(d.org_name)
            for phase, orgs in by_phase.items():
                late = "（逾期报送）" if day > deadlines[phase] else ""
                events.append(f"{names[phase]}：{_list(orgs)}报送{late}")
        if calendar.is_working_day(day):  # the 09:00 sweep deployment, on the simulated clock
            events += await sweep_events(day, calendar)
        if calendar.is_working_day(day) and (day.weekday() == 0 or day in deadlines.values()
                                             or calendar.add_working_days(day, -1) in deadlines.values()):
            counts = await daily_standing_flow(day)
            events += _standing_lines(counts, names, deadlines, day)
        if events:
            console.print(f"[bold]{day} 周{WEEKDAYS[day.weekday()]}[/]  " + "\n                 ".join(events))
        day += timedelta(days=1)

    # The command as the user ran it (.venv/bin/reform works without activating the venv).
    command = sys.argv[0] if Path(sys.argv[0]).name == "reform" else "reform"
    console.rule("[bold]各区县")
    for line in rollup_lines(url, END):
        console.print(line, highlight=False)
    # The coordinators' dashboard on this workspace, with a city user and 和平区's user ready.
    city = add_user(url, "市编委办协调人", "city", datetime.combine(END, datetime.now().time()))
    district = add_user(url, "和平区编委办", "district", datetime.combine(END, datetime.now().time()), district="210102")
    console.rule("[bold]协调看板")
    console.print(f"用户 {city.user.name}（市级）一次性密码 {city.password}；{district.user.name}（和平区）一次性密码 "
                  f"{district.password}；首次登录后设置自己的密码", highlight=False)
    console.print(f"打开协调看板：REFORM_HOME={workspace} {command} dashboard --as-of {END}，"
                  "然后打开 http://127.0.0.1:8000/", highlight=False)
    console.rule("[bold]下一步")
    site = workspace / "site" / "current" / "index.html"
    if site.exists():
        console.print(f"公布的网站（无需服务器，浏览器直接打开）：{site.as_uri()}；开放数据在同目录的 data/")
    console.print(f"查看任一天的进展：REFORM_HOME={workspace} {command} status --as-of 2016-08-02")
    console.print(f"各区县汇总：REFORM_HOME={workspace} {command} district list --as-of {END}；"
                  f"进展通报：{workspace / 'reports'}")
    prefect = Path(sys.executable).with_name("prefect")
    prefect = prefect if prefect.exists() else "prefect"
    console.print(f"浏览流程运行记录和报表：PREFECT_HOME={workspace / 'prefect'} {prefect} server start，"
                  "然后打开 http://127.0.0.1:4200")
    # The province and the cluster need PostgreSQL and Redis, which the embedded demo does without.
    console.print(f"全省规模（需 PostgreSQL 与 Redis）：{command} province generate --out 辽宁省/ 后以 {command} init --plans 辽宁省/ "
                  f"载入，再用 {command} cluster up --workers 2 按方案分派到各工作进程", highlight=False, soft_wrap=True)


def _schedule(obligations: list[dict], deadlines: dict[str, date], calendar) -> dict[date, list[Delivery]]:
    """When each simulated organisation delivers: most on time, some a little late, a few very late."""
    rng = random.Random(2016)
    schedule: dict[date, list[Delivery]] = defaultdict(list)
    for o in obligations:
        if o["phase"] not in SIMULATED_PHASES:
            continue
        roll = rng.random()
        offset = rng.randint(-12, -1) if roll < 0.8 else rng.randint(1, 2) if roll < 0.92 else rng.randint(3, 8)
        if o["phase"] == "approval":
            offset = -1  # the city government's executive meeting, the working day before the deadline
        when = calendar.add_working_days(deadlines[o["phase"]], offset)
        schedule[when].append(Delivery(o["phase"], o["org"], o["org_name"]))
    return schedule


def _standing_lines(counts: dict[str, dict[str, int]], names: dict[str, str], deadlines: dict[str, date],
                    day: date) -> list[str]:
    """One line per phase that is live today: its deadline is near, or something is overdue."""
    lines = []
    for phase, by_standing in counts.items():
        if phase not in deadlines:
            continue  # phases opened per submission, complaint or period: the sweep lines tell of them
        open_now = sum(n for s, n in by_standing.items() if s != Standing.DONE)
        if not open_now or (deadlines[phase] - day).days > 14 and not any(by_standing.get(s) for s in LATE):
            continue
        parts = "，".join(f"{STANDING_NAMES[Standing(s)]} {n}" for s, n in sorted(by_standing.items()) if n)
        lines.append(f"[cyan]daily-standing[/] {names[phase]}（期限 {deadlines[phase]}）：{parts}")
    return lines


def _list(names: list[str], limit: int = 6) -> str:
    shown = "、".join(names[:limit])
    return f"{shown}等 {len(names)} 个单位" if len(names) > limit else shown
