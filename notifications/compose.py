"""Turning an outbox row into a MIME message: Chinese text, HTML with a plain part, attachments."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

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
) -> Message:
    """A MIME message: plain text, an HTML alternative when given, then the attachments.

    Built with the compat32 classes: the modern header registry re-folds every Chinese header
    through a parse tree, which costs five times as much and made delivery the bottleneck.
    """
    body = MIMEText(text, "plain", "utf-8")
    if html:
        body = MIMEMultipart("alternative", _subparts=[body, MIMEText(html, "html", "utf-8")])
    message = MIMEMultipart("mixed", _subparts=[body]) if attachments else body
    message["From"] = formataddr((str(Header(header_safe(sender[0]), "utf-8")), header_safe(sender[1])))
    message["To"] = ", ".join(header_safe(a) for a in to)
    if cc:
        message["Cc"] = ", ".join(header_safe(a) for a in cc)
    if reply_to:
        message["Reply-To"] = header_safe(reply_to)
    message["Subject"] = Header(header_safe(subject), "utf-8")
    message["Message-ID"] = message_id
    # RFC 3834: every message we send is machine-made, so well-behaved auto-responders stay silent.
    message["Auto-Submitted"] = "auto-generated"
    message["Date"] = format_datetime(date or datetime.now(timezone.utc))
    if in_reply_to:
        message["In-Reply-To"] = header_safe(in_reply_to)
        message["References"] = header_safe(in_reply_to)
    for filename, content_type, content in attachments:
        maintype, _, subtype = content_type.partition("/")
        part = MIMEBase(maintype, subtype or "octet-stream")
        part.set_payload(content)
        encode_base64(part)
        # RFC 2231, so a Chinese file name survives every mail client.
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", header_safe(filename)))
        message.attach(part)
    return message
