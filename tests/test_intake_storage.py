"""Storage and memory: refused and strangers' mail kept as headers, size and digest; a cap on each
stranger's quarantine per day; refusing a 41 MB message costs little memory."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import undefer

from registry.db import transaction
from registry.intake.tables import MailboxMessage, Submission
from tests.intake_helpers import NOW, call, good_workbook, outbox, reply, take_in

MB = 1024 * 1024
STRANGER = "someone@qq.example.com"


def _messages(url: str) -> list[MailboxMessage]:
    with transaction(url) as session:
        return list(session.scalars(select(MailboxMessage).options(undefer(MailboxMessage.raw))
                                    .order_by(MailboxMessage.id)))


def _submission(url: str) -> Submission:
    with transaction(url) as session:
        return session.scalar(select(Submission).options(undefer(Submission.content))
                              .order_by(Submission.id.desc()).limit(1))


def _big_reply(c, attachment_bytes: int) -> bytes:
    # Random bytes: nothing along the way can compress them away.
    return reply(c, [("清单.xlsx", os.urandom(attachment_bytes))])


def test_a_message_too_large_is_refused_by_its_size_and_kept_as_headers_size_and_digest(initialised, maildir):
    from tasks.intake import take_in_message_now

    c = call(initialised, "jyj")
    raw = _big_reply(c, 30 * MB)
    ref = maildir.add(raw)

    result = take_in_message_now(ref)

    assert result["outcome"] == "rejected" and "S" in maildir.get_message(ref).get_flags()
    [row] = _messages(initialised)
    assert (row.size, row.sha256) == (len(raw), hashlib.sha256(raw).hexdigest()) and row.raw is None
    assert "Subject: " in row.headers and c.sender in row.headers and len(row.headers) < 4096
    submission = _submission(initialised)
    assert submission.state == "rejected" and submission.content is None
    assert (submission.size, submission.sha256) == (len(raw), hashlib.sha256(raw).hexdigest())
    [receipt] = outbox(initialised, "receipt")
    assert "超过 28 MB 的上限" in receipt.text and receipt.to_addrs == [c.sender]


def test_an_attachment_refused_for_its_size_is_kept_as_size_and_digest(initialised, monkeypatch):
    monkeypatch.setenv("REFORM_INTAKE_MAX_ATTACHMENT_BYTES", str(1 * MB))
    c = call(initialised, "jyj")
    attachment = os.urandom(2 * MB)

    result = take_in(initialised, reply(c, [("清单.xlsx", attachment)]))

    assert result.outcome == "rejected"
    submission = _submission(initialised)
    assert submission.content is None
    assert (submission.size, submission.sha256) == (len(attachment), hashlib.sha256(attachment).hexdigest())
    assert "超过" in outbox(initialised, "receipt")[0].text


def test_an_accepted_workbook_is_kept_whole(initialised):
    c = call(initialised, "jyj")
    workbook = good_workbook(c)
    assert take_in(initialised, reply(c, [("清单.xlsx", workbook)])).outcome == "accepted"
    submission = _submission(initialised)
    assert submission.content == workbook and submission.size == len(workbook)


def test_a_strangers_message_is_kept_as_headers_size_and_digest(initialised):
    c = call(initialised, "jyj")
    raw = reply(c, [("清单.xlsx", good_workbook(c))], sender=STRANGER)

    assert take_in(initialised, raw).outcome == "quarantined"

    [row] = _messages(initialised)
    assert row.raw is None and (row.size, row.sha256) == (len(raw), hashlib.sha256(raw).hexdigest())
    assert STRANGER in row.headers and "Content-Transfer-Encoding: base64" not in row.headers


def test_quarantine_is_capped_per_sender_and_day(initialised, monkeypatch):
    monkeypatch.setenv("REFORM_INTAKE_QUARANTINE_PER_SENDER_PER_DAY", "2")
    c = call(initialised, "jyj")

    outcomes = [take_in(initialised, reply(c, [], sender=STRANGER)).outcome for _ in range(4)]
    other = take_in(initialised, reply(c, [], sender="other@qq.example.com")).outcome
    next_day = take_in(initialised, reply(c, [], sender=STRANGER), NOW + timedelta(days=1)).outcome

    assert outcomes == ["quarantined", "quarantined", "dropped", "dropped"]
    assert (other, next_day) == ("quarantined", "quarantined")
    assert [m.sender for m in _messages(initialised)] == [STRANGER, STRANGER, "other@qq.example.com", STRANGER]
    notices = outbox(initialised, "intake_notice")
    assert len(notices) == 4 and "已达上限" in notices[1].text and "已达上限" not in notices[0].text


# The peak as the kernel saw it (VmHWM): ru_maxrss would carry over the forking test process's own.
PEAK = """
import json, sys
from datetime import datetime
from core.settings import get_settings
from notifications.mailbox import MailboxPoll
from registry.inbound import service
settings = get_settings()
poll = MailboxPoll(settings)
[ref] = poll.pending()
commit = lambda message: service.take_in_mail(settings.database_url, message, datetime(2016, 7, 20, 10), settings)
result = poll.take(ref, commit, settings.limits.max_message_bytes, service.settled)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"outcome": result.outcome, "peak": peak * 1024}))
"""


def test_refusing_a_41_mb_message_peaks_under_150_mb(initialised, maildir):
    c = call(initialised, "jyj")
    raw = _big_reply(c, 30 * MB)
    assert len(raw) > 41_000_000
    maildir.add(raw)
    del raw

    assert _peak_refusing() < 150 * MB


def test_refusing_a_41_mb_message_from_imap_reads_its_size_first_and_peaks_under_150_mb(
        initialised, dovecot, monkeypatch):
    dovecot.empty("INBOX")
    for name, value in {"INTAKE_MAILBOX": "imap", "IMAP_HOST": dovecot.host, "IMAP_PORT": str(dovecot.port),
                        "IMAP_SSL": "false", "IMAP_USERNAME": dovecot.user, "IMAP_PASSWORD": dovecot.password}.items():
        monkeypatch.setenv(f"REFORM_{name}", value)
    c = call(initialised, "jyj")
    raw = _big_reply(c, 30 * MB)
    digest = hashlib.sha256(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")).hexdigest()
    dovecot.deliver(raw)
    del raw

    assert _peak_refusing() < 150 * MB
    [row] = _messages(initialised)
    assert row.sha256 == digest and row.size > 41_000_000
    assert "\\Seen" in dovecot.flags("INBOX")[0]


def _peak_refusing() -> int:
    """Take in the one pending message in a process of its own; its peak resident memory."""
    run = subprocess.run([sys.executable, "-c", PEAK], capture_output=True, text=True, timeout=300, env=os.environ)
    assert run.returncode == 0, run.stderr
    measured = json.loads(run.stdout)
    assert measured["outcome"] == "rejected"
    return measured["peak"]
