"""Workbook contents: every problem at once, with sheet, row and column; tolerance where a person expects it."""
from __future__ import annotations

import time
from datetime import date, datetime

from openpyxl import Workbook

from demo.samples import filled_workbook, item_rows
from tests.intake_helpers import edited, items_sheet
from workbooks import inventory_schema as s
from workbooks.cover import TemplateFacts
from workbooks.inventory_parse import parse_inventory
from workbooks.inventory_rules import validate_inventory
from workbooks.inventory_template import build_inventory_template

TEMPLATE = build_inventory_template(TemplateFacts("沈阳市教育局", "jyj", "方案", date(2016, 8, 1), "intake+a@x.org"))


def _validate(workbook: bytes, **kw):
    return validate_inventory(parse_inventory(workbook), **kw)


def _with_row(**cells) -> bytes:
    """A valid one-row workbook with some cells (by header) replaced."""
    row = item_rows(1)[0]
    for header, value in cells.items():
        row[s.HEADERS.index(header)] = value
    return filled_workbook(TEMPLATE, [row])


def _only(result):
    [problem] = result.problems
    return problem


def test_a_good_workbook_is_accepted_with_its_items():
    result = _validate(filled_workbook(TEMPLATE, item_rows(5)))
    assert result.accepted and len(result.items) == 5 and result.items[0]["row"] == 2


def test_the_item_sheet_renamed_is_named():
    workbook = edited(filled_workbook(TEMPLATE, item_rows(1)), lambda b: setattr(items_sheet(b), "title", "Sheet1"))
    problem = _only(_validate(workbook))
    assert "找不到工作表「公共服务事项清单」" in problem.what and "Sheet1" in problem.what


def test_reordered_headers_are_accepted():
    def swap(book):
        sheet = items_sheet(book)
        for row in sheet.iter_rows():
            row[1].value, row[2].value = row[2].value, row[1].value
    assert _validate(edited(filled_workbook(TEMPLATE, item_rows(3)), swap)).accepted


def test_full_width_and_spaced_headers_are_accepted():
    def widen(book):
        items_sheet(book)["H1"] = " 办理时限(工作日) "
        items_sheet(book)["A1"] = "序　号"
    assert _validate(edited(filled_workbook(TEMPLATE, item_rows(2)), widen)).accepted


def test_a_missing_header_is_named():
    def drop(book):
        items_sheet(book)["K1"] = None
    problems = _validate(edited(filled_workbook(TEMPLATE, item_rows(1)), drop)).problems
    assert any(p.what == "缺少表头「所需证明材料」" for p in problems)


def test_a_misspelt_header_is_named_with_the_right_spelling():
    def misspell(book):
        items_sheet(book)["B1"] = "事项明称"
    problem = _only(_validate(edited(filled_workbook(TEMPLATE, item_rows(1)), misspell)))
    assert problem.what == "表头「事项明称」写错了，应为「事项名称」" and problem.column == "B" and problem.row == 1


def test_merged_cells_are_reported_where_they_are():
    def merge(book):
        items_sheet(book).merge_cells("F2:F3")
    problems = _validate(edited(filled_workbook(TEMPLATE, item_rows(2)), merge)).problems
    assert any("F2:F3 是合并单元格" in p.what and p.row == 2 for p in problems)


def test_formulas_are_reported_where_they_are():
    def formula(book):
        items_sheet(book)["H2"] = "=2+3"
    problems = _validate(edited(filled_workbook(TEMPLATE, item_rows(1)), formula)).problems
    assert any("H2 使用了公式" in p.what and p.column == s.TIME_LIMIT for p in problems)


def test_numbers_typed_as_text_and_full_width_digits_are_accepted():
    result = _validate(_with_row(**{s.SEQ: "１", s.TIME_LIMIT: " ５ "}))
    assert result.accepted and result.items[0]["time_limit_days"] == 5


def test_a_date_where_days_belong_is_explained():
    problem = _only(_validate(_with_row(**{s.TIME_LIMIT: "2016-07-20"})))
    assert problem.what == "填的是日期「2016-07-20」，这里应填数字" and problem.column == s.TIME_LIMIT and problem.row == 2


def test_an_excel_date_where_days_belong_is_explained():
    problem = _only(_validate(_with_row(**{s.TIME_LIMIT: datetime(2016, 7, 20)})))
    assert "填的是日期「2016-07-20」" in problem.what


def test_a_date_typed_as_text_on_the_cover_is_accepted():
    def fill_date(book):
        cover = book[s.COVER_SHEET]
        for row in cover.iter_rows(max_col=2):
            if row[0].value == s.COVER_DATE:
                row[1].value = "２０１６年７月２０日"
    assert _validate(edited(filled_workbook(TEMPLATE, item_rows(1)), fill_date)).accepted


def test_empty_required_cells_are_each_reported():
    result = _validate(_with_row(**{s.NAME: None, s.IMPLEMENTER: "  "}))
    assert {(p.row, p.column, p.what) for p in result.problems} == {
        (2, s.NAME, "必填项未填写"), (2, s.IMPLEMENTER, "必填项未填写")}


def test_values_outside_the_drop_downs_are_reported_with_the_choices():
    problem = _only(_validate(_with_row(**{s.CATEGORY: "社保"})))
    assert problem.what == "「社保」不是可选的值" and "社会保障" in problem.fix


def test_several_audiences_joined_by_commas_are_read_as_a_list():
    result = _validate(_with_row(**{s.AUDIENCE: "法人，自然人"}))
    assert result.accepted and result.items[0]["audience"] == "自然人、法人"


def test_a_charged_item_needs_its_fee_basis():
    problem = _only(_validate(_with_row(**{s.CHARGED: "是", s.FEE_BASIS: ""})))
    assert problem.column == s.FEE_BASIS


def test_every_problem_is_reported_at_once():
    rows = item_rows(3)
    rows[0][s.HEADERS.index(s.KIND)] = "行政审批"
    rows[2][s.HEADERS.index(s.TIME_LIMIT)] = "很快"
    result = _validate(filled_workbook(TEMPLATE, rows))
    assert [(p.row, p.column) for p in result.problems] == [(2, s.KIND), (4, s.TIME_LIMIT)]


def test_a_zero_report_is_accepted_as_such():
    result = _validate(filled_workbook(TEMPLATE, [], zero_report=True))
    assert result.accepted and result.zero_report and result.items == []


def test_a_zero_report_with_items_is_contradictory():
    problem = _only(_validate(filled_workbook(TEMPLATE, item_rows(2), zero_report=True)))
    assert problem.sheet == s.COVER_SHEET and "零报告" in problem.what


def test_an_empty_list_without_zero_report_asks_for_one():
    problem = _only(_validate(filled_workbook(TEMPLATE, [])))
    assert "没有填写任何事项" in problem.what and "零报告" in problem.fix


def test_a_cover_for_another_department_is_reported():
    problem = _only(_validate(filled_workbook(TEMPLATE, item_rows(1)), expected_org_code="mzj"))
    assert problem.column == s.COVER_ORG_CODE


def _big_workbook(rows: int, bad_every: int) -> bytes:
    import io

    book = Workbook(write_only=True)
    sheet = book.create_sheet(s.ITEM_SHEET)
    sheet.append(list(s.HEADERS))
    row = item_rows(1)[0]
    for n in range(1, rows + 1):
        values = list(row)
        values[0], values[1] = n, f"事项{n}"
        if n % bad_every == 0:
            values[s.HEADERS.index(s.CATEGORY)] = "不存在的类别"
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_hundred_thousand_rows_are_validated_in_seconds_with_every_problem_counted():
    workbook = _big_workbook(100_000, bad_every=1000)
    started = time.perf_counter()
    result = _validate(workbook)
    assert time.perf_counter() - started < 20
    assert result.problem_count == 100 and result.problems[0].row == 1001


def test_more_rows_than_the_limit_is_one_clear_problem():
    problem = _only(_validate(_big_workbook(1_001, bad_every=10**9), max_rows=1_000))
    assert "超过每份清单 1000 行的上限" in problem.what
