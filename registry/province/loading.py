"""Writing a checked province into the registry: directories, campaigns, and their opened phases.

A province is thousands of organisations and tens of thousands of rows: they go in as bulk
INSERTs (a few statements per table), never one ORM object at a time. What is there already is
kept as it is, found by its code (an organisation, a campaign) or its key (an obligation: phase,
debtor, ref ""), so that loading twice adds nothing. The rows are what `reform init` and a
district's opening make: the same columns, the same scope (``district``), the same audit entry
for each obligation opened.

Scopes: the home city's rows are the city's own (""); another city's, its departments and the
governments of its districts alike, carry the city's code (210200); a district's its own code.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from registry.campaign.plan import PlanSpec, phase_values, pick_debtors, task_values
from registry.campaign.tables import AuditEntry, Campaign, Obligation, Phase, Task
from registry.directory.store import CONTACT_ROLES
from registry.directory.tables import Contact, Organisation
from registry.province.checking import CityFiles
from rules.calendar import WorkingCalendar
from rules.obligations import State
from rules.organisations import OrgRecord

# Rows per INSERT: the drivers send each batch as one statement.
_CHUNK = 5_000


@dataclass(frozen=True)
class Loaded:
    organisations_added: int
    campaigns_added: int
    obligations_opened: int


class _Org(NamedTuple):
    """What choosing a phase's debtors needs of an organisation (registry.campaign.plan.pick_debtors)."""

    id: int
    kind: str
    roles: list
    parent_id: int | None


def load_province(session: Session, cities: list[CityFiles], calendar: WorkingCalendar, today: date | None) -> Loaded:
    added = _organisations(session, cities)
    campaigns, campaigns_added = _campaigns(session, cities, calendar)
    opened = _obligations(session, campaigns, today)
    return Loaded(added, campaigns_added, opened)


def _directories(cities: list[CityFiles]) -> list[tuple[str, tuple[OrgRecord, ...]]]:
    """(scope, records) of every directory file: a city's under the city's scope, a district's under its own."""
    files = []
    for city in cities:
        files.append((city.entry.scope, city.records))
        files += [(district.entry.code, district.records) for district in city.districts]
    return files


def _organisations(session: Session, cities: list[CityFiles]) -> int:
    ids = dict(session.execute(select(Organisation.code, Organisation.id)).all())
    new: list[tuple[str, OrgRecord]] = [(scope, r) for scope, records in _directories(cities) for r in records
                                        if r.code not in ids]
    rows = [{"code": r.code, "name": r.name, "short_name": r.short_name, "kind": str(r.kind),
             "roles": [str(role) for role in r.roles], "division_code": r.division_code, "address": r.address,
             "district": scope} for scope, r in new]
    for chunk in _chunks(rows):
        ids.update((code, oid) for oid, code in session.execute(
            insert(Organisation).returning(Organisation.id, Organisation.code), chunk))
    contacts = [{"org_id": ids[r.code], "role": role, "rung": rung, "name": person.name, "email": person.email,
                 "phone": person.phone, "district": scope}
                for scope, r in new
                for rung, (role, person) in enumerate(zip(CONTACT_ROLES, (r.contact, r.leader, r.head)))]
    for chunk in _chunks(contacts):
        session.execute(insert(Contact), chunk)
    parents = [{"id": ids[r.code], "parent_id": ids[r.parent_code]} for _, r in new
               if r.parent_code and r.parent_code in ids]
    if parents:
        session.execute(update(Organisation), parents)
    return len(new)


def _campaigns(session: Session, cities: list[CityFiles], calendar: WorkingCalendar) -> tuple[list[int], int]:
    """The province's campaigns, created where missing (cities first: a district's names its city's)."""
    ids = dict(session.execute(select(Campaign.code, Campaign.id)).all())
    orgs = dict(session.execute(select(Organisation.code, Organisation.id)).all())
    added = 0
    ordered: list[int] = []
    for level in ("city", "district"):
        specs = [c.plan for c in cities] if level == "city" else [d.plan for c in cities for d in c.districts]
        new = [spec for spec in specs if spec.code not in ids]
        rows = [_campaign_row(spec, orgs, ids) for spec in new]
        for chunk in _chunks(rows):
            ids.update((code, cid) for cid, code in session.execute(
                insert(Campaign).returning(Campaign.id, Campaign.code), chunk))
        _phases_and_tasks(session, new, ids, calendar)
        added += len(new)
        ordered += [ids[spec.code] for spec in specs]
    return ordered, added


def _campaign_row(spec: PlanSpec, orgs: dict[str, int], campaigns: dict[str, int]) -> dict:
    return {"code": spec.code, "name": spec.name, "level": spec.level, "year": spec.year,
            "owner_org_id": orgs[spec.owner], "parent_id": campaigns[spec.parent] if spec.parent else None,
            "issued_by": spec.issued_by, "issued_on": spec.issued_on, "shift": str(spec.shift),
            "settings": spec.settings, "district": spec.district}


def _phases_and_tasks(session: Session, specs: list[PlanSpec], ids: dict[str, int], calendar: WorkingCalendar) -> None:
    # The province's plans are few texts repeated: each distinct plan's deadlines are resolved once.
    resolved: dict[tuple, list[dict]] = {}
    phases, tasks = [], []
    for spec in specs:
        key = (spec.phases, spec.shift, spec.year)
        if key not in resolved:
            resolved[key] = phase_values(spec, calendar)
        phases += [{**row, "campaign_id": ids[spec.code], "district": spec.district} for row in resolved[key]]
        tasks += [{**row, "campaign_id": ids[spec.code], "district": spec.district} for row in task_values(spec)]
    for chunk in _chunks(phases):
        session.execute(insert(Phase), chunk)
    for chunk in _chunks(tasks):
        session.execute(insert(Task), chunk)


def _obligations(session: Session, campaign_ids: list[int], today: date | None) -> int:
    """Open every dated phase of the campaigns for its statically known debtors, as opening a phase does."""
    campaigns = {cid: (district, owner, parent, issued_on, year) for cid, district, owner, parent, issued_on, year in
                 session.execute(select(Campaign.id, Campaign.district, Campaign.owner_org_id, Campaign.parent_id,
                                        Campaign.issued_on, Campaign.year).where(Campaign.id.in_(campaign_ids)))}
    by_scope: dict[str, list[_Org]] = defaultdict(list)
    scopes = {district for district, *_ in campaigns.values()}
    for oid, kind, roles, parent, district in session.execute(
            select(Organisation.id, Organisation.kind, Organisation.roles, Organisation.parent_id,
                   Organisation.district).where(Organisation.district.in_(scopes)).order_by(Organisation.id)):
        by_scope[district].append(_Org(oid, kind, roles or [], parent))
    phases = session.execute(select(Phase.id, Phase.campaign_id, Phase.name, Phase.deadline, Phase.debtor_selector,
                                    Phase.creditor_selector)
                             .where(Phase.campaign_id.in_(campaign_ids), Phase.deadline.is_not(None))
                             .order_by(Phase.campaign_id, Phase.position)).all()
    owed = set(session.execute(select(Obligation.phase_id, Obligation.debtor_id)
                               .where(Obligation.campaign_id.in_(campaign_ids), Obligation.ref == "")).all())
    rows, reasons = [], []
    for pid, cid, name, deadline, debtors, creditor in phases:
        district, owner, parent, issued_on, year = campaigns[cid]
        orgs = by_scope[district]
        creditor_org = pick_debtors(orgs, creditor, owner)[:1] if creditor else []
        opened_on = today or issued_on or (campaigns[parent][3] if parent in campaigns else None) or date(year, 1, 1)
        for debtor in pick_debtors(orgs, debtors, owner):
            if (pid, debtor.id) in owed:
                continue
            rows.append({"campaign_id": cid, "phase_id": pid, "debtor_id": debtor.id,
                         "creditor_id": creditor_org[0].id if creditor_org else None, "ref": "", "due": deadline,
                         "due_reason": "", "state": str(State.OPEN), "priority": False, "opened_on": opened_on,
                         "district": district})
            reasons.append(f"{name}阶段开启")
    audit = []
    for chunk_rows, chunk_reasons in zip(_chunks(rows), _chunks(reasons)):
        new_ids = session.scalars(insert(Obligation).returning(Obligation.id, sort_by_parameter_order=True),
                                  chunk_rows).all()
        audit += [{"at": datetime.combine(row["opened_on"], time()), "actor": "system", "entity": "obligation",
                   "entity_id": oid, "action": "open", "from_state": "", "to_state": str(State.OPEN),
                   "reason": reason, "district": row["district"]}
                  for oid, row, reason in zip(new_ids, chunk_rows, chunk_reasons)]
    for chunk in _chunks(audit):
        session.execute(insert(AuditEntry), chunk)
    return len(rows)


def _chunks(rows: list) -> list[list]:
    return [rows[i:i + _CHUNK] for i in range(0, len(rows), _CHUNK)]
