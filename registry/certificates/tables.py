"""The certificate ledger (证明事项清理表): one row per certificate a department's accepted ledger declares.

``disposition`` is what the department proposed; ``final_disposition`` what the review decided
(the four agencies agreeing, or the coordinator deciding a conflict), empty until then. The 保留
and 取消 lists and the 告知承诺书 are made from the final dispositions.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.base import Base
from registry.scope import DistrictScoped


class CertificateLedger(DistrictScoped, Base):
    """An accepted ledger version of one department; the newest of an obligation is the one that stands."""

    __tablename__ = "certificate_ledgers"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True,
                                               autoincrement=False)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)  # the receipt's hints (sharing candidates)


class CertificateEntry(DistrictScoped, Base):
    __tablename__ = "certificate_entries"
    __table_args__ = (UniqueConstraint("submission_id", "seq", name="uq_certificate_entries_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)  # the approved items that ask for it
    requester: Mapped[str] = mapped_column(String(200), default="")  # 索要单位
    issuer: Mapped[str] = mapped_column(String(200), default="")  # 开具单位
    issuer_code: Mapped[str] = mapped_column(String(40), default="")  # when the issuer is in the directory
    basis: Mapped[str] = mapped_column(Text, default="")
    basis_level: Mapped[str] = mapped_column(String(20), default="")  # rules.certificates.BasisLevel
    disposition: Mapped[str] = mapped_column(String(20))  # rules.certificates.Disposition, as proposed
    final_disposition: Mapped[str] = mapped_column(String(20), default="")  # as the review decided
    review_reason: Mapped[str] = mapped_column(Text, default="")
    replacement: Mapped[str] = mapped_column(Text, default="")  # 替代方式
    share_source: Mapped[str] = mapped_column(String(200), default="")
    share_source_code: Mapped[str] = mapped_column(String(40), default="")
    commitment: Mapped[str] = mapped_column(Text, default="")  # 承诺内容, for 告知承诺
    verification: Mapped[str] = mapped_column(Text, default="")  # 事后核查方式
    field: Mapped[str] = mapped_column(String(20), default="")  # 涉及领域
    remarks: Mapped[str] = mapped_column(Text, default="")
    sharing_candidate: Mapped[bool] = mapped_column(Boolean, default=False)
    row: Mapped[int] = mapped_column(Integer, default=0)
