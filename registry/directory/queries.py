"""Who plays which part: the coordinating office, the lead agencies, an organisation's contact."""
from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.directory.tables import Contact, Organisation
from registry.scope import CITY
from rules.organisations import OrgKind, OrgRole

# Each district has its own 编委办, four agencies and government office: every "who plays which
# part" below answers for one district's directory, the city's ("") unless told.


def coordinator_addresses(session: Session, district: str = CITY) -> list[str]:
    """Where problems go: the working contacts of the coordinating office."""
    rows = session.execute(
        select(Organisation.roles, Contact.email)
        .join(Contact, Contact.org_id == Organisation.id)
        .where(Contact.role == "contact", Contact.email != "", Organisation.district == district)
    ).all()
    return [email for roles, email in rows if OrgRole.COORDINATOR in roles]


def organisations_of(session: Session, district: str = CITY) -> list[Organisation]:
    """The district's organisations (the city's by default), in directory order."""
    return list(session.scalars(select(Organisation).where(Organisation.district == district)
                                .order_by(Organisation.id)))


def with_role(session: Session, role: OrgRole, district: str = CITY) -> list[Organisation]:
    return [o for o in organisations_of(session, district) if role in o.roles]


def reviewers(session: Session, district: str = CITY) -> list[Organisation]:
    """The lead agencies, in directory order (编委办, 法制办, 财政局, 政务服务办)."""
    return with_role(session, OrgRole.LEAD_AGENCY, district)


def coordinator(session: Session, district: str = CITY) -> Organisation:
    return with_role(session, OrgRole.COORDINATOR, district)[0]


def district_governments(session: Session, city: str | None = None) -> list[Organisation]:
    """The district and county governments, in code order: their city's rows, not their districts'.
    Every city's (in a province), or with ``city`` that city's scope's ("" the home city's 13)."""
    query = select(Organisation).where(Organisation.kind == OrgKind.DISTRICT)
    if city is not None:
        query = query.where(Organisation.district == city)
    return list(session.scalars(query.order_by(Organisation.division_code, Organisation.code)))


def district_government(session: Session, named: str) -> Organisation | None:
    """A district's government by its GB/T 2260 code, its code in the directory, its name or short name."""
    return next((g for g in district_governments(session)
                 if named in (g.division_code, g.code, g.name, g.short_name)), None)


def general_office(session: Session, district: str = CITY) -> Organisation | None:
    """市政府办公厅, or a district's 区政府办公室: publication and 督查."""
    return next(iter(with_role(session, OrgRole.GENERAL_OFFICE, district)), None)


def contact_email(session: Session, org_id: int) -> str:
    return session.scalar(select(Contact.email).where(Contact.org_id == org_id, Contact.role == "contact")) or ""



def orgs_of_sender(session: Session, sender: str) -> list[Organisation]:
    if not sender:
        return []
    return list(session.scalars(_ORGS_OF_SENDER, {"sender": sender}))


# Built once, as intake asks it of every message: building a statement and its cache key cost more
# than the query itself.
_ORGS_OF_SENDER = (select(Organisation)
                   .where(Organisation.id.in_(select(Contact.org_id)
                                              .where(func.lower(Contact.email) == bindparam("sender"))))
                   .order_by(Organisation.id))



def next_contact_up(session: Session, email: str) -> str:
    """The address one rung above ``email``'s contact in the same organisation, or "" at the top."""
    contact = session.scalars(select(Contact).where(func.lower(Contact.email) == email.lower())
                              .order_by(Contact.id)).first()
    if contact is None:
        return ""
    return session.scalar(select(Contact.email).where(Contact.org_id == contact.org_id, Contact.rung > contact.rung,
                                                      Contact.email != "").order_by(Contact.rung).limit(1)) or ""


class UnknownOrganisation(UserError, LookupError):
    pass


def find_organisation(session: Session, named: str) -> Organisation:
    """An organisation by its code, its name or its short name, as a coordinator types it."""
    for org in session.scalars(select(Organisation).order_by(Organisation.id)):
        if named in (org.code, org.name, org.short_name):
            return org
    raise UnknownOrganisation(f"没有单位 {named!r}（单位代码见 reform directory export）")
