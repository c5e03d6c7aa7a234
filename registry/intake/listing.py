"""What an organisation has handed in: every version of every submission, its receipt, its stored file."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from registry.campaign.tables import Obligation, Phase
from registry.directory.tables import Organisation
from registry.intake.tables import MailboxMessage, Submission
from registry.outbox.tables import OutboxMessage

STATE_NAMES = {"accepted": "已受理", "rejected": "未通过校验", "superseded": "已被新版本取代"}


def submissions_of(session: Session, org_code: str) -> list[dict]:
    """The organisation's submissions, newest first, each with the receipt that answered it (if mailed)."""
    rows = session.execute(
        select(Submission, Phase.code, Phase.name, MailboxMessage.key, MailboxMessage.sender,
               Submission.content.is_not(None))
        .join(Organisation, Organisation.id == Submission.org_id)
        .join(Obligation, Obligation.id == Submission.obligation_id)
        .join(Phase, Phase.id == Obligation.phase_id)
        # The message that brought it (an agency's reply about it names the submission too).
        .outerjoin(MailboxMessage, (MailboxMessage.submission_id == Submission.id)
                   & (MailboxMessage.obligation_id == Submission.obligation_id))
        .where(Organisation.code == org_code)
        .order_by(Submission.received_at.desc(), Submission.id.desc())).all()
    receipt_keys = {s.id: _receipt_key(mail_key) for s, _, _, mail_key, _, _ in rows if mail_key}
    receipts = {m.key: m for m in session.scalars(select(OutboxMessage)
                                                  .where(OutboxMessage.key.in_(receipt_keys.values())))}
    listed, seen = [], set()
    for s, phase, phase_name, _, sender, kept in rows:
        if s.id in seen:
            continue
        seen.add(s.id)
        receipt = receipts.get(receipt_keys.get(s.id, ""))
        listed.append({
            "id": s.id, "obligation_id": s.obligation_id, "phase": phase, "phase_name": phase_name,
            "version": s.version, "state": s.state, "state_name": STATE_NAMES.get(s.state, s.state),
            "source": s.source, "sender": sender or "", "filename": s.filename, "size": s.size, "sha256": s.sha256,
            "received_at": s.received_at.isoformat(sep=" ", timespec="minutes"), "item_count": s.item_count,
            "problems": s.problem_count, "stored": bool(kept),
            "receipt": None if receipt is None else {
                "key": receipt.key, "subject": receipt.subject, "state": receipt.state,
                "queued_at": receipt.queued_at.isoformat(sep=" ", timespec="minutes")},
        })
    return listed


def stored_file(session: Session, submission_id: int) -> tuple[str, bytes, str] | None:
    """(filename, content, organisation code) of a submission kept whole, or None (unknown or not kept)."""
    row = session.execute(select(Submission, Organisation.code).options(undefer(Submission.content))
                          .join(Organisation, Organisation.id == Submission.org_id)
                          .where(Submission.id == submission_id)).first()
    if row is None or row[0].content is None:
        return None
    return row[0].filename, row[0].content, row[1]


def _receipt_key(mail_key: str) -> str:
    # The key registry.intake.workbooks.receipt_key gives the receipt answering that message.
    return f"receipt:{hashlib.sha256(mail_key.encode()).hexdigest()[:40]}"
