"""Mail we must not answer: auto-replies, bulk mail and delivery reports are recorded, with their
reason, and change nothing; no receipt goes back, so no mail loop can start."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select

from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.intake.tables import MailboxMessage, Submission
from tests.intake_helpers import call, good_workbook, outbox, reply, take_in


def _with_headers(raw: bytes, **headers: str) -> bytes:
    head, _, body = raw.partition(b"\n\n")
    extra = "".join(f"{name.replace('_', '-')}: {value}\n" for name, value in headers.items())
    return head + b"\n" + extra.encode().rstrip(b"\n") + b"\n\n" + body


def _out_of_office(c, **headers: str) -> bytes:
    return _with_headers(reply(c, [], text="我休假至 8 月 1 日，急事请致电。"), **headers)


def _delivery_report(c) -> bytes:
    report = EmailMessage()
    report["From"] = c.sender
    report["To"] = c.reply_to
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = make_msgid(domain="dept.shenyang.example.org")
    report.set_content("This is the mail system at host mx.\n\nI'm sorry to have to inform you ...")
    status = EmailMessage()
    status.set_content("Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; nobody@x\nAction: failed\nStatus: 5.1.1\n")
    report.add_attachment(status)
    report.replace_header("Content-Type", 'multipart/report; report-type=delivery-status; boundary="b1"')
    return report.as_bytes()


def _taken_in_quietly(url: str, c, raw: bytes, reason: str) -> None:
    """Recorded with its reason; no receipt, no submission, the obligation as it was."""
    result = take_in(url, raw)
    assert result.outcome == "automatic"
    assert outbox(url, "receipt") == [] and outbox(url, "intake_notice") == []
    with transaction(url) as session:
        row = session.scalars(select(MailboxMessage)).one()
        assert (row.outcome, row.submission_id, row.raw) == ("automatic", None, None)
        assert reason in row.detail
        assert session.get(Obligation, c.obligation_id).state == "open"
        assert session.scalars(select(Submission)).all() == []


def test_auto_submitted_auto_replied(initialised):
    c = call(initialised, "jyj")
    _taken_in_quietly(initialised, c, _out_of_office(c, Auto_Submitted="auto-replied"),
                      "自动发送的邮件（Auto-Submitted: auto-replied）")


def test_auto_submitted_no_is_a_person_writing(initialised):
    c = call(initialised, "jyj")
    result = take_in(initialised, _with_headers(reply(c, [("清单.xlsx", good_workbook(c))]), Auto_Submitted="no"))
    assert result.outcome == "accepted" and len(outbox(initialised, "receipt")) == 1


def test_x_autoreply(initialised):
    c = call(initialised, "jyj")
    _taken_in_quietly(initialised, c, _out_of_office(c, X_Autoreply="yes"), "自动回复（X-Autoreply: yes）")


def test_x_autorespond(initialised):
    c = call(initialised, "jyj")
    _taken_in_quietly(initialised, c, _out_of_office(c, X_Autorespond="on"), "自动回复（X-Autorespond: on）")


def test_precedence_bulk(initialised):
    c = call(initialised, "jyj")
    _taken_in_quietly(initialised, c, _out_of_office(c, Precedence="bulk"), "群发或自动邮件（Precedence: bulk）")


def test_precedence_auto_reply(initialised):
    c = call(initialised, "jyj")
    _taken_in_quietly(initialised, c, _out_of_office(c, Precedence="auto_reply"), "Precedence: auto_reply")


def test_delivery_status_notification(initialised):
    c = call(initialised, "jyj")
    _taken_in_quietly(initialised, c, _delivery_report(c), "退信（投递状态通知）")


def test_an_auto_reply_to_the_complaints_address_opens_no_complaint(initialised):
    from core.settings import get_settings

    c = call(initialised, "jyj")
    raw = _with_headers(reply(c, [], text="自动回复：已收到").replace(
        c.reply_to.encode(), get_settings().mailbox.complaints_address.encode()), Auto_Submitted="auto-replied")
    assert take_in(initialised, raw).outcome == "automatic"
    assert outbox(initialised, "complaint") == [] and outbox(initialised, "receipt") == []


def test_an_auto_reply_in_the_maildir_is_marked_done_without_a_receipt(initialised, maildir):
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    key = maildir.add(_out_of_office(c, Auto_Submitted="auto-replied"))
    assert take_in_message_now(key)["outcome"] == "automatic"
    assert "S" in maildir.get_message(key).get_flags()
    assert outbox(initialised, "receipt") == []
    with transaction(initialised) as session:
        assert session.get(Obligation, c.obligation_id).state == "open"
