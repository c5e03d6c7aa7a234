"""Publication as a deployment: on each approval or adjustment event, and every morning for any
version not yet published (a lost event, a server down at the time). Idempotent.

Run beside a Prefect server with `python -m deployments.publication` (or `reform serve`).
"""
from __future__ import annotations

from prefect import serve
from prefect.events import DeploymentEventTrigger
from prefect.schedules import Cron

from flows.events import APPROVED_EVENT
from flows.publication import publication_flow
from flows.spread import CAMPAIGN_PUBLICATION, deployment_name

SAFETY_NET_CRON = "30 8 * * *"  # before routing and the daily sweep


def publication_deployment():
    return publication_flow.to_deployment(
        name="publication", description="清单审定或动态调整后，公布该版本的网站和开放数据，并向各部门发出本部门页面包。",
        schedules=[Cron(SAFETY_NET_CRON, timezone="Asia/Shanghai", parameters={"only_new": True})],
        triggers=[DeploymentEventTrigger(expect={APPROVED_EVENT},
                                         parameters={"version": "{{ event.payload.version }}",
                                                     "campaign": "{{ event.payload.campaign }}"})])


def campaign_publication_deployment():
    """One campaign's versions (parameter campaign), a run per campaign from the morning's safety net."""
    return publication_flow.to_deployment(
        name=deployment_name(CAMPAIGN_PUBLICATION), description="公布一个工作方案（市级或区县）尚未公布的清单版本，由公布流程按方案分派。")


if __name__ == "__main__":
    serve(publication_deployment())
