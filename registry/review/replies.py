"""An agency's review workbook arriving through the intake mailbox: checked, stored, answered at once.

Called by registry.intake.take_in_mail when the reply token names a review obligation, or when the
attachment is a review packet whatever thread it came on. Runs in the intake transaction, so the
opinions, the obligation's new state, the receipt and the mailbox record commit together.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.problems import Problem
from core.settings import Settings
from notifications.inbound import InboundMail
from notifications.review_letters import (
    late_opinion_notice,
    opinion_accepted,
    opinion_duplicate,
    opinion_rejected,
)
from registry.campaign.audit import move_obligation, record_change
from registry.campaign.tables import Obligation
from registry.directory.queries import coordinator_addresses
from registry.directory.tables import Organisation
from registry.intake.reply_tokens import subject_tag, token_for
from registry.intake.tables import Submission
from registry.intake.workbooks import (
    IntakeResult,
    limits_from,
    receipt_key,
    remember_message,
)
from registry.outbox.queue import XLSX, Attachment, queue_message
from registry.review.obligations import find_ref_obligation
from registry.review.subjects import REVIEW_PHASES, campaign_of, packet_rows, refused_outcomes, subject_of
from registry.review.tables import ConsolidatedOpinion, ReviewOpinion, ReviewReply
from rules.cell_text import fold
from rules.obligations import State
from rules.review import canonical_opinions, check_review_rows
from workbooks.problem_report import build_problem_report
from workbooks.review_packet import SHEET, is_review_packet, parse_review_packet
from workbooks.safety import check_workbook, is_spreadsheet_name

OPINION, DUPLICATE, LATE, REJECTED = "opinion", "opinion_duplicate", "opinion_late", "rejected"


def is_review_reply(obligation: Obligation | None, mail: InboundMail) -> bool:
    """A reply on a review thread, or a review packet sent on any thread (or none): the packet's
    cover says which submission it is about, and the handler checks the sender was asked."""
    if obligation is not None and obligation.phase.code in REVIEW_PHASES:
        return True
    return any(is_spreadsheet_name(a.filename) and is_review_packet(a.content) for a in mail.attachments)


def take_in_review_reply(session: Session, mail: InboundMail, thread: Obligation | None, orgs: list[Organisation],
                         settings: Settings, now: datetime) -> IntakeResult:
    """``thread`` is the obligation the reply token named, if any: a workbook too broken to say which
    submission it is about is charged to the review obligation whose thread it came on."""
    agency = orgs[0]
    if thread is not None and thread.phase.code not in REVIEW_PHASES:
        thread = None
    thread_submission = session.get(Submission, int(thread.ref)) if thread is not None else None
    workbooks = [a for a in mail.attachments if is_spreadsheet_name(a.filename)]
    if len(workbooks) != 1:
        what = "邮件中没有 Excel 工作簿附件" if not workbooks else f"邮件中有 {len(workbooks)} 个表格附件，无法确定以哪一个为准"
        return _reject(session, mail, agency, thread, thread_submission, "", None,
                       [Problem(what, "请把填好的审核意见表（.xlsx）作为唯一附件回复审核邮件")], settings, now)
    attachment = workbooks[0]
    unsafe = check_workbook(attachment.filename, attachment.content, limits_from(settings))
    if unsafe is not None:
        return _reject(session, mail, agency, thread, thread_submission, attachment.filename, None, [unsafe],
                       settings, now)
    parsed = parse_review_packet(attachment.content)
    if parsed.problems:
        return _reject(session, mail, agency, thread, thread_submission, attachment.filename, None,
                       parsed.problems, settings, now)
    obligation = _review_obligation(session, parsed.submission_id, [o.id for o in orgs])
    submission = session.get(Submission, parsed.submission_id)
    if obligation is None:
        what = (f"贵单位没有被要求审核送审编号 {parsed.submission_id} 的材料"
                + (f"（{session.get(Organisation, submission.org_id).name}第 {submission.version} 版）"
                   if submission else "（该编号不存在）"))
        return _reject(session, mail, agency, None, submission, attachment.filename, None,
                       [Problem(what, "请只回复发给贵单位的审核邮件；如认为应当参与审核，请与市编委办联系",
                                sheet="审核封面", column="送审编号")], settings, now)
    agency = obligation.debtor
    if obligation.state == State.WAIVED:
        return _reject(session, mail, agency, None, submission, attachment.filename, None, [Problem(
            f"送审编号 {submission.id} 的清单已被该部门的新版本取代，本次意见未登记",
            "请审核随后发来的新版本审核意见表，并回复那封邮件")], settings, now)
    subject = subject_of(session, submission)
    _, packet = packet_rows(session, subject, submission.id)
    findings = check_review_rows([(r.seq, r.name) for r in packet], parsed.rows, subject.scheme)
    if not findings:
        findings = refused_outcomes(subject, packet, parsed.rows)
    problems = [Problem(f.what, f.fix, sheet=SHEET, row=f.row, column=f.column) for f in findings]
    if problems:
        return _reject(session, mail, agency, obligation, submission, attachment.filename, attachment.content,
                       problems, settings, now)
    return _accept(session, mail, obligation, submission, parsed.rows, attachment, settings, now)


def _review_obligation(session: Session, submission_id: int | None, org_ids: list[int]) -> Obligation | None:
    submission = session.get(Submission, submission_id) if submission_id is not None else None
    subject = subject_of(session, submission) if submission is not None else None
    if subject is None:
        return None
    for obligation in find_ref_obligation(session, campaign_of(session, submission).id, subject.review_phase,
                                          str(submission_id)):
        if obligation.debtor_id in org_ids:
            return obligation
    return None


def _next_version(session: Session, obligation_id: int) -> int:
    return (session.scalar(select(func.max(ReviewReply.version))
                           .where(ReviewReply.obligation_id == obligation_id)) or 0) + 1


def digest_of(rows) -> str:
    return hashlib.sha256(json.dumps(canonical_opinions(rows), ensure_ascii=False).encode()).hexdigest()


def _accept(session: Session, mail: InboundMail, obligation: Obligation, submission: Submission, rows,
            attachment, settings: Settings, now: datetime) -> IntakeResult:
    agency, org = obligation.debtor, session.get(Organisation, submission.org_id)
    tag = subject_tag(token_for(session, obligation.id, now))
    digest = digest_of(rows)
    current = session.scalar(select(ReviewReply).where(ReviewReply.obligation_id == obligation.id,
                                                       ReviewReply.state == "accepted"))
    if current is not None and current.digest == digest:
        letter = opinion_duplicate(agency_name=agency.name, org_name=org.name, reply_version=current.version, tag=tag,
                                   received=now)
        _answer(session, mail, letter, settings, now, obligation.id)
        remember_message(session, mail, DUPLICATE, obligation.id, submission.id, now, f"与第 {current.version} 次意见相同")
        return IntakeResult(DUPLICATE, mail.sender, agency.code, obligation.id, submission.id, current.version,
                            len(rows), receipt=letter.text)
    after_merge = session.scalar(select(ConsolidatedOpinion.id)
                                 .where(ConsolidatedOpinion.submission_id == submission.id)) is not None
    reply = store_opinions(session, obligation, submission, rows, now, source="email", filename=attachment.filename,
                           content=attachment.content, after_merge=after_merge)
    counts = Counter(fold(r.opinion) for r in rows)
    choices = subject_of(session, submission).scheme.choices
    letter = opinion_accepted(agency_name=agency.name, org_name=org.name, reply_version=reply.version,
                              counts={o: counts.get(o, 0) for o in choices}, after_merge=after_merge, tag=tag,
                              received=now)
    _answer(session, mail, letter, settings, now, obligation.id)
    if after_merge:
        notice = late_opinion_notice(agency_name=agency.name, org_name=org.name, submission_id=submission.id,
                                     received=now)
        queue_message(session, key=f"late-opinion:{reply.id}", to=coordinator_addresses(session, obligation.district),
                      subject=notice.subject, text=notice.text, html=notice.html, kind="review_notice",
                      obligation_id=obligation.id, now=now, mail_domain=settings.smtp.mail_domain)
    outcome = LATE if after_merge else OPINION
    remember_message(session, mail, outcome, obligation.id, submission.id, now, f"第 {reply.version} 次审核意见")
    return IntakeResult(outcome, mail.sender, agency.code, obligation.id, submission.id, reply.version, len(rows),
                        receipt=letter.text)


def store_opinions(session: Session, obligation: Obligation, submission: Submission, rows, now: datetime, *,
                   source: str, filename: str = "", content: bytes | None = None,
                   after_merge: bool = False) -> ReviewReply:
    """Store a checked set of opinions as the agency's current reply (email today, the dashboard later)."""
    previous = session.scalars(select(ReviewReply).where(ReviewReply.obligation_id == obligation.id,
                                                         ReviewReply.state == "accepted")).all()
    for old in previous:
        old.state = "superseded"
    reply = ReviewReply(obligation_id=obligation.id, submission_id=submission.id, agency_id=obligation.debtor_id,
                        version=_next_version(session, obligation.id), state="accepted", source=source,
                        received_at=now, after_merge=after_merge, digest=digest_of(rows), filename=filename[:255],
                        content=content,
                        opinions=[ReviewOpinion(position=n, seq=r.seq, name=r.name, opinion=fold(r.opinion),
                                                reason=r.reason, adjusted=r.adjusted)
                                  for n, r in enumerate(rows)])
    session.add(reply)
    session.flush()
    what = "（汇总后收到，已标注）" if after_merge else ""
    if obligation.state in (State.OPEN, State.RETURNED):
        move_obligation(session, obligation, State.FULFILLED, obligation.debtor.code,
                        f"第 {reply.version} 次审核意见已登记{what}", now)
    else:
        record_change(session, obligation, obligation.debtor.code, "revised_opinion", obligation.state,
                      obligation.state, f"第 {reply.version} 次审核意见取代此前意见{what}", now)
    return reply


def _reject(session: Session, mail: InboundMail, agency: Organisation, obligation: Obligation | None,
            submission: Submission | None, filename: str, content: bytes | None, problems: list[Problem],
            settings: Settings, now: datetime) -> IntakeResult:
    version = None
    if obligation is not None:
        reply = ReviewReply(obligation_id=obligation.id, submission_id=submission.id, agency_id=obligation.debtor_id,
                            version=_next_version(session, obligation.id), state="rejected", source="email",
                            received_at=now, problem_count=len(problems),
                            problems=[p.as_dict() for p in problems[:200]], filename=filename[:255], content=content)
        session.add(reply)
        session.flush()
        version = reply.version
        if obligation.state in (State.OPEN, State.RETURNED):
            move_obligation(session, obligation, State.RETURNED, agency.code,
                            f"第 {reply.version} 次审核意见有 {len(problems)} 处问题，已退回", now)
    org_name = session.get(Organisation, submission.org_id).name if submission else ""
    tag = subject_tag(token_for(session, obligation.id, now)) if obligation else ""
    letter = opinion_rejected(agency_name=agency.name, org_name=org_name, filename=filename, problems=problems,
                              problem_count=len(problems), deadline=obligation.due if obligation else None, tag=tag,
                              received=now)
    _answer(session, mail, letter, settings, now, obligation.id if obligation else None,
            [Attachment("问题清单.xlsx", build_problem_report(problems), XLSX)])
    remember_message(session, mail, REJECTED, obligation.id if obligation else None, submission.id if submission else None,
              now, f"审核意见 {len(problems)} 处问题")
    return IntakeResult(REJECTED, mail.sender, agency.code, obligation.id if obligation else None,
                        submission.id if submission else None, version, problems=len(problems), receipt=letter.text)


def _answer(session: Session, mail: InboundMail, letter, settings: Settings, now: datetime,
            obligation_id: int | None, attachments=()) -> None:
    queue_message(session, key=receipt_key(mail), to=[mail.sender], subject=letter.subject, text=letter.text,
                  html=letter.html, kind="receipt", obligation_id=obligation_id, in_reply_to=mail.message_id,
                  attachments=list(attachments), now=now, mail_domain=settings.smtp.mail_domain)
