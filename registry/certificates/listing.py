"""The certificate ledger city-wide: every department's current certificates, as proposed or decided,
and the documents made from them (the 保留 and 取消 lists, one 告知承诺书 per 告知承诺 certificate)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Phase
from registry.certificates.storing import stored_entries
from registry.certificates.tables import CertificateLedger
from registry.directory.tables import Organisation
from rules.certificates import Disposition
from workbooks.certificate_outputs import (
    CommitmentFacts,
    build_certificate_list,
    build_commitment_letter,
    commitment_letter_filename,
)

CERTIFICATES = "certificates"
STATE_NAMES = {"under_review": "审核中", "decided": "已审定"}


def certificates_list(session: Session, org_code: str | None = None, disposition: str | None = None,
                      campaign_code: str | None = None) -> list[dict]:
    """One entry per certificate of each department's current ledger; ``disposition`` is the review's
    decision once made, the department's proposal until then (``proposed`` keeps the proposal)."""
    campaign = find_campaign(session, campaign_code)
    query = (select(CertificateLedger.obligation_id, CertificateLedger.submission_id, Organisation.code,
                    Organisation.name)
             .join(Obligation, Obligation.id == CertificateLedger.obligation_id)
             .join(Phase, Phase.id == Obligation.phase_id).join(Organisation, Organisation.id == CertificateLedger.org_id)
             .where(Obligation.campaign_id == campaign.id, Phase.code == CERTIFICATES, Obligation.ref == "")
             .order_by(Organisation.id, CertificateLedger.version.desc()))
    if org_code is not None:
        query = query.where(Organisation.code == org_code)
    current: dict[int, tuple[int, str, str]] = {}
    for obligation_id, submission_id, code, org_name in session.execute(query).all():
        current.setdefault(obligation_id, (submission_id, code, org_name))  # the newest accepted version
    listed = []
    for submission_id, code, org_name in current.values():
        for e in stored_entries(session, submission_id):
            state = "decided" if e["final_disposition"] else "under_review"
            entry = {"org": code, "org_name": org_name, "name": e["name"], "items": e["items"], "issuer": e["issuer"],
                     "basis": e["basis"], "basis_level": e["basis_level"],
                     "disposition": e["final_disposition"] or e["disposition"], "proposed": e["disposition"],
                     "replacement": e["replacement"], "share_source": e["share_source"],
                     "commitment": e["commitment"], "verification": e["verification"], "requester": e["requester"],
                     "state": state, "state_name": STATE_NAMES[state], "review_reason": e["review_reason"],
                     "submission_id": submission_id}
            if disposition is None or entry["disposition"] == disposition:
                listed.append(entry)
    return listed


def certificate_documents(session: Session, as_of: date, campaign_code: str | None = None) -> list[tuple[str, bytes]]:
    """The 保留 list, the 取消 list (everything no longer demanded, with what replaces it) and a
    告知承诺书 for every 告知承诺 certificate, as files (name, content)."""
    campaign = find_campaign(session, campaign_code)
    entries = certificates_list(session, campaign_code=campaign.code)
    files = [(f"保留证明事项清单-{as_of.isoformat()}.xlsx",
              build_certificate_list(Disposition.KEEP, campaign_name=campaign.name, as_of=as_of, entries=entries)),
             (f"取消证明事项清单-{as_of.isoformat()}.xlsx",
              build_certificate_list(Disposition.CANCEL, campaign_name=campaign.name, as_of=as_of, entries=entries))]
    files += [commitment_letter(e, campaign.name) for e in entries if e["disposition"] == Disposition.COMMIT]
    return files


def commitment_letter(entry: dict, campaign_name: str) -> tuple[str, bytes]:
    """The 告知承诺书格式文本 of one 告知承诺 certificate, as a file (name, content)."""
    facts = CommitmentFacts(certificate=entry["name"], items=entry["items"],
                            requester=entry["requester"] or entry["org_name"], basis=entry["basis"],
                            commitment=entry["commitment"], verification=entry["verification"],
                            campaign_name=campaign_name)
    return commitment_letter_filename(entry["name"]), build_commitment_letter(facts)
