"""The service guide's completeness rules, one rule per test, on plain rows (no workbook)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from core.problems import Problem
from demo.guide_samples import approved_item
from rules.guides import (
    ELEMENTS,
    REVIEW_CHECKS,
    GuideSheets,
    SheetRow,
    basis_cites_article,
    catch_all_clause,
    check_guides,
    fee_note_problem,
    normalise_phones,
    review_columns,
    split_materials,
    step_numbering_problem,
    time_limit_problem,
    unattached_files,
    whole_number,
)

FREE = approved_item(1, "中小学生学籍证明")
CHARGED = approved_item(2, "普通话水平测试", charged=True, materials="居民身份证")
ITEMS = [FREE, CHARGED]
ATTACHED = ("申请表.docx", "申请表示范文本.pdf", "申请表常见错误示例.pdf")


def _guide(item: dict, row: int) -> SheetRow:
    return SheetRow(row, {
        "code": item["code"], "name": item["name"], "basic_code": "", "implementation_code": "",
        "item_type": "主动服务", "implementer": "沈阳市教育局", "accepting_unit": "沈阳市教育局政务服务窗口",
        "audience": "自然人", "basis": "《中华人民共和国教育法》第二十九条", "conditions": "申请人为本市户籍居民",
        "legal_days": "20", "promised_days": "5", "immediate": "否", "charged": "是" if item["charged"] else "否",
        "fee_note": "" if item["charged"] else "不收费", "visits": "1", "online": "是",
        "online_url": "https://zwfw.example.gov.cn/", "result": "证明文件", "consult_phone": "024-22725001",
        "consult_other": "", "supervise_phone": "12345", "supervise_other": "", "hours": "周一至周五 8:30-17:00",
        "address": "沈阳市和平区南京南街 1 号", "downloads": ""})


def _material(item: dict, row: int, name: str, is_form: bool = False, **changes: str) -> SheetRow:
    values = {"item_code": item["code"], "item_name": item["name"], "name": name, "position": "", "necessity": "必要",
              "form": "纸质", "copies": "1", "source": "申请人自备", "basis": "", "is_form": "是" if is_form else "否",
              "blank": ATTACHED[0] if is_form else "", "sample": ATTACHED[1] if is_form else "",
              "mistakes": ATTACHED[2] if is_form else "", "notes": ""}
    return SheetRow(row, {**values, **changes})


def _step(item: dict, row: int, number: int, **changes: str) -> SheetRow:
    values = {"item_code": item["code"], "item_name": item["name"], "number": str(number), "name": "受理",
              "actor": "综合窗口", "days": "1", "detail": ""}
    return SheetRow(row, {**values, **changes})


def _sheets() -> GuideSheets:
    """Both items complete: the free one with a form, the charged one with its fee."""
    return GuideSheets(
        org_code="jyj",
        guides=[_guide(FREE, 2), _guide(CHARGED, 3)],
        materials=[_material(FREE, 2, "申请表", is_form=True), _material(FREE, 3, "居民身份证"),
                   _material(CHARGED, 4, "居民身份证")],
        steps=[_step(FREE, 2, 1), _step(FREE, 3, 2, name="审核", actor="科长"), _step(CHARGED, 4, 1)],
        fees=[SheetRow(2, {"item_code": CHARGED["code"], "item_name": CHARGED["name"], "name": "测试费",
                           "standard": "每人次 50 元", "basis": "辽价发〔2012〕10号", "relief": ""})],
    )


def _changed(sheets: GuideSheets, table: str, index: int, **values: str) -> GuideSheets:
    rows = list(getattr(sheets, table))
    rows[index] = SheetRow(rows[index].row, {**rows[index].values, **values})
    return replace(sheets, **{table: rows})


def _check(sheets: GuideSheets, **options):
    return check_guides(sheets, ITEMS, org_code="jyj", attached=options.pop("attached", ATTACHED), **options)


def _whats(sheets: GuideSheets, **options) -> list[str]:
    return [p.what for p in _check(sheets, **options).problems]


# --- single values ---------------------------------------------------------------------------


def test_full_width_phone_digits_and_dashes_are_normalised():
    assert normalise_phones("０２４－２２７２５００１") == ("024-22725001", [])


def test_several_phones_are_joined_by_a_dun_comma_and_spaces_removed():
    assert normalise_phones("024 - 22725001；024-2272500") == ("024-22725001、024-2272500", [])


def test_the_12345_hotline_is_a_phone():
    assert normalise_phones("12345")[1] == []


def test_a_phone_without_its_area_code_is_named():
    assert normalise_phones("024-22725001、22725002")[1] == ["22725002"]


@pytest.mark.parametrize("basis", ["《中华人民共和国教育法》第二十九条", "《教师资格条例》第 13 条",
                                   "《社会保险法》第二十条；《国务院关于…的意见》（国发〔2014〕8号）"])
def test_a_basis_naming_a_document_and_its_article_is_accepted(basis):
    assert basis_cites_article(basis)


@pytest.mark.parametrize("basis", ["《教师资格条例》", "教师资格条例第十三条", "国发〔2014〕8号"])
def test_a_basis_without_document_or_article_is_refused(basis):
    assert not basis_cites_article(basis)


@pytest.mark.parametrize("conditions, clause", [
    ("年满18周岁；法律、法规规定的其他条件", "法律、法规规定的其他条件"),
    ("本市户籍；符合其他情形的", "其他情形"),
    ("持有居民身份证、户口簿等", "持有居民身份证、户口簿等"),
])
def test_a_catch_all_clause_in_the_conditions_is_found(conditions, clause):
    assert catch_all_clause(conditions) == clause


def test_conditions_listed_in_full_have_no_catch_all():
    assert catch_all_clause("具有相应等级的普通话水平测试证书；本市户籍居民") is None


def test_a_free_item_saying_none_is_refused():
    assert "不收费" in fee_note_problem(False, "无")


def test_a_free_item_saying_no_fee_is_accepted():
    assert fee_note_problem(False, "不收费") is None


def test_a_charged_item_saying_no_fee_is_refused():
    assert fee_note_problem(True, "不收费") is not None


def test_a_promised_limit_longer_than_the_legal_one_is_refused():
    assert time_limit_problem(5, 10) == "承诺办结时限 10 个工作日，长于法定办结时限 5 个工作日"


def test_a_promised_limit_within_the_legal_one_is_accepted():
    assert time_limit_problem(20, 20) is None


@pytest.mark.parametrize("numbers", [[1, 3, 2], [2, 3], [1, 1, 2], [1, 2, 4]])
def test_steps_out_of_order_with_gaps_or_repeats_are_refused(numbers):
    assert step_numbering_problem(numbers) is not None


def test_steps_numbered_from_one_are_accepted():
    assert step_numbering_problem([1, 2, 3]) is None


def test_named_files_are_compared_with_attachments_after_folding():
    assert unattached_files(["申请表.DOCX", "ｓａｍｐｌｅ.pdf", "https://x.example/a.pdf", "缺.pdf"],
                            ["申请表.docx", "sample.pdf"]) == ["缺.pdf"]


def test_inventoried_materials_split_on_the_separators_people_use():
    assert split_materials("居民身份证、户口簿，结婚证;照片") == ["居民身份证", "户口簿", "结婚证", "照片"]


def test_whole_numbers_read_full_width_digits_and_a_days_suffix():
    assert [whole_number("５"), whole_number("5个工作日"), whole_number(""), whole_number("五")] == [5, 5, None, "bad"]


# --- the workbook against the approved list ---------------------------------------------------


def test_complete_guides_are_accepted():
    check = _check(_sheets())
    assert check.accepted and check.problem_count == 0


def test_every_approved_item_has_its_missing_list_even_when_empty():
    assert _check(_sheets()).missing == {"JYJ-001": [], "JYJ-002": []}


def test_a_normalised_guide_has_exactly_the_registry_keys():
    guide = _check(_sheets()).guides[0]
    assert set(guide) == {
        "code", "name", "basic_code", "implementation_code", "item_type", "implementer", "accepting_unit", "audience",
        "basis", "conditions", "legal_days", "promised_days", "immediate", "charged", "fee_note", "visits", "online",
        "online_url", "result", "consult_phone", "consult_other", "supervise_phone", "supervise_other", "hours",
        "address", "downloads", "row", "materials", "steps", "fees", "faqs"}
    assert set(guide["materials"][0]) == {"name", "position", "necessity", "form", "copies", "source", "basis",
                                          "is_form", "blank", "sample", "mistakes", "notes", "row"}
    assert guide["steps"][0] == {"number": 1, "name": "受理", "actor": "综合窗口", "days": 1, "detail": "", "row": 2}


def test_guides_come_in_the_order_of_the_approved_list():
    sheets = _sheets()
    sheets.guides.reverse()
    assert [g["code"] for g in _check(sheets).guides] == ["JYJ-001", "JYJ-002"]


def test_an_item_without_a_guide_row_is_named_and_misses_every_element():
    sheets = _sheets()
    sheets.guides.pop(1)
    sheets.materials.pop(2)
    sheets.steps.pop(2)
    sheets.fees.clear()
    check = _check(sheets)
    assert [p.what for p in check.problems] == ["事项「普通话水平测试」（JYJ-002）没有办事指南"]
    assert check.missing["JYJ-002"] == list(ELEMENTS)


def test_a_row_whose_code_matches_but_name_differs_is_renamed():
    problem = _check(_changed(_sheets(), "guides", 0, name="学籍证明"), ).problems[0]
    assert problem.what == "事项编码 JYJ-001 在审定的清单中名为「中小学生学籍证明」，此处写作「学籍证明」"
    assert (problem.sheet, problem.row, problem.column) == ("办事指南", 2, "事项名称")


def test_a_row_not_in_the_approved_list_is_added():
    sheets = _sheets()
    sheets.guides.append(_guide(approved_item(9, "新事项"), 4))
    assert _whats(sheets) == ["事项编码 JYJ-009（「新事项」）不在本单位审定的清单中，是新增的事项"]


def test_a_row_with_another_departments_code_is_named_as_theirs():
    sheets = _sheets()
    sheets.guides.append(_guide({**FREE, "code": "SBJ-001"}, 4))
    assert "属于其他部门的清单" in _whats(sheets)[0]


def test_a_cover_for_another_department_refuses_the_whole_workbook():
    check = _check(replace(_sheets(), org_code="sbj"))
    assert len(check.problems) == 1 and "其他部门的办事指南工作簿" in check.problems[0].what
    assert check.missing == {"JYJ-001": list(ELEMENTS), "JYJ-002": list(ELEMENTS)}


def test_a_workbook_whose_every_code_is_another_departments_is_refused_once():
    sheets = GuideSheets(guides=[_guide({**FREE, "code": "SBJ-001"}, 2), _guide({**FREE, "code": "SBJ-002"}, 3)])
    whats = _whats(sheets)
    assert len(whats) == 1 and "都不属于本单位" in whats[0]


def test_all_missing_elements_of_an_item_are_named_in_one_problem():
    blank = {k: "" for k in _sheets().guides[0].values if k not in ("code", "name", "charged", "fee_note")}
    sheets = _changed(_sheets(), "guides", 0, **blank)
    sheets = replace(sheets, materials=sheets.materials[2:], steps=sheets.steps[2:])
    check = _check(sheets)
    assert check.missing["JYJ-001"] == ["办理依据", "受理单位", "服务对象", "受理条件", "基本流程", "申请材料", "办理时限",
                                        "到办事现场次数", "是否网办", "办理结果", "咨询渠道", "办公时间和地址", "监督途径"]
    assert [p.what for p in check.problems] == [
        "事项「中小学生学籍证明」（JYJ-001）缺少：办理依据、受理单位、服务对象、受理条件、基本流程、申请材料、办理时限、"
        "到办事现场次数、是否网办、办理结果、咨询渠道、办公时间和地址、监督途径"]


def test_a_basis_without_its_article_is_refused():
    problem = _check(_changed(_sheets(), "guides", 0, basis="《中华人民共和国教育法》")).problems[0]
    assert (problem.what, problem.column) == ("办理依据没有写明文件名称和条款", "办理依据")


def test_a_free_item_with_a_blank_fee_note_misses_its_fee_element():
    assert _check(_changed(_sheets(), "guides", 0, fee_note="")).missing["JYJ-001"] == ["收费依据及标准"]


def test_a_free_item_saying_none_gets_its_line():
    assert _whats(_changed(_sheets(), "guides", 0, fee_note="无")) == [
        "收费依据及标准「无」不是规范写法：不收费的事项应填写「不收费」"]


def test_a_charged_item_without_a_fee_row_misses_its_fee_element():
    assert _check(replace(_sheets(), fees=[])).missing["JYJ-002"] == ["收费依据及标准"]


def test_a_fee_row_without_its_standard_is_named():
    sheets = _changed(_sheets(), "fees", 0, standard="")
    assert "收费项目缺少：收费标准" in _whats(sheets)


def test_an_immediate_item_needs_no_promised_limit():
    sheets = _changed(_sheets(), "guides", 0, immediate="是", promised_days="")
    assert _check(sheets).accepted


def test_a_promised_limit_missing_on_a_non_immediate_item_misses_the_time_element():
    assert _check(_changed(_sheets(), "guides", 0, promised_days="")).missing["JYJ-001"] == ["办理时限"]


def test_a_promised_limit_longer_than_the_legal_one_gets_its_line_on_its_cell():
    problem = _check(_changed(_sheets(), "guides", 0, promised_days="30")).problems[0]
    assert (problem.row, problem.column) == (2, "承诺办结时限（工作日）")


def test_steps_out_of_order_get_one_line_for_the_item():
    sheets = _changed(_sheets(), "steps", 0, number="2")
    sheets = _changed(sheets, "steps", 1, number="1")
    assert _whats(sheets) == ["事项「中小学生学籍证明」（JYJ-001）办理流程的步骤序号依次为 2、1，应从 1 开始连续编号并按顺序排列"]


def test_a_step_without_its_actor_and_time_is_named():
    assert _whats(_changed(_sheets(), "steps", 0, actor="", days="")) == ["办理流程的这一步缺少：办理人（岗位）、办理时限（工作日）"]


def test_full_width_phones_are_accepted_and_stored_normalised():
    check = _check(_changed(_sheets(), "guides", 0, consult_phone="０２４－２２７２５００１"))
    assert check.accepted and check.guides[0]["consult_phone"] == "024-22725001"


def test_a_phone_not_in_area_code_form_is_refused():
    assert _whats(_changed(_sheets(), "guides", 0, supervise_phone="22725001")) == [
        "监督投诉电话「22725001」不是规范的电话号码"]


def test_a_catch_all_condition_is_refused():
    assert _whats(_changed(_sheets(), "guides", 0, conditions="本市户籍；法律、法规规定的其他条件")) == [
        "受理条件含有兜底条款「法律、法规规定的其他条件」"]


def test_a_material_without_copies_is_named():
    assert _whats(_changed(_sheets(), "materials", 1, copies="")) == ["材料「居民身份证」未填写份数"]


def test_a_material_with_zero_copies_is_refused_once():
    assert _whats(_changed(_sheets(), "materials", 1, copies="0")) == ["份数「0」不是正整数"]


def test_a_material_without_source_or_basis_is_named():
    assert _whats(_changed(_sheets(), "materials", 1, source="")) == ["材料「居民身份证」未填写来源渠道或依据"]


def test_a_material_with_a_basis_needs_no_source():
    assert _check(_changed(_sheets(), "materials", 1, source="", basis="《教育法》第二十九条")).accepted


def test_a_named_file_not_attached_is_refused():
    whats = _whats(_sheets(), attached=ATTACHED[:2])
    assert whats == ["材料「申请表」的常见错误示例「申请表常见错误示例.pdf」没有随邮件附上"]


def test_links_need_no_attachment():
    sheets = _changed(_sheets(), "materials", 0, blank="https://x.example/b.docx", sample="https://x.example/s.pdf",
                      mistakes="https://x.example/m.pdf")
    assert _check(sheets, attached=()).accepted


def test_a_form_without_its_sample_misses_the_sample_element():
    check = _check(_changed(_sheets(), "materials", 0, sample=""))
    assert check.missing["JYJ-001"] == ["示范文本及常见错误示例"]
    assert "材料「申请表」是表格，缺少示范文本" in [p.what for p in check.problems]


def test_a_form_without_its_blank_misses_the_download_element():
    assert _check(_changed(_sheets(), "materials", 0, blank="")).missing["JYJ-001"] == ["表格下载"]


def test_an_item_without_forms_needs_no_download_or_sample():
    assert _check(_sheets()).missing["JYJ-002"] == []  # its one material is not a form


def test_a_material_whose_form_question_is_unanswered_leaves_samples_and_downloads_open():
    check = _check(_changed(_sheets(), "materials", 2, is_form=""))
    assert check.missing["JYJ-002"] == ["示范文本及常见错误示例", "表格下载"]


def test_a_sub_sheet_row_for_no_guide_row_is_refused():
    sheets = _sheets()
    sheets.steps.append(_step({"code": "JYJ-077", "name": "不存在"}, 9, 1))
    problem = _check(sheets).problems[0]
    assert (problem.sheet, problem.row, problem.what) == ("办理流程", 9, "事项编码「JYJ-077」（「不存在」）在「办事指南」中没有对应的事项")


def test_a_sub_sheet_row_under_another_name_is_refused():
    assert "此处写作「学籍」" in _whats(_changed(_sheets(), "materials", 1, item_name="学籍"))[0]


def test_more_rows_than_the_limit_are_refused():
    check = _check(_sheets(), max_rows=2)
    assert [p.sheet for p in check.problems] == ["申请材料", "办理流程"] and check.guides == []


def test_a_basic_code_of_the_wrong_length_is_refused():
    assert _whats(_changed(_sheets(), "guides", 0, basic_code="12345")) == ["基本编码「12345」不是 12 位的编码"]


def test_a_yes_no_column_with_another_value_is_refused():
    assert _whats(_changed(_sheets(), "guides", 0, online="可以")) == ["是否网办「可以」不是可选的值"]


def test_problems_come_in_sheet_order():
    sheets = _changed(_sheets(), "steps", 0, actor="")
    sheets = _changed(sheets, "guides", 1, basis="无依据")
    assert [p.sheet for p in _check(sheets).problems] == ["办事指南", "办理流程"]


# --- the receipt's figures and the reviewers' packet --------------------------------------------


def test_simplification_counts_days_cut_and_items_cut():
    sheets = _changed(_sheets(), "guides", 1, promised_days="20")
    figures = _check(sheets).simplification
    assert (figures.legal_days, figures.promised_days, figures.days_cut, figures.items_cut) == (40, 25, 15, 1)
    assert "承诺时限比法定时限共压缩 15 个工作日（1 个事项）" in figures.lines()


def test_simplification_names_materials_removed_against_the_inventory():
    figures = _check(_sheets()).simplification
    # 学籍证明 was inventoried with 居民身份证、户口簿; its guide lists 申请表 and 居民身份证.
    assert (figures.materials_inventoried, figures.materials_listed, figures.materials_removed) == (3, 3, ("户口簿",))


def test_simplification_counts_visits_and_online_items():
    sheets = _changed(_sheets(), "guides", 0, visits="0", online="否", online_url="")
    figures = _check(sheets).simplification
    assert (dict(figures.visits), figures.online) == ({0: 1, 1: 1}, 1)
    assert "到办事现场次数：零跑动 1 个，跑 1 次 1 个" in figures.lines()


def test_review_columns_show_the_guide_as_reviewers_read_it():
    columns = review_columns(_check(_sheets()).guides[0])
    assert list(columns) == ["受理单位", "办理依据", "受理条件", "办理时限", "收费", "申请材料", "办理流程", "到办事现场次数",
                             "是否网办", "咨询电话", "监督投诉电话"]
    assert (columns["办理时限"], columns["收费"], columns["申请材料"], columns["办理流程"]) == (
        "法定 20 / 承诺 5 个工作日", "不收费", "2 项：申请表、居民身份证", "1.受理（综合窗口，1日）→2.审核（科长，1日）")


def test_review_columns_say_immediate_and_list_each_fee():
    guides = _check(_changed(_sheets(), "guides", 1, immediate="是")).guides
    columns = review_columns(guides[1])
    assert (columns["办理时限"], columns["收费"]) == ("即办", "测试费：每人次 50 元（辽价发〔2012〕10号）")


def test_review_check_no_time_cut_flags_equal_limits():
    guide = _check(_changed(_sheets(), "guides", 0, promised_days="20")).guides[0]
    assert REVIEW_CHECKS["no_time_cut"](guide, {}) == "承诺办结时限与法定时限相同（20 个工作日），未压缩"


def test_review_check_visits_over_defaults_to_one_visit():
    guide = _check(_changed(_sheets(), "guides", 0, visits="2")).guides[0]
    assert REVIEW_CHECKS["visits_over"](guide, {}) == "需到办事现场 2 次，超过 1 次"
    assert REVIEW_CHECKS["visits_over"](guide, {"max": 2}) is None


def test_review_check_offline_flags_items_not_online():
    guides = _check(_changed(_sheets(), "guides", 0, online="否", online_url="")).guides
    assert [REVIEW_CHECKS["offline"](g, {}) for g in guides] == ["不能网上办理", None]


def test_review_checks_count_steps_and_materials_against_their_max():
    guide = _check(_sheets()).guides[0]
    assert REVIEW_CHECKS["steps_over"](guide, {"max": 1}) == "办理流程有 2 个环节，超过 1 个"
    assert REVIEW_CHECKS["materials_over"](guide, {"max": 2}) is None


def test_review_check_wording_comes_from_configuration():
    guide = _check(_sheets()).guides[0]
    assert REVIEW_CHECKS["materials_over"](guide, {"max": 1, "flag": "材料 {count} 项（上限 {max}）"}) == "材料 2 项（上限 1）"


def test_a_code_with_a_hidden_character_still_matches_its_item():
    assert _check(_changed(_sheets(), "guides", 0, code="JYJ-\u200b001")).accepted


def test_a_code_without_a_department_part_is_named_as_not_approved_rather_than_another_departments():
    sheets = _sheets()
    sheets.guides.append(_guide({**FREE, "code": "JYJ009"}, 4))
    assert _whats(sheets) == ["事项编码 JYJ009（「中小学生学籍证明」）不在本单位审定的清单中，是新增的事项"]


def test_a_workbook_that_could_not_be_read_gets_only_its_own_problem():
    check = _check(GuideSheets(problems=[Problem("文件已损坏：工作簿的内容无法读取", "")]))
    assert [p.what for p in check.problems] == ["文件已损坏：工作簿的内容无法读取"]
    assert check.missing["JYJ-001"] == list(ELEMENTS)


def test_a_guide_row_without_its_code_is_told_the_code_and_still_checked():
    sheets = _changed(_sheets(), "guides", 0, code="", accepting_unit="")
    whats = _whats(sheets)
    assert whats == ["事项「中小学生学籍证明」未填写事项编码，应为 JYJ-001", "事项「中小学生学籍证明」（JYJ-001）缺少：受理单位"]


def test_sub_sheet_rows_under_the_approved_name_are_not_refused_when_the_guide_row_was_renamed():
    assert len(_whats(_changed(_sheets(), "guides", 0, name="学籍证明"))) == 1


def test_review_check_wording_may_quote_the_guide_and_keeps_unknown_placeholders():
    guide = _check(_changed(_sheets(), "guides", 0, online="否", online_url="")).guides[0]
    assert REVIEW_CHECKS["offline"](guide, {"flag": "「{name}」未网办{unknown}"}) == "「中小学生学籍证明」未网办{unknown}"


def test_review_check_wording_with_a_stray_brace_is_shown_as_written():
    guide = _check(_changed(_sheets(), "guides", 0, online="否", online_url="")).guides[0]
    assert REVIEW_CHECKS["offline"](guide, {"flag": "未网办 {"}) == "未网办 {"
