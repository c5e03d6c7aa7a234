"""Taking in one submission: identify it, check that it is what its phase asks for, validate it,
store it and answer it.

A phase asks for one document (rules.documents): the inventory's workbook is checked row by row; a
work plan is kept whole with its digest; a document that a later release defines is answered but
not stored. Everything here happens in the caller's transaction, so a message's effects (the
submission, its items, the obligation's new state, the receipt in the outbox and the record that
the message was seen) commit together or not at all.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.errors import UserError
from core.settings import Settings
from notifications.inbound import InboundAttachment, InboundMail
from notifications.intake_letters import (
    accepted_receipt,
    document_receipt,
    not_taken_in_receipt,
    rejected_receipt,
)
from registry.campaign.tables import Obligation
from registry.intake.documents import phase_document
from registry.intake.reply_tokens import subject_tag, token_for
from registry.intake.submissions import record_submission
from registry.intake.tables import MailboxMessage
from registry.outbox.queue import XLSX, Attachment, queue_letter
from rules.documents import Document, DocumentKind, choose
from rules.obligations import State
from workbooks.inventory_parse import parse_inventory
from workbooks.inventory_rules import Validation, summarise, validate_inventory
from workbooks.problem_report import build_problem_report
from workbooks.safety import Limits, check_document, check_workbook
from workbooks.sniffing import sniff


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
    """The inventory's checks, the same for a file from the mailbox and one given to `reform submit`."""
    unsafe = check_workbook(filename, content, limits_from(settings))
    if unsafe is not None:
        return Validation(problems=[unsafe], problem_count=1)
    return validate_inventory(parse_inventory(content), settings.limits.max_rows, org_code)


def take_in_submission_mail(session: Session, mail: InboundMail, obligation: Obligation, settings: Settings,
                            now: datetime) -> IntakeResult:
    """What a debtor sent by email, on the thread of the obligation it answers."""
    doc = phase_document(obligation.phase)
    if not doc.taken_in:
        result = _not_taken_in(session, obligation, doc, settings, now, to=mail.sender, in_reply_to=mail.message_id,
                               receipt_key=receipt_key(mail))
        remember_message(session, mail, result.outcome, obligation.id, None, now, f"{doc.name}暂不受理")
        return result
    filename, content, validation = validate_attachments(doc, mail.attachments, settings, obligation.debtor.code)
    result = _store_and_answer(session, obligation, doc, validation, filename=filename, content=content,
                               source="email", settings=settings, now=now, to=mail.sender,
                               in_reply_to=mail.message_id, receipt_key=receipt_key(mail))
    remember_message(session, mail, result.outcome, obligation.id, result.submission_id, now, _detail(doc, result))
    return result


def take_in_file(session: Session, obligation: Obligation, filename: str, content: bytes, settings: Settings,
                 now: datetime) -> IntakeResult:
    """`reform submit`: a file that arrived some other way, through the same checks and storage."""
    doc = phase_document(obligation.phase)
    if not doc.taken_in:
        return _not_taken_in(session, obligation, doc, settings, now, to=None, in_reply_to="", receipt_key="")
    filename, stored, validation = validate_attachments(doc, (InboundAttachment(filename, content),), settings,
                                                        obligation.debtor.code)
    return _store_and_answer(session, obligation, doc, validation, filename=filename or "", content=stored,
                             source="cli", settings=settings, now=now, to=None, in_reply_to="", receipt_key="")


def validate_attachments(doc: Document, attachments: tuple[InboundAttachment, ...], settings: Settings,
                         org_code: str) -> tuple[str, bytes | None, Validation]:
    """The attachment that answers ``doc`` and its checks: the inventory's rows, a document's size and
    macros. Without one, each attachment's reason, all at once."""
    choice = choose(doc, [(a.filename, sniff(a.content)) for a in attachments])
    if choice.index is None:
        # A single wrong file is kept with the rejected version, so the coordinator can see what came.
        only = attachments[0] if len(attachments) == 1 else None
        return (only.filename if only else "", only.content if only else None,
                Validation(problems=list(choice.problems), problem_count=len(choice.problems)))
    attachment = attachments[choice.index]
    if doc.kind is DocumentKind.INVENTORY:
        validation = check_and_validate(attachment.filename, attachment.content, settings, org_code)
    else:
        unsafe = check_document(attachment.filename, attachment.content, limits_from(settings))
        validation = Validation(problems=[unsafe], problem_count=1) if unsafe else Validation()
    return attachment.filename, attachment.content, validation


def _detail(doc: Document, result: IntakeResult) -> str:
    if result.outcome != "accepted":
        return f"{result.problems} 处问题"
    return f"{result.items} 个事项" if doc.kind is DocumentKind.INVENTORY else doc.name


def receipt_key(mail: InboundMail) -> str:
    # Message-IDs can be long; the outbox key only has to be unique per message.
    return f"receipt:{hashlib.sha256(mail.key.encode()).hexdigest()[:40]}"


def _store_and_answer(session: Session, obligation: Obligation, doc: Document, validation: Validation, *,
                      filename: str, content: bytes | None, source: str, settings: Settings, now: datetime,
                      to: str | None, in_reply_to: str, receipt_key: str) -> IntakeResult:
    earlier_stands = obligation.state == State.FULFILLED
    org = obligation.debtor
    inventory = doc.kind is DocumentKind.INVENTORY
    described = None if inventory else f"{doc.name}「{filename}」"
    submission = record_submission(session, obligation, validation, filename=filename, content=content,
                                   source=source, received_at=now, actor=org.code, described=described)
    tag = subject_tag(token_for(session, obligation.id, now))
    attachments = []
    if validation.accepted and inventory:
        letter = accepted_receipt(org_name=org.name, version=submission.version, filename=filename, tag=tag,
                                  zero_report=validation.zero_report, summary=summarise(validation.items),
                                  received=now)
        outcome = "zero_report" if validation.zero_report else "accepted"
    elif validation.accepted:
        letter = document_receipt(org_name=org.name, document_name=doc.name, version=submission.version,
                                  filename=filename, sha256=submission.sha256, tag=tag, received=now)
        outcome = "accepted"
    else:
        letter = rejected_receipt(org_name=org.name, version=submission.version, filename=filename, tag=tag,
                                  problems=validation.problems, problem_count=validation.problem_count,
                                  deadline=obligation.due, earlier_stands=earlier_stands, received=now,
                                  document_name=doc.name, resend="完整的工作簿" if inventory else doc.name)
        attachments = [Attachment("问题清单.xlsx", build_problem_report(validation.problems), XLSX)]
        outcome = "rejected"
    if to is not None:
        queue_letter(session, receipt_key, [to], letter, settings, now, obligation.id, kind="receipt",
                     in_reply_to=in_reply_to, attachments=attachments)
    return IntakeResult(outcome, to or "", org.code, obligation.id, submission.id, submission.version,
                        len(validation.items), validation.problem_count, receipt=letter.text)


def _not_taken_in(session: Session, obligation: Obligation, doc: Document, settings: Settings, now: datetime, *,
                  to: str | None, in_reply_to: str, receipt_key: str) -> IntakeResult:
    """A reply for a document a later release defines: answered, nothing stored, the obligation as it was."""
    org = obligation.debtor
    letter = not_taken_in_receipt(org_name=org.name, phase_name=obligation.phase.name, document_name=doc.name,
                                  tag=subject_tag(token_for(session, obligation.id, now)), received=now)
    if to is not None:
        queue_letter(session, receipt_key, [to], letter, settings, now, obligation.id, kind="receipt",
                     in_reply_to=in_reply_to)
    return IntakeResult("rejected", to or "", org.code, obligation.id, problems=1, receipt=letter.text)


def remember_message(session: Session, mail: InboundMail, outcome: str, obligation_id: int | None,
              submission_id: int | None, now: datetime, detail: str, raw: bytes | None = None) -> MailboxMessage:
    row = MailboxMessage(key=mail.key, sender=mail.sender[:254], subject=mail.subject[:500], received_at=now,
                         outcome=outcome, obligation_id=obligation_id, submission_id=submission_id,
                         detail=detail, raw=raw)
    session.add(row)
    session.flush()
    return row


