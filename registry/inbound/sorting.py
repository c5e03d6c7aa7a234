"""Sorting every message of the intake mailbox: a submission, a review opinion, a published address,
a complaint, a stranger.

The one place that knows every kind of inbound mail; it hands each to the capability it belongs
to, so none of them imports another sideways. Everything runs in the caller's transaction, so a
message's effects and the record that it was seen commit together.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.problems import Problem
from core.settings import Settings
from notifications.failure_letters import quarantine_cap_line
from notifications.inbound import InboundMail, read_mail
from notifications.intake_letters import (
    complaint_acknowledgement,
    misrouted_notice,
    quarantine_notice,
    rejected_receipt,
)
from notifications.mailbox import FetchedMessage
from registry.campaign.tables import Obligation
from registry.directory.queries import coordinator_addresses, orgs_of_sender
from registry.directory.tables import Organisation
from registry.intake.claims import MessageFacts, claim_message, claimed_row
from registry.intake.reply_tokens import obligation_for_token
from registry.intake.submissions import Stored
from registry.intake.tables import MailboxMessage, ReplyToken
from registry.intake.workbooks import (
    IntakeResult,
    oversize_problem,
    receipt_key,
    remember_message,
    take_in_submission_mail,
)
from registry.outbox.queue import queue_letter
from registry.publication.addresses import take_in_address
from registry.review.replies import is_review_reply, take_in_review_reply
from registry.self_reports.taking import take_in_self_report
from registry.supervision.complaints import department_named_in, record_complaint
from rules.documents import DocumentKind
from rules.obligations import CLOSED


def take_in_mail(session: Session, message: FetchedMessage | bytes, settings: Settings,
                 now: datetime) -> IntakeResult:
    """``message`` as fetched (a message over the size limit comes as its header alone), or raw bytes."""
    message = FetchedMessage.whole(message) if isinstance(message, bytes) else message
    # A message too large to read is sorted by its header and refused by its size. One read whole
    # is its own header as well: its header block is the same bytes, and its key the same digest.
    local_part = settings.mailbox.intake_local_part
    mail = read_head(message, settings) if message.raw is None else read_mail(message.raw, local_part)
    claim = claim_message(session, facts_of(mail, message), now)
    if not claim.ours:
        return seen_or_busy(claim.row, mail)
    if mail.automatic:  # an auto-reply or a delivery report: recorded, never answered, changes nothing
        remember_message(session, mail, "automatic", None, None, now, mail.automatic)
        return IntakeResult("automatic", mail.sender)
    if settings.mailbox.complaints_address.lower() in mail.recipients:
        return _take_in_complaint(session, mail, settings, now)
    orgs = orgs_of_sender(session, mail.sender)
    if not orgs:
        return _quarantine(session, mail, settings, now)
    obligation = _obligation(session, mail, orgs)
    if obligation is not None and obligation.debtor_id not in {o.id for o in orgs}:
        return _misrouted(session, mail, orgs[0], obligation, settings, now)
    if message.raw is None and obligation is not None:
        refused = oversize_problem(message.size, settings.limits.max_message_bytes)
        return take_in_submission_mail(session, mail, obligation, settings, now,
                                       refused=(refused, Stored(None, message.size, message.sha256)))
    if is_review_reply(obligation, mail):
        return take_in_review_reply(session, mail, obligation, orgs, settings, now)
    if obligation is None:
        return _unidentified(session, mail, orgs[0], settings, now)
    if obligation.phase.document == DocumentKind.PUBLICATION_ADDRESS:
        return take_in_address(session, mail, obligation, settings, now)
    if obligation.phase.document == DocumentKind.SELF_REPORT:
        return take_in_self_report(session, mail, obligation, settings, now)
    return take_in_submission_mail(session, mail, obligation, settings, now)


def read_head(message: FetchedMessage, settings: Settings) -> InboundMail:
    """The message's header as mail (no body, no attachments), keyed as the whole message is."""
    head = read_mail(message.header, settings.mailbox.intake_local_part)
    return head if head.message_id else dataclasses.replace(head, key=f"sha256:{message.sha256}")


def facts_of(head: InboundMail, message: FetchedMessage) -> MessageFacts:
    headers = message.header.decode("utf-8", "replace")[:HEADERS_KEPT]
    return MessageFacts(head.key, head.sender, head.subject, message.size, message.sha256, headers)


# Headers beyond this are not kept: a message's own headers are a few kilobytes.
HEADERS_KEPT = 64 * 1024


def seen_or_busy(row: MailboxMessage | None, head: InboundMail) -> IntakeResult:
    """A message this worker does not take in: taken in already, or being taken in by another worker."""
    if row is None:
        return IntakeResult(BUSY, head.sender, already_seen=True)
    return IntakeResult(row.outcome, head.sender, obligation_id=row.obligation_id,
                        submission_id=row.submission_id, already_seen=True)


BUSY = "busy"  # another worker holds the message: it is neither taken in here nor marked done


def _take_in_complaint(session: Session, mail: InboundMail, settings: Settings, now: datetime) -> IntakeResult:
    """A complaint from the public: recorded (assigned when the subject names one department),
    acknowledged to the complainant, escalated like any obligation by the daily sweep."""
    complaint = record_complaint(
        session, text=mail.text or mail.subject, subject=mail.subject, received_on=now.date(),
        department=department_named_in(session, mail.subject), complainant=mail.sender_name,
        complainant_contact=mail.sender, channel="email", source_ref=mail.key, mail_domain=settings.smtp.mail_domain)
    queue_letter(session, f"complaint:{complaint.id}:received", [mail.sender] if mail.sender else [],
           complaint_acknowledgement(complaint.id, mail.subject, now), settings, now, complaint.obligation_id,
           "complaint", in_reply_to=mail.message_id)
    remember_message(session, mail, "complaint", complaint.obligation_id, None, now, f"投诉第 {complaint.id} 号")
    return IntakeResult("complaint", mail.sender, obligation_id=complaint.obligation_id)


def _obligation(session: Session, mail: InboundMail, orgs: list[Organisation]) -> Obligation | None:
    """By token; without one, the sender's only open obligation that was called for by email."""
    for token in mail.tokens:
        obligation = obligation_for_token(session, token)
        if obligation is not None:
            return obligation
    candidates = session.scalars(
        select(Obligation).join(ReplyToken, ReplyToken.obligation_id == Obligation.id)
        .where(Obligation.debtor_id.in_([o.id for o in orgs]), Obligation.state.not_in([str(s) for s in CLOSED]))
    ).all()
    return candidates[0] if len(candidates) == 1 else None


def _quarantine(session: Session, mail: InboundMail, settings: Settings, now: datetime) -> IntakeResult:
    """A stranger's message: kept as its header, size and digest, the coordinator told. Beyond the
    day's cap for the sender, neither kept nor told, so a stranger can fill neither disk nor inbox."""
    cap = settings.limits.quarantine_per_sender_per_day
    held = quarantined_today(session, mail.sender, now)
    if held >= cap:
        session.delete(claimed_row(session, mail.key))
        return IntakeResult(DROPPED, mail.sender)
    row = remember_message(session, mail, "quarantined", None, None, now, "发件地址未登记")
    letter = quarantine_notice(sender=mail.sender, subject=mail.subject,
                               attachments=[a.filename for a in mail.attachments], received=now)
    if held + 1 == cap:
        line = quarantine_cap_line(cap)
        letter = dataclasses.replace(letter, text=letter.text + "\n" + line + "\n",
                                     html=letter.html.replace("</body>", f"<p>{line}</p></body>"))
    queue_letter(session, f"quarantine:{row.id}", coordinator_addresses(session), letter, settings, now, None,
           kind="intake_notice")
    return IntakeResult("quarantined", mail.sender)


DROPPED = "dropped"  # a stranger's message beyond the day's quarantine cap: marked done, nothing kept


def quarantined_today(session: Session, sender: str, now: datetime) -> int:
    start = datetime.combine(now.date(), time())
    return session.scalar(select(func.count()).select_from(MailboxMessage).where(
        MailboxMessage.sender == sender[:254], MailboxMessage.outcome == "quarantined",
        MailboxMessage.received_at >= start, MailboxMessage.received_at < start + timedelta(days=1))) or 0


def _misrouted(session: Session, mail: InboundMail, org: Organisation, obligation: Obligation,
               settings: Settings, now: datetime) -> IntakeResult:
    row = remember_message(session, mail, "misrouted", obligation.id, None, now,
                    f"{org.code} 使用了 {obligation.debtor.code} 的报送编号")
    notice = misrouted_notice(sender=mail.sender, sender_org=org.name, token_org=obligation.debtor.name,
                              subject=mail.subject, received=now)
    queue_letter(session, f"misrouted:{row.id}", coordinator_addresses(session, obligation.district), notice, settings,
                 now, obligation.id,
           kind="intake_notice")
    problem = Problem(f"本邮件使用的报送编号属于{obligation.debtor.name}，不是贵单位（{org.name}）的",
                      "请回复发给贵单位的通知邮件报送；代其他单位报送的，请由该单位自行报送")
    letter = rejected_receipt(org_name=org.name, version=0, filename="", tag="", problems=[problem], problem_count=1,
                              deadline=None, earlier_stands=False, received=now, document_name="", resend="材料")
    queue_letter(session, receipt_key(mail), [mail.sender], letter, settings, now, None, kind="receipt",
           in_reply_to=mail.message_id)
    return IntakeResult("misrouted", mail.sender, org.code, obligation.id, problems=1)


def _unidentified(session: Session, mail: InboundMail, org: Organisation, settings: Settings,
                  now: datetime) -> IntakeResult:
    remember_message(session, mail, "rejected", None, None, now, "无法确定报送事项")
    problem = Problem("无法确定本邮件报送的是哪一项任务（收件地址或主题中没有有效的报送编号）",
                      "请直接回复市编委办发来的通知邮件，不要修改收件地址和主题中的 [RF-…] 编号")
    letter = rejected_receipt(org_name=org.name, version=0, filename="", tag="", problems=[problem], problem_count=1,
                              deadline=None, earlier_stands=False, received=now, document_name="", resend="材料")
    queue_letter(session, receipt_key(mail), [mail.sender], letter, settings, now, None, kind="receipt",
           in_reply_to=mail.message_id)
    return IntakeResult("rejected", mail.sender, org.code, problems=1)

