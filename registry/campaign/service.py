"""The campaign's use cases: set it up, open a phase, read where it stands, mark an obligation done.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
"""
from __future__ import annotations

from datetime import date

from registry.campaign import obligations, status
from registry.campaign.plan import open_phase, read_plan
from registry.campaign.setup import InitReport, initialise
from registry.db import transaction

__all__ = ["InitReport", "campaign_status", "fulfil_obligation", "initialise", "open_phase_obligations"]


def campaign_status(url: str, as_of: date, campaign_code: str | None = None) -> dict:
    """Phases, tasks and every obligation's standing on ``as_of``, as JSON-ready values."""
    with transaction(url) as session:
        return status.campaign_status(session, as_of, campaign_code)


def open_phase_obligations(url: str, phase_code: str, on: date) -> int:
    """Open the phase of the shipped plan: each statically known debtor once; returns how many opened."""
    with transaction(url) as session:
        return open_phase(session, read_plan(), phase_code, on)


def fulfil_obligation(url: str, phase_code: str, org_code: str, on: date, actor: str, reason: str,
                      ref: str = "", campaign_code: str | None = None) -> int:
    """Find what an organisation owes in a phase and mark it done (again: no change); returns its id."""
    with transaction(url) as session:
        return obligations.fulfil(session, phase_code, org_code, on, actor, reason, ref, campaign_code).id
