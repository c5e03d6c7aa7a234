"""After a version is rendered: recorded, 市政府办公厅's own publication done, and each department
sent its part of the site with the call to publish it on its own website.

A department with no approved items has nothing to publish: its obligation is released with that
reason. Each department's bundle goes out once per version (outbox key bundle:<obligation>:v<N>).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import Settings
from notifications.publication_letters import bundle_letter
from registry.campaign.audit import move_obligation, record_change
from registry.campaign.queries import find_campaign, government_of
from registry.campaign.scoped import due_in_phase
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.directory.queries import contact_email
from registry.directory.tables import Organisation
from registry.intake.reply_tokens import reply_address, subject_tag, token_for
from registry.outbox.queue import Attachment, queue_message
from registry.publication.tables import Publication
from registry.review.tables import ApprovedListVersion
from rules.obligations import CLOSED, State
from rules.organisations import OrgKind, OrgRole

PUBLICATION = "publication"
ZIP = "application/zip"
# A department whose items a later version changed has this long to put the new part on its site.
REPUBLISH_WORKING_DAYS = 10


@dataclass(frozen=True)
class Recorded:
    publication_id: int
    bundles: int  # departments sent their part
    released: int  # departments with nothing to publish, released
    fulfilled_office: bool  # 市政府办公厅's own obligation fulfilled now


def record_publication(session: Session, version: int, path: str, counts: dict[str, int],
                       bundles: dict[str, tuple[str, bytes, int]], changed: set[str], settings: Settings,
                       now: datetime, actor: str = "system", campaign_code: str | None = None) -> Recorded:
    """``bundles``: org code -> (file name, zip, items) for every department with approved items;
    ``changed``: the departments whose items this version changed, who publish again.

    A district's publication also fulfils what the district owes the city's campaign: its list
    and guides published (district_publication), recorded in the city's audit log.
    """
    campaign = find_campaign(session, campaign_code)
    where = "全市" if campaign.level == "city" else government_of(session, campaign).removesuffix("政府")
    site = "市政府网站" if campaign.level == "city" else f"{government_of(session, campaign)}网站"
    publication = Publication(campaign_id=campaign.id, version=version, published_at=now, path=path,
                              items=counts.get("items", 0), guides=counts.get("guides", 0),
                              certificates=counts.get("certificates", 0), actor=actor)
    session.add(publication)
    session.flush()
    office_done = released = sent = 0
    owed = session.execute(select(Obligation, Organisation).join(Phase, Phase.id == Obligation.phase_id)
                           .join(Organisation, Organisation.id == Obligation.debtor_id)
                           .where(Obligation.campaign_id == campaign.id, Phase.code == PUBLICATION,
                                  Obligation.ref == "").order_by(Obligation.id)).all()
    for obligation, org in owed:
        if OrgRole.GENERAL_OFFICE in org.roles and obligation.state not in CLOSED:
            move_obligation(session, obligation, State.FULFILLED, actor,
                            f"{where}清单第 {version} 版已在{site}公布（{path}）", now)
            office_done += 1
        elif org.code in bundles:
            sent += _send_bundle(session, obligation, org, version, bundles[org.code], org.code in changed, settings,
                                 now)
        elif obligation.state not in CLOSED:
            move_obligation(session, obligation, State.WAIVED, "system",
                            f"第 {version} 版清单中本单位没有公共服务事项，无需公布", now, action="waive")
            released += 1
    if campaign.parent_id is not None:
        _fulfil_for_parent(session, campaign, version, path, actor, now)
    return Recorded(publication.id, sent, released, bool(office_done))


DISTRICT_PUBLICATION = "district_publication"


def _fulfil_for_parent(session: Session, campaign: Campaign, version: int, path: str, actor: str,
                       now: datetime) -> None:
    owed = session.scalars(select(Obligation).join(Phase, Phase.id == Obligation.phase_id)
                           .join(Organisation, Organisation.id == Obligation.debtor_id)
                           .where(Obligation.campaign_id == campaign.parent_id, Phase.code == DISTRICT_PUBLICATION,
                                  Obligation.ref == "", Organisation.kind == OrgKind.DISTRICT,
                                  Organisation.division_code == campaign.district))
    for obligation in owed:
        if obligation.state not in CLOSED:
            move_obligation(session, obligation, State.FULFILLED, actor,
                            f"{campaign.name}：清单和办事指南第 {version} 版已公布（{path}）", now)


def _send_bundle(session: Session, obligation: Obligation, org: Organisation, version: int,
                 bundle: tuple[str, bytes, int], changed: bool, settings: Settings, now: datetime) -> int:
    filename, content, items = bundle
    if obligation.state in CLOSED and not changed:
        return 0  # its published part is still the version's
    if obligation.state in CLOSED:
        # A department whose items the new version changed publishes its part again, in a new period.
        obligation.due, obligation.due_reason = due_in_phase(session, obligation.phase, now.date(),
                                                             REPUBLISH_WORKING_DAYS)
        move_obligation(session, obligation, State.OPEN, "system", f"全市清单第 {version} 版公布，需更新本单位网站", now,
                        action="reopen")
    token = token_for(session, obligation.id, now)
    address = reply_address(settings.mailbox.intake_address, token)
    letter = bundle_letter(org_name=org.name, version=version, items=items, filename=filename,
                           deadline=obligation.due if obligation.due >= now.date() else None, reply_address=address,
                           tag=subject_tag(token))
    to = contact_email(session, org.id)
    _, created = queue_message(session, key=f"bundle:{obligation.id}:v{version}", to=[to] if to else [],
                               subject=letter.subject, text=letter.text, html=letter.html, reply_to=address,
                               kind="call", obligation_id=obligation.id, attachments=[Attachment(filename, content, ZIP)],
                               now=now, mail_domain=settings.smtp.mail_domain)
    if created:
        record_change(session, obligation, "system", "bundle", obligation.state, obligation.state,
                      f"发出第 {version} 版页面包「{filename}」", now)
    return int(created)


def unpublished_versions(session: Session, campaign_code: str | None = None) -> list[int]:
    campaign = find_campaign(session, campaign_code)
    published = session.scalar(select(func.max(Publication.version)).where(Publication.campaign_id == campaign.id)) or 0
    return list(session.scalars(select(ApprovedListVersion.version).where(
        ApprovedListVersion.campaign_id == campaign.id, ApprovedListVersion.version > published)
        .order_by(ApprovedListVersion.version)))


def campaigns_to_publish(session: Session) -> list[str]:
    published = dict(session.execute(select(Publication.campaign_id, func.max(Publication.version))
                                     .group_by(Publication.campaign_id)).all())
    newest = session.execute(select(ApprovedListVersion.campaign_id, func.max(ApprovedListVersion.version))
                             .group_by(ApprovedListVersion.campaign_id)).all()
    ids = sorted(cid for cid, version in newest if version > published.get(cid, 0))
    return [session.get(Campaign, cid).code for cid in ids]
