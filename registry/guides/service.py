"""The guides' use cases for the command line and scripts."""
from __future__ import annotations

from registry.db import transaction
from registry.directory.queries import find_organisation
from registry.guides import status


def guides_status(url: str, org_code: str | None = None, campaign: str | None = None) -> list[dict]:
    """One entry per approved item: its department, its guide's state, complete or not, what is missing."""
    with transaction(url) as session:
        if org_code is not None:
            org_code = find_organisation(session, org_code).code
        return status.guides_status(session, org_code, campaign)


def simplification_totals(url: str) -> dict[str, int]:
    """Days cut, materials removed and items with no visit, over every department's standing guides."""
    with transaction(url) as session:
        return status.simplification_totals(session)
