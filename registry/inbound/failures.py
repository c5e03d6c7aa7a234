"""A message whose processing failed: counted on its row, tried again on the next poll, and
quarantined once it has failed the same way ``limits.max_failed_attempts`` times in a row.

Runs in a transaction of its own after the failed one rolled back, so what the attempt did is
gone and only the count, the error and (at the last attempt) the notices are committed. A failure
"the same way" is the same exception type raised in the same function: a bug that a message
triggers raises there every time, whatever values its text holds.
"""
from __future__ import annotations

import dataclasses
import traceback
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from core.settings import Settings
from notifications.failure_letters import poison_notice, poison_receipt
from notifications.inbound import InboundMail, read_mail
from notifications.mailbox import FetchedMessage
from registry.directory.queries import coordinator_addresses, orgs_of_sender
from registry.inbound.sorting import facts_of, read_head, seen_or_busy
from registry.intake.claims import FAILED, claim_message
from registry.intake.tables import MailboxMessage
from registry.intake.workbooks import IntakeResult, receipt_key
from registry.outbox.queue import queue_letter

QUARANTINED = "quarantined"


def record_failure(session: Session, message: FetchedMessage, error: Exception, settings: Settings,
                   now: datetime) -> IntakeResult:
    head = _head(message, settings)
    claim = claim_message(session, facts_of(head, message), now)
    if not claim.ours:
        return seen_or_busy(claim.row, head)
    row = claim.row
    signature = signature_of(error)
    row.attempts = row.attempts + 1 if row.error_signature == signature else 1
    row.error_signature, row.last_error, row.received_at = signature, describe(error), now
    if row.attempts < settings.limits.max_failed_attempts:
        row.outcome, row.detail = FAILED, f"第 {row.attempts} 次处理失败，下次收取时重试"
        return IntakeResult(FAILED, head.sender, error=row.last_error)
    return _quarantine(session, row, head, settings, now)


def _quarantine(session: Session, row: MailboxMessage, head: InboundMail, settings: Settings,
                now: datetime) -> IntakeResult:
    orgs = orgs_of_sender(session, head.sender) if head.sender else []
    org = orgs[0] if orgs else None
    row.outcome = QUARANTINED
    row.detail = f"连续 {row.attempts} 次处理失败，已隔离：{row.last_error}"[:2000]
    notice = poison_notice(sender=head.sender, sender_org=org.name if org else "", subject=head.subject,
                           error=row.last_error, attempts=row.attempts, received=now)
    queue_letter(session, f"poisoned:{row.id}", coordinator_addresses(session), notice, settings, now, None,
                 kind="intake_notice")
    if org is not None:
        receipt = poison_receipt(org_name=org.name, subject=head.subject, attempts=row.attempts, received=now)
        queue_letter(session, receipt_key(head), [head.sender], receipt, settings, now, None, kind="receipt",
                     in_reply_to=head.message_id)
    session.flush()
    return IntakeResult(QUARANTINED, head.sender, org.code if org else "", problems=1, error=row.last_error)


def _head(message: FetchedMessage, settings: Settings) -> InboundMail:
    """The header as mail, or (a header that cannot even be read) no more than the digest's key."""
    try:
        return read_head(message, settings)
    except Exception:  # noqa: BLE001 - the header may be the very thing that fails
        return dataclasses.replace(read_mail(b""), key=f"sha256:{message.sha256}")


def signature_of(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].name}" if frames else ""
    return f"{type(error).__module__}.{type(error).__qualname__}@{where}"[:300]


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]
