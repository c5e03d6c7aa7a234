"""Checking a returned certificate ledger against the department's approved items and the directory."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from registry.campaign.tables import Obligation
from registry.directory.tables import Organisation
from rules.certificates import CertificatesCheck, OrgRef, check_certificates
from rules.organisations import OrgKind
from workbooks.certificates_parse import parse_certificates


def directory_refs(session: Session) -> list[OrgRef]:
    """Every organisation, as the rules know it: a 信息共享来源单位 must be one of them."""
    return [OrgRef(o.code, o.name, o.short_name or "", o.kind == OrgKind.DEPARTMENT and o.parent_id is None)
            for o in session.scalars(select(Organisation).order_by(Organisation.id))]


def check_certificates_workbook(session: Session, obligation: Obligation, content: bytes,
                                settings: Settings) -> CertificatesCheck:
    org = obligation.debtor
    items = [item["name"] for item in (obligation.scope or {}).get("items") or []]
    return check_certificates(parse_certificates(content), org_code=org.code, org_name=org.name, items=items,
                              directory=directory_refs(session), max_rows=settings.limits.max_rows)
