"""Intake: what departments sent back, the items accepted from it, and every mailbox message seen.

Kept apart from registry.models so the intake work can grow without touching the foundation.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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


class ReplyToken(DistrictScoped, Base):
    """The token a department's reply carries (intake+<token>@… or [RF-<token>] in the subject).

    Random rather than derived, so nothing secret has to be configured, and stored, so a token
    stays valid for the obligation's whole life however settings change.
    """

    __tablename__ = "reply_tokens"

    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id", ondelete="CASCADE"),
                                               primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class MailboxMessage(DistrictScoped, Base):
    """Every intake message ever seen, once. Seeing the same message again changes nothing.

    The row is also the message's claim: it is inserted first, in the transaction that takes the
    message in, so a second worker waits for it and then finds the message taken (registry.intake.claims).
    """

    __tablename__ = "mailbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID header, or a digest of the raw bytes when a sender left it out.
    key: Mapped[str] = mapped_column(String(300), unique=True)
    sender: Mapped[str] = mapped_column(String(254), default="", index=True)
    subject: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime)
    # accepted | zero_report | rejected | quarantined (a stranger, or a message that failed again and
    # again) | misrouted (another department's token) | failed (an attempt failed; tried again next poll)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    # Failed attempts in a row that failed alike (the same error signature), and the last error.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    error_signature: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # What is kept of every message: its size, digest and headers. A stranger's or a refused
    # message is kept as no more than this, so that nobody can fill the disk by mailing us.
    size: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    headers: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Strangers' messages were kept whole here before revision 0009; nothing is written here since.
    raw: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))


class Submission(DistrictScoped, Base):
    """One workbook received for an obligation. Versions count up; an accepted one supersedes the last."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("obligation_id", "version", name="uq_submissions_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # accepted | rejected | superseded
    state: Mapped[str] = mapped_column(String(20), index=True)
    zero_report: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20), default="email")  # email | cli
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    received_at: Mapped[datetime] = mapped_column(DateTime)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    problem_count: Mapped[int] = mapped_column(Integer, default=0)
    # The first problems, as shown in the receipt (sheet, row, column, what, fix).
    problems: Mapped[list[dict]] = mapped_column(JSON, default=list)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    # None for a file refused for its size: its size and digest say what came.
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    items: Mapped[list[SubmittedItem]] = relationship(
        cascade="all, delete-orphan", order_by="SubmittedItem.row", passive_deletes=True
    )


class SubmittedItem(DistrictScoped, Base):
    """A row of an accepted 公共服务事项清单, as validated."""

    __tablename__ = "submitted_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)  # the row in the workbook, for reviewers to point at
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    audience: Mapped[str] = mapped_column(String(50))
    implementer: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    time_limit_days: Mapped[int] = mapped_column(Integer)
    charged: Mapped[bool] = mapped_column(Boolean)
    fee_basis: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[str] = mapped_column(Text, default="")
    remarks: Mapped[str] = mapped_column(Text, default="")
