"""Tables for inspection rounds (督导检查, task 13): a round, the units it inspects, its findings.

A finding's rectification is an ordinary obligation (phase ``rectification``, ref
``inspection:<finding id>``), so the daily sweep reminds, cards and escalates it like any other.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.base import Base
from registry.campaign.tables import Obligation
from registry.directory.tables import Organisation
from registry.scope import DistrictScoped


class InspectionRound(DistrictScoped, Base):
    __tablename__ = "inspection_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    # A coordinator names a round ("2016年第三季度督导检查") and finds it again by that name.
    name: Mapped[str] = mapped_column(String(200), unique=True)
    opened_on: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)

    units: Mapped[list[InspectedUnit]] = relationship(back_populates="round", order_by="InspectedUnit.id")
    findings: Mapped[list[Finding]] = relationship(back_populates="round", order_by="Finding.id")


class InspectedUnit(DistrictScoped, Base):
    """One unit a round inspects, with what the registry knew of it when the round opened."""

    __tablename__ = "inspected_units"
    __table_args__ = (UniqueConstraint("round_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Complaints recorded about the unit by the day the round opened: the checklist's conduct item.
    complaints: Mapped[int] = mapped_column(Integer, default=0)

    round: Mapped[InspectionRound] = relationship(back_populates="units")
    org: Mapped[Organisation] = relationship()


class Finding(DistrictScoped, Base):
    """A problem an inspection found at a unit, against one checklist item, and its rectification."""

    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    item: Mapped[str] = mapped_column(String(100))  # rules.inspections.CHECKLIST
    text: Mapped[str] = mapped_column(Text)
    found_on: Mapped[date] = mapped_column(Date)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"))
    rectified_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[InspectionRound] = relationship(back_populates="findings")
    org: Mapped[Organisation] = relationship()
    obligation: Mapped[Obligation | None] = relationship()
