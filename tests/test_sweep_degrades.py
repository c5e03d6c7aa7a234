"""Each December some dates fall in next year: the sweep leaves those out and says so, nothing else stops."""
from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from sqlalchemy import select, update

from flows.artifacts import sweep_summary_markdown, undated_table
from registry.calendar.store import shipped_years, store_years
from registry.campaign.obligations import find_obligation
from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.outbox.tables import OutboxMessage
from registry.supervision import service as supervision
from registry.supervision.digest import build_digest
from registry.supervision.rungs import rungs_of
from rules.calendar import CalendarYear, WorkingCalendar, YearNotLoaded
from rules.escalation import Thresholds, card_steps, current_step
from rules.obligations import State

D = date.fromisoformat


def _move(url: str, org: str, due: str) -> int:
    with transaction(url) as session:
        oid = find_obligation(session, "inventory", org).id
        session.execute(update(Obligation).where(Obligation.id == oid).values(due=D(due)))
    return oid


def _load_2027(url: str) -> None:
    with transaction(url) as session:
        store_years(session, [CalendarYear(2027, {D("2027-01-01"): "元旦"}, {}, source="测试")])


@pytest.fixture
def december(initialised):
    """Dec 2026 with the shipped calendar (2015-2026): one inventory due in 2027, one reminded today."""
    return initialised, _move(initialised, "jyj", "2027-01-08"), _move(initialised, "zwfwb", "2026-12-08")


def test_a_december_sweep_leaves_out_what_it_cannot_date_and_says_so(december):
    url, in_2027, reminded = december
    day = supervision.sweep_day(url, D("2026-12-01"))
    rungs = {n.obligation_id: n.rung for n in day.notices}
    assert rungs[reminded] == "reminder-5" and in_2027 not in rungs
    inventories = {n.rung for n in day.notices if n.phase_code == "inventory" and n.obligation_id != reminded}
    assert inventories == {"supervision"} and sum(n.phase_code == "inventory" for n in day.notices) == 47
    [undated] = day.undated
    assert (undated.obligation_id, undated.org_code, undated.phase_code, undated.due, undated.missing_year) \
        == (in_2027, "jyj", "inventory", D("2027-01-08"), 2027)
    # 2026Q4's self-reports are due ten working days after 12-31: they wait for 2027's calendar.
    assert day.unopened and {u.period for u in day.unopened} == {"2026Q4"}
    assert {u.missing_year for u in day.unopened} == {2027} and day.reports_opened == 0
    assert day.digest.undated == [undated]
    with transaction(url) as session:
        keys = set(session.scalars(select(OutboxMessage.key)))
        [digest] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
        rungs = {oid: [r.rung for r in rungs_of(session, oid)] for oid in (reminded, in_2027)}
    assert rungs == {reminded: ["reminder-5"], in_2027: []}
    assert "rungs:zwfwb:reminder-5:2026-12-01" in keys and all(in_2027 not in m.obligation_ids for m in day.messages)
    assert "暂未处理" in digest.subject
    assert f"事项 {in_2027}：" in digest.text and "2027-01-08" in digest.text and "清理自查" in digest.text
    assert "2026Q4 自查报告" in digest.text
    assert "工作日历尚未载入 2027 年" in digest.text and "reform calendar import <file>" in digest.text


def test_once_the_year_is_loaded_the_next_sweep_catches_up(december):
    url, in_2027, _ = december
    supervision.sweep_day(url, D("2026-12-01"))
    _load_2027(url)
    day = supervision.sweep_day(url, D("2026-12-02"))
    assert not day.undated and not day.unopened and day.reports_opened > 0
    assert "工作日历尚未载入" not in day.digest.text()


def test_a_december_dry_run_completes_and_names_the_undated(december):
    url, in_2027, reminded = december
    day = supervision.sweep_day(url, D("2026-12-01"), dry_run=True)
    assert {n.obligation_id: n.rung for n in day.notices}[reminded] == "reminder-5"
    assert [(u.obligation_id, u.missing_year) for u in day.undated] == [(in_2027, 2027)]
    with transaction(url) as session:
        assert session.scalars(select(OutboxMessage.key)).all() == []


def _warning(url: str, day: str) -> str:
    with transaction(url) as session:
        return build_digest(session, D(day)).calendar_warning


def test_the_digest_warns_from_sixty_days_before_the_year_ends(initialised):
    assert _warning(initialised, "2026-10-01") == ""
    warning = _warning(initialised, "2026-11-15")
    assert "2027 年" in warning and "reform calendar import <file>" in warning
    _load_2027(initialised)
    assert _warning(initialised, "2026-11-15") == ""


def test_a_sweep_dated_in_an_unloaded_year_still_refuses(initialised):
    with pytest.raises(YearNotLoaded, match="2027"):
        supervision.sweep_day(initialised, D("2027-01-04"))
    with pytest.raises(YearNotLoaded, match="2027"):
        supervision.sweep_day(initialised, D("2027-01-04"), dry_run=True)


def test_the_sweep_artifact_names_the_undated(december):
    url, in_2027, _ = december
    digest = supervision.sweep_day(url, D("2026-12-01")).digest.summary()
    table = undated_table(digest, D("2026-12-01"))
    assert table.rows[0]["事项"] == in_2027 and table.rows[0]["缺少日历年份"] == 2027
    assert any("2026Q4" in str(r["事项"]) for r in table.rows)
    markdown = sweep_summary_markdown(D("2026-12-01"), [], digest)
    assert f"事项 {in_2027}" in markdown and "reform calendar import <file>" in markdown


def test_the_december_flow_completes_and_leaves_the_undated_artifact(december, prefect_server, smtp_server):
    from prefect.client.orchestration import get_client  # noqa: PLC0415 - Prefect's environment comes first

    from flows.sweep import daily_sweep_flow  # noqa: PLC0415 - Prefect's environment comes first

    url, in_2027, reminded = december
    result = asyncio.run(daily_sweep_flow(date(2026, 12, 1), now=datetime(2026, 12, 1, 9)))
    assert result["working_day"] and [u["obligation_id"] for u in result["digest"]["undated"]] == [in_2027]

    async def artifact_keys():
        async with get_client() as client:
            return {a.key for a in await client.read_latest_artifacts()}

    assert "sweep-undated" in asyncio.run(artifact_keys())


def test_standings_in_december_count_the_undatable_apart(december):
    url, _, _ = december
    counts = supervision.standings(url, D("2026-12-01"))
    assert counts["undated"] == 1 and counts["red"] and counts["near_due"] == 1
    with pytest.raises(YearNotLoaded, match="2027"):
        supervision.standings(url, D("2027-01-04"))


def test_a_red_card_in_late_december_is_sent_though_the_next_rung_falls_in_the_next_year(initialised):
    # Due 12-24, red on 12-30 (four working days late); 督查 would be on 2027-01-05.
    calendar = WorkingCalendar(shipped_years())
    with pytest.raises(YearNotLoaded, match="2027"):
        card_steps(D("2026-12-24"), Thresholds(), calendar)  # the whole ladder does need 2027
    assert current_step(State.OPEN, D("2026-12-24"), D("2026-12-30"), Thresholds(), calendar).rung == "red"
    red = _move(initialised, "jyj", "2026-12-24")
    day = supervision.sweep_day(initialised, D("2026-12-30"))
    assert {n.obligation_id: n.rung for n in day.notices}[red] == "red"
    assert red not in {u.obligation_id for u in day.undated}


def test_reform_sweep_in_december_names_what_waits_for_next_years_calendar(initialised):
    from typer.testing import CliRunner

    from reform.app import app

    result = CliRunner().invoke(app, ["sweep", "--as-of", "2026-12-01", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "2027" in result.output and "reform calendar import" in result.output
