"""The campaign's lifecycle holds: approval waits for review, response and recheck (or is forced
with a reason and says so), closes what it overtakes, and a coordinator can waive, reopen and
look at any one obligation by hand, every change audited."""
from __future__ import annotations

import json
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from reform.app import app
from registry.campaign.obligations import find_obligation
from registry.campaign.tables import AuditEntry, Obligation, Phase
from registry.db import transaction
from registry.review.tables import Approval
from tests.intake_helpers import call, good_workbook, reply, take_in
from tests.review_helpers import accepted_list, all_agencies_reply, merge, route

runner = CliRunner()
APPROVAL = ("approve", "--date", "2016-10-28", "--meeting", "市政府第 62 次常务会议", "--document", "沈政办发〔2016〕88号")


def reform(*args: str):
    return runner.invoke(app, list(args))


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def under_review(url: str, org_code: str = "jyj") -> int:
    submission_id = accepted_list(url, org_code)
    route(url, submission_id)
    return submission_id


def awaiting_response(url: str, org_code: str = "mzw") -> int:
    submission_id = under_review(url, org_code)
    all_agencies_reply(url, submission_id)
    merge(url, submission_id)
    return submission_id


def awaiting_recheck(url: str, org_code: str = "gaj") -> int:
    c = call(url, org_code)
    first = take_in(url, reply(c, [("清单.xlsx", good_workbook(c, 3))])).submission_id
    route(url, first)
    all_agencies_reply(url, first)
    merge(url, first)
    revised = take_in(url, reply(c, [("清单.xlsx", good_workbook(c, 2))]), datetime(2016, 10, 10, 9))
    route(url, revised.submission_id, datetime(2016, 10, 10, 9))
    return first


def approvals(url: str) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(Approval))


def audit(url: str, obligation_id: int) -> list[tuple[str, str, str]]:
    with transaction(url) as session:
        return [(e.action, e.to_state, e.reason) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "obligation", AuditEntry.entity_id == obligation_id)
            .order_by(AuditEntry.id))]


def review_chain(url: str, ref: str) -> dict[str, list[tuple[int, str]]]:
    """The review, response and recheck obligations on one reviewed submission: phase -> (id, state)."""
    with transaction(url) as session:
        rows = session.execute(select(Phase.code, Obligation.id, Obligation.state)
                               .join(Phase, Phase.id == Obligation.phase_id)
                               .where(Obligation.ref.in_([ref, f"recheck:{ref}"])).order_by(Obligation.id)).all()
    chain: dict[str, list[tuple[int, str]]] = {}
    for phase, obligation_id, state in rows:
        chain.setdefault(phase, []).append((obligation_id, state))
    return chain


def inventory_id(url: str, org_code: str = "jyj") -> int:
    with transaction(url) as session:
        return find_obligation(session, "inventory", org_code).id


# --- the approval's gate -----------------------------------------------------------------------

def test_approve_refuses_naming_each_unfinished_department_and_its_stage(initialised):
    under_review(initialised, "jyj")
    awaiting_response(initialised, "mzw")
    awaiting_recheck(initialised, "gaj")
    line = one_line_error(reform(*APPROVAL))
    assert "不能审定" in line and "--force --reason" in line
    assert "（待复核：市公安局；待部门回复：市民委；审核中：市教育局；未提交：市编委办、市法制办、市财政局" in line
    assert approvals(initialised) == 0


def test_approve_on_a_registry_without_any_list_is_refused_even_when_forced(initialised):
    for extra in ((), ("--force", "--reason", "会议已召开")):
        line = one_line_error(reform(*APPROVAL, *extra))
        assert line.startswith("错误：还没有任何部门报送清单")
    assert approvals(initialised) == 0


def test_force_without_a_reason_is_refused(initialised):
    under_review(initialised)
    assert "--reason" in one_line_error(reform(*APPROVAL, "--force"))
    assert approvals(initialised) == 0


def test_approve_into_a_directory_is_refused_before_anything_is_committed(initialised, tmp_path):
    under_review(initialised)
    line = one_line_error(reform(*APPROVAL, "--force", "--reason", "会议已召开", "--out", str(tmp_path)))
    assert line == f"错误：输出文件是一个已有的目录：{tmp_path}，请给出文件名，例如 {tmp_path / '清单.xlsx'}"
    assert approvals(initialised) == 0


def test_a_forced_approval_marks_the_unfinished_departments_in_the_workbook(initialised, tmp_path):
    under_review(initialised, "jyj")
    out = tmp_path / "清单.xlsx"
    result = reform(*APPROVAL, "--force", "--reason", "市政府会议已定，教育局清单随后复核", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "强行冻结" in result.stdout and "审核中：市教育局；未提交：市编委办" in result.stdout
    book = load_workbook(out)
    summary = [[c for c in row if c is not None] for row in book["汇总"].iter_rows(values_only=True)]
    assert any("未完成审核" in str(row[0]) and "教育局清单随后复核" in str(row[0]) for row in summary if row)
    assert ["jyj", "沈阳市教育局", 1, 3, "未完成审核（审核中）"] in summary
    assert [r[:3] for r in book["未完成审核"].iter_rows(min_row=3, values_only=True)
            if r[0] == "jyj"] == [("jyj", "沈阳市教育局", "审核中")]
    sheet = list(book["市教育局"].iter_rows(values_only=True))
    assert sheet[0][-1] == "审核状态" and {row[-1] for row in sheet[1:]} == {"未完成审核（审核中）"}


def test_a_forced_approval_writes_its_reason_in_the_audit_log(initialised):
    under_review(initialised, "jyj")
    assert reform(*APPROVAL, "--force", "--reason", "市政府会议已定").exit_code == 0
    with transaction(initialised) as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.entity == "approval")).all()
        assert entry.action == "force"
        assert entry.reason.startswith("强行审定：市政府会议已定；未完成的部门：审核中：市教育局；未提交：")


def test_approval_supersedes_the_open_review_response_and_recheck_obligations(initialised):
    reviewing = under_review(initialised, "jyj")
    responding = awaiting_response(initialised, "mzw")
    rechecking = awaiting_recheck(initialised, "gaj")
    result = reform(*APPROVAL, "--force", "--reason", "市政府会议已定")
    assert result.exit_code == 0, result.output
    overtaken = {
        "review": review_chain(initialised, str(reviewing))["review"],
        "response": review_chain(initialised, str(responding))["response"],
        "approval": review_chain(initialised, str(rechecking))["approval"],
    }
    assert [len(v) for v in overtaken.values()] == [4, 1, 1]
    assert "审定取代了尚未办结的审核、回复、复核事项 6 项" in result.stdout
    for phase, rows in overtaken.items():
        for obligation_id, state in rows:
            assert state == "waived", phase
            action, to_state, reason = audit(initialised, obligation_id)[-1]
            assert (action, to_state) == ("supersede", "waived")
            assert reason.endswith("尚未完成，已被市政府审定取代：2016-10-28 市政府第 62 次常务会议审定（沈政办发〔2016〕88号）")
            assert f"事项 {obligation_id}" in result.stdout


def test_adjust_meets_the_same_gate(initialised):
    awaiting_recheck(initialised, "gaj")
    assert reform(*APPROVAL, "--force", "--reason", "市政府会议已定").exit_code == 0
    awaiting_response(initialised, "mzw")
    line = one_line_error(reform("adjust", "--date", "2017-03-01", "--reason", "新增事项"))
    assert "不能调整" in line and "待部门回复：市民委" in line
    # The recheck the approval overtook is not a recheck done.
    assert "审定时未完成：市公安局" in line


def test_a_forced_adjustment_writes_its_reason_in_the_audit_log(initialised):
    under_review(initialised, "jyj")
    assert reform(*APPROVAL, "--force", "--reason", "市政府会议已定").exit_code == 0
    awaiting_response(initialised, "mzw")
    result = reform("adjust", "--date", "2017-03-01", "--reason", "新增事项", "--force", "--force-reason", "民委先行")
    assert result.exit_code == 0, result.output
    assert "第 2 版" in result.stdout and "待部门回复：市民委" in result.stdout
    with transaction(initialised) as session:
        reasons = [e.reason for e in session.scalars(select(AuditEntry).where(AuditEntry.entity == "approval")
                                                      .order_by(AuditEntry.id))]
    assert reasons[-1].startswith("强行调整：民委先行；未完成的部门：")


# --- obligations by hand -----------------------------------------------------------------------

def test_waiving_an_open_obligation_is_audited_with_its_reason(initialised):
    obligation_id = inventory_id(initialised)
    result = reform("obligation", "waive", str(obligation_id), "--reason", "教育局与体育局合并")
    assert result.exit_code == 0, result.output
    assert "已免除" in result.stdout
    assert audit(initialised, obligation_id)[-1] == ("waive", "waived", "免除：教育局与体育局合并")


def test_waiving_a_closed_obligation_is_refused(initialised):
    obligation_id = inventory_id(initialised)
    reform("obligation", "waive", str(obligation_id), "--reason", "合并")
    line = one_line_error(reform("obligation", "waive", str(obligation_id), "--reason", "再免一次"))
    assert line == f"错误：事项 {obligation_id} 已是「已免除」，不能免除；如需重新办理，请用 reform obligation reopen"


def test_reopening_an_open_obligation_is_refused(initialised):
    obligation_id = inventory_id(initialised)
    line = one_line_error(reform("obligation", "reopen", str(obligation_id), "--reason", "重新报送"))
    assert line == f"错误：事项 {obligation_id} 尚未办结（「待报送」），无需重新开启"


def test_reopening_a_waived_obligation_with_a_new_due_date(initialised):
    obligation_id = inventory_id(initialised)
    reform("obligation", "waive", str(obligation_id), "--reason", "合并")
    result = reform("obligation", "reopen", str(obligation_id), "--reason", "合并方案撤回", "--due", "2016-11-15")
    assert result.exit_code == 0, result.output
    assert "截止日期 2016-11-15" in result.stdout
    assert audit(initialised, obligation_id)[-1] == ("reopen", "open", "重新开启：合并方案撤回")
    report = json.loads(reform("obligation", "show", str(obligation_id), "--as-of", "2016-11-01",
                               "--format", "json").stdout)
    assert report["deadline"]["due"] == "2016-11-15" and "合并方案撤回" in report["deadline"]["reason"]
    assert report["standing"] == "on_track"


def test_a_change_by_hand_needs_a_reason(initialised):
    obligation_id = inventory_id(initialised)
    assert one_line_error(reform("obligation", "waive", str(obligation_id))) == "错误：免除事项须写明理由：--reason …"
    assert audit(initialised, obligation_id)[-1][0] == "open"


def test_an_unknown_obligation_is_named(initialised):
    for args in (("waive", "999999", "--reason", "x"), ("reopen", "999999", "--reason", "x"), ("show", "999999")):
        assert one_line_error(reform("obligation", *args)) == "错误：没有编号为 999999 的事项（编号见 reform status）"


def test_show_gives_the_parties_deadline_reply_thread_history_and_next_step(initialised):
    c = call(initialised, "jyj")  # the call made the reply token the department answers on
    obligation_id = c.obligation_id
    reform("obligation", "waive", str(obligation_id), "--reason", "合并")
    reform("obligation", "reopen", str(obligation_id), "--reason", "合并方案撤回")
    token = c.reply_to.split("+", 1)[1].split("@", 1)[0]

    result = reform("obligation", "show", str(obligation_id), "--as-of", "2016-07-20")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "沈阳市教育局" in out and "接收单位：沈阳市机构编制委员会办公室" in out
    assert "原文「7月底前」" in out and "2016-08-01" in out  # 7-31 is a Sunday: the next working day
    assert "状态：待报送　截至 2016-07-20：正常" in out
    assert f"回复地址：{c.reply_to}" in out and f"回复令牌：{token}" in out
    assert "免除　待报送 → 已免除　coordinator：免除：合并" in out
    assert "重新开启　已免除 → 待报送　coordinator：重新开启：合并方案撤回" in out
    assert "已发送的通知" in out and c.subject in out
    assert "下一步" in out and "2016-07-25" in out


def test_show_as_json_for_scripts(initialised):
    c = call(initialised, "jyj")
    report = json.loads(reform("obligation", "show", str(c.obligation_id), "--as-of", "2016-08-04",
                               "--format", "json").stdout)
    assert report["org_name"] == "沈阳市教育局" and report["creditor"] == "bwb"
    assert report["reply"]["address"] == c.reply_to
    assert report["standing"] == "yellow" and report["next"]["on"] == "2016-08-05"
    assert [h["action"] for h in report["history"]] == ["开启"]
