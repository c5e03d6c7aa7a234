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
from registry.campaign.queries import find_campaign
from registry.campaign.scoped import due_in_phase
from registry.campaign.tables import Obligation, Phase
from registry.directory.queries import contact_email
from registry.directory.tables import Organisation
from registry.intake.reply_tokens import reply_address, subject_tag, token_for
from registry.outbox.queue import Attachment, queue_message
from registry.publication.tables import Publication
from registry.review.tables import ApprovedListVersion
from rules.obligations import CLOSED, State
from rules.organisations import OrgRole

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
                       now: datetime, actor: str = "system") -> Recorded:
    """``bundles``: org code -> (file name, zip, items) for every department with approved items;
    ``changed``: the departments whose items this version changed, who publish again."""
    campaign = find_campaign(session, None)
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
                            f"全市清单第 {version} 版已在市政府网站公布（{path}）", now)
            office_done += 1
        elif org.code in bundles:
            sent += _send_bundle(session, obligation, org, version, bundles[org.code], org.code in changed, settings,
                                 now)
        elif obligation.state not in CLOSED:
            move_obligation(session, obligation, State.WAIVED, "system",
                            f"第 {version} 版清单中本单位没有公共服务事项，无需公布", now, action="waive")
            released += 1
    return Recorded(publication.id, sent, released, bool(office_done))


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


def unpublished_versions(session: Session) -> list[int]:
    campaign = find_campaign(session, None)
    published = session.scalar(select(func.max(Publication.version)).where(Publication.campaign_id == campaign.id)) or 0
    return list(session.scalars(select(ApprovedListVersion.version).where(
        ApprovedListVersion.campaign_id == campaign.id, ApprovedListVersion.version > published)
        .order_by(ApprovedListVersion.version)))
