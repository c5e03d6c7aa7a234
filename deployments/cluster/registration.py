"""`reform deploy`: every deployment of deployments/prefect.yaml registered with the server named by
PREFECT_API_URL, the process work pool `reform` created when missing, and the automation that marks
a flow run Crashed once its heartbeats stop (a worker killed with its run: nobody else would say
so, and the run would stay Running for ever). Each step can be repeated: nothing is added twice.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.exceptions import ObjectAlreadyExists
from prefect.workers.process import ProcessWorker

from core.errors import UserError
from deployments.cluster.environment import WORK_POOL
from deployments.declared import prefect_yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
PREFECT_FILE = Path("deployments") / "prefect.yaml"
CRASHED_AUTOMATION = "心跳中断的流程运行标记为 Crashed"
HEARTBEAT = "prefect.flow-run.heartbeat"
# A heartbeat is followed by another heartbeat or by the run's end; anything else within the window
# means the run's process is gone.
AFTER_A_HEARTBEAT = {HEARTBEAT, "prefect.flow-run.Completed", "prefect.flow-run.Failed",
                     "prefect.flow-run.Cancelled", "prefect.flow-run.Crashed"}


class PrefectApiMissing(UserError):
    pass


class PrefectApiUnreachable(UserError):
    pass


@dataclass(frozen=True)
class Registered:
    api_url: str
    deployments: list[str]  # flow/deployment names
    pool_created: bool
    automation_created: bool


def deploy_everything(crashed_after_seconds: int, log: Path) -> Registered:
    """``log``: where `prefect deploy`'s own output is kept."""
    api_url = os.environ.get("PREFECT_API_URL", "")
    if not api_url:
        raise PrefectApiMissing("未设置 PREFECT_API_URL：请设置为 Prefect 服务器的地址（如 reform cluster up 打印的 "
                                "PREFECT_API_URL=http://127.0.0.1:4200/api）后再运行 reform deploy")
    if not _answers(api_url):
        raise PrefectApiUnreachable(f"Prefect 服务器 {api_url} 没有应答：请先启动它（reform cluster up），"
                                    "或检查 PREFECT_API_URL")
    pool_created = asyncio.run(_ensure_pool())
    _prefect_deploy(log)
    automation_created = asyncio.run(_ensure_crashed_automation(timedelta(seconds=crashed_after_seconds)))
    return Registered(api_url=api_url, deployments=asyncio.run(_registered()), pool_created=pool_created,
                      automation_created=automation_created)


async def _registered() -> list[str]:
    """`flow/deployment` as the server has them, for every deployment of prefect.yaml, in its order."""
    wanted = [d.name for d in prefect_yaml().deployments]
    async with get_client() as client:
        flows = {f.id: f.name for f in await client.read_flows()}
        found = {d.name: f"{flows.get(d.flow_id, '?')}/{d.name}" for d in await client.read_deployments()
                 if d.work_pool_name == WORK_POOL}
    return [found[name] for name in wanted if name in found]


def crashed_automation(within: timedelta) -> AutomationCore:
    """Prefect's documented detection of zombie flow runs: a proactive trigger on missing heartbeats."""
    return AutomationCore(
        name=CRASHED_AUTOMATION, enabled=True,
        description="流程运行的心跳停止（工作进程或其机器已不在）时，把该运行标记为 Crashed，以便重新调度或人工处理。",
        trigger=EventTrigger(match={"prefect.resource.id": "prefect.flow-run.*"}, after={HEARTBEAT},
                             expect=AFTER_A_HEARTBEAT, for_each={"prefect.resource.id"},
                             posture=Posture.Proactive, threshold=1, within=within),
        actions=[ChangeFlowRunState(state=StateType.CRASHED, message="心跳中断：运行该流程的进程已不在")])


async def _ensure_pool() -> bool:
    async with get_client() as client:
        try:
            await client.create_work_pool(WorkPoolCreate(
                name=WORK_POOL, type=ProcessWorker.type,
                description="本项目的流程运行：reform cluster up 启动的进程工作进程从这里领取。",
                base_job_template=ProcessWorker.get_default_base_job_template()))
        except ObjectAlreadyExists:
            return False
        return True


async def _ensure_crashed_automation(within: timedelta) -> bool:
    wanted = crashed_automation(within)
    async with get_client() as client:
        existing = await client.read_automations_by_name(CRASHED_AUTOMATION)
        if not existing:
            await client.create_automation(wanted)
            return True
        first, *duplicates = existing
        await client.update_automation(first.id, wanted)
        for duplicate in duplicates:  # two deploys racing on an empty server
            await client.delete_automation(duplicate.id)
        return False


def _prefect_deploy(log: Path) -> None:
    """Prefect's own `prefect deploy`, from the project's root, as prefect.yaml expects."""
    command = [sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all", "--prefect-file", str(PREFECT_FILE)]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as output:
        done = subprocess.run(command, cwd=PROJECT_DIR, stdin=subprocess.DEVNULL, stdout=output,
                              stderr=subprocess.STDOUT,
                              env={**os.environ, "REFORM_PROJECT_DIR": str(PROJECT_DIR), "PREFECT_CLI_COLORS": "false",
                                   "PREFECT_CLI_WRAP_LINES": "false", "COLUMNS": "200",
                                   # A deployment that prefect.yaml gives no schedule has none, also on redeploy.
                                   "PREFECT_DEPLOYMENTS_CLEAR_SCHEDULES_ON_EMPTY": "true"})
    if done.returncode != 0:
        raise RuntimeError(f"prefect deploy exited with {done.returncode}; its output is in {log}")


def _answers(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False

