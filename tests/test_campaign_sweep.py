"""A province's sweep, one campaign per transaction: the same rungs as one sweep of every campaign,
each notice once however the campaigns' sweeps interleave."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
from sqlalchemy import select

from registry.campaign.queries import UnknownCampaign
from registry.campaign.tables import Campaign
from registry.db import transaction
from registry.districts import service as districts
from registry.outbox.tables import OutboxMessage
from registry.supervision import service as supervision
from registry.supervision.tables import RungTaken

HEPING, SHENHE = "210102", "210103"
DAY = date(2017, 1, 23)  # the first working day after the districts' inventory deadline, 1月20日


def _open_two_districts(url: str) -> list[str]:
    for code in (HEPING, SHENHE):
        districts.open_campaign(url, code, date(2016, 12, 20), datetime(2016, 12, 20, 9))
    with transaction(url) as session:
        return list(session.scalars(select(Campaign.code).order_by(Campaign.id)))


def _rungs(url: str) -> set[tuple[int, str]]:
    with transaction(url) as session:
        return set(session.execute(select(RungTaken.obligation_id, RungTaken.rung)))


def _outbox(url: str, kind: str) -> list[str]:
    with transaction(url) as session:
        return list(session.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == kind)))


def test_sweeping_each_campaign_on_its_own_takes_the_rungs_one_sweep_of_all_would(initialised):
    campaigns = _open_two_districts(initialised)
    expected = supervision.sweep_day(initialised, DAY, dry_run=True)
    days = [supervision.sweep_day(initialised, DAY, campaign=code) for code in campaigns]
    assert _rungs(initialised) == {(n.obligation_id, n.rung) for n in expected.notices}
    assert len(expected.notices) > 50 and sum(len(d.notices) for d in days) == len(expected.notices)
    # Each campaign's messages name it, and each campaign's coordinator has that campaign's digest.
    heping = days[campaigns.index(f"shenyang-2016-{HEPING}")]
    assert heping.messages and all(m.key.startswith(f"rungs:shenyang-2016-{HEPING}/") for m in heping.messages)
    assert sorted(_outbox(initialised, "digest")) == sorted(f"digest:{code}:{DAY}" for code in campaigns)


def test_a_campaigns_sweep_rerun_or_followed_by_a_sweep_of_every_campaign_queues_nothing_more(initialised):
    campaigns = _open_two_districts(initialised)
    for code in campaigns:
        supervision.sweep_day(initialised, DAY, campaign=code)
    queued = _outbox(initialised, "escalation")
    again = [supervision.sweep_day(initialised, DAY, campaign=code) for code in campaigns]
    whole = supervision.sweep_day(initialised, DAY)
    assert not any(d.notices for d in again) and not whole.notices
    assert whole.result.already_sent == sum(d.result.already_sent for d in again) > 0
    assert sorted(_outbox(initialised, "escalation")) == sorted(queued)


def test_campaigns_swept_side_by_side_and_twice_at_once_queue_each_notice_once(initialised):
    campaigns = _open_two_districts(initialised)
    expected = supervision.sweep_day(initialised, DAY, dry_run=True)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda code: supervision.sweep_day(initialised, DAY, campaign=code), campaigns * 2))
    keys = _outbox(initialised, "escalation")
    assert len(keys) == len(set(keys))
    assert _rungs(initialised) == {(n.obligation_id, n.rung) for n in expected.notices}
    assert len(_outbox(initialised, "digest")) == len(campaigns)


def test_an_unknown_campaign_is_refused_not_swept_as_nothing(initialised):
    with pytest.raises(UnknownCampaign):
        supervision.sweep_day(initialised, DAY, campaign="nowhere-2016")
