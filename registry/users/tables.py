"""The dashboard's users and their failed logins: the city's own tables, not scoped to a district."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.base import Base


class User(Base):
    """One person who signs in to the dashboard, or one script that calls its API with the token."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # city | district | agency | viewer
    # The district the user acts for (GB/T 2260 code; "" for the city's users). Its column is named
    # apart from the scoped tables' ``district``: this row is the city's, not that district's.
    district: Mapped[str] = mapped_column("acts_for", String(6), default="")
    org_code: Mapped[str] = mapped_column(String(40), default="")  # an agency user's organisation
    password_hash: Mapped[str] = mapped_column(String(200))
    # The password printed by `reform user add` is for the first login only: the user chooses their own then.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LoginFailure(Base):
    """A failed login, by the name typed (known or not): the rate limit counts these per name."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
