"""One campaign, one flow run: how a province's work spreads over a pool's workers.

A deployment's run of the sweep, the standing report or publication with no campaign named starts
one run of the per-campaign deployment for each campaign, and waits for them; the workers share
those runs. The same flow called directly (the demo, a one-shot command, a test) is no deployment's
run and does every campaign itself, as one process would anyway.

The children's idempotency keys carry the parent's flow run id: a retry of the parent finds the
runs it started instead of starting them again, while the next day's (or a rerun's) parent starts
fresh ones, which find in the registry whatever a crashed child already did.
"""
from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.context import FlowRunContext
from prefect.deployments import arun_deployment
from prefect.runtime import flow_run

# Flow name / deployment name, as deployments/ and deployments/prefect.yaml declare them.
CAMPAIGN_SWEEP = "daily-sweep/campaign-sweep"
CAMPAIGN_STANDING = "daily-standing/campaign-standing"
CAMPAIGN_PUBLICATION = "publication/campaign-publication"
MAILBOX_BATCH = "mailbox-intake/mailbox-batch"

# One read of every child's state per interval, however many children: not one poll per child.
POLL_SECONDS = 1.0
PAGE = 200  # the most runs the API returns at once by default


def deployment_name(full: str) -> str:
    """The deployment's own name in "flow name/deployment name"."""
    return full.split("/", 1)[1]


class ChildRunsFailed(RuntimeError):
    """Some per-campaign runs did not complete: the parent fails too, naming them, so it shows."""


def spreading() -> bool:
    """True in a deployment's run: its campaigns (or batches) go to runs of their own."""
    # The run's own context knows its deployment; prefect.runtime would ask the API when it has none,
    # which is every direct call (the demo's hundreds of runs among them).
    context = FlowRunContext.get()
    return context is not None and context.flow_run is not None and context.flow_run.deployment_id is not None


async def spread(child_deployment: str, runs: Mapping[str, dict[str, Any]]) -> dict[str, str]:
    """Start one run of ``child_deployment`` per entry of ``runs`` (name → parameters), wait until
    every one has finished, and return each one's final state name. Raises ChildRunsFailed when any
    ended otherwise than Completed."""
    parent = flow_run.get_id()
    started = await asyncio.gather(*(
        arun_deployment(child_deployment, parameters=parameters, timeout=0,
                        idempotency_key=f"{parent}:{child_deployment}:{name}", flow_run_name=f"{name}")
        for name, parameters in runs.items()))
    names = {run.id: name for run, name in zip(started, runs)}
    states = await _wait_for(list(names))
    outcome = {names[run_id]: state for run_id, state in states.items()}
    failed = sorted(name for name, state in outcome.items() if state != "Completed")
    if failed:
        raise ChildRunsFailed(f"{len(failed)} of {len(outcome)} runs of {child_deployment} did not complete: "
                              + ", ".join(f"{name} ({outcome[name]})" for name in failed))
    return outcome


async def _wait_for(run_ids: list) -> dict:
    async with get_client() as client:
        while True:
            runs = [run for i in range(0, len(run_ids), PAGE) for run in await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=run_ids[i:i + PAGE])), limit=PAGE)]
            if len(runs) == len(run_ids) and all(r.state and r.state.is_final() for r in runs):
                return {r.id: r.state.name for r in runs}
            await asyncio.sleep(POLL_SECONDS)
