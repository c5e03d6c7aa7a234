"""Storing what a department sent: numbered versions, the accepted items, the obligation's new state."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
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
    # The obligation's versions in one query: the number of the next, and those it would supersede.
    earlier = session.execute(_VERSIONS, {"obligation_id": obligation.id}).all()
    version = max((row.version for row in earlier), default=0) + 1
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
        superseded = [row.id for row in earlier if row.state == "accepted"]
        _accept(session, obligation, submission, validation, superseded, actor, received_at, described)
    elif obligation.state in (State.OPEN, State.RETURNED):
        move_obligation(session, obligation, State.RETURNED, actor,
                        f"第 {version} 版报送材料有 {validation.problem_count} 处问题，已退回", received_at)
    return submission


# Built once, as every submission asks it: building a statement and its cache key cost more than the query.
_VERSIONS = select(Submission.id, Submission.version, Submission.state).where(
    Submission.obligation_id == bindparam("obligation_id"))


def _accept(session: Session, obligation: Obligation, submission: Submission, validation: Validation,
            superseded: list[int], actor: str, at: datetime, described: str | None) -> None:
    if superseded:
        for old in session.scalars(select(Submission).where(Submission.id.in_(superseded))):
            old.state, old.superseded_by_id = "superseded", submission.id
    if validation.items:
        submission_id, district = submission.id, obligation.district
        insert_rows(session, SubmittedItem.__table__, [{"submission_id": submission_id, "district": district, **item}
                                                       for item in validation.items])
    what = described or ("零报告" if validation.zero_report else f"{len(validation.items)} 个事项")
    if obligation.state in (State.OPEN, State.RETURNED):
        move_obligation(session, obligation, State.FULFILLED, actor,
                        f"第 {submission.version} 版报送材料通过校验（{what}）", at)
    else:
        record_change(session, obligation, actor, "resubmission", obligation.state, obligation.state,
                      f"第 {submission.version} 版报送材料通过校验（{what}），取代此前版本", at)
