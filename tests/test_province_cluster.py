"""No double work at province scale: a generated province on a cluster of two API servers and two
process workers; the day's sweep, an intake of replies and a worker killed mid-run."""
from __future__ import annotations

import mailbox
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from demo.samples import filled_workbook, item_rows, reply_mail
from notifications.mailbox import MaildirMailbox
from registry.db import transaction
from registry.intake import service as intake
from registry.intake.tables import MailboxMessage, Submission
from registry.outbox.tables import OutboxMessage
from registry.province import service as province
from registry.supervision import service as supervision
from registry.supervision.tables import RungTaken
from tests.cluster_fixture import FINAL_STATES, start_cluster
from tests.conftest import postgres_database

pytestmark = pytest.mark.postgres

# Every city, two districts each, small departments: the topology of the province at a size CI runs.
SIZES = province.Sizes(cities=14, districts_per_city=2, departments=12, district_departments=6, townships=4)
DAY = date(2017, 1, 23)  # every campaign has something late: the cities' inventories, the districts' too
NOW = datetime(2017, 1, 10, 9, 0)
REDIS_DB = 11  # apart from the other test modules' clusters (12–14)
SWEEP_TIMEOUT = 900


@pytest.fixture(scope="module")
def province_cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("province")
    province.generate_province(folder, SIZES)
    url, drop = postgres_database()
    province.load_province(url, folder)
    maildir = tmp_path_factory.mktemp("maildir") / "intake"
    mailbox.Maildir(str(maildir), create=True)
    running = start_cluster(tmp_path_factory.mktemp("province-cluster") / "home", url, redis_db=REDIS_DB,
                            extra_env={"REFORM_INTAKE_MAILBOX": "maildir", "REFORM_MAILDIR_PATH": str(maildir)})
    try:
        yield running, url, maildir
    finally:
        running.stop()
        drop()


def _wait_all(cluster, run_ids: list[str], timeout: float) -> list[str]:
    return [cluster.wait_for_state(run_id, FINAL_STATES, timeout)["state_name"] for run_id in run_ids]


def _rungs(url: str) -> list[tuple[int, str, str]]:
    with transaction(url) as session:
        return list(session.execute(select(RungTaken.obligation_id, RungTaken.rung, RungTaken.notice_key)))


def _outbox_keys(url: str, kind: str) -> list[str]:
    with transaction(url) as session:
        return list(session.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == kind)))


def test_a_days_sweep_of_every_campaign_twice_at_once_queues_each_notice_exactly_once(province_cluster):
    cluster, url, _ = province_cluster
    expected = {(n.obligation_id, n.rung) for n in supervision.sweep_day(url, DAY, dry_run=True).notices}
    # As if the 09:00 schedule fired twice: two dispatches, each starting one run per campaign.
    parents = [cluster.start_run("daily-sweep/daily-sweep", {"as_of": DAY.isoformat(), "deliver": False})
               for _ in range(2)]
    assert _wait_all(cluster, parents, SWEEP_TIMEOUT) == ["Completed", "Completed"]
    campaigns = province.province_counts(url)["campaigns"]
    assert len(cluster.flow_runs("daily-sweep/campaign-sweep", "Completed")) == 2 * campaigns
    rungs = _rungs(url)
    taken = Counter((oid, rung) for oid, rung, _ in rungs)
    assert len(expected) > 1000 and expected <= set(taken) and max(taken.values()) == 1
    # Every rung is told in exactly one queued message, and nothing is left for another sweep to do.
    keys = _outbox_keys(url, "escalation")
    assert len(keys) == len(set(keys)) and set(keys) == {key for _, _, key in rungs}
    assert supervision.sweep_day(url, DAY, dry_run=True).notices == []
    digests = _outbox_keys(url, "digest")
    assert len(digests) == len(set(digests)) == campaigns


def _replies(maildir: Path, orgs: list[str], addresses: dict[str, tuple[str, str]]) -> list[str]:
    workbook = filled_workbook(None, item_rows(3))
    box = mailbox.Maildir(str(maildir))
    for org in orgs:
        sender, to = addresses[org]
        box.add(reply_mail(sender=sender, sender_name="联系人", to=to, subject="公共服务事项清单",
                           attachments=[("清单.xlsx", workbook)], message_id=f"<{org}.reply@province.example.org>"))
    return MaildirMailbox(maildir).pending()


def _taken_in(url: str) -> tuple[Counter, Counter, Counter]:
    """(submissions per organisation, receipts per key, messages recorded by outcome)."""
    with transaction(url) as session:
        per_org = Counter(session.scalars(select(Submission.org_id)))
        receipts = Counter(session.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "receipt")))
        outcomes = Counter(session.scalars(select(MailboxMessage.outcome)))
    return per_org, receipts, outcomes


# The organisations the intake tests have written from, so that each test's replies are new ones.
_WRITTEN: set[str] = set()


def _new_orgs(url: str, count: int) -> tuple[list[str], dict[str, tuple[str, str]]]:
    addresses = intake.reply_addresses(url, "inventory", NOW)
    orgs = [org for org in sorted(addresses) if org not in _WRITTEN][:count]
    _WRITTEN.update(orgs)
    return orgs, addresses


def test_replies_from_across_the_province_polled_and_batched_at_once_are_each_taken_in_once(province_cluster):
    cluster, url, maildir = province_cluster
    orgs, addresses = _new_orgs(url, 500)
    refs = _replies(maildir, orgs, addresses)
    # The poll spreads its batches over both workers; two more runs are handed the same messages.
    runs = [cluster.start_run("mailbox-intake/mailbox-poll", {"deliver": False}),
            *(cluster.start_run("mailbox-intake/mailbox-batch", {"refs": refs[:150], "deliver": False})
              for _ in range(2))]
    assert _wait_all(cluster, runs, 600) == ["Completed"] * 3
    assert len(cluster.flow_runs("mailbox-intake/mailbox-batch", "Completed")) >= 2 + 3  # 500 in batches of 200
    per_org, receipts, outcomes = _taken_in(url)
    assert outcomes == {"accepted": len(orgs)}
    assert len(per_org) == len(orgs) and set(per_org.values()) == {1}
    assert len(receipts) == len(orgs) and set(receipts.values()) == {1}
    assert MaildirMailbox(maildir).pending() == []


def test_a_worker_killed_mid_run_leaves_a_crashed_run_and_the_next_run_finishes_without_repeating(province_cluster):
    cluster, url, maildir = province_cluster
    before = sum(_taken_in(url)[2].values())
    orgs, addresses = _new_orgs(url, 600)
    refs = _replies(maildir, orgs, addresses)
    run = cluster.start_run("mailbox-intake/mailbox-batch", {"refs": refs, "deliver": False})
    cluster.wait_for_state(run, {"RUNNING"}, 300)
    deadline = time.monotonic() + 300
    while sum(_taken_in(url)[2].values()) < before + 40:  # well into the batch, far from its end
        assert time.monotonic() < deadline, "the batch took nothing in"
        time.sleep(0.2)
    cluster.wait_for_heartbeat(run, 60)
    for worker in range(len(cluster.worker_pids())):
        cluster.kill_worker(worker)
    assert cluster.wait_for_state(run, FINAL_STATES, 300)["state_type"] == "CRASHED"
    partly = sum(_taken_in(url)[2].values()) - before
    assert 40 <= partly < len(refs)
    cluster.start_worker()
    assert cluster.run_deployment("mailbox-intake/mailbox-poll", {"deliver": False}, timeout=600) == "Completed"
    per_org, receipts, outcomes = _taken_in(url)
    assert sum(outcomes.values()) - before == len(orgs) and set(outcomes) == {"accepted"}
    assert len(per_org) == before + len(orgs) and set(per_org.values()) == {1}
    assert len(receipts) == before + len(orgs) and set(receipts.values()) == {1}
    assert MaildirMailbox(maildir).pending() == []
