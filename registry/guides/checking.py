"""Checking a returned guides workbook against the items its department's obligation covers."""
from __future__ import annotations

from collections.abc import Sequence

from core.settings import Settings
from registry.campaign.tables import Obligation
from rules.guides import GuidesCheck, check_guides
from workbooks.guides_parse import parse_guides


def covered_items(obligation: Obligation) -> list[dict]:
    """The approved items the obligation covers (registry.campaign.scoped), each with its code."""
    return list((obligation.scope or {}).get("items") or [])


def check_guides_workbook(obligation: Obligation, content: bytes, attached: Sequence[str],
                          settings: Settings) -> GuidesCheck:
    """Every problem at once; ``attached`` names the email's other files, which the guides may name."""
    return check_guides(parse_guides(content), covered_items(obligation), org_code=obligation.debtor.code,
                        attached=attached, max_rows=settings.limits.max_rows)
