"""Short, idempotent flows over the campaign's state. Rerunning any of them is safe."""
from __future__ import annotations

from collections import Counter
from datetime import date

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.artifacts import overdue_markdown, standing_table
from flows.spread import CAMPAIGN_STANDING, spread, spreading
from tasks.campaign import campaign_codes, open_phase_obligations, read_campaign_status


@flow(name="open-phase", log_prints=False)
async def open_phase_flow(phase_code: str, on: date) -> int:
    """Open a phase: every statically known debtor gets its obligation, once."""
    return open_phase_obligations(phase_code, on)


@flow(name="daily-standing")
async def daily_standing_flow(as_of: date | None = None, campaign_code: str | None = None) -> dict[str, dict[str, int]]:
    """How every phase stands today, left as artifacts for the coordinators' Prefect view. A
    deployment's run with no campaign named starts one run per campaign (flows.spread)."""
    as_of = as_of or date.today()  # a scheduled run means today; the demo passes its simulated day
    if campaign_code is None and spreading():
        return await spread(CAMPAIGN_STANDING, {code: {"as_of": as_of.isoformat(), "campaign_code": code}
                                                for code in campaign_codes()})
    report = read_campaign_status(as_of, campaign_code)
    by_phase = standing_counts(report)
    table = standing_table(report["phases"], by_phase, as_of)
    await create_table_artifact(key="campaign-standing", table=table.rows, description=table.description)
    await create_markdown_artifact(key="campaign-overdue", markdown=overdue_markdown(report["obligations"], as_of))
    return by_phase


def standing_counts(report: dict) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter] = {}
    for o in report["obligations"]:
        counts.setdefault(o["phase"], Counter())[o["standing"]] += 1
    return {phase: dict(c) for phase, c in counts.items()}
