"""The supervision part of `reform demo`: the daily sweep at 09:00 and the mail it sends.

Kept apart from reform/demo.py so the intake demo and this one grow without stepping on each
other. ``local_smtp`` is a real SMTP server (aiosmtpd) on loopback that files what it receives
into a Maildir, so every notice of the demo can be read afterwards; intake can reuse it.
"""
from __future__ import annotations

import hashlib
import mailbox
import os
import socket
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path

RUNG_STYLE = {1: ("blue", "提醒"), 2: ("yellow", "黄牌"), 3: ("red", "红牌"), 4: ("magenta", "提请督查")}
TO_WHOM = {"contact": "工作联系人", "leader": "分管领导", "head": "主要负责同志",
           "supervision": "市政府办公厅督查（抄送牵头单位）", "coordinator": "市编委办"}


class _MaildirHandler:
    def __init__(self, maildir: Path) -> None:
        self.maildir = mailbox.Maildir(maildir, create=True)
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.maildir.add(envelope.original_content or envelope.content)
        self.received += 1
        return "250 OK"


@contextmanager
def local_smtp(maildir: Path) -> Iterator[_MaildirHandler]:
    """An SMTP server on a free loopback port for the outbox (REFORM_SMTP_HOST/PORT point at it)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _MaildirHandler(maildir)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: os.environ.get(k) for k in ("REFORM_SMTP_HOST", "REFORM_SMTP_PORT")}
    os.environ["REFORM_SMTP_HOST"], os.environ["REFORM_SMTP_PORT"] = "127.0.0.1", str(port)
    try:
        yield handler
    finally:
        controller.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


async def sweep_events(day: date) -> list[str]:
    """Run the daily sweep flow at the simulated 09:00 and tell what it did, in Chinese."""
    from flows.sweep import daily_sweep_flow

    reported, has_work = _before_the_sweep(day)
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


def _before_the_sweep(day: date) -> tuple[int, bool]:
    """Units hand in self-reports; then: would today's sweep queue a notice or open a period?

    The deployment runs on every working day; the demo skips, on its simulated clock, the days
    on which the sweep would find nothing (a flow run costs most of a second, a dry run a few
    milliseconds), so the whole campaign plays in a couple of minutes.
    """
    from core.settings import get_settings
    from registry.calendar.store import load_calendar
    from registry.db import transaction
    from registry.supervision.sweep import sweep
    from rules.periods import period_containing

    with transaction(get_settings().database_url) as session:
        calendar = load_calendar(session)
        if not calendar.is_working_day(day):
            return 0, False
        reported = _simulate_self_reports(session, calendar, day)
        session.flush()
        new_period = period_containing(day).start > calendar.add_working_days(day, -1)
        return reported, new_period or bool(sweep(session, day, dry_run=True).notices)


def _names(orgs: Counter, limit: int = 5) -> str:
    names = [f"{name}（{n} 项）" if n > 1 else name for name, n in orgs.items()]
    shown = "、".join(names[:limit])
    return f"{shown}等 {len(names)} 个单位" if len(names) > limit else shown


def _simulate_self_reports(session, calendar, day: date) -> int:
    """Units hand in their quarterly self-reports: most before the due date, a few late."""
    from sqlalchemy import select

    from registry.campaign.audit import move_obligation
    from registry.campaign.tables import Obligation, Phase

    reported = 0
    for obligation in session.scalars(select(Obligation).join(Phase, Phase.id == Obligation.phase_id)
                                      .where(Phase.code == "supervision", Obligation.state == "open")):
        roll = int(hashlib.sha256(f"{obligation.id}".encode()).hexdigest()[:4], 16) % 100
        offset = -(roll % 8) - 1 if roll < 85 else roll % 5 + 1  # seeded: the same story every run
        if calendar.add_working_days(obligation.due, offset) == day:
            move_obligation(session, obligation, "fulfilled", "demo", "模拟：单位报送自查报告", day)
            reported += 1
    return reported
