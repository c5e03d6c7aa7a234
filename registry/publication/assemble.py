"""An approved version, with its agreed guides, decided certificates and change log, as the site's input.

Read in one transaction, as plain values (workbooks.site.model), so that rendering, which takes
seconds for a large city, holds no transaction open.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.certificates.listing import certificates_list, commitment_letter
from registry.directory.queries import organisations_of
from registry.directory.tables import Organisation
from registry.evaluations.summary import summaries_until
from registry.guides.storing import agreed_guides
from registry.publication.tables import PublishedAddress
from registry.review.approval import item_code
from registry.review.tables import Approval, ApprovedListVersion
from rules.certificates import Disposition
from workbooks.site.model import Site, SiteCertificate, SiteChange, SiteDepartment, SiteFile, SiteItem

# A material's blank form, sample or mistakes example: a link, or the name of a file its email carried.
FILE_FIELDS = ("blank", "sample", "mistakes")


class NothingToPublish(UserError, LookupError):
    pass


def version_to_publish(session: Session, campaign: Campaign, number: int | None) -> ApprovedListVersion:
    """The approved version asked for (the newest when none is); refused before any approval, or
    for a version that does not exist, naming those that do."""
    versions = list(session.scalars(select(ApprovedListVersion).where(ApprovedListVersion.campaign_id == campaign.id)
                                    .order_by(ApprovedListVersion.version)))
    if not versions:
        raise NothingToPublish("清单尚未经市政府审定，没有可公布的版本；请先运行 reform approve")
    if number is None:
        return versions[-1]
    for version in versions:
        if version.version == number:
            return version
    raise NothingToPublish(f"没有第 {number} 版清单；已有的版本：{'、'.join(str(v.version) for v in versions)}")


def site_of(session: Session, number: int | None, now: datetime, allowed_links: tuple[str, ...],
            campaign_code: str | None = None) -> tuple[Site, str]:
    """The site of the campaign's version, and the district it is published for ("" the city)."""
    campaign = find_campaign(session, campaign_code)
    version = version_to_publish(session, campaign, number)
    approval = session.get(Approval, version.approval_id)
    orgs = {o.code: o for o in organisations_of(session, campaign.district)}
    codes = [code for code in orgs if version.snapshot.get(code)]
    departments, items, files = [], [], []
    for code in codes:
        org = orgs[code]
        departments.append(SiteDepartment(code, org.name, org.short_name or "", _website(session, campaign, org)))
        guides, guide_files = agreed_guides(session, _obligation_id(session, campaign, "guides", org))
        by_name = {g["name"]: g for g in guides}
        for n, item in enumerate(version.snapshot[code], start=1):
            guide = by_name.get(item["name"])
            items.append(SiteItem(code, org.name, {**item, "code": item_code(code, n)},
                                  _with_file_paths(guide, code) if guide else None))
        files += [SiteFile(f"files/{code}/{f.filename}", f.content, f.filename) for f in guide_files]
    certificates = []
    for entry in certificates_list(session, campaign_code=campaign.code):
        if entry["state"] != "decided" or entry["org"] not in codes:
            continue
        letter = ""
        if entry["disposition"] == Disposition.COMMIT:
            filename, content = commitment_letter(entry, campaign.name)
            letter = f"files/certificates/{entry['org']}-{filename}"
            files.append(SiteFile(letter, content, filename.removesuffix(".docx")))
        certificates.append(SiteCertificate(entry["org"], entry["org_name"], entry, letter))
    changes = [SiteChange(v.version, v.effective_on, v.reason, v.document, v.change_log)
               for v in session.scalars(select(ApprovedListVersion).where(
                   ApprovedListVersion.campaign_id == campaign.id, ApprovedListVersion.version <= version.version)
                   .order_by(ApprovedListVersion.version))]
    # 好差评 summaries are the city's (task 14): a district's site shows its own lists and guides.
    # 好差评 is imported for the home city (reform evaluations import).
    evaluations = summaries_until(session, now.date()) if campaign.level == "city" and not campaign.district else []
    return Site(campaign_name=campaign.name, issued_by=campaign.issued_by, version=version.version,
                approved_on=approval.approved_on, meeting=approval.meeting, document=approval.document,
                effective_on=version.effective_on, generated_at=now, departments=departments, items=items,
                certificates=certificates, files=files, changes=changes, allowed_links=allowed_links,
                evaluations=evaluations), campaign.district


def _with_file_paths(guide: dict, org_code: str) -> dict:
    """The guide with each attached file named by its place in the site."""
    def placed(value: str) -> str:
        return value if not value or value.startswith(("http://", "https://")) else f"files/{org_code}/{value}"

    materials = [{**m, **{f: placed(m.get(f) or "") for f in FILE_FIELDS}} for m in guide.get("materials", ())]
    return {**guide, "materials": materials}


def _obligation_id(session: Session, campaign: Campaign, phase_code: str, org: Organisation) -> int:
    return session.scalar(select(Obligation.id).join(Phase, Phase.id == Obligation.phase_id).where(
        Obligation.campaign_id == campaign.id, Phase.code == phase_code, Obligation.debtor_id == org.id,
        Obligation.ref == "")) or 0


def _website(session: Session, campaign: Campaign, org: Organisation) -> str:
    obligation_id = _obligation_id(session, campaign, "publication", org)
    return session.scalar(select(PublishedAddress.address).where(PublishedAddress.obligation_id == obligation_id)
                          .order_by(PublishedAddress.id.desc()).limit(1)) or ""
