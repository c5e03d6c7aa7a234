"""Each outbox message is claimed by one deliverer before it is sent: several deliverers at once send
it once, a killed deliverer re-sends at most the messages in flight, and its claims lapse."""
from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.settings import get_settings
from registry.db import migrate, transaction
from registry.outbox.delivery import claim_envelopes, deliver_pending
from registry.outbox.queue import queue_message
from registry.outbox.tables import OutboxMessage
from tests.conftest import postgres_database

NOW = datetime(2016, 7, 25, 9, 0)
ROOT = Path(__file__).resolve().parent.parent


def _queue(url: str, n: int) -> None:
    with transaction(url) as session:
        for i in range(n):
            queue_message(session, key=f"rung:{i}:reminder-3", to=[f"d{i % 40}.contact@shenyang.example.org"],
                          subject=f"【提醒】清理自查还有 3 个工作日到期（第 {i} 号）", text="请按期报送。", now=NOW)


def _message_ids(url: str, state: str | None = None) -> set[str]:
    with transaction(url) as session:
        query = select(OutboxMessage.message_id)
        if state:
            query = query.where(OutboxMessage.state == state)
        return set(session.scalars(query))


def _deliverer(url: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.outbox_deliverer", url], cwd=ROOT,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_deliverers_at_once_send_each_message_once(migrated, smtp_server, monkeypatch):
    monkeypatch.setenv("REFORM_SMTP_CLAIM_BATCH", "5")  # many small claims, so the two interleave
    _queue(migrated, 120)

    async def both():
        return await asyncio.gather(deliver_pending(migrated, get_settings(), NOW),
                                    deliver_pending(migrated, get_settings(), NOW))

    first, second = asyncio.run(both())
    received = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert len(received) == 120 and set(received.values()) == {1}
    assert len(first.sent) + len(second.sent) == 120 and first.sent and second.sent
    assert _message_ids(migrated, "sent") == set(received)


@pytest.mark.postgres
def test_two_deliverer_processes_on_postgresql_send_each_message_once(smtp_server, tmp_path):
    url, drop = postgres_database()
    try:
        migrate(url)
        _queue(url, 120)
        env = {"REFORM_SMTP_CLAIM_BATCH": "5", "REFORM_HOME": str(tmp_path)}
        processes = [_deliverer(url, **env) for _ in range(2)]
        outputs = [p.communicate(timeout=300) for p in processes]
    finally:
        drop()
    assert [p.returncode for p in processes] == [0, 0]
    assert [err for _, err in outputs] == ["", ""]  # no traceback, no warning
    assert sum(json.loads(out)["sent"] for out, _ in outputs) == 120
    received = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert len(received) == 120 and set(received.values()) == {1}


def test_a_deliverer_killed_five_times_resends_at_most_its_messages_in_flight(migrated, smtp_server, tmp_path):
    connections = get_settings().smtp.connections
    _queue(migrated, 400)
    rng = random.Random(20161)
    in_flight_per_kill: list[int] = []
    left_by_earlier_kills: set[str] = set()
    for _ in range(5):
        deliverer = _deliverer(migrated, REFORM_SMTP_CLAIM_BATCH="10", REFORM_HOME=str(tmp_path))
        target = len(smtp_server.messages) + rng.randint(5, 40)  # a moment in the middle of delivery
        deadline = time.monotonic() + 120
        while len(smtp_server.messages) < target and deliverer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        assert deliverer.poll() is None, deliverer.communicate()
        deliverer.kill()
        deliverer.wait()
        smtp_server.wait_until_idle()
        # Taken by the server but never marked sent: these, and only these, go again.
        unmarked = {m["Message-ID"] for m in smtp_server.messages} - _message_ids(migrated, "sent")
        in_flight_per_kill.append(len(unmarked - left_by_earlier_kills))
        left_by_earlier_kills = unmarked
    # The killed deliverers' claims lapse, and the last deliverer takes them over.
    lease = timedelta(seconds=get_settings().smtp.claim_lease_seconds)
    while asyncio.run(deliver_pending(migrated, get_settings(), datetime.now() + lease)).sent:
        pass
    received = Counter(m["Message-ID"] for m in smtp_server.messages)
    duplicates = sum(n - 1 for n in received.values())
    assert set(received) == _message_ids(migrated) == _message_ids(migrated, "sent")  # none lost
    assert all(n <= connections for n in in_flight_per_kill), in_flight_per_kill
    assert duplicates == sum(in_flight_per_kill)
    print(f"duplicates per kill: {in_flight_per_kill} (at most {connections}, one per connection)")


def test_a_lease_left_by_a_killed_deliverer_expires_and_is_taken_over(migrated, smtp_server):
    _queue(migrated, 3)
    claimed = claim_envelopes(migrated, get_settings(), NOW, 10)  # and then the deliverer was killed
    assert len(claimed) == 3
    assert not asyncio.run(deliver_pending(migrated, get_settings(), NOW + timedelta(minutes=1))).sent
    assert smtp_server.messages == []
    lease = timedelta(seconds=get_settings().smtp.claim_lease_seconds)
    report = asyncio.run(deliver_pending(migrated, get_settings(), NOW + lease + timedelta(seconds=1)))
    assert sorted(report.sent) == sorted(e[0] for e in claimed)
    assert len(smtp_server.messages) == 3
