"""End to end on real servers: the call out through aiosmtpd, the reply into Dovecot, the receipt back out."""
from __future__ import annotations

import asyncio
import imaplib

import pytest

from demo.samples import filled_workbook, item_rows, reply_mail
from tests.intake_helpers import NOW


@pytest.fixture
def imap_intake(dovecot, monkeypatch):
    dovecot.empty("INBOX", "Done")
    for name, value in {"INTAKE_MAILBOX": "imap", "IMAP_HOST": dovecot.host, "IMAP_PORT": str(dovecot.port),
                        "IMAP_SSL": "false", "IMAP_USERNAME": dovecot.user, "IMAP_PASSWORD": dovecot.password,
                        "IMAP_DONE_FOLDER": "Done"}.items():
        monkeypatch.setenv(f"REFORM_{name}", value)
    return dovecot


def _answer_the_call(smtp_server, imap_intake, org_address: str, zero: bool = False) -> None:
    call = next(m for m in smtp_server.messages if m["To"] == org_address)
    [template] = list(call.iter_attachments())
    workbook = filled_workbook(template.get_content(), [] if zero else item_rows(5), zero_report=zero)
    imap_intake.deliver(reply_mail(sender=org_address, sender_name="联系人", to=call["Reply-To"],
                                   subject="回复：" + call["Subject"], attachments=[("清单.xlsx", workbook)],
                                   charset="gbk"))


def test_a_reply_in_dovecot_is_taken_in_and_its_receipt_reaches_the_department(
        initialised, prefect_server, smtp_server, imap_intake):
    from flows.intake import intake_flow
    from flows.kickoff import kickoff_flow

    asyncio.run(kickoff_flow("inventory", NOW))
    _answer_the_call(smtp_server, imap_intake, "jyj.contact@shenyang.example.org")
    [result] = asyncio.run(intake_flow(NOW))
    assert result["outcome"] == "accepted"
    receipt = next(m for m in smtp_server.messages if "【回执】" in m["Subject"])
    assert receipt["To"] == "jyj.contact@shenyang.example.org" and "共 5 个事项" in receipt.get_body(("plain",)).get_content()


def test_a_taken_in_message_is_seen_and_moved_to_the_done_folder(initialised, prefect_server, smtp_server, imap_intake):
    from flows.intake import intake_flow
    from flows.kickoff import kickoff_flow

    asyncio.run(kickoff_flow("inventory", NOW))
    _answer_the_call(smtp_server, imap_intake, "mzj.contact@shenyang.example.org", zero=True)
    asyncio.run(intake_flow(NOW))
    assert imap_intake.flags("INBOX") == [] and "\\Seen" in imap_intake.flags("Done")[0]
    assert asyncio.run(intake_flow(NOW)) == []


def test_a_poll_of_several_messages_logs_in_to_the_mailbox_once(
        initialised, prefect_server, smtp_server, imap_intake, monkeypatch):

    from flows.intake import intake_flow
    from flows.kickoff import kickoff_flow

    asyncio.run(kickoff_flow("inventory", NOW))
    departments = list(dict.fromkeys(m["To"] for m in smtp_server.messages))[:3]
    for address in departments:
        _answer_the_call(smtp_server, imap_intake, address)
    logins = []
    original = imaplib.IMAP4.login

    def counted(self, user, password):
        logins.append(user)
        return original(self, user, password)

    with monkeypatch.context() as patched:
        patched.setattr(imaplib.IMAP4, "login", counted)
        results = asyncio.run(intake_flow(NOW, deliver=False))
    assert [r["outcome"] for r in results] == ["accepted"] * 3
    assert logins == [imap_intake.user]
    assert imap_intake.flags("INBOX") == [] and len(imap_intake.flags("Done")) == 3
