"""Review as deployments: routing on each acceptance event, the merge on each opinion and hourly.

Routing also runs every morning before the 09:00 sweep with no submission named: it then routes
every accepted list that no event routed (a lost event, a server down at the time). Idempotent.

Run beside a Prefect server with `python -m deployments.review` (or `reform serve`).
"""
from __future__ import annotations

from datetime import timedelta

from prefect import serve
from prefect.events import DeploymentEventTrigger
from prefect.schedules import Cron

from flows.events import ACCEPTED_EVENT, OPINION_EVENT
from flows.review import review_merge_flow, review_routing_flow

MERGE_EVERY = timedelta(hours=1)
SAFETY_NET_CRON = "45 8 * * *"  # before the daily sweep at 09:00


def routing_deployment():
    return review_routing_flow.to_deployment(
        name="review-routing", description="清单通过校验后，立即送市编委办、法制办、财政局、政务服务办并联审核；每日 08:45 补送遗漏的清单。",
        schedules=[Cron(SAFETY_NET_CRON, timezone="Asia/Shanghai")],
        triggers=[DeploymentEventTrigger(expect={ACCEPTED_EVENT},
                                         parameters={"submission_id": "{{ event.payload.submission_id }}"})])


def merge_deployment():
    return review_merge_flow.to_deployment(
        name="review-merge", interval=MERGE_EVERY,
        description="四家单位意见到齐后汇总书面审核意见；有分歧的提请市编委办协调。",
        triggers=[DeploymentEventTrigger(expect={OPINION_EVENT},
                                         parameters={"submission_id": "{{ event.payload.submission_id }}"})])


if __name__ == "__main__":
    serve(routing_deployment(), merge_deployment())
