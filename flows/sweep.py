"""The daily sweep: remind before deadlines, card and escalate after them, tell the coordinators.

Scheduled every day at 09:00 Asia/Shanghai (deployments/sweep.py); on a non-working day by the
project's calendar (weekends, holidays, but not 调休 make-up days) it returns at once.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.artifacts import new_cards_table, progress_table, sweep_summary_markdown, undated_table
from flows.spread import CAMPAIGN_SWEEP, spread, spreading
from tasks.campaign import campaign_codes
from tasks.districts import campaigns_to_open, open_accepted_campaigns
from tasks.outbox import NOTHING_SENT, deliver_due
from tasks.review import route_submissions, unrouted_submissions
from tasks.sweep import is_working_day, sweep_day

SHANGHAI = ZoneInfo("Asia/Shanghai")


@flow(name="daily-sweep")
async def daily_sweep_flow(as_of: date | None = None, deliver: bool = True, now: datetime | None = None,
                           campaign: str | None = None) -> dict:
    """One day's sweep: one message per organisation and rung. Rerunning it the same day, or after a
    crash, sends nothing twice. ``campaign``: that campaign's sweep alone; a deployment's run with
    none named starts one run per campaign (flows.spread), any other run sweeps them all."""
    as_of = as_of or datetime.now(SHANGHAI).date()
    if not is_working_day(as_of):
        return {"as_of": as_of.isoformat(), "working_day": False}
    routed: list = []
    if campaign is None:
        # The safety net under event-driven routing: an accepted list whose event was lost is sent
        # to the four agencies now, before today's rungs are decided.
        if unrouted_submissions():
            routed = route_submissions(None, now or datetime.now())
        if campaigns_to_open():  # a lost intake's cascade
            await open_accepted_campaigns(now or datetime.combine(as_of, datetime.min.time()))
        if spreading():
            runs = await spread(CAMPAIGN_SWEEP, {
                code: {"as_of": as_of.isoformat(), "deliver": deliver, "campaign": code,
                       "now": now.isoformat() if now else None}
                for code in campaign_codes()})
            return {"as_of": as_of.isoformat(), "working_day": True, "campaigns": runs, "routed": len(routed)}
    day = sweep_day(as_of, campaign)  # this period's reports, every rung, the digest: one commit
    await _leave_artifacts(as_of, day["messages"], day["digest"])
    delivery = await deliver_due(now) if deliver else dict(NOTHING_SENT)
    return {"as_of": as_of.isoformat(), "working_day": True, **day, "routed": len(routed), "delivery": delivery}


async def _leave_artifacts(as_of: date, messages: list[dict], digest: dict) -> None:
    cards = new_cards_table(messages, as_of)
    await create_table_artifact(key="sweep-new-cards", table=cards.rows, description=cards.description)
    await create_markdown_artifact(key="sweep-summary", markdown=sweep_summary_markdown(as_of, messages, digest))
    undated = undated_table(digest, as_of)
    if undated.rows:
        await create_table_artifact(key="sweep-undated", table=undated.rows, description=undated.description)
    progress = progress_table(digest["done_by_phase"], as_of)
    await create_table_artifact(key="sweep-progress", table=progress.rows, description=progress.description)
