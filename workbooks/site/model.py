"""What the public site is made from: one approved version, as plain values the registry assembles.

Nothing here reads a database or a file; the renderer (``render.py``) and the open data
(``open_data.py``) write pages and data from exactly this, so the two can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class SiteFile:
    """A downloadable file: a blank form, a sample, a common-mistakes example or a 告知承诺书."""

    path: str  # where it goes in the site, e.g. "files/jyj/申请表（空白）.docx"
    content: bytes
    title: str = ""  # what a link to it says


@dataclass(frozen=True)
class SiteItem:
    """One approved item and its guide.

    ``item`` holds the approved list's columns (code, seq, name, kind, category, audience,
    implementer, legal_basis, time_limit_days, charged, fee_basis, materials, remarks).
    ``guide`` is the agreed guide as rules.guides normalises it (code, name, basic_code, …, with
    materials, steps, fees and faqs as lists of dicts), or None while it has none; a material's
    blank/sample/mistakes is either an http(s) link or the ``path`` of a SiteFile.
    """

    org_code: str
    org_name: str
    item: dict
    guide: dict | None = None


@dataclass(frozen=True)
class SiteCertificate:
    """A certificate of the clean-up with its decided disposition (rules.certificates.Disposition)."""

    org_code: str
    org_name: str
    entry: dict  # name, items, requester, issuer, basis, basis_level, disposition, replacement,
    #              share_source, commitment, verification
    letter_path: str = ""  # the 告知承诺书's SiteFile path, for a 告知承诺 certificate


@dataclass(frozen=True)
class SiteDepartment:
    code: str
    name: str
    short_name: str = ""
    website: str = ""  # where the department publishes its part, once it told us


@dataclass(frozen=True)
class SiteChange:
    """What one version changed against the one before (registry ApprovedListVersion.change_log)."""

    version: int
    effective_on: date
    reason: str
    document: str
    # org code -> {"added": [names], "removed": [names], "changed": {name: [[field, before, after], …]}}
    changes: dict


@dataclass(frozen=True)
class Site:
    campaign_name: str
    issued_by: str  # 沈阳市人民政府办公厅
    version: int
    approved_on: date
    meeting: str
    document: str
    effective_on: date
    generated_at: datetime
    departments: list[SiteDepartment]
    items: list[SiteItem]
    certificates: list[SiteCertificate] = field(default_factory=list)
    files: list[SiteFile] = field(default_factory=list)
    changes: list[SiteChange] = field(default_factory=list)  # every version up to this one, oldest first
    # The months' 好差评 summaries (registry.evaluations monthly_summary): figures, units and items only,
    # never a person; each table as {"headers": [...], "rows": [[plain values]]}.
    evaluations: list[dict] = field(default_factory=list)
    # External addresses a page may link to (prefixes such as "https://zwfw.shenyang.gov.cn/");
    # any other external link in submitted text is shown as inert text.
    allowed_links: tuple[str, ...] = ()
