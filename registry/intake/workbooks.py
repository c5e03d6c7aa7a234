"""Taking in one submission: identify it, check that it is what its phase asks for, validate it,
store it and answer it.

A phase asks for one document (rules.documents): the inventory's, the guides' and the certificate
ledger's workbooks are checked row by row; a work plan is kept whole with its digest; a document
that is not sent in by mail (an answer its own flow records) is answered but not stored. Everything here happens in the caller's transaction, so a message's effects (the
submission, its items, the obligation's new state, the receipt in the outbox and the record that
the message was seen) commit together or not at all.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.errors import UserError
from core.problems import Problem
from core.settings import Settings
from notifications.document_letters import certificates_receipt, guides_receipt
from notifications.inbound import InboundAttachment, InboundMail
from notifications.intake_letters import (
    accepted_receipt,
    document_receipt,
    not_taken_in_receipt,
    rejected_receipt,
)
from registry.campaign.tables import Obligation
from registry.certificates.checking import check_certificates_workbook
from registry.certificates.storing import store_entries
from registry.guides.checking import check_guides_workbook
from registry.guides.storing import record_check, store_guides
from registry.intake.claims import claimed_row
from registry.intake.documents import phase_document
from registry.intake.reply_tokens import subject_tag, token_for
from registry.intake.submissions import STORED_PROBLEMS, Stored, record_submission
from registry.intake.tables import MailboxMessage, Submission
from registry.outbox.queue import XLSX, Attachment, queue_letter
from rules.certificates import CertificatesCheck
from rules.documents import Choice, Document, DocumentKind, choose
from rules.guides import GuidesCheck
from rules.obligations import State
from workbooks.certificates_parse import is_certificates_workbook
from workbooks.guides_parse import is_guides_workbook
from workbooks.inventory_parse import parse_inventory
from workbooks.inventory_rules import Validation, summarise, validate_inventory
from workbooks.problem_report import build_problem_report
from workbooks.safety import Limits, check_document, check_workbook
from workbooks.sniffing import sniff


class UnknownDepartment(UserError, LookupError):
    pass


class NotAFile(UserError, ValueError):
    pass


@dataclass(frozen=True)
class IntakeResult:
    """What happened to one message or file: plain values, so a task can return it."""

    outcome: str  # accepted | zero_report | rejected | quarantined | misrouted | failed | busy | dropped
    sender: str = ""
    org_code: str = ""
    obligation_id: int | None = None
    submission_id: int | None = None
    version: int | None = None
    items: int = 0
    problems: int = 0
    already_seen: bool = False
    receipt: str = ""  # the receipt's text, for the CLI to print
    error: str = ""  # why processing failed (outcome failed, or quarantined after failing)


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
                            now: datetime, refused: tuple[Problem, Stored] | None = None) -> IntakeResult:
    """What a debtor sent by email, on the thread of the obligation it answers; ``refused``: a
    message refused whole (too large to read), answered with that problem and kept as no more
    than its size and digest."""
    doc = phase_document(obligation.phase)
    if not doc.taken_in:
        result = _not_taken_in(session, obligation, doc, settings, now, to=mail.sender, in_reply_to=mail.message_id,
                               receipt_key=receipt_key(mail))
        remember_message(session, mail, result.outcome, obligation.id, None, now, f"{doc.name}暂不受理")
        return result
    if refused is not None:
        checked = Checked("", refused[1], Validation(problems=[refused[0]], problem_count=1))
    else:
        checked = check_attachments(session, obligation, doc, mail.attachments, settings)
    result = _store_and_answer(session, obligation, doc, checked, source="email", settings=settings, now=now,
                               to=mail.sender, in_reply_to=mail.message_id, receipt_key=receipt_key(mail))
    remember_message(session, mail, result.outcome, obligation.id, result.submission_id, now, _detail(doc, result))
    return result


def take_in_file(session: Session, obligation: Obligation, filename: str, content: bytes, settings: Settings,
                 now: datetime, others: Sequence[InboundAttachment] = ()) -> IntakeResult:
    """`reform submit`: a file that arrived some other way, through the same checks and storage;
    ``others`` are the files a guides workbook names (its blank forms and samples)."""
    doc = phase_document(obligation.phase)
    if not doc.taken_in:
        return _not_taken_in(session, obligation, doc, settings, now, to=None, in_reply_to="", receipt_key="")
    if not doc.formats:
        raise NotAFile(f"{obligation.phase.name}阶段报送的是{doc.name}，不是文件：请回复发给本单位的邮件，在正文中写明")
    checked = check_attachments(session, obligation, doc, (InboundAttachment(filename, content), *others), settings)
    return _store_and_answer(session, obligation, doc, checked, source="cli", settings=settings, now=now, to=None,
                             in_reply_to="", receipt_key="")


@dataclass(frozen=True)
class Checked:
    """The attachment that answers the phase's document, what is kept of it, and its checks."""

    filename: str
    stored: Stored
    validation: Validation
    guides: GuidesCheck | None = None
    certificates: CertificatesCheck | None = None
    # The email's other files, which a guides workbook names as its blank forms and samples.
    others: tuple[InboundAttachment, ...] = ()


# Workbooks recognised by their sheets, so that a blank form sent as .xlsx beside the guides (or the
# ledger) is taken for one of the files it names, not for a second workbook.
_RECOGNISED = {DocumentKind.GUIDES: is_guides_workbook, DocumentKind.CERTIFICATES: is_certificates_workbook}


def _choose(doc: Document, attachments: Sequence[InboundAttachment]) -> Choice:
    choice = choose(doc, [(a.filename, sniff(a.content)) for a in attachments])
    if choice.index is None and doc.kind in _RECOGNISED:
        ours = [i for i, a in enumerate(attachments) if _RECOGNISED[doc.kind](a.content)]
        if len(ours) == 1:
            return Choice(ours[0])
    return choice


def check_attachments(session: Session, obligation: Obligation, doc: Document,
                      attachments: Sequence[InboundAttachment], settings: Settings) -> Checked:
    """The attachment that answers ``doc`` and its checks: the inventory's rows, the guides' and the
    ledger's completeness, a document's size and macros. Without one, each attachment's reason, all at once."""
    most = settings.limits.max_attachment_bytes
    choice = _choose(doc, attachments)
    if choice.index is None:
        # A single wrong file is kept with the rejected version, so the coordinator can see what came.
        only = attachments[0] if len(attachments) == 1 else None
        return Checked(only.filename if only else "", Stored.of(only.content if only else None, most),
                       Validation(problems=list(choice.problems), problem_count=len(choice.problems)))
    attachment = attachments[choice.index]
    others = tuple(a for i, a in enumerate(attachments) if i != choice.index)
    stored = Stored.of(attachment.content, most)
    if doc.kind is DocumentKind.INVENTORY:
        validation = check_and_validate(attachment.filename, attachment.content, settings, obligation.debtor.code)
        return Checked(attachment.filename, stored, validation)
    if doc.kind in _RECOGNISED:
        unsafe = check_workbook(attachment.filename, attachment.content, limits_from(settings))
        if unsafe is not None:
            return Checked(attachment.filename, stored, Validation(problems=[unsafe], problem_count=1))
        if doc.kind is DocumentKind.GUIDES:
            guides = check_guides_workbook(obligation, attachment.content, [a.filename for a in others], settings)
            return Checked(attachment.filename, stored, _validation(guides), guides=guides, others=others)
        ledger = check_certificates_workbook(session, obligation, attachment.content, settings)
        return Checked(attachment.filename, stored, _validation(ledger), certificates=ledger)
    unsafe = check_document(attachment.filename, attachment.content, limits_from(settings))
    return Checked(attachment.filename, stored, Validation(problems=[unsafe], problem_count=1) if unsafe
                   else Validation())


def _validation(check: GuidesCheck | CertificatesCheck) -> Validation:
    return Validation(problems=list(check.problems[:STORED_PROBLEMS]), problem_count=check.problem_count)


def oversize_problem(size: int, max_bytes: int) -> Problem:
    """A message too large to open: refused by its size before it is read."""
    return Problem(f"邮件大小为 {size / 1024 / 1024:.1f} MB，超过 {max_bytes / 1024 / 1024:.0f} MB 的上限，"
                   "系统未读取其附件",
                   "请删除多余的工作表、图片和空行，或压缩附件后重新发送；确需报送大量事项的，请与市编委办联系")


def _detail(doc: Document, result: IntakeResult) -> str:
    if result.outcome != "accepted":
        return f"{result.problems} 处问题"
    return f"{result.items} 个事项" if doc.kind is DocumentKind.INVENTORY else doc.name


def receipt_key(mail: InboundMail) -> str:
    # Message-IDs can be long; the outbox key only has to be unique per message.
    return f"receipt:{hashlib.sha256(mail.key.encode()).hexdigest()[:40]}"


def _store_and_answer(session: Session, obligation: Obligation, doc: Document, checked: Checked, *, source: str,
                      settings: Settings, now: datetime, to: str | None, in_reply_to: str,
                      receipt_key: str) -> IntakeResult:
    earlier_stands = obligation.state == State.FULFILLED
    org = obligation.debtor
    validation, filename = checked.validation, checked.filename
    inventory = doc.kind is DocumentKind.INVENTORY
    described = None if inventory else f"{doc.name}「{filename}」"
    submission = record_submission(session, obligation, validation, filename=filename, content=checked.stored,
                                   source=source, received_at=now, actor=org.code, described=described)
    kept = _keep_item_document(session, obligation, submission, checked)
    tag = subject_tag(token_for(session, obligation.id, now))
    attachments = []
    if validation.accepted and inventory:
        letter = accepted_receipt(org_name=org.name, version=submission.version, filename=filename, tag=tag,
                                  zero_report=validation.zero_report, summary=summarise(validation.items),
                                  received=now)
        outcome = "zero_report" if validation.zero_report else "accepted"
    elif validation.accepted and checked.guides is not None:
        letter = guides_receipt(org_name=org.name, version=submission.version, filename=filename, tag=tag,
                                items=kept, files=len(checked.others),
                                simplification=checked.guides.simplification.lines(), received=now)
        outcome = "accepted"
    elif validation.accepted and checked.certificates is not None:
        letter = certificates_receipt(org_name=org.name, version=submission.version, filename=filename, tag=tag,
                                      dispositions=Counter(e["disposition"] for e in checked.certificates.entries),
                                      notes=checked.certificates.notes, received=now)
        outcome = "accepted"
    elif validation.accepted:
        letter = document_receipt(org_name=org.name, document_name=doc.name, version=submission.version,
                                  filename=filename, sha256=submission.sha256, tag=tag, received=now)
        outcome = "accepted"
    else:
        letter = rejected_receipt(org_name=org.name, version=submission.version, filename=filename, tag=tag,
                                  problems=validation.problems, problem_count=validation.problem_count,
                                  deadline=obligation.due, earlier_stands=earlier_stands, received=now,
                                  document_name=doc.name, resend="完整的工作簿" if doc.template else doc.name)
        attachments = [Attachment("问题清单.xlsx", build_problem_report(validation.problems), XLSX)]
        outcome = "rejected"
    if to is not None:
        queue_letter(session, receipt_key, [to], letter, settings, now, obligation.id, kind="receipt",
                     in_reply_to=in_reply_to, attachments=attachments)
    return IntakeResult(outcome, to or "", org.code, obligation.id, submission.id, submission.version,
                        len(validation.items) or kept, validation.problem_count, receipt=letter.text)


def _keep_item_document(session: Session, obligation: Obligation, submission: Submission, checked: Checked) -> int:
    """The guides or the ledger of a version, in the same transaction as the version: the check of
    every version, the rows of an accepted one. Returns how many items or certificates were kept."""
    if checked.guides is not None:
        record_check(session, submission.id, obligation.id, submission.version, checked.guides)
        if checked.validation.accepted:
            return store_guides(session, submission.id, obligation.debtor_id, checked.guides,
                                [(a.filename, a.content) for a in checked.others])
    if checked.certificates is not None and checked.validation.accepted:
        return store_entries(session, submission.id, obligation.id, obligation.debtor_id, submission.version,
                             checked.certificates)
    return 0


def _not_taken_in(session: Session, obligation: Obligation, doc: Document, settings: Settings, now: datetime, *,
                  to: str | None, in_reply_to: str, receipt_key: str) -> IntakeResult:
    """A reply for a document not sent in by mail: answered, nothing stored, the obligation as it was."""
    org = obligation.debtor
    letter = not_taken_in_receipt(org_name=org.name, phase_name=obligation.phase.name, document_name=doc.name,
                                  tag=subject_tag(token_for(session, obligation.id, now)), received=now)
    if to is not None:
        queue_letter(session, receipt_key, [to], letter, settings, now, obligation.id, kind="receipt",
                     in_reply_to=in_reply_to)
    return IntakeResult("rejected", to or "", org.code, obligation.id, problems=1, receipt=letter.text)


def remember_message(session: Session, mail: InboundMail, outcome: str, obligation_id: int | None,
                     submission_id: int | None, now: datetime, detail: str) -> MailboxMessage:
    """Record what became of the message on the row that claimed it (registry.intake.claims)."""
    row = claimed_row(session, mail.key)
    row.received_at, row.outcome, row.obligation_id, row.submission_id, row.detail = (
        now, outcome, obligation_id, submission_id, detail)
    session.flush()
    return row


