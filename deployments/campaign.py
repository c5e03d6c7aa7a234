"""The campaign's standing report as a deployment: every morning, for the coordinators' Prefect view."""
from __future__ import annotations

from prefect.schedules import Cron

from flows.campaign import daily_standing_flow
from flows.spread import CAMPAIGN_STANDING, deployment_name


def standing_deployment():
    return daily_standing_flow.to_deployment(
        name="daily-standing", schedules=[Cron("30 8 * * *", timezone="Asia/Shanghai")],
        description="每日 08:30 汇总各阶段进展（表格与逾期清单报表）。")


def campaign_standing_deployment():
    """One campaign's standing (parameter campaign_code), a run per campaign so workers share the morning."""
    return daily_standing_flow.to_deployment(
        name=deployment_name(CAMPAIGN_STANDING), description="汇总一个工作方案（市级或区县）各阶段的进展，由每日进展汇总按方案分派。")
