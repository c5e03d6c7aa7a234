"""The outbox sends each notice once, retries what is transient and reports what bounced."""
from __future__ import annotations

import asyncio
import socket
from datetime import datetime, timedelta

from sqlalchemy import select

from core.settings import get_settings
from registry.db import transaction
from registry.outbox.delivery import deliver_pending
from registry.outbox.queue import XLSX, Attachment, queue_message
from registry.outbox.tables import OutboxMessage

NOW = datetime(2016, 7, 1, 9, 0)


def _queue(url: str, key: str, to: str, **extra) -> None:
    with transaction(url) as session:
        queue_message(session, key=key, to=[to], subject="关于报送公共服务事项清单的通知", text="请于7月底前报送。",
                      now=NOW, **extra)


def _deliver(url: str, now: datetime = NOW):
    return asyncio.run(deliver_pending(url, get_settings(), now))


def test_a_key_queued_twice_is_sent_once(initialised, smtp_server):
    _queue(initialised, "call:inventory:1", "jyj.contact@shenyang.example.org")
    _queue(initialised, "call:inventory:1", "jyj.contact@shenyang.example.org")
    _deliver(initialised)
    _deliver(initialised)
    assert len(smtp_server.messages) == 1


def test_message_id_is_deterministic_and_text_is_chinese(initialised, smtp_server):
    _queue(initialised, "call:inventory:2", "mzj.contact@shenyang.example.org", html="<p>请于7月底前报送。</p>",
           attachments=[Attachment("公共服务事项清单.xlsx", b"PK\x03\x04demo", XLSX)])
    _deliver(initialised)
    [message] = smtp_server.messages
    with transaction(initialised) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == "call:inventory:2"))
        assert message["Message-ID"] == row.message_id
    assert message["Subject"] == "关于报送公共服务事项清单的通知"
    assert message["Auto-Submitted"] == "auto-generated"  # RFC 3834: auto-responders must not answer it
    assert message.get_body(("plain",)).get_content().strip() == "请于7月底前报送。"
    assert message.get_body(("html",)).get_content().strip() == "<p>请于7月底前报送。</p>"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "公共服务事项清单.xlsx"


def test_a_permanent_failure_stops_and_tells_the_coordinator(initialised, smtp_server):
    _queue(initialised, "call:inventory:3", "nobody@bounce.example.org")
    report = _deliver(initialised)
    assert report.failed and not report.sent
    _deliver(initialised)  # the bounce notice goes out on the next delivery
    [notice] = smtp_server.messages
    assert notice["To"] == "bwb.contact@shenyang.example.org"
    assert "nobody@bounce.example.org" in notice.get_body(("plain",)).get_content()


def test_a_transient_failure_is_retried_after_backoff(initialised, smtp_server):
    _queue(initialised, "call:inventory:4", "someone@busy.example.org")
    assert _deliver(initialised).deferred
    assert not _deliver(initialised, NOW + timedelta(seconds=1)).deferred  # not due again yet
    with transaction(initialised) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == "call:inventory:4"))
        assert row.state == "pending" and row.attempts == 1
        assert row.next_attempt_at == NOW + timedelta(seconds=get_settings().smtp.retry_first_seconds)


def test_an_unreachable_server_defers_everything(initialised, monkeypatch):
    # A port held bound but never listening refuses every connection, and no other server can take it.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        monkeypatch.setenv("REFORM_SMTP_PORT", str(closed.getsockname()[1]))
        _queue(initialised, "call:inventory:5", "jyj.contact@shenyang.example.org")
        report = _deliver(initialised)
    assert report.deferred and not report.sent and not report.failed




def test_header_injection_in_a_subject_stays_one_header(initialised, smtp_server):
    with transaction(initialised) as session:
        queue_message(session, key="x:1", to=["jyj.contact@shenyang.example.org"],
                      subject="回执\r\nBcc: victim@example.org", text="正文", now=NOW)
    _deliver(initialised)
    [message] = smtp_server.messages
    assert message["Bcc"] is None
    assert smtp_server.handler.envelopes[0][1] == ["jyj.contact@shenyang.example.org"]


def test_many_messages_over_several_connections_are_each_sent_once(initialised, smtp_server):
    for n in range(30):
        _queue(initialised, f"call:many:{n}", f"d{n}.contact@shenyang.example.org")
    report = _deliver(initialised)
    assert sorted(report.sent) == sorted(set(report.sent)) and len(report.sent) == 30
    assert len({m["Message-ID"] for m in smtp_server.messages}) == 30
    with transaction(initialised) as session:
        states = set(session.scalars(select(OutboxMessage.state).where(OutboxMessage.key.like("call:many:%"))))
    assert states == {"sent"}
