"""Self-reports of the long-term tasks: the workbook and its checks, intake by mail with an all-at-once
receipt, and the period's supervision report (督导检查通报) with a chart per task and the units that
did not report."""
from __future__ import annotations

import asyncio
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from typer.testing import CliRunner

from demo.samples import reply_mail
from reform.app import app
from registry.campaign.obligations import find_obligation
from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.outbox.tables import OutboxMessage
from registry.self_reports.tables import SelfReport
from registry.supervision.reports import open_supervision_reports
from rules import self_reports as r
from tests.intake_helpers import take_in
from tests.second_half_helpers import approved_department
from workbooks.cover import TemplateFacts
from workbooks.self_report_parse import parse_self_report
from workbooks.self_report_template import ReportFacts, build_self_report_template

runner = CliRunner()
OPENED = date(2016, 11, 15)  # in 2016Q4: its reports are due ten working days after 12-31
RECEIVED = datetime(2017, 1, 5, 10, 0)
TASK_12 = tuple(r.indicator_rows(12, r.Figures(items=10, online=4, zero_visits=2)))
EXPECTED = r.Expected("zwfwb", 12, "2016Q4", TASK_12)


def _template(indicators=TASK_12, task: int = 12, period: str = "2016Q4", code: str = "zwfwb") -> bytes:
    cover = TemplateFacts("沈阳市政务服务管理办公室", code, "方案", date(2017, 1, 16), "intake+abc@x.org")
    return build_self_report_template(cover, ReportFacts(task, "推进网上办理", period, indicators))


def fill(workbook: bytes, figures=None, narrative=("完成网上大厅改造", "无", "继续推进"), edit=None) -> bytes:
    """The workbook as a unit fills it: its figures (the registry's when None) and its narrative."""
    book = load_workbook(io.BytesIO(workbook))
    sheet = book[r.INDICATOR_SHEET]
    for row in range(2, sheet.max_row + 1):
        given = None if figures is None else figures[row - 2]
        sheet.cell(row, 5).value = sheet.cell(row, 4).value if given is None else given
    for row, text in enumerate(narrative, start=2):
        book[r.NARRATIVE_SHEET].cell(row, 2).value = text
    if edit:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _check(workbook: bytes) -> r.ReportCheck:
    return r.check_report(parse_self_report(workbook), EXPECTED)


# The rules and the workbook


def test_each_task_reports_its_own_indicators():
    assert [d.key for d in r.task_indicators(5)][:2] == ["items", "shared"]
    assert "committed" in [d.key for d in r.task_indicators(6)]
    assert "days_cut" in [d.key for d in r.task_indicators(7)]
    assert [d.unit for d in r.task_indicators(12)] == ["项", "项", "%", "项"]
    assert [d.key for d in r.task_indicators(14)] == list(r.GENERAL)


def test_the_online_share_is_a_percentage_of_the_items():
    assert {row["key"]: row["value"] for row in TASK_12}["online_share"] == 40.0


def test_a_workbook_filled_in_comes_back_as_its_figures_and_narrative():
    check = _check(fill(_template(), figures=[10, 5, "50%", 2]))
    assert check.accepted, check.problems
    assert [(v["key"], v["system"], v["reported"]) for v in check.values] == [
        ("items", 10, 10), ("online", 4, 5), ("online_share", 40.0, 50), ("zero_visits", 2, 2)]
    assert check.narrative == {r.PROGRESS: "完成网上大厅改造", r.ISSUES: "无", r.NEXT_STEPS: "继续推进"}


def test_full_width_digits_are_a_number():
    check = _check(fill(_template(), figures=["１０", "４项", None, None]))
    assert check.accepted and check.values[0]["reported"] == 10 and check.values[1]["reported"] == 4


def test_a_figure_written_as_words_is_refused_where_it_is():
    [problem] = _check(fill(_template(), figures=[None, "若干", None, None])).problems
    assert (problem.sheet, problem.row, problem.column) == (r.INDICATOR_SHEET, 3, r.REPORTED)
    assert problem.what == "本单位填报值「若干」不是数字" and "阿拉伯数字" in problem.fix


def test_a_report_for_another_period_or_task_is_refused():
    check = _check(fill(_template(task=5, period="2016Q3")))
    assert [p.column for p in check.problems] == [r.COVER_TASK, r.COVER_PERIOD]
    assert "不是本次要求报送的第12项" in check.problems[0].what and "2016Q4" in check.problems[1].what


def test_a_narrative_left_empty_is_refused():
    [problem] = _check(fill(_template(), narrative=("完成", "", "继续"))).problems
    assert problem.what == "「存在问题」未填写" and problem.row == 3


def test_an_indicator_row_removed_or_renamed_is_refused():
    def alter(book):
        sheet = book[r.INDICATOR_SHEET]
        sheet["B3"] = "网办事项"
        sheet.delete_rows(5)

    whats = [p.what for p in _check(fill(_template(), edit=alter)).problems]
    assert "指标「网办事项」不在本报告的指标中" in whats
    assert "缺少指标「可网上办理的事项」（行被删除或指标名称被改动）" in whats
    assert "缺少指标「零跑动的事项」（行被删除或指标名称被改动）" in whats


def test_every_problem_is_told_at_once():
    check = _check(fill(_template(period="2016Q3"), figures=["十", None, None, None], narrative=("", "", "")))
    assert len(check.problems) == 5 and not check.values


# Intake by mail


@dataclass(frozen=True)
class ReportCall:
    obligation_id: int
    sender: str
    reply_to: str
    subject: str
    filename: str
    workbook: bytes


def report_call(url: str, org: str = "zwfwb", task: int = 12) -> ReportCall:
    with transaction(url) as session:
        open_supervision_reports(session, OPENED)
        obligation = find_obligation(session, "supervision", org, ref=f"2016Q4/task-{task}")
        message = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"call:supervision:{obligation.id}"))
        [attachment] = message.attachments
        return ReportCall(obligation.id, message.to_addrs[0], message.reply_to, message.subject, attachment.filename,
                          attachment.content)


def send(url: str, c: ReportCall, workbook: bytes, now: datetime = RECEIVED):
    raw = reply_mail(sender=c.sender, sender_name="联系人", to=c.reply_to, subject="回复：" + c.subject,
                     attachments=[(c.filename, workbook)])
    return take_in(url, raw, now)


def _receipts(url: str, obligation_id: int) -> list[OutboxMessage]:
    with transaction(url) as session:
        return list(session.scalars(select(OutboxMessage).options(selectinload(OutboxMessage.attachments))
                                    .where(OutboxMessage.obligation_id == obligation_id,
                                           OutboxMessage.kind == "receipt").order_by(OutboxMessage.id)))


def test_the_call_carries_the_workbook_pre_filled_with_the_registrys_figures(initialised):
    approved_department(initialised, "jyj", rows=3)
    sheets = parse_self_report(report_call(initialised, task=5).workbook)
    assert sheets.cover[r.COVER_TASK] == "第5项 信息共享替代证明材料" and sheets.cover[r.COVER_PERIOD] == "2016Q4"
    assert [(row.values[r.LABEL], row.values[r.SYSTEM]) for row in sheets.indicators][0] == ("公布的公共服务事项", "3")


def test_a_task_every_unit_answers_for_reports_the_units_own_figures(initialised):
    approved_department(initialised, "jyj", rows=3)
    with transaction(initialised) as session:
        open_supervision_reports(session, OPENED)
        items = {org: find_obligation(session, "supervision", org, ref="2016Q4/task-13").scope["indicators"][0]
                 for org in ("jyj", "zwfwb")}
    assert items["jyj"]["value"] == 3 and items["zwfwb"]["value"] == 0


def test_an_accepted_report_is_stored_and_fulfils_its_obligation(initialised):
    c = report_call(initialised)
    result = send(initialised, c, fill(c.workbook, figures=[5, 3, 60, 1]))
    assert result.outcome == "accepted" and result.version == 1
    with transaction(initialised) as session:
        assert session.get(Obligation, c.obligation_id).state == "fulfilled"
        report = session.scalars(select(SelfReport).where(SelfReport.obligation_id == c.obligation_id)).one()
        assert (report.task_number, report.period, report.progress) == (12, "2016Q4", "完成网上大厅改造")
        assert [(v.key, v.system_value, v.reported_value) for v in report.values][1] == ("online", 0, 3)
    [receipt] = _receipts(initialised, c.obligation_id)
    assert "第12项 2016Q4 自查报告已通过校验" in receipt.subject and "可网上办理的事项：系统 0 项，填报 3 项" in receipt.text


def test_a_rejected_report_is_answered_with_every_problem_and_returns_the_obligation(initialised):
    c = report_call(initialised)
    result = send(initialised, c, fill(c.workbook, figures=["若干", None, None, None], narrative=("", "无", "")))
    assert result.outcome == "rejected" and result.problems == 3
    with transaction(initialised) as session:
        assert session.get(Obligation, c.obligation_id).state == "returned"
        assert session.scalars(select(SelfReport)).all() == []
    [receipt] = _receipts(initialised, c.obligation_id)
    assert "共发现 3 处问题" in receipt.text and "「若干」不是数字" in receipt.text and "「工作进展」未填写" in receipt.text
    assert [a.filename for a in receipt.attachments] == ["问题清单.xlsx"]


def test_a_corrected_report_after_the_receipt_is_version_two(initialised):
    c = report_call(initialised)
    send(initialised, c, fill(c.workbook, figures=["若干", None, None, None]))
    result = send(initialised, c, fill(c.workbook), now=datetime(2017, 1, 6, 10))
    assert (result.outcome, result.version) == ("accepted", 2)


# The period's supervision report


def _reform(*args: str):
    return runner.invoke(app, list(args))


def test_the_supervision_report_has_a_chart_per_task_and_names_who_did_not_report(initialised):
    from registry.self_reports.service import supervision_report

    c = report_call(initialised)
    send(initialised, c, fill(c.workbook, figures=[5, 3, 60, 1]))
    made = supervision_report(initialised, "2016Q4", as_of=date(2017, 1, 20))
    book = load_workbook(io.BytesIO(made.content))
    tasks = [t["number"] for t in made.tasks]
    assert tasks == list(range(5, 16))
    charts = [n for n in zipfile.ZipFile(io.BytesIO(made.content)).namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == len(tasks) and all(book[f"第{n}项"]._charts for n in tasks)
    unreported = {(u["task_number"], u["org_code"]) for u in made.unreported}
    assert (12, "zwfwb") not in unreported and (5, "zwfwb") in unreported and (13, "jyj") in unreported
    assert all(u["state"] == "逾期未报送" for u in made.unreported)
    names = [row[1].value for row in book["未报送单位"].iter_rows(min_row=2)]
    assert len(names) == len(made.unreported) and "沈阳市政务服务管理办公室" in names


def test_the_report_shows_the_registrys_figure_beside_the_units(initialised):
    from registry.self_reports.service import supervision_report

    c = report_call(initialised)
    send(initialised, c, fill(c.workbook, figures=[5, 3, 60, 1]))
    made = supervision_report(initialised, "2016Q4", as_of=date(2017, 1, 20))
    ours = [(x["label"], x["system"], x["reported"]) for x in made.rows
            if x["task_number"] == 12 and x["org_code"] == "zwfwb"]
    assert ours == [("公布的公共服务事项", 0, 5), ("可网上办理的事项", 0, 3), ("网上可办事项占比", 0, 60),
                    ("零跑动的事项", 0, 1)]


def test_reform_supervision_report_writes_the_workbook(initialised, tmp_path):
    report_call(initialised)
    out = tmp_path / "通报.xlsx"
    result = _reform("supervision", "report", "--period", "2016q4", "--out", str(out), "--as-of", "2017-01-20")
    assert result.exit_code == 0, result.output
    assert "2016Q4 督导检查通报已保存为" in result.output and "未报送 第5项" in result.output
    assert load_workbook(out).sheetnames[:2] == ["通报", "指标对比"]


def test_reform_supervision_report_refuses_a_period_without_reports(initialised, tmp_path):
    result = _reform("supervision", "report", "--period", "2015Q1", "--out", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and "报告期 2015Q1 没有开启自查报告任务" in result.stderr


def test_reform_supervision_report_refuses_what_is_not_a_period(initialised, tmp_path):
    result = _reform("supervision", "report", "--period", "四季度", "--out", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and "报告期「四季度」无法识别" in result.stderr


def test_the_flow_writes_the_report_and_leaves_its_artifacts(initialised, prefect_server, tmp_path):
    from prefect.client.orchestration import get_client

    from flows.self_reports import supervision_report_flow

    report_call(initialised)
    out = tmp_path / "通报.xlsx"
    result = asyncio.run(supervision_report_flow("2016Q4", str(out), date(2017, 1, 20)))
    assert out.is_file() and result["path"] == str(out) and result["unreported"]

    async def artifact_keys():
        async with get_client() as client:
            return {a.key for a in await client.read_latest_artifacts()}

    assert {"supervision-report-2016q4", "supervision-report-2016q4-summary"} <= asyncio.run(artifact_keys())


def test_the_report_gives_the_green_channels_share_of_each_month(initialised):
    from registry.campaign.service import prioritise_obligation
    from registry.self_reports.service import supervision_report

    c = report_call(initialised)
    prioritise_obligation(initialised, c.obligation_id, "群众反映强烈", datetime(2017, 1, 4, 9))
    made = supervision_report(initialised, "2016Q4", as_of=date(2017, 1, 20))
    rows = list(load_workbook(io.BytesIO(made.content))["绿色通道"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["2016-10", "2016-11", "2016-12"]
    # The report obligation, opened in November, is the month's one on the green channel.
    assert [r[2] for r in rows] == [0, 1, 0] and rows[1][1] > 1


def test_a_periods_months_are_named_from_its_label():
    from rules.periods import months_of

    assert months_of("2016Q4") == ["2016-10", "2016-11", "2016-12"]
    assert months_of("2016H1")[-1] == "2016-06" and months_of("2016-07") == ["2016-07"] and len(months_of("2016")) == 12
    with pytest.raises(ValueError, match="无法识别"):
        months_of("2016Z")
