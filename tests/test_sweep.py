"""The daily sweep: each notice once, through reruns, crashes and gaps; the digest; bounces."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import aiosmtplib
import pytest
from sqlalchemy import func, select, update

from core.settings import get_settings
from registry.campaign.obligations import find_obligation, fulfil
from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.directory.tables import Contact, Organisation
from registry.outbox.delivery import deliver_pending
from registry.outbox.tables import OutboxMessage
from registry.supervision.digest import queue_digest
from registry.supervision.reports import open_supervision_reports
from registry.supervision.rungs import rungs_of
from registry.supervision.sweep import ESCALATION, sweep
from rules.calendar import YearNotLoaded
from rules.obligations import Standing

D = date.fromisoformat


def _sweep(url: str, day: str, **kwargs):
    with transaction(url) as session:
        return sweep(session, D(day), **kwargs)


def _keys(url: str, kind: str = ESCALATION) -> list[str]:
    with transaction(url) as session:
        return list(session.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == kind)))


def _rungs(url: str, obligation_id: int) -> list[tuple[str, date, str]]:
    with transaction(url) as session:
        return [(r.rung, r.taken_on, r.notice_key) for r in rungs_of(session, obligation_id)]


def _obligation_id(url: str, phase: str, org: str) -> int:
    with transaction(url) as session:
        return find_obligation(session, phase, org).id


def test_first_reminder_goes_to_every_working_contact(initialised):
    result = _sweep(initialised, "2016-07-25")
    assert {(n.phase_code, n.rung, n.to_role) for n in result.notices} == {("inventory", "reminder-5", "contact")}
    assert len(result.notices) == 48  # every city department's inventory, nothing due later


def test_rerunning_the_same_day_queues_nothing(initialised):
    first = _sweep(initialised, "2016-07-25")
    again = _sweep(initialised, "2016-07-25")
    assert first.notices and not again.notices
    assert again.already_sent == len(first.notices)
    assert len(_keys(initialised)) == len(first.notices)


def test_a_dry_run_writes_nothing(initialised):
    result = _sweep(initialised, "2016-07-25", dry_run=True)
    assert result.notices and _keys(initialised) == []


def test_after_a_gap_only_the_current_rung_is_sent(initialised):
    _sweep(initialised, "2016-07-25")  # then the server is down until 08-09
    result = _sweep(initialised, "2016-08-09")
    assert {n.rung for n in result.notices} == {"red"}
    jyj = _obligation_id(initialised, "inventory", "jyj")
    assert _rungs(initialised, jyj) == [("reminder-5", D("2016-07-25"), "rungs:jyj:reminder-5:2016-07-25"),
                                        ("red", D("2016-08-09"), "rungs:jyj:red:2016-08-09")]
    assert sorted(k for k in _keys(initialised) if k.startswith("rungs:jyj:")) == [
        "rungs:jyj:red:2016-08-09", "rungs:jyj:reminder-5:2016-07-25"]


def test_a_crash_before_commit_leaves_nothing_and_the_rerun_sends_once(initialised):
    with pytest.raises(RuntimeError):
        with transaction(initialised) as session:
            sweep(session, D("2016-07-25"))
            raise RuntimeError("the process dies before the commit")
    assert _keys(initialised) == []
    assert _sweep(initialised, "2016-07-25").notices
    assert len(_keys(initialised)) == len(set(_keys(initialised))) == 48


def test_a_crash_after_the_smtp_250_resends_with_the_same_message_id(initialised, smtp_server, monkeypatch):
    # The outbox gives exactly-once queuing; at the SMTP boundary a crash between the server's 250
    # and marking the row sent means at-least-once, with the same Message-ID so it can be recognised.
    with transaction(initialised) as session:
        session.execute(update(Obligation).where(Obligation.state == "open").values(state="fulfilled"))
        jyj = find_obligation(session, "inventory", "jyj")
        jyj.state = "open"
    _sweep(initialised, "2016-07-25")
    send = aiosmtplib.SMTP.data

    async def send_then_die(self, *args, **kwargs):
        await send(self, *args, **kwargs)
        raise KeyboardInterrupt  # the worker is killed right after the 250

    monkeypatch.setattr(aiosmtplib.SMTP, "data", send_then_die)
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(deliver_pending(initialised, get_settings(), datetime(2016, 7, 25, 9, 1)))
    monkeypatch.setattr(aiosmtplib.SMTP, "data", send)
    assert not _sweep(initialised, "2016-07-25").notices  # the rerun queues nothing new
    # The killed worker's claim lapses; the next delivery after it takes the message over.
    after_the_lease = datetime(2016, 7, 25, 9, 2) + timedelta(seconds=get_settings().smtp.claim_lease_seconds)
    asyncio.run(deliver_pending(initialised, get_settings(), after_the_lease))
    assert len(smtp_server.messages) == 2
    assert smtp_server.messages[0]["Message-ID"] == smtp_server.messages[1]["Message-ID"]
    asyncio.run(deliver_pending(initialised, get_settings(), after_the_lease + timedelta(minutes=1)))
    assert len(smtp_server.messages) == 2


def test_notices_reach_smtp_in_chinese_with_their_lines_intact(initialised, smtp_server):
    _sweep(initialised, "2016-08-02")
    asyncio.run(deliver_pending(initialised, get_settings(), datetime(2016, 8, 2, 9, 1)))
    jyj = next(m for m in smtp_server.messages if "市教育局" in m["Subject"])
    assert jyj["Subject"] == "【黄牌警示】市教育局「清理自查」已逾期（截止日期 2016-08-01）"
    assert jyj["To"] == "jyj.leader@shenyang.example.org" and jyj["Cc"] == "jyj.contact@shenyang.example.org"
    body = jyj.get_body(("plain",)).get_content().splitlines()
    assert body[0] == "分管领导：" and "现予黄牌警示" in body[3]


def test_a_missing_leader_sends_the_card_to_the_head_and_tells_the_coordinator(initialised):
    with transaction(initialised) as session:
        jyj_id = session.scalar(select(Organisation.id).where(Organisation.code == "jyj"))
        session.execute(update(Contact).where(Contact.org_id == jyj_id, Contact.role == "leader").values(email=""))
    result = _sweep(initialised, "2016-08-02")
    [notice] = [n for n in result.notices if n.org_code == "jyj"]
    assert (notice.to_role, notice.to, notice.skipped) == ("head", ("jyj.head@shenyang.example.org",), ("leader",))
    with transaction(initialised) as session:
        told = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "missing-contacts"))
        assert told.to_addrs == ["bwb.contact@shenyang.example.org"]
        assert "沈阳市教育局（jyj）：缺少分管领导" in told.text


def test_a_bounced_notice_is_recorded_and_the_coordinator_told(initialised, smtp_server):
    with transaction(initialised) as session:
        jyj_id = session.scalar(select(Organisation.id).where(Organisation.code == "jyj"))
        session.execute(update(Contact).where(Contact.org_id == jyj_id, Contact.role == "contact")
                        .values(email="jyj@bounce.example.org"))
    _sweep(initialised, "2016-07-25")
    report = asyncio.run(deliver_pending(initialised, get_settings(), datetime(2016, 7, 25, 9, 1)))
    assert len(report.failed) == 1
    asyncio.run(deliver_pending(initialised, get_settings(), datetime(2016, 7, 25, 9, 2)))
    bounce = next(m for m in smtp_server.messages if m["Subject"].startswith("【退信】"))
    assert bounce["To"] == "bwb.contact@shenyang.example.org"
    assert "jyj@bounce.example.org" in bounce.get_body(("plain",)).get_content()


def test_a_green_channel_obligation_is_carded_red_sooner(initialised):
    jyj = _obligation_id(initialised, "inventory", "jyj")
    with transaction(initialised) as session:
        session.get(Obligation, jyj).priority = True
    result = _sweep(initialised, "2016-08-03")
    rungs = {n.obligation_id: n.rung for n in result.notices}
    assert rungs[jyj] == "red" and rungs[_obligation_id(initialised, "inventory", "mzj")] == "yellow"


def test_a_sweep_outside_the_loaded_calendar_refuses(initialised):
    with pytest.raises(YearNotLoaded, match="2030"):
        _sweep(initialised, "2030-01-02")


def test_the_digest_lists_new_cards_changes_and_late_agencies(initialised):
    with transaction(initialised) as session:
        fulfil(session, "inventory", "jyj", D("2016-08-02"), actor="jyj", reason="报送")
    _sweep(initialised, "2016-08-02")
    with transaction(initialised) as session:
        digest = queue_digest(session, D("2016-08-02"))
    assert len(digest.new_cards) == 47 and digest.new_cards[0][0] == "黄牌"
    assert digest.changes[(Standing.DUE, Standing.YELLOW)] == 47
    assert digest.changes[(Standing.DUE, Standing.DONE)] == 1
    assert "市教育局" not in digest.late_by_org and len(digest.late_by_org) == 47
    assert digest.done_by_phase["inventory"] == ("清理自查", 1, 48)
    with transaction(initialised) as session:
        [message] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
    assert message.key == "digest:shenyang-2016:2016-08-02"
    assert message.subject == "【督办日报】2016-08-02：新增黄红牌 47 张，逾期 47 项，涉及 47 个单位"
    assert "今日到期 → 已完成：1 项" in message.text and "今日到期 → 黄牌警示：47 项" in message.text


def test_the_digest_is_queued_once_a_day(initialised):
    for _ in range(2):
        with transaction(initialised) as session:
            queue_digest(session, D("2016-08-02"))
    assert len(_keys(initialised, "digest")) == 1


def test_long_term_tasks_get_one_report_per_unit_and_period(initialised):
    with transaction(initialised) as session:
        opened = open_supervision_reports(session, D("2016-08-15"))
        again = open_supervision_reports(session, D("2016-09-30"))
        zwfwb = find_obligation(session, "supervision", "zwfwb", ref="2016Q3/task-5")
        due, reason = zwfwb.due, zwfwb.due_reason
        count = session.scalar(select(func.count()).select_from(Obligation).where(Obligation.ref.like("2016Q3/%")))
    assert opened == count > 0 and again == 0
    # Ten working days after 09-30, counting the make-up weekend 10-08/09 and skipping National Day.
    assert due == D("2016-10-19") and "2016Q3" in reason


def test_a_long_term_report_is_swept_like_any_obligation(initialised):
    with transaction(initialised) as session:
        open_supervision_reports(session, D("2016-08-15"))
    result = _sweep(initialised, "2016-10-20")
    assert {n.rung for n in result.notices if n.phase_code == "supervision"} == {"yellow"}


def test_each_new_report_is_called_for_once_with_its_workbook(initialised):
    from io import BytesIO

    from openpyxl import load_workbook

    with transaction(initialised) as session:
        open_supervision_reports(session, D("2016-08-15"))
        open_supervision_reports(session, D("2016-08-16"))
        zwfwb = find_obligation(session, "supervision", "zwfwb", ref="2016Q3/task-5")
        [call] = session.scalars(select(OutboxMessage).where(OutboxMessage.key == f"call:supervision:{zwfwb.id}")).all()
        [attachment] = call.attachments
        sheet = load_workbook(BytesIO(attachment.content))["指标填报"]
    assert call.to_addrs == ["zwfwb.contact@shenyang.example.org"]
    assert attachment.filename == "自查报告-第5项-2016Q3-市政务服务办.xlsx"
    assert call.reply_to.startswith("intake+") and "[RF-" in call.subject
    assert sheet["B2"].value == "公布的公共服务事项" and sheet["B3"].value == "信息共享替代的证明"
    assert sheet.freeze_panes == "A2"
