"""`reform sweep` and `reform explain` as a coordinator runs them."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from reform.app import app
from registry.campaign.obligations import find_obligation
from registry.db import transaction

runner = CliRunner()


def reform(*args: str):
    result = runner.invoke(app, list(args))
    return result


def _jyj_inventory(url: str) -> str:
    with transaction(url) as session:
        return str(find_obligation(session, "inventory", "jyj").id)


def test_sweep_prints_one_line_per_message_with_org_obligation_and_rung(initialised):
    result = reform("sweep", "--as-of", "2016-07-25")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "\t#" in line]
    assert len(lines) == 48
    jyj = _jyj_inventory(initialised)
    assert f"jyj\t#{jyj}\treminder-5\t清理自查\t→ 工作联系人" in lines


def test_a_rerun_of_the_sweep_says_nothing_is_new(initialised):
    reform("sweep", "--as-of", "2016-07-25")
    result = reform("sweep", "--as-of", "2016-07-25")
    assert result.exit_code == 0
    assert "没有新的提醒或督办通知" in result.stdout and "\t#" not in result.stdout


def test_a_sweep_on_a_holiday_sends_nothing(initialised):
    result = reform("sweep", "--as-of", "2016-10-03")
    assert result.exit_code == 0 and "非工作日" in result.stdout


def test_a_sweep_outside_the_calendar_refuses_in_chinese(initialised):
    result = reform("sweep", "--as-of", "2030-01-02")
    assert result.exit_code == 2
    assert "工作日历未载入 2030 年" in result.stderr


def test_explain_shows_the_deadline_derivation(initialised):
    result = reform("explain", _jyj_inventory(initialised), "--as-of", "2016-07-20")
    assert result.exit_code == 0, result.output
    assert "原文「7月底前」→ 日期 2016-07-31 → 2016-07-31 为星期日（非工作日），顺延至下一个工作日 2016-08-01" \
        in result.stdout


def test_explain_lists_every_notice_sent(initialised):
    for day in ("2016-07-25", "2016-08-02"):
        reform("sweep", "--as-of", day)
    result = reform("explain", _jyj_inventory(initialised), "--as-of", "2016-08-02")
    assert "2016-07-25 09:00　【提醒】市教育局「清理自查」距截止日期 2016-08-01 还有 5 个工作日" in result.stdout
    assert "2016-08-02 09:00　【黄牌警示】市教育局「清理自查」已逾期（截止日期 2016-08-01）" in result.stdout
    assert "收件人：jyj.leader@shenyang.example.org　抄送：jyj.contact@shenyang.example.org　待发送" in result.stdout


def test_explain_gives_the_next_step_with_its_date(initialised):
    result = reform("explain", _jyj_inventory(initialised), "--as-of", "2016-08-02")
    assert "下一步\n  2016-08-05：红牌督办，发给主要负责同志" in result.stdout


def test_explain_json_marks_rungs_skipped_by_a_catch_up(initialised):
    reform("sweep", "--as-of", "2016-08-09")
    result = reform("explain", _jyj_inventory(initialised), "--as-of", "2016-08-09", "--format", "json")
    report = json.loads(result.stdout)
    assert {s["rung"]: s["taken"] for s in report["ladder"]} == {
        "reminder-5": False, "reminder-3": False, "reminder-1": False, "yellow": False, "red": True,
        "supervision": False}
    assert report["next"] == {"rung": "supervision", "title": "提请市政府办公厅督查", "on": "2016-08-10",
                              "to": "市政府办公厅督查"}


def test_explain_of_an_unknown_obligation_is_a_clear_error(initialised):
    result = reform("explain", "999999", "--as-of", "2016-08-02")
    assert result.exit_code == 2 and "没有编号为 999999 的事项" in result.stderr


def test_status_json_standing_shows_cards(initialised):
    result = reform("status", "--as-of", "2016-08-05", "--format", "json")
    inventory = [o for o in json.loads(result.stdout)["obligations"] if o["phase"] == "inventory"]
    assert {(o["standing"], o["escalation_level"]) for o in inventory} == {("red", 3)}
    result = reform("status", "--as-of", "2016-08-04", "--format", "json")
    inventory = [o for o in json.loads(result.stdout)["obligations"] if o["phase"] == "inventory"]
    assert {o["standing"] for o in inventory} == {"yellow"}


def test_a_sweep_sends_what_it_queued_and_says_how_many(initialised, smtp_server):
    result = reform("sweep", "--as-of", "2016-07-25")
    assert result.exit_code == 0, result.output
    notices = [line for line in result.stdout.splitlines() if "\t#" in line]
    assert len(smtp_server.messages) >= len(notices) == 48  # each notice, and the coordinator's digest
    assert f"邮件：发出 {len(smtp_server.messages)} 封，暂缓 0 封" in result.stdout
    assert "邮件：发出 0 封，暂缓 0 封" in reform("sweep", "--as-of", "2016-07-25").stdout  # nothing twice
