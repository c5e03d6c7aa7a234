"""The green channel (绿色通道, task 9): putting an obligation on it and off it, audited; where the
mark shows; its shorter ladder in the sweep; its share of a month's work."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from reform.app import app
from registry.campaign import service as campaign
from registry.campaign.audit import obligation_history
from registry.campaign.green_channel import BadMonth
from registry.campaign.obligations import PriorityUnchanged, ReasonRequired, find_obligation
from registry.db import transaction
from registry.inspections import service as inspections
from registry.supervision import service as supervision
from rules.inspections import CONDUCT

D = date.fromisoformat
runner = CliRunner()
NOW = datetime(2016, 9, 1, 10, 0)


def _inventory(url: str, org: str = "jyj") -> int:
    with transaction(url) as session:
        return find_obligation(session, "inventory", org).id


def _findings(url: str, count: int, on: date = D("2016-09-01"), days: int = 2) -> list[int]:
    """Rectification obligations due ``days`` working days after ``on``, at jyj."""
    inspections.open_inspection(url, f"{on} 检查", on, on, ["jyj"])
    return [inspections.record_finding(url, f"{on} 检查", "jyj", CONDUCT, f"问题 {n}", on, days).obligation_id
            for n in range(count)]


def _history(url: str, obligation_id: int) -> list[tuple[str, str, str]]:
    with transaction(url) as session:
        return [(e.action, e.actor, e.reason) for e in obligation_history(session, obligation_id)]


def test_priority_puts_an_obligation_on_the_green_channel_with_the_reason_audited(initialised):
    oid = _inventory(initialised)
    result = runner.invoke(app, ["obligation", "priority", str(oid), "--reason", "鼓励类产业项目"])
    assert result.exit_code == 0, result.output
    assert f"事项 {oid}（沈阳市教育局「" in result.stdout and "已列入绿色通道" in result.stdout
    assert _history(initialised, oid)[-1] == ("priority", "coordinator", "列入绿色通道：鼓励类产业项目")


def test_off_takes_it_off_again_audited(initialised):
    oid = _inventory(initialised)
    campaign.prioritise_obligation(initialised, oid, "鼓励类产业项目", NOW)
    result = runner.invoke(app, ["obligation", "priority", str(oid), "--off", "--reason", "项目已撤回"])
    assert result.exit_code == 0, result.output
    assert "已移出绿色通道" in result.stdout
    assert _history(initialised, oid)[-1] == ("priority-off", "coordinator", "移出绿色通道：项目已撤回")
    assert json.loads(runner.invoke(app, ["explain", str(oid), "--as-of", "2016-07-20", "--format", "json"])
                      .stdout)["priority"] is False


def test_the_mark_leaves_the_state_as_it_was(initialised):
    oid = _inventory(initialised)
    changed = campaign.prioritise_obligation(initialised, oid, "创业就业事项", NOW)
    assert (changed.priority, changed.state) == (True, "待报送")


def test_a_reason_is_required(initialised):
    oid = _inventory(initialised)
    result = runner.invoke(app, ["obligation", "priority", str(oid)])
    assert result.exit_code == 2
    assert result.stderr.strip() == "错误：标记绿色通道事项须写明理由：--reason …"
    with pytest.raises(ReasonRequired):
        campaign.prioritise_obligation(initialised, oid, "  ", NOW, priority=False)


def test_marking_twice_is_refused(initialised):
    oid = _inventory(initialised)
    campaign.prioritise_obligation(initialised, oid, "鼓励类产业项目", NOW)
    result = runner.invoke(app, ["obligation", "priority", str(oid), "--reason", "再标一次"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"错误：事项 {oid} 已在绿色通道中，无需重复操作"


def test_taking_off_what_is_not_on_it_is_refused(initialised):
    with pytest.raises(PriorityUnchanged, match="不在绿色通道中"):
        campaign.prioritise_obligation(initialised, _inventory(initialised), "撤回", NOW, priority=False)


def test_a_closed_obligation_is_not_put_on_it(initialised):
    oid = _inventory(initialised)
    campaign.complete_obligation(initialised, oid, D("2016-07-20"), "system", "已报送")
    with pytest.raises(PriorityUnchanged, match="已是「已完成」，不能列入绿色通道"):
        campaign.prioritise_obligation(initialised, oid, "鼓励类产业项目", NOW)


def test_an_unknown_obligation_is_one_line(initialised):
    result = runner.invoke(app, ["obligation", "priority", "999999", "--reason", "x"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "错误：没有编号为 999999 的事项（编号见 reform status）"


def test_explain_and_obligation_show_print_the_mark(initialised):
    oid = _inventory(initialised)
    campaign.prioritise_obligation(initialised, oid, "鼓励类产业项目", NOW)
    for command in (["explain", str(oid)], ["obligation", "show", str(oid)]):
        result = runner.invoke(app, [*command, "--as-of", "2016-07-20"])
        assert result.exit_code == 0, result.output
        assert "绿色通道" in result.stdout.splitlines()[0]


def test_explain_uses_the_channels_shorter_thresholds(initialised):
    oid = _inventory(initialised)
    campaign.prioritise_obligation(initialised, oid, "鼓励类产业项目", NOW)
    report = json.loads(runner.invoke(app, ["explain", str(oid), "--as-of", "2016-07-20", "--format", "json"]).stdout)
    assert report["thresholds"]["red_after_working_days"] == 1


def test_status_marks_it_among_what_needs_attention(initialised):
    jyj, gaj = _inventory(initialised, "jyj"), _inventory(initialised, "gaj")
    campaign.prioritise_obligation(initialised, jyj, "鼓励类产业项目", NOW)
    result = runner.invoke(app, ["status", "--as-of", "2016-08-02", "--phase", "inventory"])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 3}
    assert "绿色通道" in rows[str(jyj)] and "绿色通道" not in rows[str(gaj)]


def test_status_json_carries_the_mark(initialised):
    oid = _inventory(initialised)
    campaign.prioritise_obligation(initialised, oid, "鼓励类产业项目", NOW)
    report = json.loads(runner.invoke(app, ["status", "--as-of", "2016-07-20", "--format", "json"]).stdout)
    assert {o["id"] for o in report["obligations"] if o["priority"]} == {oid}


def test_on_the_channel_an_obligation_is_carded_red_sooner(initialised):
    normal, green = _findings(initialised, 2)  # both due 2016-09-05
    campaign.prioritise_obligation(initialised, green, "专人负责", NOW)
    # Two working days after the due date: past the channel's one, within the usual three.
    day = supervision.sweep_day(initialised, D("2016-09-07"), mail_domain="test.example")
    rungs = {n.obligation_id: n.rung for n in day.result.notices if n.obligation_id in (normal, green)}
    assert rungs == {normal: "yellow", green: "red"}


def test_the_share_counts_the_months_obligations_and_those_on_the_channel(initialised):
    normal, green, late_green = _findings(initialised, 3, on=D("2016-11-01"))  # due 2016-11-03
    for oid in (green, late_green):
        campaign.prioritise_obligation(initialised, oid, "专人负责", NOW)
    campaign.complete_obligation(initialised, normal, D("2016-11-03"), "coordinator", "已整改")
    campaign.complete_obligation(initialised, green, D("2016-11-02"), "coordinator", "已整改")
    share = campaign.green_channel_share(initialised, "2016-11")
    assert share == {"month": "2016-11", "opened": 3, "priority": 2, "share": 0.6667, "on_time": 2,
                     "priority_on_time": 1, "priority_open": 1}


def test_a_month_finished_late_is_not_on_time(initialised):
    [oid] = _findings(initialised, 1, on=D("2016-11-01"))
    campaign.prioritise_obligation(initialised, oid, "专人负责", NOW)
    campaign.complete_obligation(initialised, oid, D("2016-11-10"), "coordinator", "已整改")
    share = campaign.green_channel_share(initialised, "2016-11")
    assert (share["priority"], share["priority_on_time"], share["priority_open"]) == (1, 0, 0)


def test_a_month_written_wrong_is_refused(initialised):
    with pytest.raises(BadMonth, match="应为 YYYY-MM"):
        campaign.green_channel_share(initialised, "2016-13")
