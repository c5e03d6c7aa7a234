"""Kick off a phase: one call per obligated department, queued once, then the outbox delivered."""
from __future__ import annotations

from datetime import datetime

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.artifacts import artifact_key, kickoff_markdown
from tasks.intake import phase_obligations_to_call, queue_phase_calls
from tasks.outbox import NOTHING_SENT, deliver_due


@flow(name="phase-kickoff")
async def kickoff_flow(phase_code: str = "inventory", now: datetime | None = None, deliver: bool = True,
                       campaign: str | None = None) -> dict:
    """Rerunnable: each call has its own outbox key, so a rerun or a crash midway never calls twice.
    ``campaign`` names a district's or regulator's campaign; the city's when None."""
    now = now or datetime.now()
    obligation_ids = phase_obligations_to_call(phase_code, campaign)
    outbox_ids = await queue_phase_calls(obligation_ids, now)
    delivery = await deliver_due(now) if deliver else dict(NOTHING_SENT)
    await create_markdown_artifact(key=f"kickoff-{artifact_key(phase_code)}",
                                   markdown=kickoff_markdown(phase_code, len(obligation_ids), delivery))
    return {"calls": len(outbox_ids), **delivery}
