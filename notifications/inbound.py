"""Reading a message from the intake mailbox: who sent it, which obligation it answers, what it carries.

Chinese mail clients still write GBK/GB2312 (RFC 2047 encoded words, or raw 8-bit headers). GB2312 and
GBK are both decoded as GB18030, their superset, because mail labelled GB2312 often holds GBK characters.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr

_CHINESE_CHARSETS = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936", "euc-cn", "hz-gb-2312"}
SUBJECT_TOKEN = re.compile(r"\[RF-([a-z0-9]{6,20})\]", re.I)
ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content: bytes


@dataclass(frozen=True)
class InboundMail:
    key: str  # what makes the message the same message when it is seen again
    message_id: str
    sender: str  # the From address, lower-cased
    sender_name: str
    subject: str
    text: str
    tokens: tuple[str, ...]  # reply tokens found in the recipient addresses, then the subject
    recipients: tuple[str, ...]  # every recipient address, lower-cased (To, Cc, Delivered-To, …)
    attachments: tuple[InboundAttachment, ...]
    automatic: str = ""  # why this is mail we must not answer (an auto-reply, a delivery report); "" otherwise


def charset_for(label: str | None) -> str:
    label = (label or "").lower()
    return "gb18030" if label in _CHINESE_CHARSETS else (label or "utf-8")


def _bytes_text(data: bytes, label: str | None) -> str:
    try:
        return data.decode(charset_for(label))
    except (LookupError, UnicodeDecodeError):
        pass
    for fallback in ("utf-8", "gb18030"):
        try:
            return data.decode(fallback)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def decode_header_text(raw: str) -> str:
    """An encoded-word or raw 8-bit header as text, with GBK and GB2312 decoded."""
    parts = []
    for chunk, label in decode_header(raw):
        if isinstance(chunk, str):
            # Raw 8-bit bytes arrive as surrogate escapes; turn them back into bytes and decode.
            chunk = chunk.encode("utf-8", "surrogateescape")
        parts.append(_bytes_text(chunk, label))
    return "".join(parts)


def _raw_header(message: Message, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def read_mail(raw: bytes, intake_local_part: str = "intake") -> InboundMail:
    # compat32: headers stay raw until asked for (decoded here, GBK-aware), which is several times
    # cheaper than the modern policy's eager header objects for a message with a large attachment.
    message = message_from_bytes(raw, policy=policy.compat32)
    subject = re.sub(r"[\r\n]+\s*", " ", decode_header_text(_raw_header(message, "Subject"))).strip()
    # Parse the address from the raw header and decode only the name: a decoded name may hold CR/LF
    # or a second address that must not decide who the sender is.
    raw_name, address = parseaddr(_raw_header(message, "From"))
    name = re.sub(r"[\r\n\x00]+", " ", decode_header_text(raw_name)) if raw_name else ""
    message_id = _raw_header(message, "Message-ID").strip()
    key = f"mid:{message_id}" if message_id else f"sha256:{hashlib.sha256(raw).hexdigest()}"
    plus = re.compile(rf"^{re.escape(intake_local_part)}\+([a-z0-9]{{6,20}})@", re.I)
    tokens: list[str] = []
    recipients: list[str] = []
    for header in ADDRESS_HEADERS:
        for _, recipient in getaddresses([_raw_header(message, h) for h in (header,) if _raw_header(message, h)]):
            recipients.append(recipient.strip().lower())
            if match := plus.match(recipient.strip()):
                tokens.append(match.group(1).lower())
    tokens += [t.lower() for t in SUBJECT_TOKEN.findall(subject)]
    return InboundMail(
        key=key[:300],
        message_id=message_id[:300],
        sender=address.strip().lower(),
        sender_name=name.strip(),
        subject=subject,
        text=_body(message),
        tokens=tuple(dict.fromkeys(tokens)),
        recipients=tuple(dict.fromkeys(recipients)),
        attachments=tuple(_attachments(message)),
        automatic=automatic_reason(message) or "",
    )


# RFC 3834: answering these would start a mail loop between two machines.
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_REPORTS = {"delivery-status": "退信（投递状态通知）", "disposition-notification": "已读回执（处置通知）"}


def automatic_reason(message: Message) -> str | None:
    """Why a message was sent by a machine and must not be answered, or None for mail a person wrote."""
    auto_submitted = _raw_header(message, "Auto-Submitted").strip()
    if auto_submitted and auto_submitted.split(";")[0].strip().lower() != "no":
        return f"自动发送的邮件（Auto-Submitted: {auto_submitted[:60]}）"
    for header in ("X-Autoreply", "X-Autorespond"):
        if value := _raw_header(message, header).strip():
            return f"自动回复（{header}: {value[:60]}）"
    precedence = _raw_header(message, "Precedence").strip()
    if precedence.lower() in _AUTO_PRECEDENCE:
        return f"群发或自动邮件（Precedence: {precedence}）"
    # The message itself, not its parts: a person may forward a bounce along with what they send.
    if message.get_content_type() == "multipart/report":
        report = str(message.get_param("report-type") or "").lower()
        return _REPORTS.get(report, f"邮件系统报告（report-type={report[:40]}）")
    if _raw_header(message, "Return-Path").strip() == "<>":
        return "退信（退信地址为空：Return-Path: <>）"
    return None


def _body(message: Message) -> str:
    parts = [p for p in message.walk() if p.get_content_maintype() == "text" and not p.get_filename()]
    part = next((p for p in parts if p.get_content_subtype() == "plain"), parts[0] if parts else None)
    if part is None:
        return ""
    payload = part.get_payload(decode=True) or b""
    return _bytes_text(payload, part.get_content_charset())


def _attachments(message: Message):
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if not filename and part.get_content_disposition() != "attachment":
            continue
        filename = decode_header_text(filename) if filename and "=?" in filename else (filename or "未命名附件")
        yield InboundAttachment(filename=filename.strip(), content=part.get_payload(decode=True) or b"")
