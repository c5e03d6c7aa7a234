"""The last run of each of the campaign's flows, from the Prefect server the deployment points at."""
from __future__ import annotations

# The flows `reform serve` and the CLI run (flows/), by their Prefect names, as a coordinator knows them.
FLOWS = (("daily-standing", "每日进展汇总"), ("daily-sweep", "督办扫描"), ("mailbox-intake", "邮箱收取"),
         ("review-routing", "送审分发"), ("review-merge", "审核意见汇总"), ("phase-kickoff", "阶段启动通知"),
         ("open-phase", "开启阶段"), ("publication", "公布"), ("weekly-report", "每周进展通报"),
         ("supervision-report", "督导自查报告"))
STATE_NAMES = {"COMPLETED": "已完成", "FAILED": "失败", "CRASHED": "崩溃", "RUNNING": "运行中", "SCHEDULED": "已排期",
               "PENDING": "等待中", "CANCELLED": "已取消", "CANCELLING": "取消中", "PAUSED": "已暂停", "LATE": "已延误"}


async def last_runs(api_url: str, ui_url: str) -> list[dict]:
    """One entry per flow: its last run's state, when it started, and its page in the Prefect UI."""
    # Prefect is imported only here: it takes seconds, and the other pages never need it.
    from prefect.client.orchestration import PrefectClient  # noqa: PLC0415 - see above
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName  # noqa: PLC0415 - see above
    from prefect.client.schemas.sorting import FlowRunSort  # noqa: PLC0415 - see above

    entries = []
    # The server the dashboard was configured with, whatever Prefect's own settings say.
    async with PrefectClient(api_url) as client:
        for name, label in FLOWS:
            runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[name])),
                                               sort=FlowRunSort.START_TIME_DESC, limit=1)
            run = runs[0] if runs else None
            state = run.state.type.value if run and run.state else None
            entries.append({
                "flow": name, "label": label, "run": run.name if run else None,
                "state": state, "state_name": STATE_NAMES.get(state or "", state or "从未运行"),
                "started": run.start_time.strftime("%Y-%m-%d %H:%M") if run and run.start_time else None,
                "link": f"{ui_url}/runs/flow-run/{run.id}" if run and ui_url else None,
            })
    return entries
