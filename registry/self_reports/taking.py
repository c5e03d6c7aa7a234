"""Taking in a self-report by email: the one workbook found, checked whole against what its
obligation was opened with, stored as a numbered version, answered with every problem at once.

Reached from registry.inbound, which sorts every inbound message to its capability; the pieces of
intake every document shares (versions, the obligation's new state, the mailbox record) are reused.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.settings import Settings
from notifications.inbound import InboundAttachment, InboundMail
from notifications.intake_letters import rejected_receipt
from notifications.self_report_letters import self_report_receipt
from registry.campaign.tables import Obligation
from registry.intake.calls import report_facts
from registry.intake.documents import phase_document
from registry.intake.reply_tokens import subject_tag, token_for
from registry.intake.submissions import STORED_PROBLEMS, Stored, record_submission
from registry.intake.workbooks import IntakeResult, limits_from, receipt_key, remember_message
from registry.outbox.queue import XLSX, Attachment, queue_letter
from registry.self_reports.storing import store_report
from rules.documents import choose
from rules.obligations import State
from rules.self_reports import Expected, ReportCheck, check_report
from workbooks.inventory_rules import Validation
from workbooks.problem_report import build_problem_report
from workbooks.safety import check_workbook
from workbooks.self_report_parse import parse_self_report
from workbooks.sniffing import sniff


def check_self_report(obligation: Obligation, attachments: list[InboundAttachment],
                      settings: Settings) -> tuple[str, Stored, ReportCheck]:
    """The attachment that is the report, what is kept of it, and its check (or why none is one)."""
    doc = phase_document(obligation.phase)
    most = settings.limits.max_attachment_bytes
    choice = choose(doc, [(a.filename, sniff(a.content)) for a in attachments])
    if choice.index is None:
        only = attachments[0] if len(attachments) == 1 else None
        return (only.filename if only else "", Stored.of(only.content if only else None, most),
                ReportCheck(list(choice.problems), [], {}))
    attachment = attachments[choice.index]
    stored = Stored.of(attachment.content, most)
    unsafe = check_workbook(attachment.filename, attachment.content, limits_from(settings))
    if unsafe is not None:
        return attachment.filename, stored, ReportCheck([unsafe], [], {})
    report = report_facts(obligation)
    expected = Expected(obligation.debtor.code, report.task_number, report.period, report.indicators)
    return attachment.filename, stored, check_report(parse_self_report(attachment.content), expected)


def take_in_self_report(session: Session, mail: InboundMail, obligation: Obligation, settings: Settings,
                        now: datetime) -> IntakeResult:
    org = obligation.debtor
    doc = phase_document(obligation.phase)
    earlier_stands = obligation.state == State.FULFILLED
    filename, stored, check = check_self_report(obligation, list(mail.attachments), settings)
    validation = Validation(problems=check.problems[:STORED_PROBLEMS], problem_count=len(check.problems))
    submission = record_submission(session, obligation, validation, filename=filename, content=stored,
                                   source="email", received_at=now, actor=org.code,
                                   described=f"{doc.name}「{filename}」")
    tag = subject_tag(token_for(session, obligation.id, now))
    report = report_facts(obligation)
    attachments = []
    if check.accepted:
        store_report(session, submission, obligation, report.task_number, report.period, check)
        letter = self_report_receipt(org_name=org.name, task_number=report.task_number,
                                     period=report.period, version=submission.version,
                                     filename=filename, tag=tag, values=check.values, received=now)
        outcome = "accepted"
    else:
        letter = rejected_receipt(org_name=org.name, version=submission.version, filename=filename, tag=tag,
                                  problems=check.problems, problem_count=len(check.problems), deadline=obligation.due,
                                  earlier_stands=earlier_stands, received=now, document_name=doc.name,
                                  resend="完整的自查报告工作簿")
        attachments = [Attachment("问题清单.xlsx", build_problem_report(check.problems), XLSX)]
        outcome = "rejected"
    queue_letter(session, receipt_key(mail), [mail.sender], letter, settings, now, obligation.id, kind="receipt",
                 in_reply_to=mail.message_id, attachments=attachments)
    remember_message(session, mail, outcome, obligation.id, submission.id, now,
                     doc.name if check.accepted else f"{len(check.problems)} 处问题")
    return IntakeResult(outcome, mail.sender, org.code, obligation.id, submission.id, submission.version,
                        len(check.values), len(check.problems), receipt=letter.text)
