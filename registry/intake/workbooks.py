"""Taking in one submission: identify it, check the file, validate it, store it and answer it.

Everything here happens in the caller's transaction, so a message's effects (the submission, its
items, the obligation's new state, the receipt in the outbox and the record that the message was
seen) commit together or not at all.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.errors import UserError
from core.problems import Problem
from core.settings import Settings
from notifications.inbound import InboundAttachment, InboundMail
from notifications.intake_letters import accepted_receipt, rejected_receipt
from registry.campaign.obligations import UnknownObligation, find_obligation
from registry.campaign.tables import Obligation
from registry.intake.reply_tokens import subject_tag, token_for
from registry.intake.submissions import record_submission
from registry.intake.tables import MailboxMessage
from registry.outbox.queue import XLSX, Attachment, queue_letter
from rules.obligations import State
from workbooks.inventory_parse import parse_inventory
from workbooks.inventory_rules import Validation, summarise, validate_inventory
from workbooks.problem_report import build_problem_report
from workbooks.safety import Limits, check_workbook, is_spreadsheet_name


class UnknownDepartment(UserError, LookupError):
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
    return Limits(settings.limits.max_attachment_bytes, settings.limits.max_expanded_bytes,
                  settings.limits.max_expansion_ratio)


def check_and_validate(filename: str, content: bytes, settings: Settings, org_code: str | None) -> Validation:
    """The same checks for a file from the mailbox and for one given to `reform submit`."""
    unsafe = check_workbook(filename, content, limits_from(settings))
    if unsafe is not None:
        return Validation(problems=[unsafe], problem_count=1)
    return validate_inventory(parse_inventory(content), settings.limits.max_rows, org_code)


def take_in_workbook_mail(session: Session, mail: InboundMail, obligation: Obligation, settings: Settings,
                          now: datetime) -> IntakeResult:
    """A department's workbook by email, on the thread of the obligation it answers."""
    filename, content, validation = _validate_attachments(mail.attachments, settings, obligation.debtor.code)
    result = _store_and_answer(session, obligation, validation, filename=filename, content=content, source="email",
                               settings=settings, now=now, to=mail.sender, in_reply_to=mail.message_id,
                               receipt_key=receipt_key(mail))
    remember_message(session, mail, result.outcome, obligation.id, result.submission_id, now,
                     f"{result.items} 个事项" if result.outcome == "accepted" else f"{result.problems} 处问题")
    return result


def take_in_file(session: Session, org_code: str, filename: str, content: bytes, settings: Settings,
                 now: datetime, phase_code: str = "inventory") -> IntakeResult:
    """`reform submit`: a workbook that arrived some other way, through the same checks and storage."""
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
        queue_letter(session, receipt_key, [to], letter, settings, now, obligation.id, kind="receipt",
               in_reply_to=in_reply_to, attachments=attachments)
    return IntakeResult(outcome, to or "", org.code, obligation.id, submission.id, submission.version,
                        len(validation.items), validation.problem_count, receipt=letter.text)


def remember_message(session: Session, mail: InboundMail, outcome: str, obligation_id: int | None,
              submission_id: int | None, now: datetime, detail: str, raw: bytes | None = None) -> MailboxMessage:
    row = MailboxMessage(key=mail.key, sender=mail.sender[:254], subject=mail.subject[:500], received_at=now,
                         outcome=outcome, obligation_id=obligation_id, submission_id=submission_id,
                         detail=detail, raw=raw)
    session.add(row)
    session.flush()
    return row


