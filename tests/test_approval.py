"""Recheck, the city government's approval, frozen list versions, adjustments, and the merge race."""
from __future__ import annotations

import io
import threading
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.review.approval import adjust, approve, finish_recheck
from registry.review.obligations import ReviewError
from registry.review.tables import ConsolidatedOpinion
from tests.intake_helpers import call, good_workbook, outbox, reply, take_in
from tests.review_helpers import (
    AGENCIES,
    accepted_list,
    all_agencies_reply,
    merge,
    obligations,
    route,
)

APPROVED_ON = date(2016, 10, 28)
NOW = datetime(2016, 10, 28, 16, 0)
EVERYONE_CANCELS_THE_FIRST = {a: {0: ("取消", "无法律法规依据", "")} for a in AGENCIES}


def reviewed(url: str, org_code: str = "jyj", opinions=None) -> int:
    """A department's list through review, with its written opinion issued."""
    submission_id = accepted_list(url, org_code)
    route(url, submission_id)
    all_agencies_reply(url, submission_id, opinions)
    merge(url, submission_id)
    return submission_id


# Most departments in the sample directory never hand in a list here: these tests look at the
# freezing itself, past the gate (tests/test_lifecycle.py holds the gate's own tests).
FORCED = "只有部分部门参加的测试"


def record_approval(url: str, document: str = "沈政办发〔2016〕88号"):
    with transaction(url) as session:
        version = approve(session, APPROVED_ON, "市政府第 12 次常务会议", document, "coordinator", NOW,
                          force_reason=FORCED).version
        return version.version, version.item_count, version.content


def test_approval_freezes_a_summary_and_a_sheet_per_department_without_cancelled_items(initialised):
    reviewed(initialised, "jyj", EVERYONE_CANCELS_THE_FIRST)
    number, items, content = record_approval(initialised)
    book = load_workbook(io.BytesIO(content))
    assert number == 1 and items == 2
    assert book.sheetnames[0] == "汇总" and "市教育局" in book.sheetnames
    assert book["市教育局"].max_row == 3  # the header and the two items kept


def test_approval_fulfils_the_coordinators_approval_obligation(initialised):
    accepted_list(initialised)
    record_approval(initialised)
    with transaction(initialised) as session:
        state = session.scalar(select(Obligation.state).join(Phase, Phase.id == Obligation.phase_id)
                               .where(Phase.code == "approval", Obligation.ref == ""))
    assert state == "fulfilled"


def test_recording_the_same_approval_again_changes_nothing(initialised):
    accepted_list(initialised)
    assert record_approval(initialised)[0] == record_approval(initialised)[0] == 1


def test_a_second_different_approval_is_refused(initialised):
    accepted_list(initialised)
    record_approval(initialised)
    with pytest.raises(ReviewError, match="reform adjust"):
        record_approval(initialised, "沈政办发〔2016〕99号")


def test_an_adjustment_freezes_the_next_version_with_its_change_log(initialised):
    c = call(initialised, "mzw")
    take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 2))]))
    record_approval(initialised)
    take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 3))]), datetime(2017, 3, 1, 9))
    with transaction(initialised) as session:
        version = adjust(session, date(2017, 3, 2), "民政局新增事项", "沈编发〔2017〕3号", "coordinator", NOW,
                         force_reason=FORCED).version
        assert version.version == 2
        assert len(version.change_log["mzw"]["added"]) == 1


def test_an_adjustment_without_any_change_is_refused(initialised):
    accepted_list(initialised)
    record_approval(initialised)
    with transaction(initialised) as session, pytest.raises(ReviewError, match="没有变化"):
        adjust(session, date(2017, 3, 2), "例行调整", "", "coordinator", NOW, force_reason=FORCED)


def test_finishing_a_recheck_needs_a_response_first(initialised):
    submission_id = reviewed(initialised)
    with transaction(initialised) as session, pytest.raises(ReviewError, match="没有待复核"):
        finish_recheck(session, submission_id, "coordinator", "", NOW)


@pytest.fixture
def postgres_initialised(tmp_path, monkeypatch):
    """The race needs real concurrent transactions: PostgreSQL only, whatever the other tests run on."""
    from registry.campaign.setup import initialise
    from tests.conftest import postgres_database

    url, drop = postgres_database()
    monkeypatch.setenv("REFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REFORM_DATABASE_URL", url)
    initialise(url)
    yield url
    drop()


@pytest.mark.postgres
def test_two_concurrent_merges_make_one_opinion_and_one_email(postgres_initialised, monkeypatch):
    import registry.review.merge as review_merge
    from registry.review.service import merge_submission

    url = postgres_initialised
    submission_id = accepted_list(url)
    route(url, submission_id)
    all_agencies_reply(url, submission_id)
    both_read = threading.Barrier(2, timeout=20)
    original = review_merge.merge_opinions

    def merge_after_both_have_looked(*args):
        both_read.wait()  # both transactions have seen "no opinion yet" before either writes
        return original(*args)

    monkeypatch.setattr(review_merge, "merge_opinions", merge_after_both_have_looked)
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(merge_submission(url, submission_id, NOW)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r["created"] for r in results) == [False, True]
    with transaction(url) as session:
        assert session.scalar(select(func.count()).select_from(ConsolidatedOpinion)) == 1
    assert len(outbox(url, "consolidated_opinion")) == 1


def test_a_version_after_the_recheck_reopens_it_with_a_fresh_due_date(initialised):
    c = call(initialised, "jyj")
    first = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 3))])).submission_id
    route(initialised, first)
    all_agencies_reply(initialised, first)
    merge(initialised, first)
    second = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 2))]), datetime(2016, 10, 10, 9))
    route(initialised, second.submission_id, datetime(2016, 10, 10, 9))
    with transaction(initialised) as session:
        finish_recheck(session, second.submission_id, "coordinator", "", NOW)
    third = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 4))]), datetime(2017, 3, 1, 9))
    route(initialised, third.submission_id, datetime(2017, 3, 1, 9))
    assert obligations(initialised, "approval") == [("bwb", f"recheck:{first}", "open", date(2017, 3, 8))]

