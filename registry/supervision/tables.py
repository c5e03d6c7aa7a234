"""Tables for supervision (督导检查): complaints and applicant evaluations (item 14).

The answer a department owes is an ordinary obligation (phase ``complaints``), so it is reminded,
carded and escalated by the same sweep as everything else.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.base import Base
from registry.campaign.tables import Obligation
from registry.directory.tables import Organisation


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20), default="cli")  # cli | email | phone
    # The mailbox Message-ID of a complaint that came by email: intake may see it twice.
    source_ref: Mapped[str | None] = mapped_column(String(500), unique=True)
    complainant: Mapped[str] = mapped_column(String(200), default="")
    complainant_contact: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    # What the complainant named, kept even when it is not a known organisation.
    named_department: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="unassigned")  # rules.complaints.ComplaintState
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[date | None] = mapped_column(Date)
    evaluation: Mapped[str | None] = mapped_column(String(20))  # rules.complaints.Evaluation
    evaluated_on: Mapped[date | None] = mapped_column(Date)

    department: Mapped[Organisation | None] = relationship()
    obligation: Mapped[Obligation | None] = relationship()
