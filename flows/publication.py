"""Publication as a flow: an approved version rendered as the public site, the departments sent their
parts. Runs on each approval or adjustment event (that version), and daily as a safety net (every
version not yet published). Rerunning it renders the same site again and sends nobody anything twice."""
from __future__ import annotations

from datetime import datetime

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.spread import CAMPAIGN_PUBLICATION, spread, spreading
from tasks.outbox import deliver_due
from tasks.publication import campaigns_to_publish, publish_version, unpublished_versions


@flow(name="publication")
async def publication_flow(version: int | None = None, now: datetime | None = None, deliver: bool = True,
                           only_new: bool = False, campaign: str | None = None) -> list[dict]:
    """``version``: the one an event names (the newest when None) of ``campaign`` (the city's when
    None); ``only_new``: the safety net, which publishes the versions no publication has covered
    yet, of ``campaign`` or of every campaign (a deployment's run: one run per campaign, flows.spread)."""
    now = now or datetime.now()
    if only_new and campaign is None and spreading():
        await spread(CAMPAIGN_PUBLICATION, {c: {"only_new": True, "campaign": c, "deliver": deliver,
                                                "now": now.isoformat()} for c in campaigns_to_publish()})
        return []
    if only_new:
        todo = [(c, v) for c in ([campaign] if campaign else campaigns_to_publish()) for v in unpublished_versions(c)]
    else:
        todo = [(campaign, version)]
    published = [publish_version(v, now, c) for c, v in todo]
    if deliver and published:
        await deliver_due(now)
    for p in published:
        await create_markdown_artifact(key="publication", markdown=_summary(p))
    return published


def _summary(p: dict) -> str:
    whose = f"{p['campaign']} " if p.get("campaign") else "全市"
    lines = [f"# {whose}公共服务事项清单第 {p['version']} 版已公布",
             f"- 网站：`{p['index']}`",
             f"- 事项 {p['items']} 个（附审核同意的办事指南 {p['guides']} 个），证明 {p['certificates']} 项，部门 {p['departments']} 个",
             f"- 向 {p['bundles']} 个部门发出本部门页面包；{p['released']} 个部门无审定事项，无需公布"]
    if p["changes"]:
        lines.append(f"- 本版变化：{p['changes']}")
    return "\n".join(lines) + "\n"
