"""Storing what a department sent: numbered versions, the accepted items, the obligation's new state."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.bulk import insert_rows
from registry.campaign.audit import move_obligation, record_change
from registry.campaign.tables import Obligation
from registry.intake.tables import Submission, SubmittedItem
from rules.obligations import State
from workbooks.inventory_rules import Validation

# A rejected submission keeps this many problems on its row; the receipt carries the rest.
STORED_PROBLEMS = 200


@dataclass(frozen=True)
class Stored:
    """What is kept of the file a version was made from: whole, or (refused for its size) its size
    and digest alone, so that nobody fills the disk by sending what we refuse."""

    content: bytes | None
    size: int
    sha256: str

    @classmethod
    def of(cls, content: bytes | None, max_bytes: int) -> Stored:
        data = content or b""
        return cls(content if len(data) <= max_bytes else None, len(data), hashlib.sha256(data).hexdigest())


def record_submission(session: Session, obligation: Obligation, validation: Validation, *, filename: str,
                      content: Stored, source: str, received_at: datetime, actor: str,
                      described: str | None = None) -> Submission:
    """Store one version. Accepted: it supersedes the last accepted one and fulfils the obligation.
    Rejected: the obligation is returned (unless an earlier version already stands).

    ``described`` says what an accepted version is in the audit log when it has no rows to count
    (a work plan); an inventory is described by its items."""
    version = (session.scalar(select(func.max(Submission.version))
                              .where(Submission.obligation_id == obligation.id)) or 0) + 1
    submission = Submission(
        obligation_id=obligation.id, org_id=obligation.debtor_id, version=version,
        state="accepted" if validation.accepted else "rejected", zero_report=validation.zero_report,
        source=source, filename=filename[:255], sha256=content.sha256, size=content.size,
        received_at=received_at, item_count=len(validation.items), problem_count=validation.problem_count,
        problems=[p.as_dict() for p in validation.problems[:STORED_PROBLEMS]], content=content.content,
    )
    session.add(submission)
    session.flush()
    if validation.accepted:
        _accept(session, obligation, submission, validation, actor, received_at, described)
    elif obligation.state in (State.OPEN, State.RETURNED):
        move_obligation(session, obligation, State.RETURNED, actor,
                        f"第 {version} 版报送材料有 {validation.problem_count} 处问题，已退回", received_at)
    return submission


def _accept(session: Session, obligation: Obligation, submission: Submission, validation: Validation,
            actor: str, at: datetime, described: str | None) -> None:
    previous = session.scalars(select(Submission).where(
        Submission.obligation_id == obligation.id, Submission.state == "accepted", Submission.id != submission.id))
    for old in previous:
        old.state, old.superseded_by_id = "superseded", submission.id
    if validation.items:
        insert_rows(session, SubmittedItem.__table__, [{"submission_id": submission.id, "district": obligation.district,
                                                        **item} for item in validation.items])
    what = described or ("零报告" if validation.zero_report else f"{len(validation.items)} 个事项")
    if obligation.state in (State.OPEN, State.RETURNED):
        move_obligation(session, obligation, State.FULFILLED, actor,
                        f"第 {submission.version} 版报送材料通过校验（{what}）", at)
    else:
        record_change(session, obligation, actor, "resubmission", obligation.state, obligation.state,
                      f"第 {submission.version} 版报送材料通过校验（{what}），取代此前版本", at)
