"""A message that makes processing fail: counted, tried again, and after three alike failures
quarantined with a notice to the coordinator and a receipt to the department; never retried after."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.db import transaction
from registry.intake.tables import MailboxMessage
from tests.intake_helpers import call, good_workbook, outbox, reply

SUBJECT_WORD = "清单报送"


@pytest.fixture
def parser_fails(monkeypatch):
    """The sheet reader failing on this workbook as a hostile file can make it fail: unexpectedly."""
    import registry.intake.workbooks as intake_workbooks

    def fail(content: bytes):
        raise KeyError("xl/sharedStrings.xml")

    monkeypatch.setattr(intake_workbooks, "parse_inventory", fail)


def _row(url: str) -> MailboxMessage:
    with transaction(url) as session:
        return session.scalar(select(MailboxMessage))


def test_a_message_failing_three_times_alike_is_quarantined_and_told(initialised, maildir, parser_fails):
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    ref = maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))

    outcomes = [take_in_message_now(ref)["outcome"] for _ in range(3)]

    assert outcomes == ["failed", "failed", "quarantined"]
    row = _row(initialised)
    assert row.outcome == "quarantined" and row.attempts == 3 and row.last_error == "KeyError: 'xl/sharedStrings.xml'"
    [notice] = outbox(initialised, "intake_notice")
    assert notice.to_addrs == ["bwb.contact@shenyang.example.org"]
    assert c.sender in notice.text and c.subject in notice.text and "KeyError: 'xl/sharedStrings.xml'" in notice.text
    [receipt] = outbox(initialised, "receipt")
    assert receipt.to_addrs == [c.sender] and "连续 3 次出错" in receipt.text and "人工核查" in receipt.text
    assert "S" in maildir.get_message(ref).get_flags()


def test_a_quarantined_message_is_not_tried_again(initialised, maildir, parser_fails):
    from core.settings import get_settings
    from notifications.mailbox import MaildirMailbox
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    ref = maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    for _ in range(3):
        take_in_message_now(ref)

    assert MaildirMailbox(get_settings().maildir).pending() == []
    again = take_in_message_now(ref)  # listed again anyway (a mailbox restored from backup)
    assert again["already_seen"] and again["outcome"] == "quarantined"
    assert _row(initialised).attempts == 3 and len(outbox(initialised, "intake_notice")) == 1


def test_a_failed_attempt_leaves_the_message_for_the_next_poll_and_tells_nobody(initialised, maildir, parser_fails):
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    ref = maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))

    assert take_in_message_now(ref)["outcome"] == "failed"
    assert maildir.get_message(ref).get_subdir() == "new"
    assert outbox(initialised, "intake_notice") == [] and outbox(initialised, "receipt") == []
    assert _row(initialised).outcome == "failed" and _row(initialised).attempts == 1


def test_a_message_that_fails_differently_each_time_starts_its_count_again(initialised, maildir, monkeypatch):
    import registry.intake.workbooks as intake_workbooks
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    ref = maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    errors = iter([KeyError("a"), KeyError("b"), ValueError("c")])

    def fail(content: bytes):
        raise next(errors)

    monkeypatch.setattr(intake_workbooks, "parse_inventory", fail)
    assert [take_in_message_now(ref)["outcome"] for _ in range(3)] == ["failed", "failed", "failed"]
    assert _row(initialised).attempts == 1 and _row(initialised).last_error == "ValueError: c"


def test_a_message_that_works_after_failing_is_taken_in(initialised, maildir, monkeypatch):
    import registry.intake.workbooks as intake_workbooks
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    ref = maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    original = intake_workbooks.parse_inventory
    monkeypatch.setattr(intake_workbooks, "parse_inventory", lambda content: (_ for _ in ()).throw(OSError("disk")))
    assert take_in_message_now(ref)["outcome"] == "failed"
    monkeypatch.setattr(intake_workbooks, "parse_inventory", original)

    assert take_in_message_now(ref)["outcome"] == "accepted"
    assert _row(initialised).outcome == "accepted" and len(outbox(initialised, "receipt")) == 1


def test_a_strangers_failing_message_is_quarantined_without_reply(initialised, maildir, monkeypatch):
    import registry.inbound.sorting as sorting
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    ref = maildir.add(reply(c, [("清单.xlsx", good_workbook(c))], sender="someone@qq.example.com"))

    def fail(session, sender):
        raise RuntimeError("directory lookup broke")

    monkeypatch.setattr(sorting, "orgs_of_sender", fail)
    assert [take_in_message_now(ref)["outcome"] for _ in range(3)][-1] == "quarantined"
    [notice] = outbox(initialised, "intake_notice")
    assert "someone@qq.example.com" in notice.text and "RuntimeError: directory lookup broke" in notice.text
    assert outbox(initialised, "receipt") == []
