"""Routing an accepted document to its reviewers: a list to the four agencies, or, after its
consolidated opinion, as the department's response (diffed, then 编委办's recheck opens); each
accepted version of a department's guides or certificate ledger to the leads of its task.

Idempotent throughout: the acceptance event and the daily sweep may both route the same submission,
any number of times; obligations are keyed (phase, debtor, submission) and mail by outbox key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from notifications.review_letters import packet_letter, response_receipt
from registry.campaign.audit import move_obligation
from registry.campaign.scoped import due_in_phase
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.directory.queries import contact_email, coordinator
from registry.directory.tables import Organisation
from registry.intake.reply_tokens import reply_address, subject_tag, token_for
from registry.intake.tables import Submission
from registry.outbox.queue import XLSX, Attachment, queue_message
from registry.review.obligations import (
    APPROVAL,
    LATE_REVIEW_WORKING_DAYS,
    RECHECK_WORKING_DAYS,
    RESPONSE,
    REVIEW,
    find_ref_obligation,
    load_angles,
    open_obligation,
    phase_of,
    recheck_ref,
)
from registry.review.subjects import (
    INVENTORY,
    REVIEW_PHASES,
    SUBJECTS,
    Subject,
    items_of,
    packet_rows,
    phases_coded,
    reviewers_of,
    subject_of,
)
from registry.review.tables import ConsolidatedOpinion, ReviewResponse
from rules.obligations import CLOSED, State
from rules.review import Route, diff_lists, pre_flags, route_for
from workbooks.review_packet import PacketFacts, build_packet, packet_filename


@dataclass(frozen=True)
class Routed:
    submission_id: int
    route: str  # rules.review.Route
    opened: int = 0  # obligations opened by this call
    detail: str = ""
    changed: bool = False  # a response that differs from the version before


def route_pending_submissions(session: Session, settings: Settings, now: datetime) -> list[Routed]:
    """Route every current document that has not been routed yet (the sweep's safety net).

    A document already routed is left out here, in two queries, rather than by route_submission's own
    checks, which cost a handful of queries per document: every sweep of a campaign's whole life
    would otherwise re-examine every list, guide and ledger it ever accepted."""
    routed = [route_submission(session, submission_id, settings, now) for submission_id in unrouted(session)]
    return [r for r in routed if r.route != Route.SKIP]


def unrouted(session: Session) -> list[int]:
    """Current reviewed documents (lists, guides, ledgers: accepted, not zero reports) neither sent to the
    agencies nor recorded as a response. Other phases' documents (a district's work plan) are never reviewed."""
    candidates = session.scalars(
        select(Submission.id).join(Obligation, Obligation.id == Submission.obligation_id)
        .where(Obligation.phase_id.in_(phases_coded(session, SUBJECTS)), Submission.state == "accepted",
               Submission.zero_report.is_(False)).order_by(Submission.id)).all()
    # A review obligation's ref is the id of the submission it reviews; a response has its own row.
    sent = set(session.scalars(select(Obligation.ref).where(Obligation.phase_id.in_(
        phases_coded(session, REVIEW_PHASES)))))
    sent.update(str(i) for i in session.scalars(select(ReviewResponse.submission_id)))
    return [i for i in candidates if str(i) not in sent]


def route_submission(session: Session, submission_id: int, settings: Settings, now: datetime) -> Routed:
    submission = session.get(Submission, submission_id)
    if submission is None or submission.state != "accepted":
        return Routed(submission_id, Route.SKIP, detail="不是现行有效的版本")
    obligation = session.get(Obligation, submission.obligation_id)
    subject = subject_of(session, submission)
    if subject is None:
        return Routed(submission_id, Route.SKIP, detail="本阶段的材料不送审")  # a work plan is not reviewed here
    campaign = session.get(Campaign, obligation.campaign_id)
    if subject is not INVENTORY:
        return _route_item_document(session, campaign, subject, submission, settings, now)
    reviewed = _reviewed_before(session, campaign, submission)
    issued = reviewed is not None and session.scalar(
        select(ConsolidatedOpinion.state).where(ConsolidatedOpinion.submission_id == reviewed)) == "issued"
    already = bool(find_ref_obligation(session, campaign.id, REVIEW, str(submission.id))) or session.scalar(
        select(ReviewResponse.id).where(ReviewResponse.submission_id == submission.id)) is not None
    route = route_for(zero_report=submission.zero_report, already_routed=already,
                      reviewed_before=reviewed is not None, opinion_issued_before=issued)
    if route is Route.REVIEW:
        if reviewed is not None:
            _withdraw_review(session, campaign, REVIEW, reviewed, submission, now)
        return Routed(submission.id, route, _send_to_reviewers(session, campaign, INVENTORY, submission, settings, now))
    if route is Route.RESPONSE:
        return _record_response(session, campaign, reviewed, submission, settings, now)
    return Routed(submission.id, route)


def _route_item_document(session: Session, campaign: Campaign, subject: Subject, submission: Submission,
                         settings: Settings, now: datetime) -> Routed:
    """Guides and ledgers are reviewed version by version: a newer accepted version replaces the one
    under review, whose open review obligations are released."""
    if find_ref_obligation(session, campaign.id, subject.review_phase, str(submission.id)):
        return Routed(submission.id, Route.SKIP, detail="已送审")
    earlier = session.scalars(select(Submission.id).where(Submission.obligation_id == submission.obligation_id,
                                                          Submission.id < submission.id)).all()
    for reviewed in earlier:
        _withdraw_review(session, campaign, subject.review_phase, reviewed, submission, now)
    return Routed(submission.id, Route.REVIEW, _send_to_reviewers(session, campaign, subject, submission, settings, now))


def _reviewed_before(session: Session, campaign: Campaign, submission: Submission) -> int | None:
    """The latest earlier version of this list that went to the agencies."""
    earlier = session.scalars(select(Submission.id).where(Submission.obligation_id == submission.obligation_id,
                                                          Submission.id < submission.id)
                              .order_by(Submission.id.desc())).all()
    if not earlier:
        return None
    refs = set(session.scalars(
        select(Obligation.ref).join(Phase, Phase.id == Obligation.phase_id)
        .where(Obligation.campaign_id == campaign.id, Phase.code == REVIEW,
               Obligation.ref.in_([str(i) for i in earlier]))))
    return next((i for i in earlier if str(i) in refs), None)


def _withdraw_review(session: Session, campaign: Campaign, review_phase: str, reviewed: int,
                     replacement: Submission, now: datetime) -> None:
    """A document replaced while under review: its open review obligations are released, not left to go red."""
    for obligation in find_ref_obligation(session, campaign.id, review_phase, str(reviewed)):
        if obligation.state not in CLOSED:
            move_obligation(session, obligation, State.WAIVED, "system",
                            f"送审材料已被第 {replacement.version} 版取代，改为审核新版本", now)


def _send_to_reviewers(session: Session, campaign: Campaign, subject: Subject, submission: Submission,
                       settings: Settings, now: datetime) -> int:
    org = session.get(Organisation, submission.org_id)
    phase = phase_of(session, campaign.id, subject.review_phase)
    due, due_reason = due_in_phase(session, phase, now.date(), phase.working_days or LATE_REVIEW_WORKING_DAYS)
    layout, rows = packet_rows(session, subject, submission.id)
    angles = load_angles(subject.phase)
    opened = 0
    for agency in reviewers_of(session, campaign, subject):
        obligation, created = open_obligation(
            session, campaign, subject.review_phase, agency.id, org.id, str(submission.id), due, due_reason, now,
            f"{org.name}{subject.title}第 {submission.version} 版送{agency.name}审核")
        opened += created
        angle = angles.get(agency.code)
        flags = [pre_flags(row.facts, angle, subject.phase) if angle else [] for row in rows]
        token = token_for(session, obligation.id, now)
        address = reply_address(settings.mailbox.intake_address, token)
        facts = PacketFacts(agency.code, agency.name, angle.title if angle else "", angle.guidance if angle else "",
                            org.code, org.name, submission.id, submission.version, obligation.due, address)
        filename = packet_filename(org.short_name or org.code, agency.short_name or agency.code,
                                   "" if subject is INVENTORY else subject.title)
        letter = packet_letter(agency_name=agency.name, org_name=org.name, version=submission.version,
                               items=len(rows), flagged=sum(1 for f in flags if f), deadline=obligation.due,
                               angle=angle.title if angle else "职责", reply_address=address,
                               tag=subject_tag(token), filename=filename, title=subject.title, unit=subject.unit,
                               choices=subject.scheme.choices)
        to = contact_email(session, agency.id)
        queue_message(session, key=f"review-packet:{obligation.id}", to=[to] if to else [], subject=letter.subject,
                      text=letter.text, html=letter.html, reply_to=address, kind="review_packet",
                      obligation_id=obligation.id, now=now, mail_domain=settings.smtp.mail_domain,
                      attachments=[Attachment(filename, build_packet(facts, layout, [r.cells for r in rows], flags),
                                              XLSX)])
    return opened


def _record_response(session: Session, campaign: Campaign, reviewed: int, submission: Submission,
                     settings: Settings, now: datetime) -> Routed:
    previous = session.scalar(select(Submission).where(
        Submission.obligation_id == submission.obligation_id, Submission.id < submission.id,
        Submission.state.in_(("accepted", "superseded"))).order_by(Submission.id.desc()).limit(1))
    diff = diff_lists(items_of(session, previous.id), items_of(session, submission.id))
    session.add(ReviewResponse(reviewed_submission_id=reviewed, submission_id=submission.id,
                               previous_submission_id=previous.id, received_at=now, added=len(diff.added),
                               removed=len(diff.removed), changed=len(diff.changed), diff=diff.as_dict()))
    org = session.get(Organisation, submission.org_id)
    for obligation in find_ref_obligation(session, campaign.id, RESPONSE, str(reviewed), org.id):
        if obligation.state not in CLOSED:
            move_obligation(session, obligation, State.FULFILLED, org.code,
                            f"收到修改后的清单第 {submission.version} 版（{diff.summary()}）", now)
    office = coordinator(session, campaign.district)
    approval = phase_of(session, campaign.id, APPROVAL)
    due, due_reason = due_in_phase(session, approval, now.date(), RECHECK_WORKING_DAYS)
    recheck, created = open_obligation(session, campaign, APPROVAL, office.id, org.id, recheck_ref(reviewed), due,
                                       due_reason, now, f"复核{org.name}修改后的清单（第 {submission.version} 版）")
    if not created and recheck.state in CLOSED:
        # A later version (a 动态调整 after approval, say) is a new recheck with its own period.
        recheck.due, recheck.due_reason = due, due_reason
        move_obligation(session, recheck, State.OPEN, "system",
                        f"{org.name}又报送了第 {submission.version} 版，需要重新复核", now)
    changes = ([["新增", n, ""] for n in diff.added] + [["删除", n, ""] for n in diff.removed]
               + [["修改", n, "；".join(f"{c.field}" for c in cs)] for n, cs in diff.changed.items()])
    token = token_for(session, submission.obligation_id, now)
    letter = response_receipt(org_name=org.name, version=submission.version, summary=diff.summary(),
                              changes=changes, tag=subject_tag(token))
    to = contact_email(session, org.id)
    queue_message(session, key=f"response-receipt:{submission.id}", to=[to] if to else [], subject=letter.subject,
                  text=letter.text, html=letter.html, kind="response_receipt", obligation_id=submission.obligation_id,
                  now=now, mail_domain=settings.smtp.mail_domain)
    return Routed(submission.id, Route.RESPONSE, int(created), diff.summary(), not diff.empty)
