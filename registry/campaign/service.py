"""The campaign's use cases: set it up, open a phase, read where it stands, mark an obligation done.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select, text

from registry.calendar.store import load_calendar
from registry.campaign import green_channel, obligations, status
from registry.campaign.audit import move_obligation
from registry.campaign.plan import open_phase
from registry.campaign.queries import find_campaign, find_phase
from registry.campaign.setup import InitReport, initialise
from registry.campaign.tables import AuditEntry, Campaign, Obligation, Phase
from registry.db import engine_for, migrate, transaction
from registry.directory.tables import Organisation
from rules.obligations import STATE_NAMES, State

# Rows per INSERT when building a synthetic load: large enough to keep the driver busy, small
# enough to keep the statement in memory.
_SYNTHETIC_CHUNK = 20_000

# initialise: migrate and load what is missing; migrate alone: an empty registry at the newest schema.
StatusFilter = status.StatusFilter
__all__ = ["InitReport", "ObligationChange", "OpenObligation", "StatusFilter", "add_synthetic_obligations",
           "audit_log", "campaign_status", "campaigns", "complete_obligation", "fulfil_obligation", "initialise", "migrate", "open_obligations",
           "green_channel_share", "open_phase_obligations", "prioritise_obligation", "reopen_obligation", "require_phase", "require_registry", "standing_version", "waive_obligation"]


def require_registry(url: str) -> None:
    """Refuse early, before a flow starts, a registry that is missing, unreachable or damaged."""
    with transaction(url):
        pass


def require_phase(url: str, phase_code: str, campaign_code: str | None = None) -> None:
    """Refuse a phase code the campaign does not have, naming the ones it has (in the plan's order)."""
    with transaction(url) as session:
        find_phase(session, phase_code, campaign_code)


def campaign_status(url: str, as_of: date, campaign_code: str | None = None,
                    only: status.StatusFilter | None = None) -> dict:
    """Phases, tasks and every obligation's standing on ``as_of``, as JSON-ready values; ``only``
    narrows the obligations (by organisation, phase, standing, district)."""
    with transaction(url) as session:
        return status.campaign_status(session, as_of, campaign_code, only)


def open_phase_obligations(url: str, phase_code: str, on: date) -> int:
    """Open the phase of the shipped plan: each statically known debtor once; returns how many opened."""
    with transaction(url) as session:
        return open_phase(session, None, phase_code, on)


def fulfil_obligation(url: str, phase_code: str, org_code: str, on: date, actor: str, reason: str,
                      ref: str = "", campaign_code: str | None = None) -> int:
    """Find what an organisation owes in a phase and mark it done (again: no change); returns its id."""
    with transaction(url) as session:
        return obligations.fulfil(session, phase_code, org_code, on, actor, reason, ref, campaign_code).id


def add_synthetic_obligations(url: str, count: int, around: date, campaign_code: str | None = None,
                              phase_codes: tuple[str, ...] = ()) -> int:
    """A load for benchmarks and capacity planning: ``count`` open obligations; returns how many.

    They go round the campaign's phases and every organisation of its scope in turn, due on the 60 working
    days from 40 before ``around`` to 20 after it (never on it), one in ten on the green channel,
    bulk-inserted; PostgreSQL then gathers statistics, as it would after a real load. The
    campaign is the city's unless ``campaign_code`` names another. With ``phase_codes``, only those
    phases, each organisation through all of them in turn (every pair once per organisations × phases).
    """
    with transaction(url) as session:
        calendar = load_calendar(session)
        campaign = find_campaign(session, campaign_code)
        phases = select(Phase.id).where(Phase.campaign_id == campaign.id).order_by(Phase.position)
        phase_ids = list(session.scalars(phases.where(Phase.code.in_(phase_codes)) if phase_codes else phases))
        # The campaign's own organisations: in a province, another city's are another scope's.
        org_ids = list(session.scalars(select(Organisation.id).where(Organisation.district == campaign.district)))
        dues = [calendar.add_working_days(around, k) for k in range(-40, 21) if k]
        start = session.scalar(select(func.coalesce(func.max(Obligation.id), 0)))
        opened_on = campaign.issued_on or around
        rows = [
            # The ids are the database's: one given here would leave PostgreSQL's sequence behind,
            # and the next obligation opened (a sweep's self-report) would collide with it.
            {"campaign_id": campaign.id,
             "phase_id": phase_ids[(i // len(org_ids) if phase_codes else i) % len(phase_ids)],
             "debtor_id": org_ids[i % len(org_ids)], "creditor_id": None, "ref": f"load-{start + i + 1}",
             "due": dues[i % len(dues)], "due_reason": "", "state": "open",
             "priority": i % 10 == 0, "opened_on": opened_on, "closed_on": None,
             "district": campaign.district}
            for i in range(count)
        ]
        for chunk in range(0, count, _SYNTHETIC_CHUNK):
            session.execute(insert(Obligation), rows[chunk:chunk + _SYNTHETIC_CHUNK])
    if url.startswith("postgresql"):
        with engine_for(url).connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return count


@dataclass(frozen=True)
class OpenObligation:
    id: int
    org_code: str
    ref: str
    due: date
    scope_version: int = 1  # the approved list version an item-by-item obligation covers
    district: str = ""  # whose campaign it is in: a district's code, "" the city's (or a regulator's)


def open_obligations(url: str, phase_code: str) -> list[OpenObligation]:
    """What is still open in a phase, across campaigns (returned ones are not open: they wait on a fix)."""
    with transaction(url) as session:
        rows = session.execute(
            select(Obligation.id, Organisation.code, Obligation.ref, Obligation.due, Obligation.scope,
                   Obligation.district)
            .join(Phase, Phase.id == Obligation.phase_id)
            .join(Organisation, Organisation.id == Obligation.debtor_id)
            .where(Phase.code == phase_code, Obligation.state == State.OPEN)
            .order_by(Obligation.id))
        return [OpenObligation(i, org, ref, due, (scope or {}).get("version", 1), district)
                for i, org, ref, due, scope, district in rows]


def complete_obligation(url: str, obligation_id: int, on: date, actor: str, reason: str) -> None:
    """Mark one obligation, named by its id, done; a done one stays as it is."""
    with transaction(url) as session:
        obligation = obligations.obligation_by_id(session, obligation_id)
        if obligation.state != State.FULFILLED:
            move_obligation(session, obligation, State.FULFILLED, actor, reason, on)


@dataclass(frozen=True)
class ObligationChange:
    """An obligation after a coordinator changed it by hand."""

    id: int
    org_name: str
    phase_name: str
    state: str  # in Chinese (rules.obligations.STATE_NAMES)
    due: date
    priority: bool = False  # on the green channel (绿色通道)


def _change(obligation: Obligation) -> ObligationChange:
    return ObligationChange(obligation.id, obligation.debtor.name, obligation.phase.name,
                            STATE_NAMES[State(obligation.state)], obligation.due, obligation.priority)


def waive_obligation(url: str, obligation_id: int, reason: str, now: datetime,
                     actor: str = "coordinator") -> ObligationChange:
    """Release an organisation from an obligation it still owes; a closed one is refused."""
    with transaction(url) as session:
        return _change(obligations.waive(session, obligation_id, reason, actor, now))


def reopen_obligation(url: str, obligation_id: int, reason: str, now: datetime, due: date | None = None,
                      actor: str = "coordinator") -> ObligationChange:
    """Bring back a fulfilled or waived obligation (optionally due on a new date); an open one is refused."""
    with transaction(url) as session:
        return _change(obligations.reopen(session, obligation_id, reason, actor, now, due))


def prioritise_obligation(url: str, obligation_id: int, reason: str, now: datetime, priority: bool = True,
                          actor: str = "coordinator") -> ObligationChange:
    """Put an obligation on the green channel (``priority=False``: take it off), audited with the reason;
    marking it as it already is, or a closed one onto the channel, is refused."""
    with transaction(url) as session:
        return _change(obligations.set_priority(session, obligation_id, priority, reason, actor, now))


def green_channel_share(url: str, month: str, campaign_code: str | None = None) -> dict:
    """The green channel's share of a month's work (YYYY-MM), for the supervision report.

    Counts the obligations opened in the month: how many, how many on the green channel, and of
    each how many were closed by their due date.
    """
    with transaction(url) as session:
        return green_channel.share(session, month, campaign_code)


def campaigns(url: str) -> list[dict]:
    """Every campaign in the scope (registry.scope): the city's first, then the districts' and regulators'."""
    with transaction(url) as session:
        rows = session.scalars(select(Campaign).order_by(Campaign.level != "city", Campaign.district, Campaign.code))
        return [{"code": c.code, "name": c.name, "level": c.level, "district": c.district or None} for c in rows]


def audit_log(url: str, limit: int = 200) -> list[dict]:
    """The newest entries of the audit log in the scope: who did what, when and why."""
    with transaction(url) as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
        return [{"at": e.at.isoformat(sep=" ", timespec="minutes"), "actor": e.actor, "entity": e.entity,
                 "entity_id": e.entity_id, "action": e.action, "from": e.from_state, "to": e.to_state,
                 "reason": e.reason, "district": e.district or None} for e in rows]


def standing_version(url: str) -> tuple:
    """A fingerprint of what the standings are computed from, read in a few aggregate queries: the
    obligations (each state change is audited), the audit log, the directory and the phases. Equal
    fingerprints on the same day mean the same standings, so a view may keep what it computed."""
    with transaction(url) as session:
        obligations = session.execute(select(func.count(Obligation.id), func.max(Obligation.id))).one()
        organisations = session.execute(select(func.count(Organisation.id), func.max(Organisation.id))).one()
        return (*obligations, session.scalar(select(func.max(AuditEntry.id))), *organisations,
                session.scalar(select(func.max(Phase.id))))
