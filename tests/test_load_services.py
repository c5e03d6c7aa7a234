"""The use cases the benchmarks stand on: a synthetic load, standings, the sweep's figures,
notices queued and counted, respondents enrolled, a workbook validated."""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import func, select

from demo.samples import filled_workbook, item_rows
from registry.calendar.service import add_working_days
from registry.campaign.service import add_synthetic_obligations
from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.intake.service import enrol_respondents, validate_workbook
from registry.outbox.service import OutgoingNotice, count_by_state, queue_notices
from registry.supervision.service import run_sweep, standings
from registry.supervision.sweep import OPEN_STATES
from rules.organisations import OrgKind, OrgRecord, Person

AROUND = date(2016, 10, 10)
NOW = datetime(2016, 7, 20, 10, 0)


def _open_count(url: str) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(Obligation).where(Obligation.state.in_(OPEN_STATES)))


def _synthetic(url: str) -> list[tuple]:
    with transaction(url) as session:
        return session.execute(select(Obligation.phase_id, Obligation.debtor_id, Obligation.due, Obligation.priority)
                               .where(Obligation.ref.like("load-%"))).all()


def test_a_synthetic_load_goes_round_phases_and_organisations_due_around_the_day(initialised):
    assert add_synthetic_obligations(initialised, 600, AROUND) == 600
    rows = _synthetic(initialised)
    assert len(rows) == 600
    assert len({r.phase_id for r in rows}) > 1 and len({r.debtor_id for r in rows}) > 1
    earliest, latest = add_working_days(initialised, AROUND, -40), add_working_days(initialised, AROUND, 20)
    assert all(earliest <= r.due <= latest and r.due != AROUND for r in rows)
    assert sum(r.priority for r in rows) == 60


def test_a_second_synthetic_load_adds_to_the_first(initialised):
    add_synthetic_obligations(initialised, 100, AROUND)
    add_synthetic_obligations(initialised, 100, AROUND)
    assert len(_synthetic(initialised)) == 200


def test_standings_count_every_open_obligation_once(initialised):
    add_synthetic_obligations(initialised, 300, AROUND)
    counts = standings(initialised, AROUND)
    assert sum(counts.values()) == _open_count(initialised)
    assert counts["red"] and counts["on_track"]  # due dates on both sides of the day


def test_the_sweeps_figures_say_what_it_examined_and_queued_and_a_rerun_queues_nothing(initialised):
    add_synthetic_obligations(initialised, 300, AROUND)
    first = run_sweep(initialised, AROUND)
    assert first.examined == _open_count(initialised) and first.notices > 0
    again = run_sweep(initialised, AROUND)
    assert again.notices == 0 and again.already_sent == first.notices


def test_working_days_count_the_make_up_weekend(initialised):
    assert add_working_days(initialised, date(2016, 9, 30), 1) == date(2016, 10, 8)  # 国庆调休: a Saturday


def _notices(n: int) -> list[OutgoingNotice]:
    return [OutgoingNotice(key=f"load:{i}", to=(f"dept{i}@shenyang.example.org",), subject=f"提醒 {i}", text="请报送")
            for i in range(n)]


def test_notices_are_queued_once_and_counted_by_state(migrated):
    assert queue_notices(migrated, _notices(5), now=NOW) == 5
    assert queue_notices(migrated, _notices(6), now=NOW) == 1
    assert count_by_state(migrated) == {"pending": 6}


def test_an_empty_outbox_counts_nothing(migrated):
    assert count_by_state(migrated) == {}


def _departments(n: int) -> list[OrgRecord]:
    return [OrgRecord(code=f"load{i:03d}", name=f"测试部门{i}", short_name=f"部门{i}", kind=OrgKind.DEPARTMENT,
                      contact=Person("联系人", f"load{i:03d}@bench.example.org", "024-1")) for i in range(n)]


def test_enrolled_respondents_each_get_a_reply_address_of_their_own(initialised):
    addresses = enrol_respondents(initialised, _departments(3), "inventory", date(2016, 6, 9), NOW,
                                  intake_address="intake@shenyang.example.org")
    assert sorted(addresses) == ["load000", "load001", "load002"]
    assert all(re.fullmatch(r"intake\+[a-z0-9]{10}@shenyang\.example\.org", a) for a in addresses.values())
    assert len(set(addresses.values())) == 3


def test_enrolling_again_keeps_the_reply_addresses(initialised):
    first = enrol_respondents(initialised, _departments(2), "inventory", date(2016, 6, 9), NOW)
    assert enrol_respondents(initialised, _departments(2), "inventory", date(2016, 6, 9), NOW) == first


def test_a_filled_workbook_validates_without_a_registry():
    result = validate_workbook("清单.xlsx", filled_workbook(None, item_rows(3)))
    assert result.accepted and len(result.items) == 3


def test_a_file_that_is_not_a_workbook_is_refused():
    assert not validate_workbook("清单.xlsx", b"not a workbook").accepted
