"""Thin Prefect tasks over the campaign's use cases: plain values in, plain values out.

Reads are plain functions beside the tasks (tasks/__init__.py says why).
"""
from __future__ import annotations

from datetime import date

from prefect import task

from core.settings import get_settings
from registry.campaign import service as campaign


@task(name="open-phase-obligations")
def open_phase_obligations(phase_code: str, on: date) -> int:
    return campaign.open_phase_obligations(get_settings().database_url, phase_code, on)


def read_campaign_status(as_of: date, campaign_code: str | None = None) -> dict:
    return campaign.campaign_status(get_settings().database_url, as_of, campaign_code)


def campaign_codes() -> list[str]:
    """Every campaign in the scope, the city's first: a province's daily work is one run per campaign."""
    return [c["code"] for c in campaign.campaigns(get_settings().database_url)]
