"""Tables of 好差评 (item 14): evaluations from every source, the cases a 差评 opens, and the
evaluators themselves, kept in a table of their own.

An evaluator's name and phone live only in ``evaluation_people``: an evaluation and its case refer
to the person by id, so the figures and texts can be shown and published without them, and
erasing a person (on request) leaves every figure in place.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.base import Base
from registry.campaign.tables import Obligation
from registry.directory.tables import Organisation
from registry.scope import DistrictScoped


class EvaluationPerson(Base):
    __tablename__ = "evaluation_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(254), default="")
    erased_on: Mapped[date | None] = mapped_column(Date)  # erased on request: name and contact blanked


class Evaluation(DistrictScoped, Base):
    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # rules.evaluations.Source
    # The file's digest and row for an imported one: the same export imported twice is refused.
    source_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(40), default="")  # registry.review.approval.item_code
    item_name: Mapped[str] = mapped_column(String(300), default="")
    level: Mapped[str] = mapped_column(String(20))  # rules.complaints.Evaluation
    text: Mapped[str] = mapped_column(Text, default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_people.id"), index=True)
    # A complainant's rating: the person is the complaint's, never copied here.
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)

    organisation: Mapped[Organisation | None] = relationship()
    person: Mapped[EvaluationPerson | None] = relationship()


class EvaluationCase(DistrictScoped, Base):
    """The case a 差评 opened: verification, rectification or review, 回访, one appeal."""

    __tablename__ = "evaluation_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), unique=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))  # rules.evaluations.CaseState
    opened_on: Mapped[date] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    founded: Mapped[bool | None] = mapped_column()
    verify_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    review_note: Mapped[str] = mapped_column(Text, default="")
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"), index=True)
    rectified_on: Mapped[date | None] = mapped_column(Date)
    rectification_note: Mapped[str] = mapped_column(Text, default="")
    visited_on: Mapped[date | None] = mapped_column(Date)
    visit_result: Mapped[str] = mapped_column(String(20), default="")
    visit_note: Mapped[str] = mapped_column(Text, default="")
    # The 回访's answer, an evaluation of its own (source visit) by the same person.
    visit_evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id"))
    appealed_on: Mapped[date | None] = mapped_column(Date)
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)

    evaluation: Mapped[Evaluation] = relationship(foreign_keys=[evaluation_id])
    organisation: Mapped[Organisation | None] = relationship()
    obligation: Mapped[Obligation | None] = relationship()
