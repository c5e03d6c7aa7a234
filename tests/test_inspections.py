"""Inspection rounds (督导检查, task 13): a round's units and checklist, findings as rectification
obligations on the sweep's ladder, their rectification, and each bad input told in one Chinese line."""
from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from reform.app import app
from registry.campaign.audit import obligation_history
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Task
from registry.db import transaction
from registry.inspections import service as inspections
from registry.supervision import service as supervision
from rules.inspections import CHECKLIST, CONDUCT, ChecklistRefused, InspectionError
from workbooks.inspection_checklist import SHEET

D = date.fromisoformat
runner = CliRunner()
OPENED = D("2016-09-01")  # a Thursday; the 中秋节 holiday starts on the 15th


def _open(url: str, name: str = "2016年第三季度督导检查", orgs: list[str] | None = None):
    return inspections.open_inspection(url, name, D("2016-09-30"), OPENED, orgs)


def _obligation(url: str, obligation_id: int) -> Obligation:
    with transaction(url) as session:
        obligation = session.get(Obligation, obligation_id)
        session.expunge(obligation)
        return obligation


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_round_by_default_inspects_every_city_department(initialised):
    assert _open(initialised).units == 48


def test_the_checklist_is_in_the_plans_own_words_for_task_13(initialised):
    with transaction(initialised) as session:
        campaign = find_campaign(session, None)
        description = session.scalar(select(Task.description).where(Task.campaign_id == campaign.id, Task.number == 13))
    assert all(item in description for item in CHECKLIST)


def test_each_unit_comes_with_the_complaints_recorded_about_it(initialised):
    supervision.record_complaint(initialised, text="窗口人员态度生硬", received_on=D("2016-08-20"), department="gaj",
                                 mail_domain="test.example")
    _open(initialised, orgs=["gaj", "jyj"])
    units = {u["org"]: u for u in inspections.show_inspection(initialised, "2016年第三季度督导检查", OPENED)["units"]}
    assert units["gaj"]["checklist"] == {CHECKLIST[0]: None, CHECKLIST[1]: None, CONDUCT: 1}
    assert units["jyj"]["complaints"] == 0


def test_a_finding_becomes_a_rectification_the_unit_owes_in_15_working_days(initialised):
    _open(initialised)
    finding = inspections.record_finding(initialised, "2016年第三季度督导检查", "jyj", "清单执行情况", "未在窗口公开清单", OPENED)
    obligation = _obligation(initialised, finding.obligation_id)
    with transaction(initialised) as session:
        phase = session.get(Obligation, obligation.id).phase.code
    assert (phase, obligation.ref, obligation.state) == ("rectification", f"inspection:{finding.id}", "open")
    # 15 working days from 09-01, across the 中秋节 holiday of 09-15..09-17 and its make-up Sunday 09-18.
    assert obligation.due == finding.due == D("2016-09-23")


def test_a_finding_can_be_given_fewer_days(initialised):
    _open(initialised)
    finding = inspections.record_finding(initialised, "2016年第三季度督导检查", "市教育局", "服务流程简化优化情况",
                                         "要件过多", OPENED, days=5)
    assert finding.due == D("2016-09-08")


def test_rectified_fulfils_the_obligation_with_the_note_in_the_audit_log(initialised):
    _open(initialised)
    finding = inspections.record_finding(initialised, "2016年第三季度督导检查", "jyj", CONDUCT, "推诿", OPENED)
    done = inspections.rectify_finding(initialised, finding.id, "已约谈并通报", D("2016-09-09"))
    assert done.rectified_on == D("2016-09-09")
    assert _obligation(initialised, finding.obligation_id).state == "fulfilled"
    with transaction(initialised) as session:
        last = obligation_history(session, finding.obligation_id)[-1]
        assert (last.to_state, last.actor) == ("fulfilled", "coordinator") and "已约谈并通报" in last.reason


def test_rectifying_a_finding_twice_is_refused(initialised):
    _open(initialised)
    finding = inspections.record_finding(initialised, "2016年第三季度督导检查", "jyj", CONDUCT, "推诿", OPENED)
    inspections.rectify_finding(initialised, finding.id, "已整改", D("2016-09-09"))
    with pytest.raises(InspectionError, match="已于 2016-09-09 整改完成，不能重复记录"):
        inspections.rectify_finding(initialised, finding.id, "又整改", D("2016-09-12"))


def test_a_finding_past_its_due_is_carded_by_the_sweep(initialised):
    _open(initialised)
    finding = inspections.record_finding(initialised, "2016年第三季度督导检查", "jyj", CONDUCT, "推诿", OPENED, days=2)
    assert finding.due == D("2016-09-05")
    day = supervision.sweep_day(initialised, D("2016-09-06"), mail_domain="test.example")
    assert [n.rung for n in day.result.notices if n.obligation_id == finding.obligation_id] == ["yellow"]


def test_a_rectified_finding_is_not_carded(initialised):
    _open(initialised)
    finding = inspections.record_finding(initialised, "2016年第三季度督导检查", "jyj", CONDUCT, "推诿", OPENED, days=2)
    inspections.rectify_finding(initialised, finding.id, "已整改", D("2016-09-05"))
    day = supervision.sweep_day(initialised, D("2016-09-06"), mail_domain="test.example")
    assert not [n for n in day.result.notices if n.obligation_id == finding.obligation_id]


def test_show_lists_units_checklist_and_findings_with_their_standing(initialised):
    _open(initialised, orgs=["jyj", "gaj"])
    late = inspections.record_finding(initialised, "2016年第三季度督导检查", "jyj", CONDUCT, "推诿", OPENED, days=2)
    done = inspections.record_finding(initialised, "2016年第三季度督导检查", "gaj", "清单执行情况", "未公开", OPENED)
    inspections.rectify_finding(initialised, done.id, "已公开", D("2016-09-02"))
    result = runner.invoke(app, ["inspection", "show", "2016年第三季度督导检查", "--as-of", "2016-09-06",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["checklist"] == list(CHECKLIST)
    assert [(u["org"], u["findings"], u["rectified"]) for u in record["units"]] == [("jyj", 1, 0), ("gaj", 1, 1)]
    standings = {f["id"]: (f["standing"], f["rectified_on"]) for f in record["findings"]}
    assert standings == {late.id: ("yellow", None), done.id: ("done", "2016-09-02")}


def test_show_as_a_table_names_the_findings(initialised):
    _open(initialised, orgs=["jyj"])
    inspections.record_finding(initialised, "2016年第三季度督导检查", "jyj", CONDUCT, "推诿扯皮", OPENED)
    result = runner.invoke(app, ["inspection", "show", "2016年第三季度督导检查", "--as-of", "2016-09-02"])
    assert result.exit_code == 0, result.output
    assert "推诿扯皮" in result.stdout and "2016-09-23" in result.stdout


def test_the_cli_opens_a_round_records_and_rectifies_a_finding(initialised):
    opened = runner.invoke(app, ["inspection", "open", "--round", "第一轮", "--due", "2016-09-30", "--orgs", "jyj,gaj",
                                 "--on", "2016-09-01"])
    assert opened.exit_code == 0, opened.output
    assert "被检查单位 2 个" in opened.stdout
    found = runner.invoke(app, ["inspection", "finding", "第一轮", "--org", "jyj", "--item", "清单执行情况",
                                "--text", "未公开", "--on", "2016-09-01"])
    assert found.exit_code == 0, found.output
    assert "整改期限 2016-09-23" in found.stdout
    finding_id = found.stdout.split("第 ", 1)[1].split(" 号", 1)[0]
    closed = runner.invoke(app, ["inspection", "rectified", finding_id, "--note", "已公开", "--on", "2016-09-05"])
    assert closed.exit_code == 0, closed.output
    assert "已于 2016-09-05 整改完成" in closed.stdout


def test_an_unknown_unit_is_refused(initialised):
    result = runner.invoke(app, ["inspection", "open", "--round", "第一轮", "--due", "2016-09-30",
                                 "--orgs", "jyj,nosuch", "--on", "2016-09-01"])
    assert _one_line_error(result) == "错误：组织目录中没有单位：nosuch（单位代码见 reform directory export）"


def test_a_finding_at_a_unit_outside_the_round_is_refused(initialised):
    _open(initialised, orgs=["jyj"])
    result = runner.invoke(app, ["inspection", "finding", "2016年第三季度督导检查", "--org", "gaj",
                                 "--item", "清单执行情况", "--text", "未公开", "--on", "2016-09-01"])
    assert "不在检查“2016年第三季度督导检查”的被检查单位中" in _one_line_error(result)


def test_an_unknown_checklist_item_is_refused_naming_the_three(initialised):
    _open(initialised, orgs=["jyj"])
    result = runner.invoke(app, ["inspection", "finding", "2016年第三季度督导检查", "--org", "jyj",
                                 "--item", "清单", "--text", "未公开", "--on", "2016-09-01"])
    assert _one_line_error(result) == ("错误：检查清单中没有“清单”，应为“清单执行情况”“服务流程简化优化情况”"
                                       "或“庸懒散拖、推诿扯皮、敷衍塞责及服务态度生硬”")


def test_a_due_date_on_a_holiday_is_refused(initialised):
    result = runner.invoke(app, ["inspection", "open", "--round", "第一轮", "--due", "2016-10-03", "--on", "2016-09-01"])
    assert _one_line_error(result) == "错误：检查截止日期 2016-10-03 不是工作日（国庆节），请改为工作日，例如 2016-10-08"


def test_a_due_date_in_the_past_is_refused(initialised):
    result = runner.invoke(app, ["inspection", "open", "--round", "第一轮", "--due", "2016-08-31", "--on", "2016-09-01"])
    assert _one_line_error(result) == "错误：检查截止日期 2016-08-31 已过（今天是 2016-09-01），请给出今后的日期"


def test_a_round_name_used_twice_is_refused_and_the_first_round_kept(initialised):
    _open(initialised, "第一轮", ["jyj"])
    result = runner.invoke(app, ["inspection", "open", "--round", "第一轮", "--due", "2016-09-30", "--on", "2016-09-01"])
    assert _one_line_error(result) == "错误：检查“第一轮”已经开启过，请换一个名称"
    assert len(inspections.show_inspection(initialised, "第一轮", OPENED)["units"]) == 1


def test_rectifying_twice_on_the_command_line_is_one_line(initialised):
    _open(initialised, orgs=["jyj"])
    finding = inspections.record_finding(initialised, "2016年第三季度督导检查", "jyj", CONDUCT, "推诿", OPENED)
    inspections.rectify_finding(initialised, finding.id, "已整改", D("2016-09-09"))
    result = runner.invoke(app, ["inspection", "rectified", str(finding.id), "--note", "又整改", "--on", "2016-09-12"])
    assert _one_line_error(result) == f"错误：检查发现问题第 {finding.id} 号已于 2016-09-09 整改完成，不能重复记录"


def test_an_unknown_round_is_refused(initialised):
    result = runner.invoke(app, ["inspection", "show", "没有这轮"])
    assert _one_line_error(result) == "错误：没有名为“没有这轮”的检查（先用 reform inspection open --round 开启）"


def _filled_checklist(url: str, path, fill: dict[tuple[str, str], tuple[str, object]], name: str = "2016年第三季度督导检查",
                      edit=None):
    """The round's checklist with the finding (and days) of each (unit code, item) written in."""
    path.write_bytes(inspections.checklist_workbook(url, name))
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    for row in sheet.iter_rows(min_row=4):
        key = (row[0].value, row[2].value)
        if key in fill:
            row[4].value, row[5].value = fill[key]
    if edit:
        edit(sheet)
    book.save(path)
    return path


def test_the_checklist_workbook_has_a_row_per_unit_and_item_with_complaints_prefilled(initialised, tmp_path):
    supervision.record_complaint(initialised, text="推诿", received_on=D("2016-08-20"), department="gaj",
                                 mail_domain="test.example")
    _open(initialised, orgs=["jyj", "gaj"])
    path = tmp_path / "清单.xlsx"
    path.write_bytes(inspections.checklist_workbook(initialised, "2016年第三季度督导检查"))
    rows = [tuple(c.value for c in r[:4]) for r in openpyxl.load_workbook(path)[SHEET].iter_rows(min_row=4)]
    assert rows == [("jyj", "沈阳市教育局", CHECKLIST[0], None), ("jyj", "沈阳市教育局", CHECKLIST[1], None),
                    ("jyj", "沈阳市教育局", CONDUCT, "被投诉 0 件"), ("gaj", "沈阳市公安局", CHECKLIST[0], None),
                    ("gaj", "沈阳市公安局", CHECKLIST[1], None), ("gaj", "沈阳市公安局", CONDUCT, "被投诉 1 件")]


def test_an_imported_checklist_records_each_finding_written_in_it(initialised, tmp_path):
    _open(initialised, orgs=["jyj", "gaj"])
    path = _filled_checklist(initialised, tmp_path / "清单.xlsx", {("jyj", CHECKLIST[0]): ("未公开清单", None),
                                                                   ("gaj", CONDUCT): ("窗口推诿", 5)})
    result = runner.invoke(app, ["inspection", "import", "2016年第三季度督导检查", str(path), "--on", "2016-09-01"])
    assert result.exit_code == 0, result.output
    assert "记录检查发现问题 2 个" in result.stdout
    findings = inspections.show_inspection(initialised, "2016年第三季度督导检查", OPENED)["findings"]
    assert [(f["org"], f["item"], f["text"], f["due"]) for f in findings] == [
        ("jyj", CHECKLIST[0], "未公开清单", "2016-09-23"), ("gaj", CONDUCT, "窗口推诿", "2016-09-08")]


def test_a_checklist_with_problems_records_nothing_and_names_them_all(initialised, tmp_path):
    _open(initialised, orgs=["jyj"])

    def spoil(sheet):
        sheet.cell(4, 1).value = "nosuch"
        sheet.cell(5, 3).value = "工作作风"

    path = _filled_checklist(initialised, tmp_path / "清单.xlsx", {("jyj", CHECKLIST[0]): ("未公开清单", None),
                                                                   ("jyj", CHECKLIST[1]): ("要件过多", None),
                                                                   ("jyj", CONDUCT): ("推诿", "十五")}, edit=spoil)
    result = runner.invoke(app, ["inspection", "import", "2016年第三季度督导检查", str(path), "--on", "2016-09-01"])
    line = _one_line_error(result)
    assert "第 4 行「单位代码」列单位代码“nosuch”不在本轮被检查单位中" in line
    assert "第 5 行「检查项目」列检查项目“工作作风”不在检查清单中" in line
    assert "第 6 行「整改期限（工作日）」列整改期限“十五”不是正整数" in line
    assert inspections.show_inspection(initialised, "2016年第三季度督导检查", OPENED)["findings"] == []


def test_a_checklist_of_another_round_is_refused(initialised, tmp_path):
    _open(initialised, "第一轮", ["jyj"])
    _open(initialised, "第二轮", ["jyj"])
    path = _filled_checklist(initialised, tmp_path / "清单.xlsx", {("jyj", CONDUCT): ("推诿", None)}, name="第一轮")
    with pytest.raises(ChecklistRefused, match="这份清单属于检查“第一轮”，不是“第二轮”"):
        inspections.import_checklist(initialised, "第二轮", path.name, path.read_bytes(), OPENED)


def test_a_file_that_is_not_a_workbook_is_refused(initialised, tmp_path):
    _open(initialised, orgs=["jyj"])
    path = tmp_path / "清单.xlsx"
    path.write_bytes(b"not a workbook")
    result = runner.invoke(app, ["inspection", "import", "2016年第三季度督导检查", str(path), "--on", "2016-09-01"])
    assert _one_line_error(result).startswith("错误：检查清单未导入")


def test_the_call_reaches_each_unit_with_its_own_checklist_rows(initialised, smtp_server, tmp_path):
    _open(initialised, orgs=["jyj", "gaj"])
    result = runner.invoke(app, ["inspection", "call", "2016年第三季度督导检查", "--on", "2016-09-01"])
    assert result.exit_code == 0, result.output
    assert "新发出 2 份" in result.stdout
    jyj = next(m for m in smtp_server.messages if m["To"] == "jyj.contact@shenyang.example.org")
    assert jyj["Subject"] == "【督导检查】2016年第三季度督导检查：请做好迎检准备（检查截止 2016-09-30）"
    [attachment] = list(jyj.iter_attachments())
    path = tmp_path / "附件.xlsx"
    path.write_bytes(attachment.get_content())
    rows = [(r[0].value, r[2].value) for r in openpyxl.load_workbook(path)[SHEET].iter_rows(min_row=4)]
    assert rows == [("jyj", item) for item in CHECKLIST]


def test_calling_again_sends_nothing_twice(initialised):
    _open(initialised, orgs=["jyj", "gaj"])
    first = inspections.call_inspected_units(initialised, "2016年第三季度督导检查", OPENED, "test.example")
    again = inspections.call_inspected_units(initialised, "2016年第三季度督导检查", OPENED, "test.example")
    assert (first.queued, again.queued) == (2, 0)
