"""The weekly 进展通报 as a deployment: every Monday morning, before 市政府's weekly meeting."""
from __future__ import annotations

from prefect.schedules import Cron

from flows.districts import weekly_report_flow

WEEKLY_CRON = "0 8 * * 1"


def weekly_report_deployment():
    return weekly_report_flow.to_deployment(
        name="weekly-report", schedules=[Cron(WEEKLY_CRON, timezone="Asia/Shanghai")],
        description="每周一 08:00 生成报送市政府的进展通报（各区县和市直部门的红黄绿灯、各区县完成率图表）。")
