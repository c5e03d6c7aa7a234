"""`reform cluster up|down` and `reform deploy`: the Prefect cluster on loopback and its deployments."""
from __future__ import annotations

from typing import Annotated

import typer

from reform.common import console, database_url

app = typer.Typer(help="本机上的 Prefect 集群：PostgreSQL 上的 API 服务器、服务进程、Redis 消息和工作进程。",
                  no_args_is_help=True)


def _say(line: str) -> None:
    # One line each, flushed at once: a script waits for the PREFECT_API_URL line and the readiness line.
    print(line, flush=True)


@app.command()
def up(
    workers: Annotated[int, typer.Option("--workers", min=1, help="工作进程个数")] = 2,
    api_servers: Annotated[int, typer.Option("--api-servers", min=1, help="API 服务器进程个数（同一端口）")] = 2,
) -> None:
    """启动集群并留在前台看守：Ctrl-C、SIGTERM、SIGHUP 或 reform cluster down 停止它启动的全部进程。"""
    from deployments.cluster.supervisor import Cluster  # noqa: PLC0415 - loaded only to run a cluster
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    # Before anything starts: the workers run every flow against this registry.
    campaign.require_registry(database_url())
    from core.settings import get_settings  # noqa: PLC0415 - slow import, see reform.common

    settings = get_settings()
    Cluster(settings.home, settings.cluster, workers, api_servers, _say).run()


@app.command()
def down() -> None:
    """停止本 REFORM_HOME 下运行的集群（从另一个终端）。"""
    from core.settings import get_settings  # noqa: PLC0415 - slow import, see reform.common
    from deployments.cluster.supervisor import stop_cluster  # noqa: PLC0415 - loaded only to stop a cluster

    stopped = stop_cluster(get_settings().home)
    console.print(f"集群已停止：{stopped.api_url} 的 {len(stopped.processes)} 个进程组均已结束", highlight=False,
                  soft_wrap=True)


def deploy() -> None:
    """把 deployments/prefect.yaml 中的全部部署登记到 PREFECT_API_URL 指向的 Prefect 服务器（含工作池和心跳中断自动化）。"""
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    # As `reform serve`: a deployment whose every run would fail on the registry is refused first.
    campaign.require_registry(database_url())
    from core.settings import get_settings  # noqa: PLC0415 - slow import, see reform.common
    from deployments.cluster.registration import deploy_everything  # noqa: PLC0415 - imports Prefect and every flow

    settings = get_settings()
    registered = deploy_everything(settings.cluster.crashed_after_seconds, settings.home / "logs" / "prefect-deploy.log")
    pool = "新建" if registered.pool_created else "已存在"
    automation = "新建" if registered.automation_created else "已更新"
    console.print(f"已登记 {len(registered.deployments)} 个部署到 {registered.api_url}（工作池 reform {pool}，"
                  f"心跳中断自动化{automation}）：", highlight=False, soft_wrap=True)
    for name in registered.deployments:
        console.print(f"  {name}", highlight=False)
