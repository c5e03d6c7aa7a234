"""Two workers at once: two intake workers on one mailbox, two sweeps of one day.

The workers are separate processes over one registry, as two `reform intake --once` runs or two
cron jobs would be. Each takes in every message it lists (the task's body without Prefect), so
both contend for every message, then delivers the outbox, as the command does.
"""
from __future__ import annotations

import mailbox
import os
import subprocess
import sys
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.campaign.obligations import find_obligation
from registry.db import transaction
from registry.intake.tables import MailboxMessage, Submission
from registry.outbox.tables import OutboxMessage
from registry.supervision import service as supervision
from registry.supervision.tables import RungTaken
from tests.conftest import postgres_database
from tests.intake_helpers import call, good_workbook, reply

MESSAGES = 120
WORKER = """
import asyncio
from collections import Counter
from core.settings import get_settings
from notifications.mailbox import MaildirMailbox
from registry.outbox.service import deliver
from tasks.intake import take_in_message_now
settings = get_settings()
outcomes = Counter(take_in_message_now(ref)["outcome"] for ref in MaildirMailbox(settings.maildir).pending())
while any(asyncio.run(deliver(settings.database_url, settings=settings)).values()):
    pass
print(dict(outcomes))
"""


@pytest.fixture
def postgres_registry(seeded_templates, tmp_path, monkeypatch):
    """An initialised registry on PostgreSQL only: SQLite has one writer, so two workers never race there."""
    template = seeded_templates("postgresql").rsplit("/", 1)[1]
    url, drop = postgres_database(template)
    monkeypatch.setenv("REFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REFORM_DATABASE_URL", url)
    yield url
    drop()


def _departments(url: str, count: int) -> list[str]:
    from registry.directory.tables import Organisation

    with transaction(url) as session:
        codes = session.scalars(select(Organisation.code).where(Organisation.kind == "department")
                                .order_by(Organisation.code)).all()
    return [code for code in codes if _owes_inventory(url, code)][:count]


def _owes_inventory(url: str, code: str) -> bool:
    with transaction(url) as session:
        try:
            find_obligation(session, "inventory", code)
        except LookupError:
            return False
    return True


def _run_together(commands: list[list[str]], env: dict[str, str]) -> list[subprocess.CompletedProcess]:
    processes = [subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for c in commands]
    done = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def test_two_intake_workers_take_in_each_message_once_and_each_receipt_arrives_once(
        postgres_registry, smtp_server, tmp_path):
    url = postgres_registry
    maildir = mailbox.Maildir(str(tmp_path / "maildir"), create=True)
    calls = [call(url, code) for code in _departments(url, 12)]
    for n in range(MESSAGES):
        c = calls[n % len(calls)]
        maildir.add(reply(c, [("清单.xlsx", good_workbook(c, rows=2))]))
    env = {**os.environ, "REFORM_INTAKE_MAILBOX": "maildir", "REFORM_MAILDIR_PATH": str(tmp_path / "maildir")}

    workers = _run_together([[sys.executable, "-c", WORKER]] * 2, env)

    for worker in workers:
        assert worker.returncode == 0, worker.stderr
        assert "Traceback" not in worker.stdout + worker.stderr
        assert "Error" not in worker.stdout + worker.stderr
    with transaction(url) as session:
        receipts = session.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "receipt")).all()
        messages = session.execute(select(MailboxMessage.outcome, MailboxMessage.attempts)).all()
        submissions = session.scalar(select(func.count()).select_from(Submission))
    assert len(receipts) == len(set(receipts)) == MESSAGES
    assert Counter(outcome for outcome, _ in messages) == {"accepted": MESSAGES}
    assert all(attempts == 0 for _, attempts in messages) and submissions == MESSAGES
    assert all("S" in maildir.get_message(key).get_flags() for key in maildir.keys())
    arrived = Counter(m["Message-ID"] for m in smtp_server.messages if m["Subject"].startswith("【回执】"))
    assert len(arrived) == MESSAGES and set(arrived.values()) == {1}


def test_two_sweeps_of_one_day_both_finish_and_send_the_day_once(initialised):
    url, day = initialised, date(2016, 8, 2)
    expected = supervision.sweep_day(url, day, dry_run=True)
    assert expected.messages  # the day has work to do
    sweep = [sys.executable, "-m", "reform", "sweep", "--as-of", day.isoformat()]
    env = {**os.environ, "REFORM_SMTP_PORT": "9"}  # nothing listens: delivery, if any, waits for later

    sweeps = _run_together([sweep, sweep], env)

    for run in sweeps:
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Traceback" not in run.stdout + run.stderr
    with transaction(url) as session:
        escalations = session.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "escalation")).all()
        rungs = session.scalar(select(func.count()).select_from(RungTaken))
        digests = session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.key.like(f"digest:%:{day.isoformat()}")))
    assert sorted(escalations) == sorted(m.key for m in expected.messages)
    assert rungs == len(expected.notices) and digests == 1
