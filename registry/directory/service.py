"""The organisation directory's use cases.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
"""
from __future__ import annotations

from sqlalchemy import select

from registry.db import transaction
from registry.directory.tables import Contact, Organisation


def contact_addresses(url: str) -> dict[str, str]:
    """Each organisation's working contact (联系人) address, by organisation code."""
    with transaction(url) as session:
        return dict(session.execute(
            select(Organisation.code, Contact.email).join(Contact, Contact.org_id == Organisation.id)
            .where(Contact.role == "contact")).all())
