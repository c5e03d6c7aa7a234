"""The organisation directory in the registry: replace it from records, read it back as records."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from registry.directory.tables import Contact, Organisation
from rules.organisations import OrgKind, OrgRecord, OrgRole, Person

# The escalation ladder climbs in this order.
CONTACT_ROLES = ("contact", "leader", "head")


def upsert_directory(session: Session, records: list[OrgRecord]) -> tuple[int, int]:
    """Insert new organisations and update known ones by code; returns (added, updated).

    Organisations missing from the file are kept: obligations and audit entries point at them.
    """
    existing = {o.code: o for o in session.scalars(select(Organisation).options(selectinload(Organisation.contacts)))}
    added = updated = 0
    for record in records:
        org = existing.get(record.code)
        if org is None:
            org = Organisation(code=record.code)
            session.add(org)
            existing[record.code] = org
            added += 1
        elif _differs(org, record):
            updated += 1
        else:
            continue
        org.name, org.short_name, org.kind = record.name, record.short_name, str(record.kind)
        org.roles = [str(r) for r in record.roles]
        org.division_code, org.address = record.division_code, record.address
        # A district's departments and agencies are its own rows; its government answers to the city.
        org.district = record.division_code if record.kind != OrgKind.DISTRICT else ""
        _set_contacts(org, record)
    session.flush()
    for record in records:  # parents may come later in the file than their children
        parent = existing.get(record.parent_code) if record.parent_code else None
        existing[record.code].parent_id = parent.id if parent else None
    return added, updated


def _people(record: OrgRecord) -> dict[str, Person]:
    return {"contact": record.contact, "leader": record.leader, "head": record.head}


def _differs(org: Organisation, record: OrgRecord) -> bool:
    return to_record(org, org.parent.code if org.parent else "") != record


def _set_contacts(org: Organisation, record: OrgRecord) -> None:
    by_role = {c.role: c for c in org.contacts}
    for rung, (role, person) in enumerate(_people(record).items()):
        contact = by_role.get(role)
        if contact is None:
            contact = Contact(role=role, rung=rung)
            org.contacts.append(contact)
        contact.name, contact.email, contact.phone = person.name, person.email, person.phone
        contact.district = org.district


def to_record(org: Organisation, parent_code: str) -> OrgRecord:
    people = {c.role: Person(c.name, c.email, c.phone) for c in org.contacts}
    return OrgRecord(
        code=org.code,
        name=org.name,
        short_name=org.short_name,
        kind=OrgKind(org.kind),
        roles=tuple(OrgRole(r) for r in org.roles),
        division_code=org.division_code,
        parent_code=parent_code,
        address=org.address,
        contact=people.get("contact", Person()),
        leader=people.get("leader", Person()),
        head=people.get("head", Person()),
    )


def export_directory(session: Session) -> list[OrgRecord]:
    orgs = session.scalars(
        select(Organisation).options(selectinload(Organisation.contacts)).order_by(Organisation.id)
    ).all()
    codes = {o.id: o.code for o in orgs}
    return [to_record(o, codes.get(o.parent_id, "")) for o in orgs]
