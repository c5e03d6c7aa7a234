"""Service guides (办事指南): what an accepted guides workbook holds, item by item.

One ``Guide`` per approved item of an accepted version; its materials, steps, fees and questions
are rows of their own tied to it. The forms and samples the workbook names come attached to the
same email and are kept whole in ``guide_files``. ``guide_checks`` holds, for every version
(accepted or not), which elements each item still lacks, so a coordinator can see what is missing
before anything is accepted.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from registry.base import Base
from registry.scope import DistrictScoped


class GuideCheck(DistrictScoped, Base):
    """The completeness check of one guides version: item code -> missing elements, and the figures
    of simplification (days and materials cut, visits) the receipt reported. The newest accepted
    version of an obligation is the one that stands."""

    __tablename__ = "guide_checks"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True,
                                               autoincrement=False)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    missing: Mapped[dict] = mapped_column(JSON, default=dict)
    simplification: Mapped[dict] = mapped_column(JSON, default=dict)


class Guide(DistrictScoped, Base):
    __tablename__ = "guides"
    __table_args__ = (UniqueConstraint("submission_id", "code", name="uq_guides_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the item's place in the approved list
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    basic_code: Mapped[str] = mapped_column(String(12), default="")
    implementation_code: Mapped[str] = mapped_column(String(36), default="")
    item_type: Mapped[str] = mapped_column(String(20), default="")
    implementer: Mapped[str] = mapped_column(String(200), default="")
    accepting_unit: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(50), default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    legal_days: Mapped[int | None] = mapped_column(Integer)
    promised_days: Mapped[int | None] = mapped_column(Integer)
    immediate: Mapped[bool] = mapped_column(Boolean, default=False)
    charged: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_note: Mapped[str] = mapped_column(Text, default="")
    visits: Mapped[int | None] = mapped_column(Integer)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    online_url: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[str] = mapped_column(Text, default="")
    consult_phone: Mapped[str] = mapped_column(String(200), default="")
    consult_other: Mapped[str] = mapped_column(Text, default="")
    supervise_phone: Mapped[str] = mapped_column(String(200), default="")
    supervise_other: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    downloads: Mapped[str] = mapped_column(String(500), default="")
    row: Mapped[int] = mapped_column(Integer, default=0)
    # The two reviewers' verdict (rules.review.GuideOpinion: 同意 | 修改), empty while under review.
    review_outcome: Mapped[str] = mapped_column(String(10), default="")
    review_reason: Mapped[str] = mapped_column(Text, default="")

    materials: Mapped[list[GuideMaterial]] = relationship(cascade="all, delete-orphan", order_by="GuideMaterial.id",
                                                          passive_deletes=True)
    steps: Mapped[list[GuideStep]] = relationship(cascade="all, delete-orphan", order_by="GuideStep.number",
                                                  passive_deletes=True)
    fees: Mapped[list[GuideFee]] = relationship(cascade="all, delete-orphan", order_by="GuideFee.id",
                                                passive_deletes=True)
    faqs: Mapped[list[GuideFaq]] = relationship(cascade="all, delete-orphan", order_by="GuideFaq.id",
                                                passive_deletes=True)


class GuideMaterial(DistrictScoped, Base):
    __tablename__ = "guide_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guides.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    necessity: Mapped[str] = mapped_column(String(20), default="")
    form: Mapped[str] = mapped_column(String(40), default="")
    copies: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    is_form: Mapped[bool] = mapped_column(Boolean, default=False)
    blank: Mapped[str] = mapped_column(String(500), default="")  # a link, or a file in guide_files
    sample: Mapped[str] = mapped_column(String(500), default="")
    mistakes: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    row: Mapped[int] = mapped_column(Integer, default=0)


class GuideStep(DistrictScoped, Base):
    __tablename__ = "guide_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guides.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(200), default="")
    days: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")
    row: Mapped[int] = mapped_column(Integer, default=0)


class GuideFee(DistrictScoped, Base):
    __tablename__ = "guide_fees"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guides.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    standard: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    relief: Mapped[str] = mapped_column(Text, default="")
    row: Mapped[int] = mapped_column(Integer, default=0)


class GuideFaq(DistrictScoped, Base):
    __tablename__ = "guide_faqs"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guides.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    row: Mapped[int] = mapped_column(Integer, default=0)


class GuideFile(DistrictScoped, Base):
    """A blank form, sample or common-mistakes example attached to the email the guides came in."""

    __tablename__ = "guide_files"
    __table_args__ = (UniqueConstraint("submission_id", "filename", name="uq_guide_files_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
