"""Keeping an accepted certificate ledger row by row, and the review's decision on each certificate."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.certificates.tables import CertificateEntry, CertificateLedger
from rules.certificates import CertificatesCheck

ENTRY_FIELDS = ("seq", "name", "items", "requester", "issuer", "issuer_code", "basis", "basis_level", "disposition",
                "replacement", "share_source", "share_source_code", "commitment", "verification", "field", "remarks",
                "sharing_candidate", "row")
_LIMITS = {"name": 300, "requester": 200, "issuer": 200, "issuer_code": 40, "basis_level": 20, "disposition": 20,
           "share_source": 200, "share_source_code": 40, "field": 20}


def store_entries(session: Session, submission_id: int, obligation_id: int, org_id: int, version: int,
                  check: CertificatesCheck) -> int:
    """The accepted ledger, certificate by certificate; it stands until a newer version is accepted."""
    session.add(CertificateLedger(submission_id=submission_id, obligation_id=obligation_id, org_id=org_id,
                                  version=version, notes=list(check.notes)))
    for entry in check.entries:
        values = {f: entry.get(f) for f in ENTRY_FIELDS}
        for f, limit in _LIMITS.items():
            values[f] = (values[f] or "")[:limit]
        session.add(CertificateEntry(submission_id=submission_id, org_id=org_id, **values))
    session.flush()
    return len(check.entries)


def stored_entries(session: Session, submission_id: int) -> list[dict]:
    """The ledger's certificates in sheet order, as the check normalised them, with the review's decision."""
    rows = session.scalars(select(CertificateEntry).where(CertificateEntry.submission_id == submission_id)
                           .order_by(CertificateEntry.seq))
    return [{**{f: getattr(e, f) for f in ENTRY_FIELDS}, "final_disposition": e.final_disposition,
             "review_reason": e.review_reason} for e in rows]


def record_dispositions(session: Session, submission_id: int, decided: Mapping[str, tuple[str, str]]) -> None:
    """The disposition the review arrived at per certificate, by name: (disposition, the reasons)."""
    for entry in session.scalars(select(CertificateEntry).where(CertificateEntry.submission_id == submission_id)):
        if entry.name in decided:
            entry.final_disposition, entry.review_reason = decided[entry.name]
