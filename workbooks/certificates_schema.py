"""The 证明事项清理表 as the campaign defines it: sheets, cover labels, columns and their choices.

The columns live with the rules (rules.certificates), which name them in every problem; this module
adds what only the workbook needs, so the template and the parser can never disagree.
"""
from __future__ import annotations

from rules.certificates import (
    BASIS,
    BASIS_LEVEL,
    BASIS_LEVELS,
    COLUMN_FIELDS,
    COMMITMENT,
    COVER_ORG_CODE,
    COVER_SHEET,
    DISPOSITION,
    DISPOSITIONS,
    FIELD,
    FIELD_CHOICES,
    HEADERS,
    ISSUER,
    ITEMS,
    NAME,
    REMARKS,
    REPLACEMENT,
    REQUESTER,
    SEQ,
    SHARE_SOURCE,
    SHEET,
    VERIFICATION,
)

__all__ = ["BASIS", "BASIS_LEVEL", "CHOICES", "COLUMN_FIELDS", "COMMITMENT", "COVER_ORG_CODE", "COVER_SHEET",
           "DISPOSITION", "FIELD", "HEADERS", "INSTRUCTIONS_SHEET", "ISSUER", "ITEMS", "NAME", "REMARKS",
           "REPLACEMENT", "REQUESTER", "SEQ", "SHARE_SOURCE", "SHEET", "VERIFICATION"]

INSTRUCTIONS_SHEET = "填报说明"

# The cover (labels in column A, values in column B) is every template's: workbooks.cover.

# The fixed-choice columns and their drop-downs.
CHOICES: dict[str, tuple[str, ...]] = {BASIS_LEVEL: BASIS_LEVELS, DISPOSITION: DISPOSITIONS, FIELD: FIELD_CHOICES}
