"""Publication (公布): each approved version published as the public site, and where each department
put its own part of it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.base import Base
from registry.scope import DistrictScoped


class Publication(DistrictScoped, Base):
    """One rendering of an approved version; publishing a version again adds a row (the site is
    rendered anew and replaces the folder as a whole)."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the approved list version
    published_at: Mapped[datetime] = mapped_column(DateTime)
    path: Mapped[str] = mapped_column(Text)  # the folder the site was moved into
    items: Mapped[int] = mapped_column(Integer, default=0)
    guides: Mapped[int] = mapped_column(Integer, default=0)  # items published with their agreed guide
    certificates: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(100), default="system")


class PublishedAddress(DistrictScoped, Base):
    """The address where a department published its part of the site, as it replied."""

    __tablename__ = "published_addresses"
    __table_args__ = (UniqueConstraint("obligation_id", "address", name="uq_published_addresses"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    address: Mapped[str] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(20), default="email")  # email | cli
