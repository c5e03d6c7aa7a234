"""Taking in one submission: identify it, check the file, validate it, store it and answer it.

Everything here happens in the caller's transaction, so a message's effects (the submission, its
items, the obligation's new state, the receipt in the outbox and the record that the message was
seen) commit together or not at all.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from notifications.inbound import InboundAttachment, InboundMail, read_mail
from notifications.intake_letters import (
    Letter,
    accepted_receipt,
    complaint_acknowledgement,
    misrouted_notice,
    quarantine_notice,
    rejected_receipt,
)
from notifications.outbox import XLSX, Attachment, coordinator_addresses, queue_message
from reform.settings import Settings
from registry.models import Contact, Obligation, Organisation
from registry.reply_tokens import obligation_for_token, subject_tag, token_for
from registry.submission_models import MailboxMessage, ReplyToken
from registry.submissions import record_submission
from rules.obligations import CLOSED, State
from workbooks.inventory_parse import parse_inventory
from workbooks.inventory_rules import Validation, summarise, validate_inventory
from workbooks.problem_report import build_problem_report
from workbooks.problems import Problem
from workbooks.safety import Limits, check_workbook, is_spreadsheet_name


class UnknownDepartment(LookupError):
    pass


@dataclass(frozen=True)
class IntakeResult:
    """What happened to one message or file: plain values, so a task can return it."""

    outcome: str  # accepted | zero_report | rejected | quarantined | misrouted
    sender: str = ""
    org_code: str = ""
    obligation_id: int | None = None
    submission_id: int | None = None
    version: int | None = None
    items: int = 0
    problems: int = 0
    already_seen: bool = False
    receipt: str = ""  # the receipt's text, for the CLI to print


def limits_from(settings: Settings) -> Limits:
    return Limits(settings.intake_max_attachment_bytes, settings.intake_max_expanded_bytes,
                  settings.intake_max_expansion_ratio)


def check_and_validate(filename: str, content: bytes, settings: Settings, org_code: str | None) -> Validation:
    """The same checks for a file from the mailbox and for one given to `reform submit`."""
    unsafe = check_workbook(filename, content, limits_from(settings))
    if unsafe is not None:
        return Validation(problems=[unsafe], problem_count=1)
    return validate_inventory(parse_inventory(content), settings.intake_max_rows, org_code)


def take_in_mail(session: Session, raw: bytes, settings: Settings, now: datetime) -> IntakeResult:
    mail = read_mail(raw, settings.intake_address.partition("@")[0])
    seen = session.scalar(select(MailboxMessage).where(MailboxMessage.key == mail.key))
    if seen is not None:
        return IntakeResult(seen.outcome, mail.sender, obligation_id=seen.obligation_id,
                            submission_id=seen.submission_id, already_seen=True)
    if settings.complaints_address.lower() in mail.recipients:
        return _take_in_complaint(session, mail, settings, now)
    orgs = _orgs_of_sender(session, mail.sender)
    if not orgs:
        return _quarantine(session, mail, raw, settings, now)
    obligation = _obligation(session, mail, orgs)
    if obligation is not None and obligation.debtor_id not in {o.id for o in orgs}:
        return _misrouted(session, mail, orgs[0], obligation, settings, now)
    from registry.review_replies import is_review_reply, take_in_review_reply  # the review phase (issue 4)

    if is_review_reply(obligation, mail):
        return take_in_review_reply(session, mail, obligation, orgs, settings, now)
    if obligation is None:
        return _unidentified(session, mail, orgs[0], settings, now)
    filename, content, validation = _validate_attachments(mail.attachments, settings, obligation.debtor.code)
    result = _store_and_answer(session, obligation, validation, filename=filename, content=content, source="email",
                               settings=settings, now=now, to=mail.sender, in_reply_to=mail.message_id,
                               receipt_key=receipt_key(mail))
    remember_message(session, mail, result.outcome, obligation.id, result.submission_id, now,
              f"{result.items} 个事项" if result.outcome == "accepted" else f"{result.problems} 处问题")
    return result


def _take_in_complaint(session: Session, mail: InboundMail, settings: Settings, now: datetime) -> IntakeResult:
    """A complaint from the public: recorded (assigned when the subject names one department),
    acknowledged to the complainant, escalated like any obligation by the daily sweep."""
    from registry.complaints import department_named_in, record_complaint

    complaint = record_complaint(
        session, text=mail.text or mail.subject, subject=mail.subject, received_on=now.date(),
        department=department_named_in(session, mail.subject), complainant=mail.sender_name,
        complainant_contact=mail.sender, channel="email", source_ref=mail.key, mail_domain=settings.mail_domain)
    _queue(session, f"complaint:{complaint.id}:received", [mail.sender] if mail.sender else [],
           complaint_acknowledgement(complaint.id, mail.subject, now), settings, now, complaint.obligation_id,
           "complaint", in_reply_to=mail.message_id)
    remember_message(session, mail, "complaint", complaint.obligation_id, None, now, f"投诉第 {complaint.id} 号")
    return IntakeResult("complaint", mail.sender, obligation_id=complaint.obligation_id)


def take_in_file(session: Session, org_code: str, filename: str, content: bytes, settings: Settings,
                 now: datetime, phase_code: str = "inventory") -> IntakeResult:
    """`reform submit`: a workbook that arrived some other way, through the same checks and storage."""
    from registry.obligations import UnknownObligation, find_obligation

    try:
        obligation = find_obligation(session, phase_code, org_code)
    except UnknownObligation as error:
        raise UnknownDepartment(str(error)) from error
    validation = check_and_validate(filename, content, settings, org_code)
    return _store_and_answer(session, obligation, validation, filename=filename, content=content, source="cli",
                             settings=settings, now=now, to=None, in_reply_to="", receipt_key="")


def _validate_attachments(attachments: tuple[InboundAttachment, ...], settings: Settings,
                          org_code: str) -> tuple[str, bytes | None, Validation]:
    workbooks = [a for a in attachments if is_spreadsheet_name(a.filename)]
    if not workbooks:
        others = "、".join(a.filename for a in attachments)
        what = f"邮件中没有 Excel 工作簿附件（收到的附件：{others}）" if others else "邮件中没有附件"
        return "", None, _one_problem(what, "请把填好的「公共服务事项清单」工作簿（.xlsx）作为附件回复本邮件")
    if len(workbooks) > 1:
        names = "、".join(f"「{a.filename}」" for a in workbooks)
        return "", None, _one_problem(f"邮件中有 {len(workbooks)} 个表格附件：{names}，无法确定以哪一个为准",
                                      "每封邮件只附一个工作簿；请只附最终版本后重新发送")
    attachment = workbooks[0]
    return attachment.filename, attachment.content, check_and_validate(attachment.filename, attachment.content,
                                                                       settings, org_code)


def receipt_key(mail: InboundMail) -> str:
    # Message-IDs can be long; the outbox key only has to be unique per message.
    return f"receipt:{hashlib.sha256(mail.key.encode()).hexdigest()[:40]}"


def _one_problem(what: str, fix: str) -> Validation:
    return Validation(problems=[Problem(what, fix)], problem_count=1)


def _store_and_answer(session: Session, obligation: Obligation, validation: Validation, *, filename: str,
                      content: bytes | None, source: str, settings: Settings, now: datetime, to: str | None,
                      in_reply_to: str, receipt_key: str) -> IntakeResult:
    earlier_stands = obligation.state == State.FULFILLED
    org = obligation.debtor
    submission = record_submission(session, obligation, validation, filename=filename, content=content,
                                   source=source, received_at=now, actor=org.code)
    tag = subject_tag(token_for(session, obligation.id, now))
    attachments = []
    if validation.accepted:
        letter = accepted_receipt(org_name=org.name, version=submission.version, filename=filename, tag=tag,
                                  zero_report=validation.zero_report, summary=summarise(validation.items),
                                  received=now)
        outcome = "zero_report" if validation.zero_report else "accepted"
    else:
        letter = rejected_receipt(org_name=org.name, version=submission.version, filename=filename, tag=tag,
                                  problems=validation.problems, problem_count=validation.problem_count,
                                  deadline=obligation.due, earlier_stands=earlier_stands, received=now)
        attachments = [Attachment("问题清单.xlsx", build_problem_report(validation.problems), XLSX)]
        outcome = "rejected"
    if to is not None:
        _queue(session, receipt_key, [to], letter, settings, now, obligation.id, kind="receipt",
               in_reply_to=in_reply_to, attachments=attachments)
    return IntakeResult(outcome, to or "", org.code, obligation.id, submission.id, submission.version,
                        len(validation.items), validation.problem_count, receipt=letter.text)


def _queue(session: Session, key: str, to: list[str], letter: Letter, settings: Settings, now: datetime,
           obligation_id: int | None, kind: str, in_reply_to: str = "", attachments=()) -> None:
    if to:
        queue_message(session, key=key, to=to, subject=letter.subject, text=letter.text, html=letter.html,
                      kind=kind, obligation_id=obligation_id, in_reply_to=in_reply_to, attachments=list(attachments),
                      now=now, mail_domain=settings.mail_domain)


def _orgs_of_sender(session: Session, sender: str) -> list[Organisation]:
    if not sender:
        return []
    registered = select(Contact.org_id).where(func.lower(Contact.email) == sender)
    return list(session.scalars(select(Organisation).where(Organisation.id.in_(registered))
                                .order_by(Organisation.id)))


def _obligation(session: Session, mail: InboundMail, orgs: list[Organisation]) -> Obligation | None:
    """By token; without one, the sender's only open obligation that was called for by email."""
    for token in mail.tokens:
        obligation_id = obligation_for_token(session, token)
        if obligation_id is not None:
            return session.get(Obligation, obligation_id)
    candidates = session.scalars(
        select(Obligation).join(ReplyToken, ReplyToken.obligation_id == Obligation.id)
        .where(Obligation.debtor_id.in_([o.id for o in orgs]), Obligation.state.not_in([str(s) for s in CLOSED]))
    ).all()
    return candidates[0] if len(candidates) == 1 else None


def remember_message(session: Session, mail: InboundMail, outcome: str, obligation_id: int | None,
              submission_id: int | None, now: datetime, detail: str, raw: bytes | None = None) -> MailboxMessage:
    row = MailboxMessage(key=mail.key, sender=mail.sender[:254], subject=mail.subject[:500], received_at=now,
                         outcome=outcome, obligation_id=obligation_id, submission_id=submission_id,
                         detail=detail, raw=raw)
    session.add(row)
    session.flush()
    return row


def _quarantine(session: Session, mail: InboundMail, raw: bytes, settings: Settings, now: datetime) -> IntakeResult:
    row = remember_message(session, mail, "quarantined", None, None, now, "发件地址未登记", raw=raw)
    letter = quarantine_notice(sender=mail.sender, subject=mail.subject,
                               attachments=[a.filename for a in mail.attachments], received=now)
    _queue(session, f"quarantine:{row.id}", coordinator_addresses(session), letter, settings, now, None,
           kind="intake_notice")
    return IntakeResult("quarantined", mail.sender)


def _misrouted(session: Session, mail: InboundMail, org: Organisation, obligation: Obligation,
               settings: Settings, now: datetime) -> IntakeResult:
    row = remember_message(session, mail, "misrouted", obligation.id, None, now,
                    f"{org.code} 使用了 {obligation.debtor.code} 的报送编号")
    notice = misrouted_notice(sender=mail.sender, sender_org=org.name, token_org=obligation.debtor.name,
                              subject=mail.subject, received=now)
    _queue(session, f"misrouted:{row.id}", coordinator_addresses(session), notice, settings, now, obligation.id,
           kind="intake_notice")
    problem = Problem(f"本邮件使用的报送编号属于{obligation.debtor.name}，不是贵单位（{org.name}）的",
                      "请回复发给贵单位的通知邮件报送；代其他单位报送的，请由该单位自行报送")
    letter = rejected_receipt(org_name=org.name, version=0, filename="", tag="", problems=[problem], problem_count=1,
                              deadline=None, earlier_stands=False, received=now)
    _queue(session, receipt_key(mail), [mail.sender], letter, settings, now, None, kind="receipt",
           in_reply_to=mail.message_id)
    return IntakeResult("misrouted", mail.sender, org.code, obligation.id, problems=1)


def _unidentified(session: Session, mail: InboundMail, org: Organisation, settings: Settings,
                  now: datetime) -> IntakeResult:
    remember_message(session, mail, "rejected", None, None, now, "无法确定报送事项")
    problem = Problem("无法确定本邮件报送的是哪一项任务（收件地址或主题中没有有效的报送编号）",
                      "请直接回复市编委办发来的通知邮件，不要修改收件地址和主题中的 [RF-…] 编号")
    letter = rejected_receipt(org_name=org.name, version=0, filename="", tag="", problems=[problem], problem_count=1,
                              deadline=None, earlier_stands=False, received=now)
    _queue(session, receipt_key(mail), [mail.sender], letter, settings, now, None, kind="receipt",
           in_reply_to=mail.message_id)
    return IntakeResult("rejected", mail.sender, org.code, problems=1)
