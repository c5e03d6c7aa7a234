"""Thin Prefect tasks over the districts' use cases: dates and paths in, plain dicts out."""
from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path

from prefect import task

from core.settings import get_settings
from registry.districts import service as districts


@task(name="open-accepted-campaigns")
async def open_accepted_campaigns(now: datetime) -> list[dict]:
    """Every district and regulator whose work plan the city has accepted gets its campaign, once.
    Async: a sync task called from an async flow pays a hand-off to a worker thread and back."""
    return await asyncio.to_thread(districts.open_accepted, get_settings().database_url, now.date(), now)


def campaigns_to_open() -> bool:
    """Whether open_accepted_campaigns would open anything: a read, most often answered no."""
    return districts.campaigns_to_open(get_settings().database_url)


@task(name="weekly-report")
def write_weekly_report(as_of: date, out: Path | None = None) -> dict:
    """The bulletin for 市政府, kept under <home>/reports unless told where."""
    settings = get_settings()
    target = out or settings.home / "reports" / f"进展通报-{as_of.isoformat()}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    return districts.weekly_report(settings.database_url, as_of, target)
