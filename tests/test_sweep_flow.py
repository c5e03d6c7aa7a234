"""The daily sweep as a Prefect flow and a deployment: working days only, artifacts, delivery."""
from __future__ import annotations

import asyncio
import json
from datetime import date, datetime

from registry.campaign.service import campaign_status


def test_the_sweep_flow_skips_a_holiday(initialised, prefect_server):
    from flows.sweep import daily_sweep_flow

    assert asyncio.run(daily_sweep_flow(date(2016, 10, 3))) == {"as_of": "2016-10-03", "working_day": False}


def test_the_sweep_flow_runs_on_a_make_up_saturday_and_delivers(initialised, prefect_server, smtp_server):
    from flows.sweep import daily_sweep_flow

    # 2016-10-08 is a Saturday worked in exchange for National Day: the yellow cards of 09-30 go out.
    result = asyncio.run(daily_sweep_flow(date(2016, 10, 8), now=datetime(2016, 10, 8, 9)))
    assert result["working_day"] and result["delivery"]["sent"] == len(smtp_server.messages)
    subjects = [m["Subject"] for m in smtp_server.messages]
    # Never swept before: each inventory, late since 08-01, gets only its current rung (督查);
    # the 2016Q4 self-reports are called for, with their workbooks.
    assert sum(s.startswith("【提请督查】") for s in subjects) == len(result["notices"]) == 48
    assert sum(s.startswith("【长期推进任务自查】") for s in subjects) == result["reports_opened"] > 0
    assert sum(s.startswith("【督办日报】2016-10-08") for s in subjects) == 1


def test_the_sweep_flow_leaves_its_artifacts(initialised, prefect_server, smtp_server):
    from prefect.client.orchestration import get_client

    from flows.sweep import daily_sweep_flow

    asyncio.run(daily_sweep_flow(date(2016, 8, 2), now=datetime(2016, 8, 2, 9)))

    async def latest_artifacts():
        async with get_client() as client:
            return {a.key: a for a in await client.read_latest_artifacts()}

    latest = asyncio.run(latest_artifacts())
    assert {"sweep-new-cards", "sweep-summary", "sweep-progress"} <= latest.keys()
    progress = {row["阶段"]: row for row in json.loads(latest["sweep-progress"].data)}
    names = {p["code"]: p["name"] for p in campaign_status(initialised, date(2016, 8, 2))["phases"]}
    assert progress[names["inventory"]]["已完成"] == 0 < progress[names["inventory"]]["共计"]
    assert progress[names["district_plans"]]["完成率"] == "0%"


def test_the_deployment_fires_daily_at_nine_in_shanghai():
    from deployments.sweep import sweep_deployment

    [schedule] = sweep_deployment().schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 9 * * *", "Asia/Shanghai")


def test_the_sweep_routes_an_accepted_list_whose_event_was_lost(initialised, prefect_server, smtp_server):
    from flows.sweep import daily_sweep_flow
    from tests.review_helpers import AGENCIES, accepted_list, obligations

    submission_id = accepted_list(initialised)  # accepted, but no routing event ever arrived
    result = asyncio.run(daily_sweep_flow(date(2016, 8, 2), now=datetime(2016, 8, 2, 9)))
    assert result["routed"] == 1
    assert [(agency, ref) for agency, ref, _, _ in obligations(initialised, "review")] == \
        [(agency, str(submission_id)) for agency in AGENCIES]
