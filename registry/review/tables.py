"""Parallel review, responses, recheck and approval: what the registry keeps of them.

Review, response and recheck obligations are ordinary ``Obligation`` rows (phases review, response
and approval, ``ref`` = the reviewed submission's id), so the sweep cards and escalates them like
any other; the tables here hold what those obligations produce.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from registry.base import Base
from registry.scope import DistrictScoped


class ReviewReply(DistrictScoped, Base):
    """One review workbook an agency returned for one review obligation. Versions count up."""

    __tablename__ = "review_replies"
    __table_args__ = (UniqueConstraint("obligation_id", "version", name="uq_review_replies_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    version: Mapped[int] = mapped_column(Integer)
    # accepted | rejected | superseded (a later accepted reply from the same agency replaced it)
    state: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(20), default="email")  # email | cli | dashboard
    received_at: Mapped[datetime] = mapped_column(DateTime)
    # Arrived after the consolidated opinion was built: kept, flagged, and the coordinator told.
    after_merge: Mapped[bool] = mapped_column(Boolean, default=False)
    # sha256 of the folded opinions: the same opinion sent twice is recognised, not stored twice.
    digest: Mapped[str] = mapped_column(String(64), default="")
    problem_count: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[dict]] = mapped_column(JSON, default=list)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    opinions: Mapped[list[ReviewOpinion]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewOpinion.position", passive_deletes=True)


class ReviewOpinion(DistrictScoped, Base):
    """An agency's opinion on one item of the reviewed list."""

    __tablename__ = "review_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("review_replies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the item's place in the packet
    seq: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    opinion: Mapped[str] = mapped_column(String(10))  # rules.review.Opinion
    reason: Mapped[str] = mapped_column(Text, default="")
    adjusted: Mapped[str] = mapped_column(Text, default="")


class ConsolidatedOpinion(DistrictScoped, Base):
    """The written opinion (书面审核意见) on one submission. Exactly one: two concurrent merges
    race on the unique submission_id, and the loser rolls back."""

    __tablename__ = "consolidated_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # awaiting_decision (conflicts open) | issued (sent to the department)
    state: Mapped[str] = mapped_column(String(20), index=True)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime)

    items: Mapped[list[ConsolidatedItem]] = relationship(
        cascade="all, delete-orphan", order_by="ConsolidatedItem.position", passive_deletes=True)


class ConsolidatedItem(DistrictScoped, Base):
    __tablename__ = "consolidated_items"
    __table_args__ = (UniqueConstraint("consolidated_id", "position", name="uq_consolidated_items_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consolidated_id: Mapped[int] = mapped_column(ForeignKey("consolidated_opinions.id", ondelete="CASCADE"),
                                                 index=True)
    position: Mapped[int] = mapped_column(Integer)
    seq: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    # agency (short name) -> [opinion, reason, adjusted]
    opinions: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(String(10))  # None: a conflict not yet decided
    reason: Mapped[str] = mapped_column(Text, default="")
    adjusted: Mapped[str] = mapped_column(Text, default="")
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)


class CoordinatorDecision(DistrictScoped, Base):
    """The coordinator's decision on a conflicting item: one per item."""

    __tablename__ = "coordinator_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("consolidated_items.id", ondelete="CASCADE"), unique=True)
    opinion: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewResponse(DistrictScoped, Base):
    """A department's revised list answering its consolidated opinion, diffed against the one before."""

    __tablename__ = "review_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The submission the four agencies reviewed, and the version that answers it.
    reviewed_submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    previous_submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    diff: Mapped[dict] = mapped_column(JSON, default=dict)


class Approval(DistrictScoped, Base):
    """The city government's approval (市政府常务会议审定) of the consolidated list."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("campaign_id", "document", name="uq_approvals_document"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    approved_on: Mapped[date] = mapped_column(Date)
    meeting: Mapped[str] = mapped_column(String(200))
    document: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))


class ApprovedListVersion(DistrictScoped, Base):
    """A frozen version of the approved list: version 1 at approval, one more per adjustment (动态调整)."""

    __tablename__ = "approved_list_versions"
    __table_args__ = (UniqueConstraint("campaign_id", "version", name="uq_approved_list_versions_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[str] = mapped_column(String(200), default="")
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    # org code -> list of items (the SubmittedItem columns): what the version froze.
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    # org code -> ListDiff.as_dict() against the version before; empty for version 1.
    change_log: Mapped[dict] = mapped_column(JSON, default=dict)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
