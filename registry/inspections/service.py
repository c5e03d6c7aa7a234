"""Inspection rounds' use cases (督导检查, task 13): open a round, record findings, close them, read a round.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.settings import get_settings
from registry.db import transaction
from registry.inspections import calls, rounds
from rules.inspections import CHECKLIST, ChecklistRefused
from workbooks.inspection_checklist import write_checklist

__all__ = ["CHECKLIST", "CallOutcome", "ChecklistRefused", "FindingView", "RoundView", "call_inspected_units", "checklist_workbook", "import_checklist",
           "open_inspection", "rectify_finding", "record_finding", "show_inspection"]


@dataclass(frozen=True)
class RoundView:
    id: int
    name: str
    due: date
    units: int  # how many units it inspects


@dataclass(frozen=True)
class FindingView:
    id: int
    round: str
    org_name: str
    item: str
    obligation_id: int
    due: date  # the rectification's deadline
    rectified_on: date | None = None


def _finding(f) -> FindingView:
    return FindingView(f.id, f.round.name, f.org.name, f.item, f.obligation_id, f.obligation.due, f.rectified_on)


def open_inspection(url: str, name: str, due: date, on: date, orgs: list[str] | None = None) -> RoundView:
    """Open the round ``name`` over ``orgs`` (codes or names; every city department when none)."""
    with transaction(url) as session:
        inspection = rounds.open_round(session, name, due, on, orgs)
        return RoundView(inspection.id, inspection.name, inspection.due, len(inspection.units))


def record_finding(url: str, round_name: str, org: str, item: str, text: str, on: date,
                   days: int | None = None) -> FindingView:
    """A finding at ``org`` against a checklist item; the unit owes its rectification in ``days`` working
    days from ``on`` (the rectification phase's 15 by default), on the sweep's ladder."""
    with transaction(url) as session:
        return _finding(rounds.record_finding(session, round_name, org, item, text, on, days))


def rectify_finding(url: str, finding_id: int, note: str, on: date, actor: str = "coordinator") -> FindingView:
    """The finding rectified: its obligation fulfilled and audited with the note; a second time is refused."""
    with transaction(url) as session:
        return _finding(rounds.rectify(session, finding_id, note, on, actor))


def show_inspection(url: str, name: str, as_of: date) -> dict:
    """The round's units, checklist and findings with their standing on ``as_of``, JSON-ready."""
    with transaction(url) as session:
        return rounds.round_record(session, name, as_of)


def checklist_workbook(url: str, name: str) -> bytes:
    """The round's checklist as a workbook: a row per unit and item, each unit's complaints pre-filled."""
    with transaction(url) as session:
        inspection, units = rounds.checklist_units(session, name)
        return write_checklist(inspection.name, inspection.due, units)


def import_checklist(url: str, name: str, filename: str, content: bytes, on: date) -> list[FindingView]:
    """Record every finding of a filled checklist workbook, each a rectification due in working days from
    ``on``; a file with any problem records nothing and raises ChecklistRefused naming them all."""
    with transaction(url) as session:
        return [_finding(f) for f in rounds.import_checklist(session, name, filename, content, on)]


@dataclass(frozen=True)
class CallOutcome:
    queued: int  # calls queued now (0 on a second run)
    unreachable: list[str] = field(default_factory=list)  # units without a working contact


def call_inspected_units(url: str, name: str, on: date, mail_domain: str | None = None) -> CallOutcome:
    """Queue the round's call to each unit, its checklist rows attached; once per unit however often run."""
    with transaction(url) as session:
        queued, unreachable = calls.call_units(session, name, on, mail_domain or get_settings().smtp.mail_domain)
        return CallOutcome(queued, unreachable)
