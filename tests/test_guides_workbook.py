"""The service-guide workbook: the pre-filled template, reading it back, and the check on what returns."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from demo.guide_samples import APPROVED, ATTACHMENTS, FACTS, approved_item, filled_guides_workbook, guides_template
from rules.guides import ELEMENTS, GuideSheets, SheetRow, check_guides
from workbooks import guides_schema as s
from workbooks.cover import TemplateFacts
from workbooks.guides_parse import is_guides_workbook, parse_guides
from workbooks.guides_template import (
    EXAMPLE_CODE,
    EXAMPLE_NAME,
    EXAMPLES,
    build_guides_template,
    guides_template_filename,
)
from workbooks.inventory_template import build_inventory_template


@pytest.fixture(scope="module")
def template() -> bytes:
    return guides_template()


def _book(content: bytes):
    return load_workbook(io.BytesIO(content))


def _rows(content: bytes, sheet: str) -> list[dict]:
    table = _book(content)[sheet]
    headers = [c.value for c in table[1]]
    return [dict(zip(headers, row)) for row in table.iter_rows(min_row=2, values_only=True) if any(row)]


def _check(content: bytes, attached=ATTACHMENTS):
    return check_guides(parse_guides(content), APPROVED, org_code="jyj", attached=attached)


def _whats(content: bytes, attached=ATTACHMENTS) -> list[str]:
    return [p.what for p in _check(content, attached).problems]


# --- the template ----------------------------------------------------------------------------


def test_template_filename_names_the_department():
    assert guides_template_filename("市教育局") == "办事指南-市教育局.xlsx"


def test_template_has_cover_five_tables_and_instructions(template):
    assert _book(template).sheetnames == ["封面", "办事指南", "申请材料", "办理流程", "收费标准", "常见问题", "填报说明"]


def test_guide_sheet_has_the_guide_headers_in_order(template):
    assert tuple(c.value for c in _book(template)[s.GUIDE_SHEET][1]) == s.HEADERS[s.GUIDE_SHEET]
    assert s.HEADERS[s.GUIDE_SHEET][:4] == ("事项编码", "事项名称", "基本编码", "实施编码")


def test_every_table_freezes_its_header(template):
    book = _book(template)
    assert {book[name].freeze_panes for name in s.LABELS} == {"C2"}


def test_yes_no_columns_offer_a_drop_down(template):
    sheet = _book(template)[s.GUIDE_SHEET]
    ranges = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation if v.formula1 == '"是,否"'}
    letters = {"M", "N", "Q"}  # 是否即办, 是否收费, 是否网办
    assert {r[0] for r in ranges} == letters


def test_text_columns_are_wide(template):
    sheet = _book(template)[s.GUIDE_SHEET]
    assert sheet.column_dimensions["I"].width == s.WIDE  # 办理依据


def test_cover_names_the_department_and_its_code(template):
    cover = {r[0]: r[1] for r in _book(template)[s.COVER_SHEET].iter_rows(min_row=2, max_col=2, values_only=True)}
    assert (cover["填报单位"], cover["单位代码"], cover["报送截止日期"]) == ("沈阳市教育局", "jyj", "2016-11-21")
    assert FACTS.reply_address in cover["报送方式"]


def test_guide_rows_are_prefilled_from_the_approved_list(template):
    first = _rows(template, s.GUIDE_SHEET)[0]
    assert {k: first[k] for k in ("事项编码", "事项名称", "事项类型", "实施主体", "服务对象", "办理依据",
                                  "法定办结时限（工作日）", "是否收费", "收费依据及标准")} == {
        "事项编码": "JYJ-001", "事项名称": "中小学生学籍证明", "事项类型": "主动服务", "实施主体": "沈阳市教育局",
        "服务对象": "自然人", "办理依据": "《中华人民共和国教育法》第二十九条", "法定办结时限（工作日）": 20, "是否收费": "否",
        "收费依据及标准": "不收费"}
    assert first["受理单位"] is None and first["承诺办结时限（工作日）"] is None


def test_a_material_row_is_prefilled_per_inventoried_material(template):
    rows = _rows(template, s.MATERIAL_SHEET)
    assert [(r["事项编码"], r["材料名称"], r["份数"]) for r in rows] == [
        ("JYJ-001", "居民身份证", None), ("JYJ-001", "户口簿", None), ("JYJ-002", "居民身份证", None)]


def test_a_fee_row_is_prefilled_per_charged_item_with_its_fee_basis(template):
    rows = _rows(template, s.FEE_SHEET)
    assert [(r["事项编码"], r["收费依据"]) for r in rows] == [("JYJ-002", APPROVED[1]["fee_basis"])]


def test_instructions_show_an_example_of_every_sheet_and_common_mistakes(template):
    texts = [c for row in _book(template)[s.INSTRUCTIONS_SHEET].iter_rows(values_only=True) for c in row if c]
    for sheet in s.LABELS:
        assert f"示范文本（「{sheet}」正确填写的例子）：" in texts
    assert "常见错误示例：" in texts


def test_an_approved_name_that_looks_like_a_formula_is_written_as_text():
    content = build_guides_template(FACTS, [approved_item(1, "=HYPERLINK(\"http://evil\")")])
    assert _book(content)[s.GUIDE_SHEET]["B2"].data_type == "s"


# --- reading it back ---------------------------------------------------------------------------


def test_the_template_parses_without_structural_problems(template):
    sheets = parse_guides(template)
    assert (sheets.problems, sheets.org_code, len(sheets.guides), len(sheets.materials)) == ([], "jyj", 3, 3)


def test_the_template_returned_as_generated_is_rejected_naming_every_missing_element(template):
    check = _check(template)
    assert not check.accepted
    assert check.missing == {
        "JYJ-001": ["受理单位", "受理条件", "基本流程", "示范文本及常见错误示例", "办理时限", "到办事现场次数", "是否网办",
                    "办理结果", "表格下载", "咨询渠道", "办公时间和地址", "监督途径"],
        "JYJ-002": ["受理单位", "受理条件", "基本流程", "示范文本及常见错误示例", "收费依据及标准", "办理时限", "到办事现场次数",
                    "是否网办", "办理结果", "表格下载", "咨询渠道", "办公时间和地址", "监督途径"],
        "JYJ-003": ["受理单位", "受理条件", "基本流程", "申请材料", "办理时限", "到办事现场次数", "是否网办", "办理结果",
                    "咨询渠道", "办公时间和地址", "监督途径"],
    }
    lines = [p.what for p in check.problems if "）缺少：" in p.what]
    assert lines == [f"事项「{i['name']}」（{i['code']}）缺少：{'、'.join(check.missing[i['code']])}" for i in APPROVED]


def test_the_prefilled_basis_without_an_article_is_refused_in_the_returned_template(template):
    assert "办理依据没有写明文件名称和条款" in _whats(template)  # 《教师资格条例》 of JYJ-003


def test_a_fully_filled_workbook_is_accepted(template):
    check = _check(filled_guides_workbook(template))
    assert check.problems == [] and check.accepted
    assert [g["code"] for g in check.guides] == ["JYJ-001", "JYJ-002", "JYJ-003"]


def test_a_filled_workbook_with_links_needs_no_attachments(template):
    assert _check(filled_guides_workbook(template, attach_names=()), attached=()).accepted


def test_numbers_typed_in_cells_come_back_as_whole_numbers(template):
    guide = _check(filled_guides_workbook(template)).guides[0]
    assert (guide["legal_days"], guide["promised_days"], guide["visits"], guide["materials"][0]["copies"]) == (20, 17, 0, 1)


def test_another_departments_items_are_refused(template):
    assert _whats(filled_guides_workbook(template, foreign_code="SBJ-001")) == [
        "事项编码 SBJ-001（「事项 SBJ-001」）属于其他部门的清单，不是本单位的事项"]


def test_another_departments_cover_refuses_the_workbook(template):
    whats = _whats(filled_guides_workbook(template, cover_code="sbj"))
    assert whats == ["封面单位代码为「sbj」，与报送单位（jyj）不符，这是其他部门的办事指南工作簿"]


def test_an_item_added_to_the_list_is_refused(template):
    assert "是新增的事项" in _whats(filled_guides_workbook(template, added_code="JYJ-099"))[0]


def test_a_renamed_item_gets_its_line(template):
    assert _whats(filled_guides_workbook(template, rename="学籍证明")) == [
        "事项编码 JYJ-001 在审定的清单中名为「中小学生学籍证明」，此处写作「学籍证明」"]


def test_a_missing_item_gets_its_line_and_every_element(template):
    check = _check(filled_guides_workbook(template, drop=True))
    assert [p.what for p in check.problems] == ["事项「中小学生学籍证明」（JYJ-001）没有办事指南"]
    assert check.missing["JYJ-001"] == list(ELEMENTS)


def test_steps_out_of_order_get_their_line(template):
    problem = _check(filled_guides_workbook(template, steps_out_of_order=True)).problems[0]
    assert (problem.sheet, problem.column) == ("办理流程", "步骤序号") and "1、3、2" in problem.what


def test_a_promised_limit_longer_than_the_legal_one_gets_its_line(template):
    assert _whats(filled_guides_workbook(template, promised_over_legal=True)) == [
        "承诺办结时限 25 个工作日，长于法定办结时限 20 个工作日"]


def test_full_width_phone_digits_are_accepted_and_normalised(template):
    check = _check(filled_guides_workbook(template, full_width_phones=True))
    assert check.accepted
    assert (check.guides[0]["consult_phone"], check.guides[0]["supervise_phone"]) == ("024-22725001", "024-22725001、12345")


def test_a_file_named_but_not_attached_gets_its_line(template):
    problem = _check(filled_guides_workbook(template, unattached="示范文本（旧）.pdf")).problems[0]
    assert (problem.sheet, problem.column) == ("申请材料", "示范文本")
    assert problem.what == "材料「居民身份证」的示范文本「示范文本（旧）.pdf」没有随邮件附上"


def test_attachments_left_off_the_email_are_each_named(template):
    assert len(_whats(filled_guides_workbook(template), attached=())) == 3 * len(ATTACHMENTS)


def test_a_catch_all_clause_gets_its_line(template):
    assert _whats(filled_guides_workbook(template, catch_all="法律、法规规定的其他条件")) == [
        "受理条件含有兜底条款「法律、法规规定的其他条件」"]


def test_a_free_item_saying_none_gets_its_line(template):
    assert _whats(filled_guides_workbook(template, free_says="无")) == [
        "收费依据及标准「无」不是规范写法：不收费的事项应填写「不收费」"]


def test_simplification_lines_come_from_the_filled_workbook(template):
    lines = _check(filled_guides_workbook(template)).simplification.lines()
    assert "承诺时限比法定时限共压缩 9 个工作日（3 个事项）" in lines
    assert "可网上办理 3 个事项" in lines


# --- files that are not what they should be -----------------------------------------------------


def test_an_unreadable_file_is_a_problem_not_an_error():
    sheets = parse_guides(b"PK\x03\x04 not really a workbook")
    assert len(sheets.problems) == 1 and "文件已损坏" in sheets.problems[0].what


def test_a_missing_sheet_is_named(template):
    book = _book(template)
    del book[s.STEP_SHEET]
    out = io.BytesIO()
    book.save(out)
    problems = parse_guides(out.getvalue()).problems
    assert [(p.sheet, p.what.split("（")[0]) for p in problems] == [("办理流程", "找不到工作表「办理流程」")]


def test_a_missing_header_is_named(template):
    book = _book(template)
    book[s.MATERIAL_SHEET]["G1"] = "数量"  # 份数
    out = io.BytesIO()
    book.save(out)
    problems = parse_guides(out.getvalue()).problems
    assert [(p.sheet, p.what) for p in problems] == [("申请材料", "缺少表头「份数」")]


def test_headers_typed_in_full_width_still_match(template):
    book = _book(template)
    book[s.GUIDE_SHEET]["K1"] = "法定办结时限(工作日)"
    out = io.BytesIO()
    book.save(out)
    assert parse_guides(out.getvalue()).problems == []


def test_a_guides_workbook_is_recognised_from_its_sheet_list(template):
    assert is_guides_workbook(template)


def test_an_inventory_workbook_is_not_a_guides_workbook():
    inventory = build_inventory_template(TemplateFacts("沈阳市教育局", "jyj", "方案", FACTS.deadline, "x@example.org"))
    assert not is_guides_workbook(inventory)


def test_garbage_is_not_a_guides_workbook():
    assert not is_guides_workbook(b"%PDF-1.4 whatever")


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_merged_cells_below_the_header_are_named(template):
    book = _book(filled_guides_workbook(template))
    book[s.MATERIAL_SHEET].merge_cells("A2:A3")
    problems = parse_guides(_saved(book)).problems
    assert [(p.sheet, p.row, p.what) for p in problems] == [("申请材料", 2, "单元格 A2:A3 是合并单元格")]


def test_formulas_below_the_header_are_named(template):
    book = _book(filled_guides_workbook(template))
    book[s.MATERIAL_SHEET]["G2"] = "=1+0"
    problems = parse_guides(_saved(book)).problems
    assert [(p.sheet, p.row, p.column, p.what) for p in problems] == [("申请材料", 2, "份数", "单元格 G2 使用了公式")]


def test_the_instructions_examples_pass_the_check_themselves():
    def rows(sheet):
        return [SheetRow(n, {f: "" if v in ("", None) else str(v) for f, v in zip(s.LABELS[sheet], values)})
                for n, values in enumerate(EXAMPLES[sheet], start=2)]

    sheets = GuideSheets(org_code="sbj", guides=rows(s.GUIDE_SHEET), materials=rows(s.MATERIAL_SHEET),
                         steps=rows(s.STEP_SHEET), faqs=rows(s.FAQ_SHEET))
    files = [v for r in sheets.materials for k, v in r.values.items() if k in ("blank", "sample", "mistakes") and v]
    check = check_guides(sheets, [approved_item(1, EXAMPLE_NAME, code=EXAMPLE_CODE)], org_code="sbj", attached=files)
    assert check.problems == []
