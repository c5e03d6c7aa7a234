"""A copy of a message already queued, under a key of its own, for a person who asks for it again.

The copy's key carries the request's own key (one per form shown), so a form sent twice, a double
click or a reload, queues one copy; a second request made on purpose gets a second copy.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.outbox.queue import Attachment, queue_message
from registry.outbox.tables import OutboxMessage


class UnknownMessage(UserError, LookupError):
    pass


def resend_key(request_key: str, original_id: int) -> str:
    return f"resend:{request_key}:{original_id}"


def copy_message(session: Session, key: str, request_key: str, now: datetime,
                 mail_domain: str) -> tuple[OutboxMessage, OutboxMessage, bool]:
    """(original, copy, created): the message queued under ``key``, queued again to the same people."""
    original = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if original is None:
        raise UnknownMessage(f"没有这条通知：{key}")
    if not request_key.isalnum() or len(request_key) > 40:
        raise UnknownMessage("重发请求无效，请刷新页面后再试")
    copy, created = queue_message(
        session, key=resend_key(request_key, original.id), to=list(original.to_addrs), cc=list(original.cc_addrs),
        subject=original.subject, text=original.text, html=original.html, reply_to=original.reply_to,
        in_reply_to=original.in_reply_to, kind=original.kind, obligation_id=original.obligation_id,
        attachments=[Attachment(a.filename, a.content, a.content_type) for a in original.attachments],
        now=now, mail_domain=mail_domain, district=original.district)
    return original, copy, created
