"""Merging the four agencies' opinions into the written opinion, the coordinator's decisions on
conflicts, and issuing the opinion to the department (which opens its response obligation).

Exactly one consolidated opinion per submission: ``consolidated_opinions.submission_id`` is unique,
so of two concurrent merges one commits and the other fails on the constraint and rolls back, its
email with it; the email's outbox key (consolidated:<submission>) guards the same way.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from notifications.review_letters import (
    certificates_verdict_letter,
    conflicts_notice,
    consolidated_letter,
    guides_verdict_letter,
)
from registry.calendar.store import load_calendar
from registry.campaign.audit import move_obligation, record_change
from registry.campaign.tables import AuditEntry, Campaign, Obligation
from registry.certificates.storing import record_dispositions
from registry.directory.queries import contact_email, coordinator, coordinator_addresses
from registry.directory.tables import Organisation
from registry.guides.storing import record_verdict
from registry.intake.reply_tokens import reply_address, subject_tag, token_for
from registry.intake.tables import Submission
from registry.outbox.queue import XLSX, Attachment, queue_message
from registry.review.obligations import (
    RESPONSE,
    ReviewError,
    find_ref_obligation,
    open_obligation,
    phase_of,
    response_working_days,
)
from registry.review.subjects import (
    CERTIFICATES,
    GUIDES,
    INVENTORY,
    REVIEW_PHASES,
    Subject,
    campaign_of,
    packet_rows,
    phases_coded,
    refused_outcomes,
    reviewers_of,
    subject_of,
)
from registry.review.tables import (
    ConsolidatedItem,
    ConsolidatedOpinion,
    CoordinatorDecision,
    ReviewReply,
)
from rules.certificates import disposition_of
from rules.obligations import State
from rules.review import (
    OPINIONS,
    AgencyOpinion,
    GuideOpinion,
    ReviewRow,
    check_opinion,
    fold,
    item_key,
    merge_opinions,
)
from workbooks.consolidated_opinion import OpinionLine, build_consolidated_workbook

AWAITING, ISSUED = "awaiting_decision", "issued"


@dataclass(frozen=True)
class MergeResult:
    submission_id: int
    created: bool
    conflicts: int = 0
    issued: bool = False


def submissions_ready_to_merge(session: Session) -> list[int]:
    """Submissions whose every review obligation is fulfilled and which have no consolidated opinion."""
    phases = phases_coded(session, REVIEW_PHASES)
    states: dict[str, set[str]] = {}
    for ref, state in session.execute(select(Obligation.ref, Obligation.state)
                                      .where(Obligation.phase_id.in_(phases))):
        states.setdefault(ref, set()).add(state)
    merged = {str(i) for i in session.scalars(select(ConsolidatedOpinion.submission_id))}
    return sorted(int(ref) for ref, s in states.items() if s == {State.FULFILLED} and ref not in merged)


def merge_submission(session: Session, submission_id: int, settings: Settings, now: datetime) -> MergeResult:
    if session.scalar(select(ConsolidatedOpinion.id).where(ConsolidatedOpinion.submission_id == submission_id)):
        return MergeResult(submission_id, created=False)
    submission = session.get(Submission, submission_id)
    subject = subject_of(session, submission) if submission is not None else None
    if subject is None:
        return MergeResult(submission_id, created=False)
    campaign = campaign_of(session, submission)
    obligations = find_ref_obligation(session, campaign.id, subject.review_phase, str(submission_id))
    if not obligations or any(o.state != State.FULFILLED for o in obligations):
        return MergeResult(submission_id, created=False)
    # Keyed by the agency's short name: the reasons and the workbook speak of 市法制办, not fzb.
    names = _agency_names(session, campaign, subject)
    agency_of = {o.id: names.get(o.debtor.code, o.debtor.code) for o in obligations}
    by_agency: dict[str, dict] = {}
    for reply in session.scalars(select(ReviewReply).where(ReviewReply.obligation_id.in_(agency_of),
                                                           ReviewReply.state == "accepted")):
        by_agency[agency_of[reply.obligation_id]] = {
            item_key(o.seq, o.name): AgencyOpinion(o.opinion, o.reason, o.adjusted) for o in reply.opinions}
    _, packet = packet_rows(session, subject, submission_id)
    merged = merge_opinions([(r.seq, r.name) for r in packet], by_agency, subject.scheme,
                            [r.declared for r in packet])
    consolidated = ConsolidatedOpinion(
        submission_id=submission_id, org_id=submission.org_id, created_at=now, state=AWAITING,
        conflicts=sum(m.conflict for m in merged),
        items=[ConsolidatedItem(position=n, seq=m.seq, name=m.name, outcome=m.outcome, reason=m.reason,
                                adjusted=m.adjusted, conflict=m.conflict,
                                opinions={name: [o.opinion, o.reason, o.adjusted] for name, o in m.opinions.items()})
               for n, m in enumerate(merged)])
    session.add(consolidated)
    session.flush()  # a concurrent merge fails here (or at commit) on the unique submission_id
    if consolidated.conflicts:
        _tell_coordinator(session, consolidated, settings, now)
        return MergeResult(submission_id, True, consolidated.conflicts)
    issue(session, consolidated, settings, now)
    return MergeResult(submission_id, True, 0, issued=True)


def _agency_names(session: Session, campaign: Campaign, subject: Subject) -> dict[str, str]:
    return {o.code: o.short_name or o.name for o in reviewers_of(session, campaign, subject)}


def _opinion_text(opinion: list[str]) -> str:
    kind, reason, adjusted = opinion
    detail = "；".join(x for x in (reason, adjusted and f"调整为：{adjusted}") if x)
    return f"{kind}：{detail}" if detail else kind


def _tell_coordinator(session: Session, consolidated: ConsolidatedOpinion, settings: Settings, now: datetime) -> None:
    org = session.get(Organisation, consolidated.org_id)
    campaign = campaign_of(session, session.get(Submission, consolidated.submission_id))
    rows = [[i.seq, i.name, "；".join(f"{agency} {_opinion_text(o)}" for agency, o in i.opinions.items())]
            for i in consolidated.items if i.conflict]
    letter = conflicts_notice(org_name=org.name, submission_id=consolidated.submission_id, conflicts=rows)
    queue_message(session, key=f"conflicts:{consolidated.submission_id}", to=coordinator_addresses(session, campaign.district),
                  subject=letter.subject, text=letter.text, html=letter.html, kind="review_notice", now=now,
                  mail_domain=settings.smtp.mail_domain, district=campaign.district)


def issue(session: Session, consolidated: ConsolidatedOpinion, settings: Settings, now: datetime) -> None:
    """Send the written opinion to the department, and what follows for its subject: the list's
    response obligation; the guides' verdict (done, or back for revision); the ledger's dispositions."""
    submission = session.get(Submission, consolidated.submission_id)
    campaign = session.get(Campaign, session.get(Obligation, submission.obligation_id).campaign_id)
    subject = subject_of(session, submission)
    consolidated.state, consolidated.issued_at = ISSUED, now
    if subject is GUIDES:
        _issue_guides(session, campaign, consolidated, submission, settings, now)
    elif subject is CERTIFICATES:
        _issue_certificates(session, campaign, consolidated, submission, settings, now)
    else:
        _issue_inventory(session, campaign, consolidated, submission, settings, now)


def _opinion_lines(session: Session, consolidated: ConsolidatedOpinion, names: list[str]) -> list[OpinionLine]:
    decisions = {d.item_id: d for d in session.scalars(select(CoordinatorDecision).join(
        ConsolidatedItem, ConsolidatedItem.id == CoordinatorDecision.item_id)
        .where(ConsolidatedItem.consolidated_id == consolidated.id))}
    return [OpinionLine(i.seq, i.name, [_opinion_text(i.opinions[n]) if n in i.opinions else "" for n in names],
                        i.outcome or "", i.reason, i.adjusted,
                        f"{decisions[i.id].opinion}：{decisions[i.id].reason}" if i.id in decisions else "")
            for i in consolidated.items]


def _issue_inventory(session: Session, campaign: Campaign, consolidated: ConsolidatedOpinion, submission: Submission,
                     settings: Settings, now: datetime) -> None:
    org = session.get(Organisation, submission.org_id)
    phase = phase_of(session, campaign.id, RESPONSE)
    days = response_working_days(campaign, phase)
    due = load_calendar(session).add_working_days(now.date(), days)
    response, _ = open_obligation(session, campaign, RESPONSE, org.id, coordinator(session, campaign.district).id, str(submission.id),
                                  due, f"书面审核意见 {now.date().isoformat()} 发出后 {days} 个工作日内", now,
                                  f"收到第 {submission.version} 版清单的书面审核意见")
    # The department answers with a revised list on its own inventory thread: a new version there.
    token = token_for(session, submission.obligation_id, now)
    address = reply_address(settings.mailbox.intake_address, token)
    names = list(_agency_names(session, campaign, INVENTORY).values())
    lines = _opinion_lines(session, consolidated, names)
    filename = f"书面审核意见-{org.short_name or org.code}-第{submission.version}版.xlsx"
    workbook = build_consolidated_workbook(org_name=org.name, version=submission.version, agencies=names,
                                           lines=lines, response_due=due, reply_address=address)
    counts = {o: sum(1 for i in consolidated.items if i.outcome == o) for o in OPINIONS}
    letter = consolidated_letter(org_name=org.name, version=submission.version, counts=counts, response_due=due,
                                 reply_address=address, tag=subject_tag(token), filename=filename)
    to = contact_email(session, org.id)
    queue_message(session, key=f"consolidated:{submission.id}", to=[to] if to else [], subject=letter.subject,
                  text=letter.text, html=letter.html, reply_to=address, kind="consolidated_opinion",
                  obligation_id=response.id, attachments=[Attachment(filename, workbook, XLSX)], now=now,
                  mail_domain=settings.smtp.mail_domain)


def _issue_guides(session: Session, campaign: Campaign, consolidated: ConsolidatedOpinion, submission: Submission,
                  settings: Settings, now: datetime) -> None:
    """Both reviewers agree: the guides obligation is done. Either asks for a revision: it is open
    again, with the response period, until a revised version is agreed."""
    org = session.get(Organisation, submission.org_id)
    guides = session.get(Obligation, submission.obligation_id)
    record_verdict(session, submission.id, {i.name: (i.outcome, i.reason) for i in consolidated.items})
    names = _agency_names(session, campaign, GUIDES)
    agencies = "、".join(names.values())
    revise = [[i.seq, i.name, i.reason] for i in consolidated.items if i.outcome == GuideOpinion.REVISE]
    due = None
    if revise and guides.state == State.FULFILLED:
        days = response_working_days(campaign, phase_of(session, campaign.id, RESPONSE))
        due = load_calendar(session).add_working_days(now.date(), days)
        guides.due, guides.due_reason = due, f"审核意见 {now.date().isoformat()} 发出后 {days} 个工作日内修改"
        move_obligation(session, guides, State.OPEN, "system",
                        f"{agencies}审核第 {submission.version} 版：{len(revise)} 个事项需要修改", now,
                        action="review")
    elif not revise:
        record_change(session, guides, "system", "agreed", guides.state, guides.state,
                      f"{agencies}审核同意第 {submission.version} 版办事指南（{len(consolidated.items)} 个事项）", now)
    token = token_for(session, guides.id, now)
    address = reply_address(settings.mailbox.intake_address, token)
    filename = f"办事指南审核意见-{org.short_name or org.code}-第{submission.version}版.xlsx"
    instruction = (f"请按审核意见修改后，将完整的办事指南工作簿回复至 {address}。" if revise
                   else "审核同意，编制办事指南任务已完成。")
    workbook = build_consolidated_workbook(org_name=org.name, version=submission.version,
                                           agencies=list(names.values()),
                                           lines=_opinion_lines(session, consolidated, list(names.values())),
                                           response_due=due, reply_address=address, title="办事指南",
                                           instruction=instruction)
    letter = guides_verdict_letter(org_name=org.name, version=submission.version, agencies=agencies, revise=revise,
                                   agreed=len(consolidated.items) - len(revise), due=due, reply_address=address,
                                   tag=subject_tag(token), filename=filename)
    to = contact_email(session, org.id)
    queue_message(session, key=f"consolidated:{submission.id}", to=[to] if to else [], subject=letter.subject,
                  text=letter.text, html=letter.html, reply_to=address, kind="consolidated_opinion",
                  obligation_id=guides.id, attachments=[Attachment(filename, workbook, XLSX)], now=now,
                  mail_domain=settings.smtp.mail_domain)


def _issue_certificates(session: Session, campaign: Campaign, consolidated: ConsolidatedOpinion,
                        submission: Submission, settings: Settings, now: datetime) -> None:
    """The dispositions the review arrived at become each certificate's final disposition."""
    org = session.get(Organisation, submission.org_id)
    ledger = session.get(Obligation, submission.obligation_id)
    record_dispositions(session, submission.id, {i.name: (i.outcome, i.reason) for i in consolidated.items})
    _, packet = packet_rows(session, CERTIFICATES, submission.id)
    proposed = {r.name: r.declared for r in packet}
    counts = Counter(i.outcome for i in consolidated.items)
    record_change(session, ledger, "system", "reviewed", ledger.state, ledger.state,
                  f"证明事项清理表第 {submission.version} 版审核完成："
                  + "，".join(f"{k} {v} 项" for k, v in counts.items()), now)
    names = list(_agency_names(session, campaign, CERTIFICATES).values())
    token = token_for(session, ledger.id, now)
    address = reply_address(settings.mailbox.intake_address, token)
    filename = f"证明事项审核意见-{org.short_name or org.code}-第{submission.version}版.xlsx"
    workbook = build_consolidated_workbook(org_name=org.name, version=submission.version, agencies=names,
                                           lines=_opinion_lines(session, consolidated, names), response_due=None,
                                           reply_address=address, title="证明事项清理表", name_header="证明名称",
                                           instruction="「综合意见」为审定的处理方式，请按此执行。")
    changed = [[i.name, proposed.get(i.name, ""), i.outcome] for i in consolidated.items
               if i.outcome != proposed.get(i.name)]
    letter = certificates_verdict_letter(org_name=org.name, version=submission.version, counts=dict(counts),
                                         changed=changed, tag=subject_tag(token), filename=filename)
    to = contact_email(session, org.id)
    queue_message(session, key=f"consolidated:{submission.id}", to=[to] if to else [], subject=letter.subject,
                  text=letter.text, html=letter.html, reply_to=address, kind="consolidated_opinion",
                  obligation_id=ledger.id, attachments=[Attachment(filename, workbook, XLSX)], now=now,
                  mail_domain=settings.smtp.mail_domain)


def decide_conflict(session: Session, submission_id: int, seq: str, opinion: str, reason: str, actor: str,
                    settings: Settings, now: datetime, adjusted: str = "") -> tuple[ConsolidatedItem, bool]:
    """Record the coordinator's decision on one conflicting item; returns (item, opinion issued now)."""
    consolidated = session.scalar(select(ConsolidatedOpinion).where(ConsolidatedOpinion.submission_id == submission_id))
    if consolidated is None:
        raise ReviewError(f"送审编号 {submission_id} 还没有汇总的书面审核意见（四家单位的意见尚未全部收到）")
    if consolidated.state == ISSUED:
        raise ReviewError(f"送审编号 {submission_id} 的书面审核意见已于 {consolidated.issued_at:%Y-%m-%d} 发出，不能再修改")
    item = next((i for i in consolidated.items if fold(i.seq) == fold(seq)), None)
    conflicting = [i.seq for i in consolidated.items if i.conflict]
    if item is None or not item.conflict:
        what = f"序号 {seq} 的各单位意见一致，无需协调" if item else f"送审编号 {submission_id} 中没有序号 {seq}"
        raise ReviewError(f"{what}；需要协调的序号：{'、'.join(conflicting) or '无'}")
    submission = session.get(Submission, submission_id)
    subject = subject_of(session, submission)
    _, packet = packet_rows(session, subject, submission_id)
    row = ReviewRow(0, item.seq, item.name, opinion, reason, adjusted)
    findings = check_opinion(row, subject.scheme) or refused_outcomes(subject, packet, [row])
    if findings:
        raise ReviewError("；".join(f.what for f in findings))
    if subject is CERTIFICATES:
        declared = next((r.declared for r in packet if item_key(r.seq, r.name) == item_key(item.seq, item.name)), "")
        opinion = disposition_of(opinion, declared)
    decision = session.scalar(select(CoordinatorDecision).where(CoordinatorDecision.item_id == item.id))
    if decision is None:
        decision = CoordinatorDecision(item_id=item.id)
        session.add(decision)
    decision.opinion, decision.reason, decision.actor, decision.decided_at = fold(opinion), reason, actor, now
    item.outcome, item.reason, item.adjusted = fold(opinion), reason, adjusted
    session.add(AuditEntry(at=now, actor=actor, entity="consolidated_item", entity_id=item.id, action="decide",
                           to_state=fold(opinion), reason=f"协调决定：{reason}", district=item.district))
    session.flush()
    if all(i.outcome for i in consolidated.items):
        issue(session, consolidated, settings, now)
        return item, True
    return item, False
