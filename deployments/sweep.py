"""The daily sweep as a served deployment: every day at 09:00 Asia/Shanghai.

Cron cannot know 调休 (a Sunday may be a working day, a Wednesday a holiday), so it fires every
day and the flow returns at once on a non-working day by the project's own calendar.

Run with a long-lived Prefect server (``prefect server start``) and: ``python -m deployments.sweep``.
"""
from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from flows.spread import CAMPAIGN_SWEEP, deployment_name
from flows.sweep import daily_sweep_flow

CRON = "0 9 * * *"
TIMEZONE = "Asia/Shanghai"


def sweep_deployment():
    return daily_sweep_flow.to_deployment(
        name="daily-sweep", schedules=[Cron(CRON, timezone=TIMEZONE)],
        description="每日 09:00 督办扫描：到期提醒、黄牌、红牌、逐级上报，并发送邮件（非工作日自动跳过）",
        tags=["supervision"])


def campaign_sweep_deployment():
    """One campaign's sweep (parameter campaign): the daily sweep dispatches one run per campaign. Two
    of one campaign and day run one after the other (the registry's lock), the second finding the
    day done."""
    return daily_sweep_flow.to_deployment(
        name=deployment_name(CAMPAIGN_SWEEP),
        description="一个工作方案当日的督办扫描，由每日督办扫描按方案分派（同一方案同一天重复运行不会重复发送）。",
        tags=["supervision"])


if __name__ == "__main__":
    serve(sweep_deployment())
