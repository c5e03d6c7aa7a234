"""What an accepted self-report holds: its narrative, and each indicator's figure beside the
registry's, per obligation and version. The newest accepted version of an obligation stands."""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.base import Base
from registry.scope import DistrictScoped


class SelfReport(DistrictScoped, Base):
    __tablename__ = "self_reports"
    __table_args__ = (UniqueConstraint("obligation_id", "version", name="uq_self_reports_version"),)

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True,
                                               autoincrement=False)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    task_number: Mapped[int] = mapped_column(Integer, index=True)
    period: Mapped[str] = mapped_column(String(20), index=True)
    progress: Mapped[str] = mapped_column(Text, default="")  # 工作进展
    issues: Mapped[str] = mapped_column(Text, default="")  # 存在问题
    next_steps: Mapped[str] = mapped_column(Text, default="")  # 下一步打算

    values: Mapped[list[SelfReportValue]] = relationship(cascade="all, delete-orphan",
                                                         order_by="SelfReportValue.position", passive_deletes=True)


class SelfReportValue(DistrictScoped, Base):
    __tablename__ = "self_report_values"
    __table_args__ = (UniqueConstraint("submission_id", "key", name="uq_self_report_values_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("self_reports.submission_id", ondelete="CASCADE"),
                                               index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))  # rules.self_reports.INDICATORS
    label: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))
    system_value: Mapped[float] = mapped_column(Float)  # 系统统计值, as pre-filled
    reported_value: Mapped[float] = mapped_column(Float)  # 本单位填报值
    note: Mapped[str] = mapped_column(Text, default="")
