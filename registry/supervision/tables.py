"""Tables for supervision (督导检查): the rungs each obligation has taken, complaints and
applicant evaluations (item 14), and the complainants, kept apart from their complaints.

The answer a department owes is an ordinary obligation (phase ``complaints``), so it is reminded,
carded and escalated by the same sweep as everything else.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.base import Base
from registry.campaign.tables import Obligation
from registry.directory.tables import Organisation
from registry.scope import DistrictScoped


class RungTaken(DistrictScoped, Base):
    """One rung of one obligation's ladder, taken once: what a rerun skips and `explain` shows.

    The notice that told of it is the outbox row keyed ``notice_key``, one message for all of an
    organisation's obligations at that rung that day (rules.notice_groups).
    """

    __tablename__ = "rungs_taken"
    # Each index is written with every rung, 75,000 on a province's first morning: only those a
    # query uses (migration 0019). The day's carries the key, which is read by day alone.
    __table_args__ = (UniqueConstraint("obligation_id", "rung"),
                      Index("ix_rungs_taken_taken_on_notice_key", "taken_on", "notice_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique (obligation_id, rung) index also serves the look-ups by obligation. No foreign
    # key (migration 0019): PostgreSQL would check it, locking the obligation, for each of a
    # morning's rungs, and only the sweep writes them, of obligations it has just read.
    obligation_id: Mapped[int] = mapped_column()
    rung: Mapped[str] = mapped_column(String(40))  # rules.escalation.Step.rung
    taken_on: Mapped[date] = mapped_column(Date)  # the sweep's day
    notice_key: Mapped[str] = mapped_column(String(200))
    # Scoped like every supervision row, but not indexed: a district's rungs are read through its
    # obligations, never by district.
    district: Mapped[str] = mapped_column(String(6), server_default="")


class ComplaintPerson(Base):
    """A complainant's name and contact, referred to by id: the complaint's text and figures never
    carry them, and erasing them on request (``erased_on``) leaves the complaint whole."""

    __tablename__ = "complaint_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(254), default="")
    erased_on: Mapped[date | None] = mapped_column(Date)


class Complaint(DistrictScoped, Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20), default="cli")  # cli | email | phone
    # The mailbox Message-ID of a complaint that came by email: intake may see it twice.
    source_ref: Mapped[str | None] = mapped_column(String(500), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_people.id"), index=True)
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
    person: Mapped[ComplaintPerson | None] = relationship()

    @property
    def complainant(self) -> str:
        return self.person.name if self.person else ""

    @property
    def complainant_contact(self) -> str:
        return self.person.contact if self.person else ""
