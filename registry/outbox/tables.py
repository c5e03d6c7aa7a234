"""The outbox: every email the system sends is first a row here, keyed so it is sent once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.base import Base
from registry.scope import DistrictScoped


class OutboxMessage(DistrictScoped, Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What makes this notice unique (e.g. "call:inventory:17", "rungs:jyj:yellow:2016-08-02"): queuing the same
    # key again returns the existing row, so reruns and crashes never send twice.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="", index=True)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"), index=True)
    to_addrs: Mapped[list[str]] = mapped_column(JSON, default=list)
    cc_addrs: Mapped[list[str]] = mapped_column(JSON, default=list)
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    in_reply_to: Mapped[str] = mapped_column(String(500), default="")
    # pending -> sent | failed (permanent); transient errors stay pending with a later attempt time.
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    queued_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Since when delivery has failed transiently: retries go on for days counted from here.
    first_failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The recipients still owed the message after a server took it for some and deferred others;
    # None means every address in to and cc.
    owed_addrs: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    # One deliverer's claim (registry/outbox/claims.py): no other deliverer sends the row before
    # claimed_until, and a killed deliverer's claim lapses then.
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def recipients(self) -> list[str]:
        """The envelope's recipients for the next attempt."""
        return list(self.owed_addrs) if self.owed_addrs is not None else [*self.to_addrs, *self.cc_addrs]

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )


class OutboxAttachment(DistrictScoped, Base):
    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class MailOutage(Base):
    """A spell in which mail fails without any getting through, told to the coordinator once."""

    __tablename__ = "mail_outages"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    noticed_at: Mapped[datetime | None] = mapped_column(DateTime)
    resumed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # OPEN while the outage lasts, NULL once mail flows: the unique index admits one open outage,
    # so two deliverers failing at once never open two.
    open_marker: Mapped[str | None] = mapped_column(String(4), unique=True)


OPEN = "open"
