"""Thin Prefect tasks over the registry: plain values in, plain values out."""
from __future__ import annotations

from datetime import date

from prefect import task

from core.settings import get_settings
from registry.campaign.plan import open_phase
from registry.campaign.status import campaign_status
from registry.db import transaction


@task(name="open-phase-obligations")
def open_phase_obligations(phase_code: str, on: date) -> int:
    with transaction(get_settings().database_url) as session:
        return open_phase(session, None, phase_code, on)


@task(name="campaign-status")
def read_campaign_status(as_of: date, campaign_code: str | None = None) -> dict:
    with transaction(get_settings().database_url) as session:
        return campaign_status(session, as_of, campaign_code)
