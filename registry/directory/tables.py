"""The organisations of the plan and the people to write to in each."""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.base import Base
from registry.scope import DistrictScoped


class Organisation(DistrictScoped, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # registry.records.OrgKind
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)  # registry.records.OrgRole
    division_code: Mapped[str] = mapped_column(String(6), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    address: Mapped[str] = mapped_column(String(300), default="")

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Contact.rung"
    )


class Contact(DistrictScoped, Base):
    """A person to write to. ``rung`` orders the escalation ladder: contact, leader, head."""

    __tablename__ = "contacts"
    # Senders are found by their lower-cased address (registry.directory.queries.orgs_of_sender).
    __table_args__ = (UniqueConstraint("org_id", "role"), Index("ix_contacts_email_lower", text("lower(email)")))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))  # contact | leader | head
    rung: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")

