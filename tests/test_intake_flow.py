"""The kickoff and intake flows on a real (temporary) Prefect server, a Maildir and aiosmtpd."""
from __future__ import annotations

import asyncio
import subprocess
import sys

from sqlalchemy import func, select

from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.directory.tables import Contact
from registry.intake.tables import Submission
from tests.intake_helpers import NOW, call, good_workbook, outbox, reply


def _submissions(url: str) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(Submission))


def _inventory_contacts(url: str) -> list[str]:
    """The working contact of every organisation that owes an inventory."""
    with transaction(url) as session:
        return sorted(session.scalars(
            select(Contact.email).join(Obligation, Obligation.debtor_id == Contact.org_id)
            .join(Phase, Phase.id == Obligation.phase_id)
            .where(Phase.code == "inventory", Obligation.ref == "", Contact.role == "contact")))


def test_kickoff_calls_each_department_once_even_when_rerun(initialised, prefect_server, smtp_server):
    from flows.kickoff import kickoff_flow

    owing = _inventory_contacts(initialised)
    first = asyncio.run(kickoff_flow("inventory", NOW))
    after_first = len(smtp_server.messages)
    again = asyncio.run(kickoff_flow("inventory", NOW))
    assert len(owing) > 40 and first["sent"] == first["calls"] == after_first == len(owing)
    assert sorted(m["To"] for m in smtp_server.messages) == owing
    assert again["sent"] == 0 and len(smtp_server.messages) == after_first


def test_a_call_is_chinese_html_with_text_template_and_reply_address(initialised, prefect_server, smtp_server):
    from flows.kickoff import kickoff_flow

    asyncio.run(kickoff_flow("inventory", NOW))
    message = next(m for m in smtp_server.messages if m["To"] == "jyj.contact@shenyang.example.org")
    assert message["Reply-To"].startswith("intake+") and "[RF-" in message["Subject"]
    assert "2016年8月1日" in message.get_body(("plain",)).get_content()
    assert "<p>" in message.get_body(("html",)).get_content()
    assert [a.get_filename() for a in message.iter_attachments()] == ["公共服务事项清单-市教育局.xlsx"]


def test_intake_takes_in_each_message_and_marks_it_done(initialised, prefect_server, smtp_server, maildir):
    from flows.intake import intake_flow

    c = call(initialised, "jyj")
    maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    [result] = asyncio.run(intake_flow(NOW))
    assert result["outcome"] == "accepted"
    assert all("S" in maildir.get_message(key).get_flags() for key in maildir.keys())


def test_intake_delivers_the_receipt(initialised, prefect_server, smtp_server, maildir):
    from flows.intake import intake_flow

    c = call(initialised, "jyj")
    maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    asyncio.run(intake_flow(NOW))
    assert any("【回执】" in m["Subject"] and m["To"] == c.sender for m in smtp_server.messages)


def test_intake_emits_an_event_per_accepted_submission(initialised, prefect_server, smtp_server, maildir, monkeypatch):
    import flows.events
    import flows.intake

    emitted = []
    monkeypatch.setattr(flows.events, "emit_event", lambda **kw: emitted.append(kw))
    c = call(initialised, "jyj")
    maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    maildir.add(reply(c, []))  # rejected: no event
    asyncio.run(flows.intake.intake_flow(NOW))
    [event] = emitted
    assert event["event"] == "reform.submission.accepted" and event["payload"]["org_code"] == "jyj"


def test_intake_leaves_a_table_artifact(initialised, prefect_server, smtp_server, maildir):
    from prefect.client.orchestration import get_client

    from flows.intake import intake_flow

    c = call(initialised, "jyj")
    maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    asyncio.run(intake_flow(NOW))

    async def keys():
        async with get_client() as client:
            return {a.key for a in await client.read_latest_artifacts()}

    assert "mailbox-intake" in asyncio.run(keys())


KILL_WHEN_MARKING_DONE = """
import os, signal, sys
from notifications import mailbox
mailbox.MaildirMailbox.mark_done = lambda self, ref: os.kill(os.getpid(), signal.SIGKILL)
from tasks.intake import take_in_message_now
take_in_message_now(sys.argv[1])
"""


def test_a_process_killed_after_commit_before_marking_done_takes_the_message_in_once(initialised, maildir):
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    ref = maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    killed = subprocess.run([sys.executable, "-c", KILL_WHEN_MARKING_DONE, ref], capture_output=True)
    assert killed.returncode == -9 and ref in maildir.keys() and maildir.get_message(ref).get_subdir() == "new"
    again = take_in_message_now(ref)
    assert again["already_seen"] and _submissions(initialised) == 1 and len(outbox(initialised, "receipt")) == 1
    assert "S" in maildir.get_message(ref).get_flags()


def test_a_crash_before_commit_leaves_the_message_for_the_next_run(initialised, maildir, monkeypatch):
    import registry.intake.workbooks as intake_workbooks
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    ref = maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    original = intake_workbooks.record_submission

    def crash(*args, **kw):
        original(*args, **kw)
        raise RuntimeError("power cut")

    monkeypatch.setattr(intake_workbooks, "record_submission", crash)
    assert take_in_message_now(ref)["outcome"] == "failed"
    assert _submissions(initialised) == 0 and maildir.get_message(ref).get_subdir() == "new"
    monkeypatch.setattr(intake_workbooks, "record_submission", original)
    assert take_in_message_now(ref)["outcome"] == "accepted" and _submissions(initialised) == 1
