"""The daily sweep: remind before deadlines, card and escalate after them, tell the coordinators.

Scheduled every day at 09:00 Asia/Shanghai (deployments/sweep.py); on a non-working day by the
project's calendar (weekends, holidays, but not 调休 make-up days) it returns at once.
"""
from __future__ import annotations

import asyncio
from datetime import date, datetime
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
)

from rules.escalation import LEVEL_NAMES, RECIPIENT_NAMES, Level
from tasks.review import route_submissions
from tasks.sweep import deliver_outbox, is_working_day, sweep_day

SHANGHAI = ZoneInfo("Asia/Shanghai")


@flow(name="daily-sweep")
async def daily_sweep_flow(as_of: date | None = None, deliver: bool = True, now: datetime | None = None) -> dict:
    """One day's sweep. Rerunning it the same day, or after a crash, sends nothing twice."""
    as_of = as_of or datetime.now(SHANGHAI).date()
    if not is_working_day(as_of):
        return {"as_of": as_of.isoformat(), "working_day": False}
    # The safety net under event-driven routing: an accepted list whose event was lost is sent to
    # the four agencies now, before today's rungs are decided.
    routed = route_submissions(None, now or datetime.now())
    day = sweep_day(as_of)  # this period's reports, every rung, the digest: one commit
    await _leave_artifacts(as_of, day["notices"], day["digest"])
    delivery = await deliver_outbox(now) if deliver else {}
    return {"as_of": as_of.isoformat(), "working_day": True, **day, "routed": len(routed), "delivery": delivery}


async def _leave_artifacts(as_of: date, notices: list[dict], digest: dict) -> None:
    cards = [n for n in notices if n["level"] >= Level.YELLOW]
    await create_table_artifact(
        key="sweep-new-cards", description=f"{as_of} 新增黄牌、红牌和督查",
        table=[{"单位": n["org_name"], "代码": n["org_code"], "事项": n["obligation_id"], "阶段": n["phase_name"],
                "截止日期": n["due"].isoformat(), "级别": LEVEL_NAMES[Level(n["level"])],
                "发送对象": RECIPIENT_NAMES[n["to_role"]]} for n in cards])
    reminders = len(notices) - len(cards)
    await create_markdown_artifact(key="sweep-summary", markdown="\n".join([
        f"# 督办扫描 {as_of}", "",
        f"- 提醒 {reminders} 条，新增黄牌/红牌/督查 {len(cards)} 条",
        f"- 逾期 {digest['late']} 项，涉及 {digest['late_orgs']} 个单位；与上一个工作日相比变化 {digest['changes']} 项",
        f"- 改送上一级（联系人缺邮箱）{sum(1 for n in notices if n['skipped'])} 条",
    ]))
    # One progress bar per phase (keys allow only lowercase letters, digits and dashes), all at once.
    await asyncio.gather(*(
        create_progress_artifact(progress=100 * done / (total or 1), key=f"sweep-done-{code.replace('_', '-')}",
                                 description=f"{name}：已完成 {done}/{total}")
        for code, (name, done, total) in digest["done_by_phase"].items()))
