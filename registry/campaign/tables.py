"""The campaign: the plan, its phases and tasks, what each organisation owes by when, and the audit log.

Long waits live here as rows, not in sleeping flows: every deadline, reminder and card is
computed from these tables by the pure rules in ``rules``.
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
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from registry.base import Base
from registry.directory.tables import Organisation
from registry.scope import DistrictScoped


class Campaign(DistrictScoped, Base):
    """The city campaign, or a district's cascade of it (``parent_id`` points to the city's)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))  # city | district
    year: Mapped[int] = mapped_column(Integer)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    issued_by: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    # rules.deadlines.Shift: where a deadline on a non-working day moves.
    shift: Mapped[str] = mapped_column(String(10), default="next")
    settings: Mapped[dict] = mapped_column(JSON, default=dict)

    owner: Mapped[Organisation] = relationship()
    phases: Mapped[list[Phase]] = relationship(back_populates="campaign", order_by="Phase.position")
    tasks: Mapped[list[Task]] = relationship(back_populates="campaign", order_by="Task.number")


class Task(DistrictScoped, Base):
    """A row of the plan's 任务分解表."""

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    lead_units: Mapped[list[str]] = mapped_column(JSON, default=list)  # organisation codes
    responsible: Mapped[str] = mapped_column(Text)
    timing: Mapped[str] = mapped_column(Text)
    long_term: Mapped[bool] = mapped_column(Boolean, default=False)
    cadence: Mapped[str | None] = mapped_column(String(20))  # supervision cadence of 长期推进 tasks
    phase_codes: Mapped[list[str]] = mapped_column(JSON, default=list)

    campaign: Mapped[Campaign] = relationship(back_populates="tasks")


class Phase(DistrictScoped, Base):
    __tablename__ = "phases"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    # Kept beside the resolved date so a coordinator can see why a date is what it is.
    source_phrase: Mapped[str] = mapped_column(String(200), default="")
    nominal: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_reason: Mapped[str] = mapped_column(Text, default="")
    # Undated phases (a department's response) are due this many working days after they open.
    working_days: Mapped[int | None] = mapped_column(Integer)
    debtors: Mapped[str] = mapped_column(String(200), default="")  # who owes it, as the plan says
    creditor: Mapped[str] = mapped_column(String(200), default="")  # to whom
    # The same two as registry.campaign.plan selectors ("departments", "districts+regulators",
    # "role:coordinator"): opening a phase reads them here, never from the plan file.
    debtor_selector: Mapped[str] = mapped_column(String(200), default="")
    creditor_selector: Mapped[str] = mapped_column(String(200), default="")
    # What the phase asks for (rules.documents.DocumentKind): its call, its template and which
    # files intake takes for it follow from this.
    document: Mapped[str] = mapped_column(String(40), default="")

    campaign: Mapped[Campaign] = relationship(back_populates="phases")


class Obligation(DistrictScoped, Base):
    """Something one organisation owes by a deadline."""

    __tablename__ = "obligations"
    # One obligation per debtor, phase and subject: opening a phase twice changes nothing.
    __table_args__ = (UniqueConstraint("phase_id", "debtor_id", "ref", name="uq_obligations_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # What the obligation is about within its phase: "" for the phase itself, a submission or
    # a reporting period otherwise.
    ref: Mapped[str] = mapped_column(String(100), default="")
    due: Mapped[date] = mapped_column(Date, index=True)
    # How an obligation's own due date was set (a complaint's 15 working days, a report period);
    # "" when it is its phase's deadline, whose reason the phase keeps.
    due_reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)  # rules.obligations.State
    priority: Mapped[bool] = mapped_column(Boolean, default=False)  # 绿色通道
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # What a per-department obligation covers when its phase works item by item (the guides and the
    # certificates cover the department's approved items): {"version": N, "items": [...]}.
    scope: Mapped[dict | None] = mapped_column(JSON)

    phase: Mapped[Phase] = relationship()
    debtor: Mapped[Organisation] = relationship(foreign_keys=[debtor_id])
    creditor: Mapped[Organisation | None] = relationship(foreign_keys=[creditor_id])


class AuditEntry(DistrictScoped, Base):
    """Append-only: every state change, who made it, when and why."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(20), default="")
    to_state: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _keep_audit_append_only(session: Session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry):
            raise AuditLogIsAppendOnly("审计日志只能追加，不能修改或删除 (the audit log is append-only)")

