"""Turning an outbox row into a MIME message: Chinese text, HTML with a plain part, attachments."""
from __future__ import annotations

import hashlib
import re
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from datetime import datetime, timezone

_LINE_BREAKS = re.compile(r"[\r\n\x00]+")


def header_safe(value: str) -> str:
    """Names and subjects come from directories and submitters: a CR/LF must not start a new header."""
    return _LINE_BREAKS.sub(" ", value).strip()


def message_id_for(key: str, domain: str) -> str:
    """Deterministic, so a message sent twice after a crash carries the same Message-ID."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(
    *,
    sender: tuple[str, str],
    to: list[str],
    cc: list[str],
    subject: str,
    text: str,
    html: str = "",
    message_id: str,
    reply_to: str = "",
    in_reply_to: str = "",
    attachments: list[tuple[str, str, bytes]] = (),
    date: datetime | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((header_safe(sender[0]), header_safe(sender[1])))
    message["To"] = ", ".join(header_safe(a) for a in to)
    if cc:
        message["Cc"] = ", ".join(header_safe(a) for a in cc)
    if reply_to:
        message["Reply-To"] = header_safe(reply_to)
    message["Subject"] = header_safe(subject)
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date or datetime.now(timezone.utc))
    if in_reply_to:
        message["In-Reply-To"] = header_safe(in_reply_to)
        message["References"] = header_safe(in_reply_to)
    message.set_content(text, charset="utf-8")
    if html:
        message.add_alternative(html, subtype="html", charset="utf-8")
    for filename, content_type, content in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=header_safe(filename))
    return message
