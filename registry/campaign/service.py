"""The campaign's use cases: set it up, open a phase, read where it stands, mark an obligation done.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from registry.campaign import obligations, status
from registry.campaign.audit import move_obligation
from registry.campaign.plan import open_phase, read_plan
from registry.campaign.setup import InitReport, initialise
from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.directory.tables import Organisation
from rules.obligations import State

__all__ = ["InitReport", "OpenObligation", "campaign_status", "complete_obligation", "fulfil_obligation",
           "initialise", "open_obligations", "open_phase_obligations"]


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


@dataclass(frozen=True)
class OpenObligation:
    id: int
    org_code: str
    ref: str
    due: date


def open_obligations(url: str, phase_code: str) -> list[OpenObligation]:
    """What is still open in a phase, across campaigns (returned ones are not open: they wait on a fix)."""
    with transaction(url) as session:
        rows = session.execute(
            select(Obligation.id, Organisation.code, Obligation.ref, Obligation.due)
            .join(Phase, Phase.id == Obligation.phase_id)
            .join(Organisation, Organisation.id == Obligation.debtor_id)
            .where(Phase.code == phase_code, Obligation.state == State.OPEN)
            .order_by(Obligation.id))
        return [OpenObligation(*row) for row in rows]


def complete_obligation(url: str, obligation_id: int, on: date, actor: str, reason: str) -> None:
    """Mark one obligation, named by its id, done; a done one stays as it is."""
    with transaction(url) as session:
        obligation = session.get(Obligation, obligation_id)
        if obligation.state != State.FULFILLED:
            move_obligation(session, obligation, State.FULFILLED, actor, reason, on)
