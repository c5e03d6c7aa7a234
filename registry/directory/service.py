"""The directory's use cases: replace it from a file, write it to one. Plain values in and out."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.db import RegistryNotInitialised, migrate, transaction
from registry.directory import store
from registry.directory.tables import Contact, Organisation
from registry.seed import DISTRICT_CODES
from rules.organisations import OrgKind, OrgRecord
from workbooks.directory import DirectoryFileError, read_directory, write_directory
from workbooks.directory.problems import directory_problem


@dataclass(frozen=True)
class DirectoryImport:
    organisations: int
    added: int
    updated: int


class UnknownDistrict(UserError, LookupError):
    pass


def import_directory(url: str, path: Path, district: str | None = None) -> DirectoryImport:
    """The whole file is validated before the schema is touched or anything is written.

    With `district` (its code or short name), the file is that district's own directory: its
    organisations go under the district's government, which the city's directory brought.
    """
    code = _district_code(url, district) if district is not None else None
    records = read_directory(path, code)
    migrate(url)
    with transaction(url) as session:
        if code is not None:
            _refuse_others_codes(session, records, code, Path(path).name)
        added, updated = store.upsert_directory(session, records)
    return DirectoryImport(len(records), added, updated)


def _district_code(url: str, named: str) -> str:
    """The code of the district `named`, one of the registry's districts, or of Shenyang's 13 without any.

    A registry without districts is a district's own, or not made yet: the city's list applies.
    """
    try:
        with transaction(url) as session:
            districts = session.execute(select(Organisation.code, Organisation.name, Organisation.short_name)
                                        .where(Organisation.kind == OrgKind.DISTRICT).order_by(Organisation.id)).all()
    except RegistryNotInitialised:
        districts = []
    named = named.strip()
    if districts:
        found = next((code for code, *names in districts if named in (code, *names)), None)
        valid = "、".join(f"{code}（{short or name}）" for code, name, short in districts)
    else:
        found = named if named in DISTRICT_CODES else None
        valid = "、".join(DISTRICT_CODES)
    if found is None:
        raise UnknownDistrict(f"没有区县 {named!r}，--district 可用的区县代码：{valid}")
    return found


def _refuse_others_codes(session: Session, records: list[OrgRecord], district: str, file: str) -> None:
    """A district's file may not take over a code the city or another district already uses.

    Organisations are matched by code, so such a row would rename the other one and move it here.
    """
    taken = {o.code: o for o in session.scalars(select(Organisation)
                                                 .where(Organisation.code.in_([r.code for r in records])))}
    others = [org for r in records if (org := taken.get(r.code)) is not None and not _in_district(org, district)]
    problems = [directory_problem(file, f"代码 {org.code} 已是{org.name}的代码，该单位不属于区县 {district}",
                                  field="代码", fix=f"请为本区县的单位另取代码，例如 {district}-{org.code}")
                for org in others]
    if problems:
        raise DirectoryFileError(problems)


def _in_district(org: Organisation, district: str) -> bool:
    if org.kind == OrgKind.DISTRICT:
        return False
    return org.division_code == district or (org.parent is not None and org.parent.code == district)


def export_directory(url: str, path: Path) -> int:
    """Write the directory to ``path`` (.yaml or .xlsx); returns how many organisations."""
    with transaction(url) as session:
        records = store.export_directory(session)
    write_directory(path, records)
    return len(records)


def contact_addresses(url: str) -> dict[str, str]:
    """Each organisation's working contact (联系人) address, by organisation code."""
    with transaction(url) as session:
        return dict(session.execute(
            select(Organisation.code, Contact.email).join(Contact, Contact.org_id == Organisation.id)
            .where(Contact.role == "contact")).all())


def organisation_names(url: str) -> dict[str, str]:
    """Each organisation's name, by code."""
    with transaction(url) as session:
        return dict(session.execute(select(Organisation.code, Organisation.name)).all())


def district_names(url: str) -> dict[str, str]:
    """Each district's short name (和平区), by its GB/T 2260 code, in code order."""
    with transaction(url) as session:
        return dict(session.execute(
            select(Organisation.division_code, Organisation.short_name).where(Organisation.kind == OrgKind.DISTRICT)
            .order_by(Organisation.division_code)).all())
