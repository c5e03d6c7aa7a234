"""The certificate ledger as a workbook: the template's sheets, columns, drop-downs and pre-fill; what
comes back parsed and checked, from a valid ledger to the mistakes departments make."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from demo.certificate_samples import COMMIT_IN_EXCLUDED_FIELD, KEEP_WITHOUT_BASIS, filled_certificates_workbook
from rules.certificates import OrgRef, certificates_from_items, check_certificates
from workbooks import certificates_schema as s
from workbooks.certificates_parse import is_certificates_workbook, parse_certificates
from workbooks.certificates_template import (
    build_certificates_template,
    certificates_template_filename,
)
from workbooks.cover import TemplateFacts
from workbooks.inventory_template import build_inventory_template

FACTS = TemplateFacts("沈阳市教育局", "jyj", "沈阳市简化优化公共服务流程方便基层群众办事创业工作",
                      date(2016, 11, 20), "intake+abc234defg@shenyang.example.org", "张明", "024-12345678")
APPROVED = [{"name": "教师资格认定", "materials": "户籍证明、体检合格证明、无犯罪记录证明"},
            {"name": "学籍证明开具", "materials": "户籍证明、学历证明"}]
ITEMS = [i["name"] for i in APPROVED]
DIRECTORY = [OrgRef("jyj", "沈阳市教育局", "市教育局"), OrgRef("gaj", "沈阳市公安局", "市公安局")]
PREFILLED = certificates_from_items(APPROVED)


def template(prefilled=PREFILLED) -> bytes:
    return build_certificates_template(FACTS, prefilled)


def _book(content: bytes | None = None):
    return load_workbook(io.BytesIO(content or template()))


def checked(content: bytes, org_code: str = "jyj"):
    return check_certificates(parse_certificates(content), org_code=org_code, org_name="沈阳市教育局", items=ITEMS,
                              directory=DIRECTORY)


def _resave(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the template --------------------------------------------------------------------------------


def test_template_has_cover_ledger_and_instructions():
    assert _book().sheetnames == ["封面", "证明事项清理表", "填报说明"]


def test_ledger_has_exactly_the_campaigns_columns():
    assert [c.value for c in _book()[s.SHEET][1]] == [
        "序号", "证明名称", "所涉事项", "索要单位", "开具单位", "设定依据", "依据层级", "拟处理方式", "替代方式",
        "信息共享来源单位", "承诺内容", "事后核查方式", "涉及领域", "备注"]


def test_ledger_header_is_frozen():
    assert _book()[s.SHEET].freeze_panes == "A2"


def test_ledger_offers_drop_downs_for_the_fixed_choice_columns():
    lists = {v.formula1 for v in _book()[s.SHEET].data_validations.dataValidation if v.type == "list"}
    assert lists == {'"法律,行政法规,地方性法规,规章,规范性文件,无"', '"保留,取消,告知承诺,信息共享替代,其他证照替代"',
                     '"一般事项,国家安全,公共安全,生态环境,生命健康,金融"'}


def test_cover_carries_the_department_its_code_and_the_deadline():
    cover = {r[0]: r[1] for r in _book()[s.COVER_SHEET].iter_rows(min_row=2, max_col=2, values_only=True)}
    assert (cover["填报单位"], cover["单位代码"], cover["报送截止日期"]) == ("沈阳市教育局", "jyj", "2016-11-20")
    assert "intake+abc234defg@shenyang.example.org" in cover["报送方式"]
    assert {"工作方案", "联系人", "联系电话", "填报日期"} <= set(cover)


def test_ledger_is_prefilled_with_each_certificate_its_items_and_the_requester():
    rows = [r[:4] for r in _book()[s.SHEET].iter_rows(min_row=2, values_only=True) if r[1]]
    assert rows == [(1, "户籍证明", "教师资格认定、学籍证明开具", "沈阳市教育局"),
                    (2, "体检合格证明", "教师资格认定", "沈阳市教育局"),
                    (3, "无犯罪记录证明", "教师资格认定", "沈阳市教育局"),
                    (4, "学历证明", "学籍证明开具", "沈阳市教育局")]


def test_instructions_show_an_example_row_and_common_mistakes():
    texts = [c for r in _book()[s.INSTRUCTIONS_SHEET].iter_rows(values_only=True) for c in r if c]
    assert "婚姻状况证明" in texts and "常见错误示例：" in texts
    assert any("不能「保留」" in str(t) for t in texts)


def test_template_filename_names_the_department():
    assert certificates_template_filename("市教育局") == "证明事项清理表-市教育局.xlsx"


def test_a_formula_like_certificate_name_is_written_as_text():
    sheet = _book(template([{"name": "=HYPERLINK(\"http://x\")", "items": ["教师资格认定"]}]))[s.SHEET]
    assert sheet["B2"].data_type == "s"


# --- round trip -----------------------------------------------------------------------------------


def test_a_template_parses_back_to_its_prefilled_rows_and_cover_code():
    sheet = parse_certificates(template())
    assert sheet.problems == [] and sheet.org_code == "jyj"
    assert [(r.row, r.values["name"], r.values["items"]) for r in sheet.rows] == [
        (2, "户籍证明", "教师资格认定、学籍证明开具"), (3, "体检合格证明", "教师资格认定"),
        (4, "无犯罪记录证明", "教师资格认定"), (5, "学历证明", "学籍证明开具")]


def test_a_filled_ledger_is_accepted_with_its_entries_in_sheet_order():
    result = checked(filled_certificates_workbook(template(), {"体检合格证明": "保留", "无犯罪记录证明": "告知承诺",
                                                                "学历证明": "信息共享替代"}))
    assert result.accepted, result.problems
    assert [(e["seq"], e["name"], e["disposition"]) for e in result.entries] == [
        (1, "户籍证明", "取消"), (2, "体检合格证明", "保留"), (3, "无犯罪记录证明", "告知承诺"), (4, "学历证明", "信息共享替代")]
    assert result.entries[3]["share_source_code"] == "gaj"


def test_the_prefilled_template_returned_as_is_is_refused_on_every_row():
    result = checked(template())
    assert not result.accepted
    for column in ("依据层级", "拟处理方式"):
        assert sorted(p.row for p in result.problems if p.column == column) == [2, 3, 4, 5]


# --- the mistakes ---------------------------------------------------------------------------------


def _edited(**cells) -> bytes:
    book = load_workbook(io.BytesIO(filled_certificates_workbook(template())))
    for ref, value in cells.items():
        book[s.SHEET][ref] = value
    return _resave(book)


def test_a_row_with_no_name_is_refused():
    [problem] = checked(_edited(B3="")).problems
    assert (problem.row, problem.column) == (3, "证明名称")


def test_a_disposition_outside_the_list_is_refused():
    [problem] = checked(_edited(H2="撤销")).problems
    assert (problem.row, problem.column, problem.what) == (2, "拟处理方式", "拟处理方式「撤销」不是可选的值")


def test_a_commitment_in_an_excluded_field_is_refused():
    content = filled_certificates_workbook(template(), {"无犯罪记录证明": COMMIT_IN_EXCLUDED_FIELD})
    [problem] = checked(content).problems
    assert problem.row == 4 and "涉及生命健康领域的证明不适用告知承诺" in problem.what


def test_keeping_a_certificate_set_by_a_normative_document_is_refused():
    [problem] = checked(filled_certificates_workbook(template(), {"户籍证明": KEEP_WITHOUT_BASIS})).problems
    assert problem.row == 2 and "不能保留" in problem.what


def test_another_departments_ledger_is_refused():
    [problem] = checked(filled_certificates_workbook(template()), org_code="gaj").problems
    assert problem.sheet == "封面" and problem.column == "单位代码"


def test_a_header_with_spaces_around_it_is_still_read():
    book = load_workbook(io.BytesIO(filled_certificates_workbook(template())))
    book[s.SHEET]["H1"] = " 拟处理方式 "
    assert checked(_resave(book)).accepted


# --- files that are not a ledger ------------------------------------------------------------------


def test_a_renamed_ledger_sheet_is_named():
    book = _book()
    book[s.SHEET].title = "Sheet1"
    [problem] = parse_certificates(_resave(book)).problems
    assert "找不到工作表「证明事项清理表」" in problem.what and "「Sheet1」" in problem.what


def test_a_deleted_column_is_named_once_and_no_row_is_read():
    book = _book(filled_certificates_workbook(template()))
    book[s.SHEET].delete_cols(7)
    sheet = parse_certificates(_resave(book))
    assert [p.what for p in sheet.problems] == ["缺少表头「依据层级」"] and sheet.rows == []


def test_a_sheet_without_headers_is_refused():
    book = Workbook()
    book.active.title = s.SHEET
    book.active.append(["x", "y"])
    [problem] = parse_certificates(_resave(book)).problems
    assert "找不到表头" in problem.what


@pytest.mark.parametrize("content", [b"", b"not a workbook", b"PK\x03\x04broken"])
def test_an_unreadable_file_is_a_problem_not_an_error(content):
    [problem] = parse_certificates(content).problems
    assert "文件已损坏" in problem.what


def test_a_ledger_is_told_from_its_workbook_part():
    assert is_certificates_workbook(template())


def test_an_inventory_is_not_a_ledger():
    facts = TemplateFacts("沈阳市教育局", "jyj", "x", date(2016, 8, 1), "a@example.org")
    assert not is_certificates_workbook(build_inventory_template(facts))


def test_a_zip_without_a_workbook_part_is_not_a_ledger():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "证明事项清理表")
    assert not is_certificates_workbook(out.getvalue())


def test_a_sheet_whose_name_only_contains_the_ledgers_is_not_a_ledger():
    book = Workbook()
    book.active.title = "证明事项清理表审核意见"
    assert not is_certificates_workbook(_resave(book))


def test_a_formula_in_the_ledger_is_refused_where_it_is():
    book = load_workbook(io.BytesIO(filled_certificates_workbook(template())))
    book[s.SHEET]["F3"] = "=B2"
    problems = parse_certificates(_resave(book)).problems
    assert [(p.row, p.column) for p in problems] == [(3, "设定依据")] and "使用了公式" in problems[0].what


def test_merged_items_are_refused_where_they_are():
    book = load_workbook(io.BytesIO(filled_certificates_workbook(template())))
    book[s.SHEET].merge_cells("C2:C3")
    [problem] = parse_certificates(_resave(book)).problems
    assert (problem.row, problem.column) == (2, "所涉事项") and "C2:C3" in problem.what


def test_a_merged_title_above_the_header_does_no_harm():
    book = load_workbook(io.BytesIO(filled_certificates_workbook(template())))
    book[s.SHEET].insert_rows(1)
    book[s.SHEET]["A1"] = "证明事项清理表"
    book[s.SHEET].merge_cells("A1:N1")
    assert checked(_resave(book)).accepted
