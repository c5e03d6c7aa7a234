"""`reform review …`, `reform approve` and `reform adjust` as a coordinator types them."""
from __future__ import annotations

import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from reform.app import app
from tests.intake_helpers import outbox
from tests.review_helpers import accepted_list, all_agencies_reply, merge, route
from tests.test_review_flow import CANCEL_BY_LEGAL_OFFICE

runner = CliRunner()


def reform(*args: str):
    return runner.invoke(app, list(args))


def in_conflict(url: str) -> int:
    submission_id = accepted_list(url)
    route(url, submission_id)
    all_agencies_reply(url, submission_id, CANCEL_BY_LEGAL_OFFICE)
    merge(url, submission_id)
    return submission_id


def test_review_status_shows_each_agencys_state(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    result = reform("review", "status", "--as-of", "2016-08-02", "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["agencies"] == {"市编委办": "待审核", "市法制办": "待审核", "市财政局": "待审核", "市政务服务办": "待审核"}


def test_deciding_the_last_conflict_sends_the_written_opinion(initialised):
    submission_id = in_conflict(initialised)
    result = reform("review", "decide", str(submission_id), "1", "--opinion", "取消", "--reason", "无法律依据",
                    "--no-deliver")
    assert result.exit_code == 0, result.output
    assert "书面审核意见已发给部门" in result.stdout
    assert len(outbox(initialised, "consolidated_opinion")) == 1


def test_cancelling_without_a_reason_is_a_one_line_error(initialised):
    submission_id = in_conflict(initialised)
    result = reform("review", "decide", str(submission_id), "1", "--opinion", "取消")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("错误：") and "理由" in result.stderr


def test_approve_writes_the_frozen_list(initialised, tmp_path):
    accepted_list(initialised)
    out = tmp_path / "清单.xlsx"
    result = reform("approve", "--date", "2016-10-28", "--meeting", "市政府第 62 次常务会议", "--document",
                    "沈政办发〔2016〕88号", "--out", str(out), "--force", "--reason", "其余部门尚未报送")
    assert result.exit_code == 0, result.output
    assert "第 1 版" in result.stdout and load_workbook(out).sheetnames[0] == "汇总"


def test_adjust_before_approval_is_refused(initialised):
    result = reform("adjust", "--date", "2017-03-01", "--reason", "新增事项")
    assert result.exit_code == 2 and "reform approve" in result.stderr
