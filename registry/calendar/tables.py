"""The working-day calendar as the registry keeps it, a year at a time."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.base import Base


class CalendarYearRow(Base):
    """A year of the working-day calendar; a year absent here is not loaded, and dates in it fail."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(300), default="")


class CalendarDay(Base):
    """An exception to the weekend rule: a listed holiday or a make-up working day (调休)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year", ondelete="CASCADE"), index=True)
    working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(100), default="")

