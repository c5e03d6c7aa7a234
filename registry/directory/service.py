"""The directory's use cases: replace it from a file, write it to one. Plain values in and out."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from registry.db import migrate, transaction
from registry.directory import store
from registry.directory.tables import Contact, Organisation
from workbooks.directory import read_directory, write_directory


@dataclass(frozen=True)
class DirectoryImport:
    organisations: int
    added: int
    updated: int


def import_directory(url: str, path: Path) -> DirectoryImport:
    """The whole file is validated before the schema is touched or anything is written."""
    records = read_directory(path)
    migrate(url)
    with transaction(url) as session:
        added, updated = store.upsert_directory(session, records)
    return DirectoryImport(len(records), added, updated)


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
