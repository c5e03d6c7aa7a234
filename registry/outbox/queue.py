"""Queue a notice once: every email the system sends is first an outbox row under a unique key."""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.settings import Settings
from notifications.compose import message_id_for
from notifications.intake_letters import Letter
from registry.outbox.tables import OutboxAttachment, OutboxMessage


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def queue_message(
    session: Session,
    *,
    key: str,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    cc: list[str] = (),
    reply_to: str = "",
    in_reply_to: str = "",
    kind: str = "",
    obligation_id: int | None = None,
    attachments: list[Attachment] = (),
    now: datetime | None = None,
    mail_domain: str = "reform.shenyang.example.org",
    district: str | None = None,
) -> tuple[OutboxMessage, bool]:
    """Queue a message under a unique key; returns (row, created). An existing key is left as it is.

    ``district`` is whose message it is, when it is about no obligation (whose district it takes).
    """
    # Only a notice added or deleted and not yet flushed could change what the look-up finds: without
    # one it need not flush the transaction's other writes first, which go out with this notice's.
    unflushed = any(isinstance(row, OutboxMessage) for row in (*session.new, *session.deleted))
    with nullcontext() if unflushed else session.no_autoflush:
        existing = session.scalar(_BY_KEY, {"key": key})
    if existing is not None:
        return existing, False
    message = OutboxMessage(
        key=key,
        message_id=message_id_for(key, mail_domain),
        kind=kind,
        obligation_id=obligation_id,
        to_addrs=list(to),
        cc_addrs=list(cc),
        reply_to=reply_to,
        in_reply_to=in_reply_to,
        subject=subject,
        text=text,
        html=html,
        queued_at=now or datetime.now(),
        attachments=[OutboxAttachment(filename=a.filename, content_type=a.content_type, content=a.content)
                     for a in attachments],
        district=district,
    )
    session.add(message)
    session.flush()
    return message, True



# Built once, as every notice asks it: building a statement and its cache key cost more than the query.
_BY_KEY = select(OutboxMessage).where(OutboxMessage.key == bindparam("key"))


def queue_letter(session: Session, key: str, to: list[str], letter: Letter, settings: Settings, now: datetime,
                 obligation_id: int | None, kind: str, in_reply_to: str = "", attachments=(),
                 district: str | None = None) -> None:
    """Queue a composed letter; a letter with nobody to send it to is dropped."""
    if to:
        queue_message(session, key=key, to=to, subject=letter.subject, text=letter.text, html=letter.html,
                      kind=kind, obligation_id=obligation_id, in_reply_to=in_reply_to, attachments=list(attachments),
                      now=now, mail_domain=settings.smtp.mail_domain, district=district)
