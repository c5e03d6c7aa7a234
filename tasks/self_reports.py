"""Thin Prefect tasks of the self-reports over their use cases: a period in, plain values out."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date

from prefect import task

from core.settings import get_settings
from registry.self_reports import service as self_reports


@task(name="compile-supervision-report")
def compile_supervision_report(period: str, as_of: date | None = None) -> dict:
    """The period's 督导检查通报: the workbook's bytes, its rows, the units that did not report."""
    return asdict(self_reports.supervision_report(get_settings().database_url, period, as_of))
