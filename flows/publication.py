"""Publication as a flow: an approved version rendered as the public site, the departments sent their
parts. Runs on each approval or adjustment event (that version), and daily as a safety net (every
version not yet published). Rerunning it renders the same site again and sends nobody anything twice."""
from __future__ import annotations

from datetime import datetime

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from tasks.outbox import deliver_outbox
from tasks.publication import publish_version, unpublished_versions


@flow(name="publication")
async def publication_flow(version: int | None = None, now: datetime | None = None, deliver: bool = True,
                           only_new: bool = False) -> list[dict]:
    """``version``: the one an event names (the newest when None); ``only_new``: the safety net, which
    publishes only versions no publication has covered yet."""
    now = now or datetime.now()
    versions = unpublished_versions() if only_new else [version]
    published = [publish_version(v, now) for v in versions]
    if deliver and published:
        await deliver_outbox(now)
    for p in published:
        await create_markdown_artifact(key="publication", markdown=_summary(p))
    return published


def _summary(p: dict) -> str:
    lines = [f"# 全市公共服务事项清单第 {p['version']} 版已公布",
             f"- 网站：`{p['index']}`",
             f"- 事项 {p['items']} 个（附审核同意的办事指南 {p['guides']} 个），证明 {p['certificates']} 项，部门 {p['departments']} 个",
             f"- 向 {p['bundles']} 个部门发出本部门页面包；{p['released']} 个部门无审定事项，无需公布"]
    if p["changes"]:
        lines.append(f"- 本版变化：{p['changes']}")
    return "\n".join(lines) + "\n"
