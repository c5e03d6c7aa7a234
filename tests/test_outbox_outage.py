"""Mail is kept for days through an outage, the coordinator hears of it once each way, and an
address refused for good, To or Cc, is reported once and the notice passes up the ladder."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from email import message_from_bytes, policy

from sqlalchemy import select, update

from core.settings import Settings, get_settings
from registry.db import transaction
from registry.directory.tables import Contact, Organisation
from registry.outbox.books import retry_schedule
from registry.outbox.delivery import deliver_pending
from registry.outbox.queue import queue_message
from registry.outbox.tables import OutboxMessage
from tests.mail_servers import RecordingSMTP

START = datetime(2016, 7, 25, 9, 0)
COORDINATOR = "bwb.contact@shenyang.example.org"


class OutageHandler:
    """An SMTP server that answers 421 to every message while ``down``, then takes them."""

    def __init__(self) -> None:
        self.down = True
        self.messages = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.down:
            return "421 4.3.2 service not available, try again later"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 OK"


def _deliver(url: str, now: datetime):
    return asyncio.run(deliver_pending(url, get_settings(), now))


def _subjects_to(messages, address: str) -> list[str]:
    return [m["Subject"] for m in messages if address in m["To"]]


def test_the_default_schedule_keeps_a_transient_failure_alive_for_two_days_and_more():
    schedule = retry_schedule(Settings())
    first = at = START
    attempts = 1
    while (following := schedule.next_attempt(attempts, first, at)) is not None:
        assert following - at <= timedelta(hours=1)  # doubling from a minute, capped at an hour
        at, attempts = following, attempts + 1
    assert at - first >= timedelta(hours=48)
    assert schedule.wait_after(1) == timedelta(minutes=1) and schedule.wait_after(3) == timedelta(minutes=4)


def test_a_two_hour_outage_delivers_every_notice_once_and_tells_the_coordinator_once_each_way(
        initialised, monkeypatch):
    server = RecordingSMTP()
    server.handler = OutageHandler()
    with server:
        monkeypatch.setenv("REFORM_SMTP_HOST", server.host)
        monkeypatch.setenv("REFORM_SMTP_PORT", str(server.port))
        with transaction(initialised) as session:
            keys = [queue_message(session, key=f"rung:{i}:yellow", to=[f"d{i}.leader@shenyang.example.org"],
                                  subject=f"【黄牌警示】第 {i} 号事项已逾期", text="请尽快报送。", now=START)[0].message_id
                    for i in range(20)]
        now = START
        while now <= START + timedelta(hours=3):  # the mailbox poll's five minutes, simulated
            server.handler.down = now < START + timedelta(hours=2)
            _deliver(initialised, now)
            now += timedelta(minutes=5)
    messages = server.handler.messages
    received = Counter(m["Message-ID"] for m in messages)
    assert all(received[k] == 1 for k in keys)
    assert set(received.values()) == {1}
    to_coordinator = _subjects_to(messages, COORDINATOR)
    assert [s for s in to_coordinator if s.startswith("【邮件延误】")] == ["【邮件延误】邮件服务器暂时无法投递，系统正在重试"]
    assert [s for s in to_coordinator if s.startswith("【邮件恢复】")] == ["【邮件恢复】邮件投递已恢复"]
    assert not [s for s in to_coordinator if s.startswith("【退信】")]  # nothing given up
    with transaction(initialised) as session:
        assert set(session.scalars(select(OutboxMessage.state))) == {"sent"}
        rows = session.scalars(select(OutboxMessage)).all()
    notices = [r for r in rows if r.message_id in keys]
    print(f"outage: {len(notices)} notices, each received once; attempts {max(r.attempts for r in notices)}; "
          f"last sent {max(r.sent_at for r in notices) - START} after the outage began; "
          f"to the coordinator: {sorted(r.subject[:6] for r in rows if r.message_id not in keys)}")


def test_a_550_for_one_cc_address_is_reported_to_the_coordinator_once(initialised, smtp_server):
    with transaction(initialised) as session:
        queue_message(session, key="rung:1:yellow", to=["jyj.contact@shenyang.example.org"],
                      cc=["someone@bounce.example.org"], subject="【黄牌警示】市教育局「清理自查」已逾期",
                      text="请尽快报送。", now=START)
    _deliver(initialised, START)
    assert [m["To"] for m in smtp_server.messages] == ["jyj.contact@shenyang.example.org"]
    for minutes in (1, 2, 3):
        _deliver(initialised, START + timedelta(minutes=minutes))
    [bounce] = [m for m in smtp_server.messages if m["Subject"].startswith("【退信】")]
    assert bounce["To"] == COORDINATOR
    assert "无法送达：someone@bounce.example.org（550 5.1.1 mailbox unavailable）" in \
        bounce.get_body(("plain",)).get_content()
    assert len(smtp_server.messages) == 2
    with transaction(initialised) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == "rung:1:yellow"))
        assert row.state == "sent" and row.owed_addrs == []


def test_a_refused_leader_has_the_notice_passed_up_to_the_head(initialised, smtp_server):
    with transaction(initialised) as session:
        jyj = session.scalar(select(Organisation.id).where(Organisation.code == "jyj"))
        session.execute(update(Contact).where(Contact.org_id == jyj, Contact.role == "leader")
                        .values(email="jyj.leader@bounce.example.org"))
        queue_message(session, key="rung:2:yellow", to=["jyj.leader@bounce.example.org"],
                      cc=["jyj.contact@shenyang.example.org"], subject="【黄牌警示】市教育局「清理自查」已逾期",
                      text="请尽快报送。", now=START)
    for minutes in (0, 1, 2):
        _deliver(initialised, START + timedelta(minutes=minutes))
    by_subject = {m["Subject"]: m for m in smtp_server.messages}
    passed_up = by_subject["【转送】【黄牌警示】市教育局「清理自查」已逾期"]
    assert passed_up["To"] == "jyj.head@shenyang.example.org"
    assert "原收件人 jyj.leader@bounce.example.org 的邮箱拒收本通知" in passed_up.get_body(("plain",)).get_content()
    bounce = by_subject["【退信】【黄牌警示】市教育局「清理自查」已逾期"]
    assert "已按督办层级转送 jyj.head@shenyang.example.org" in bounce.get_body(("plain",)).get_content()
    assert len(smtp_server.messages) == 3  # the contact's copy, the head's, the coordinator's bounce
