"""Taking in a reply: identification, storage with versions, receipts, and every bad-input case of the mail."""
from __future__ import annotations

from email.header import Header

from sqlalchemy import func, select

from demo.samples import filled_workbook, item_rows
from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.intake.tables import MailboxMessage, Submission, SubmittedItem
from tests.intake_helpers import call, good_workbook, outbox, reply, take_in


def _state(url: str, obligation_id: int) -> str:
    with transaction(url) as session:
        return session.get(Obligation, obligation_id).state


def test_an_accepted_workbook_is_stored_and_fulfils_the_obligation(initialised):
    c = call(initialised, "jyj")
    result = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, rows=4))]))
    assert (result.outcome, result.version, result.items) == ("accepted", 1, 4)
    assert _state(initialised, c.obligation_id) == "fulfilled"
    with transaction(initialised) as session:
        assert session.scalar(select(func.count()).select_from(SubmittedItem)) == 4


def test_an_accepted_receipt_counts_by_category_and_flags_missing_basis(initialised):
    c = call(initialised, "jyj")
    take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, rows=12))]))
    [receipt] = outbox(initialised, "receipt")
    assert receipt.to_addrs == [c.sender] and "已通过校验" in receipt.subject
    assert "各类别：" in receipt.text and "未填写设定依据" in receipt.text


def test_a_resubmission_supersedes_the_version_before(initialised):
    c = call(initialised, "jyj")
    take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, rows=2))]))
    second = take_in(initialised, reply(c, [("清单v2.xlsx", good_workbook(c, rows=3))]))
    with transaction(initialised) as session:
        states = session.execute(select(Submission.version, Submission.state).order_by(Submission.version)).all()
    assert second.version == 2 and [tuple(s) for s in states] == [(1, "superseded"), (2, "accepted")]


def test_a_rejected_workbook_returns_the_obligation_and_lists_every_problem(initialised):
    c = call(initialised, "jyj")
    rows = item_rows(2)
    rows[0][3], rows[1][7] = "社保", "三天"
    result = take_in(initialised, reply(c, [("清单.xlsx", filled_workbook(c.template, rows))]))
    assert result.outcome == "rejected" and result.problems == 2
    assert _state(initialised, c.obligation_id) == "returned"
    [receipt] = outbox(initialised, "receipt")
    assert "第 2 行「事项类别」列：「社保」不是可选的值" in receipt.text
    assert "第 3 行「办理时限（工作日）」列" in receipt.text
    assert [a.filename for a in receipt.attachments] == ["问题清单.xlsx"]


def test_a_zero_report_is_accepted_as_such(initialised):
    c = call(initialised, "jyj")
    result = take_in(initialised, reply(c, [("清单.xlsx", filled_workbook(c.template, [], zero_report=True))]))
    assert result.outcome == "zero_report" and _state(initialised, c.obligation_id) == "fulfilled"
    assert "零报告已收到" in outbox(initialised, "receipt")[0].subject


def test_no_attachment_gets_a_receipt_saying_so(initialised):
    c = call(initialised, "jyj")
    result = take_in(initialised, reply(c, []))
    assert result.outcome == "rejected" and "邮件中没有附件" in outbox(initialised, "receipt")[0].text


def test_several_workbooks_get_a_receipt_naming_them(initialised):
    c = call(initialised, "jyj")
    workbook = good_workbook(c)
    take_in(initialised, reply(c, [("a.xlsx", workbook), ("b.xlsx", workbook)]))
    assert "2 个表格附件：「a.xlsx」、「b.xlsx」" in outbox(initialised, "receipt")[0].text


def test_an_xls_attachment_gets_a_receipt_with_save_as_advice(initialised):
    c = call(initialised, "jyj")
    take_in(initialised, reply(c, [("清单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)]))
    assert "另存为" in outbox(initialised, "receipt")[0].text
    with transaction(initialised) as session:
        assert session.scalar(select(Submission.state)) == "rejected"


def test_the_same_message_twice_changes_nothing(initialised):
    c = call(initialised, "jyj")
    raw = reply(c, [("清单.xlsx", good_workbook(c))])
    take_in(initialised, raw)
    again = take_in(initialised, raw)
    assert again.already_seen
    with transaction(initialised) as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 1
    assert len(outbox(initialised, "receipt")) == 1


def test_a_stranger_is_quarantined_and_the_coordinator_told_without_reply(initialised):
    c = call(initialised, "jyj")
    result = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c))], sender="someone@qq.example.com"))
    assert result.outcome == "quarantined"
    assert outbox(initialised, "receipt") == []
    [notice] = outbox(initialised, "intake_notice")
    assert notice.to_addrs == ["bwb.contact@shenyang.example.org"] and "someone@qq.example.com" in notice.text
    with transaction(initialised) as session:
        row = session.scalar(select(MailboxMessage))
        assert row.raw is None and row.size > 1000 and len(row.sha256) == 64 and "From:" in row.headers


def test_another_departments_token_is_rejected_and_the_coordinator_told(initialised):
    theirs, ours = call(initialised, "jyj"), call(initialised, "mzj")
    result = take_in(initialised, reply(theirs, [("清单.xlsx", good_workbook(theirs))], sender=ours.sender))
    assert result.outcome == "misrouted" and _state(initialised, theirs.obligation_id) == "open"
    assert outbox(initialised, "receipt")[0].to_addrs == [ours.sender]
    assert "使用了" in outbox(initialised, "intake_notice")[0].subject


def test_a_gbk_subject_and_body_are_decoded(initialised):
    c = call(initialised, "jyj")
    raw = reply(c, [("清单.xlsx", good_workbook(c))], charset="gbk", text="附件是我局的清单，请审核。")
    raw = raw.replace(b"Subject: ", b"Subject: " + Header("回复：" + c.subject, "gb2312").encode().encode()
                      + b"\r\nX-Old-Subject: ", 1)
    result = take_in(initialised, raw)
    assert result.outcome == "accepted"
    with transaction(initialised) as session:
        assert session.scalar(select(MailboxMessage.subject)).startswith("回复：关于报送公共服务事项清单的通知")


def test_a_raw_gbk_subject_without_encoding_is_decoded_and_its_token_found(initialised):
    from notifications.inbound import read_mail

    c = call(initialised, "jyj")
    token = c.reply_to.split("+")[1].split("@")[0]
    raw = (f"From: {c.sender}\r\nTo: intake@shenyang.example.org\r\nSubject: ".encode()
           + f"公共服务事项清单 [RF-{token}]".encode("gbk") + b"\r\n\r\nbody\r\n")
    mail = read_mail(raw)
    assert mail.subject == f"公共服务事项清单 [RF-{token}]" and mail.tokens == (token,)


def test_header_injection_in_a_name_stays_out_of_the_receipt_headers(initialised, smtp_server):
    import asyncio

    from core.settings import get_settings
    from registry.outbox.delivery import deliver_pending

    c = call(initialised, "jyj")
    evil = "=?utf-8?b?" + __import__("base64").b64encode("张三\r\nBcc: victim@example.org".encode()).decode() + "?="
    raw = reply(c, [("清单\r\nBcc: x@example.org.xlsx", good_workbook(c))]).replace(
        b"From: ", f"From: {evil} <{c.sender}>\r\nX-Was-From: ".encode(), 1)
    take_in(initialised, raw)
    asyncio.run(deliver_pending(initialised, get_settings()))
    receipts = [m for m in smtp_server.messages if "回执" in m["Subject"]]
    assert receipts and all(m["Bcc"] is None for m in receipts)
    assert all(rcpts == [c.sender] for _, rcpts in smtp_server.handler.envelopes)
