"""The pure rules of the certificate clean-up: each check on a ledger row, the pre-fill from items,
the reviewers' opinions and pre-flags, and what replaces a certificate no longer demanded."""
from __future__ import annotations

import json

import pytest

from core.problems import Problem
from rules.certificates import (
    AGREE,
    BASIS_LEVELS,
    DISPOSITIONS,
    EXCLUDED_FIELDS,
    KEEPABLE_LEVELS,
    REVIEW_CHECKS,
    REVIEW_OPINIONS,
    CertificateSheet,
    OrgRef,
    SheetRow,
    certificates_from_items,
    check_certificates,
    disposition_of,
    instead,
    review_columns,
)

ITEMS = ("教师资格认定", "学籍证明开具", "教育收费咨询")
DIRECTORY = (OrgRef("jyj", "沈阳市教育局", "市教育局"), OrgRef("gaj", "沈阳市公安局", "市公安局"),
             OrgRef("mzj", "沈阳市民政局", "市民政局"), OrgRef("hpq", "和平区人民政府", "和平区", city_department=False))
CANCELLED = {"name": "户籍证明", "items": "教师资格认定", "requester": "沈阳市教育局", "issuer": "所在地社区居民委员会",
             "basis": "", "basis_level": "无", "disposition": "取消", "replacement": "", "share_source": "",
             "commitment": "", "verification": "", "field": "一般事项", "remarks": ""}
KEPT = {**CANCELLED, "name": "体检合格证明", "basis": "《中华人民共和国教师法》第十条", "basis_level": "法律",
        "disposition": "保留"}
COMMITTED = {**CANCELLED, "name": "无犯罪记录证明", "disposition": "告知承诺", "commitment": "本人无犯罪记录",
             "verification": "通过公安机关信息系统核查"}


def row(number: int = 2, base: dict = CANCELLED, **values) -> SheetRow:
    return SheetRow(number, {"seq": str(number - 1), **base, **values})


def check(*rows: SheetRow, org_code: str = "jyj", cover: str = "jyj"):
    return check_certificates(CertificateSheet(cover, list(rows)), org_code=org_code, org_name="沈阳市教育局",
                              items=ITEMS, directory=DIRECTORY)


def only(*rows: SheetRow, **kwargs):
    [problem] = check(*rows, **kwargs).problems
    return problem


# --- the lists ---------------------------------------------------------------------------------


def test_the_dispositions_are_the_five_of_the_clean_up():
    assert DISPOSITIONS == ("保留", "取消", "告知承诺", "信息共享替代", "其他证照替代")


def test_only_rules_or_above_may_keep_a_certificate():
    assert {level for level in BASIS_LEVELS if level in KEEPABLE_LEVELS} == {"法律", "行政法规", "地方性法规", "规章"}


def test_an_agency_may_agree_or_name_a_disposition():
    assert REVIEW_OPINIONS == (AGREE, *DISPOSITIONS)


def test_agreeing_keeps_the_declared_disposition():
    assert disposition_of("同意", "告知承诺") == "告知承诺"


def test_a_named_disposition_overrides_the_declared_one_folded():
    assert disposition_of(" 取　消 ", "保留") == "取消"


def test_an_opinion_outside_the_list_is_not_a_disposition():
    with pytest.raises(ValueError, match="不是可选的值"):
        disposition_of("撤销", "保留")


# --- the pre-fill ------------------------------------------------------------------------------


def test_prefill_splits_materials_on_every_separator():
    found = certificates_from_items([{"name": "教师资格认定", "materials": "户籍证明、体检合格证明，学历证明;无犯罪记录证明"}])
    assert [c["name"] for c in found] == ["户籍证明", "体检合格证明", "学历证明", "无犯罪记录证明"]


def test_prefill_lists_each_certificate_once_with_every_item_that_asks_for_it():
    found = certificates_from_items([{"name": "教师资格认定", "materials": "户籍证明、体检合格证明"},
                                     {"name": "学籍证明开具", "materials": "户籍证明"}])
    assert found == [{"name": "户籍证明", "items": ["教师资格认定", "学籍证明开具"]},
                     {"name": "体检合格证明", "items": ["教师资格认定"]}]


def test_prefill_skips_items_without_materials():
    assert certificates_from_items([{"name": "教育收费咨询", "materials": ""}, {"name": "x", "materials": None}]) == []


# --- one rule at a time ------------------------------------------------------------------------


def test_a_valid_row_is_accepted():
    assert check(row()).accepted


def test_a_row_without_a_name_is_refused_where_it_is():
    problem = only(row(), row(3, name=""))
    assert (problem.row, problem.column) == (3, "证明名称") and "没有填写证明名称" in problem.what


def test_a_row_with_only_its_number_is_ignored():
    blank = SheetRow(3, {"seq": "2", **{key: "" for key in CANCELLED}})
    assert check(row(), blank).accepted


def test_the_same_certificate_twice_is_refused_on_the_second_row():
    problem = only(row(), row(3, name=" 户籍证明 "))
    assert (problem.row, problem.column) == (3, "证明名称") and "与第 2 行" in problem.what


def test_a_disposition_outside_the_list_is_refused_with_its_value_quoted():
    problem = only(row(disposition="撤销"))
    assert problem.column == "拟处理方式" and problem.what == "拟处理方式「撤销」不是可选的值"


def test_a_disposition_with_a_hidden_character_says_what_it_would_be():
    assert "删除或改正后即为「取消」" in only(row(disposition="取消\u200b")).what


def test_a_basis_level_outside_the_list_is_refused():
    problem = only(row(basis_level="部门文件"))
    assert problem.column == "依据层级" and "「部门文件」不是可选的值" in problem.what


def test_a_missing_disposition_names_the_certificate():
    problem = only(row(disposition=""))
    assert problem.what == "「户籍证明」未填写拟处理方式"


def test_a_missing_issuer_is_refused():
    assert only(row(issuer="")).column == "开具单位"


def test_a_certificate_set_by_a_normative_document_cannot_be_kept():
    problem = only(row(base=KEPT, basis="《沈阳市某某管理办法》第三条", basis_level="规范性文件"))
    assert problem.column == "拟处理方式" and "不能保留" in problem.what and "规范性文件" in problem.what


def test_a_certificate_without_any_basis_cannot_be_kept():
    problem = only(row(base=KEPT, basis="", basis_level="法律"))
    assert "未填写设定依据" in problem.what and "不能保留" in problem.what


def test_a_kept_certificate_names_the_article_of_its_basis():
    problem = only(row(base=KEPT, basis="《中华人民共和国教师法》"))
    assert problem.column == "设定依据" and "具体条款" in problem.what


def test_a_kept_certificate_with_a_law_and_its_article_is_accepted():
    assert check(row(base=KEPT, basis="《中华人民共和国教师法》第 10 条", basis_level="法律")).accepted


def test_a_commitment_needs_its_content_and_its_check_afterwards():
    problems = check(row(base=COMMITTED, commitment="", verification="")).problems
    assert [p.column for p in problems] == ["承诺内容", "事后核查方式"]


@pytest.mark.parametrize("field", EXCLUDED_FIELDS)
def test_a_commitment_is_refused_in_an_excluded_field(field):
    problem = only(row(base=COMMITTED, field=field))
    assert problem.column == "拟处理方式" and f"涉及{field}领域" in problem.what and "不适用告知承诺" in problem.what


def test_a_commitment_needs_its_field_declared():
    assert only(row(base=COMMITTED, field="")).column == "涉及领域"


def test_a_valid_commitment_is_accepted():
    assert check(row(base=COMMITTED)).accepted


def test_sharing_names_its_source_unit():
    assert only(row(disposition="信息共享替代")).column == "信息共享来源单位"


def test_sharing_with_a_unit_outside_the_directory_is_refused():
    problem = only(row(disposition="信息共享替代", share_source="公安"))
    assert problem.column == "信息共享来源单位" and "「公安」不在单位名录中" in problem.what


@pytest.mark.parametrize("source", ["沈阳市公安局", "市公安局", "GAJ"])
def test_sharing_source_is_found_by_name_short_name_or_code(source):
    [entry] = check(row(disposition="信息共享替代", share_source=source)).entries
    assert entry["share_source_code"] == "gaj"


def test_another_licence_is_named_in_the_replacement():
    assert only(row(disposition="其他证照替代")).column == "替代方式"


def test_items_must_be_approved_items_of_this_department():
    problem = only(row(items="教师资格认定、驾驶证申领"))
    assert problem.column == "所涉事项" and "「驾驶证申领」不是本单位经审定的公共服务事项" in problem.what


def test_several_approved_items_are_read_apart():
    [entry] = check(row(items="教师资格认定、学籍证明开具")).entries
    assert entry["items"] == ["教师资格认定", "学籍证明开具"]


def test_a_row_without_items_is_refused_with_the_approved_ones_named():
    problem = only(row(items=""))
    assert problem.column == "所涉事项" and "「教师资格认定」" in problem.fix


def test_another_departments_ledger_is_refused_on_its_cover():
    problem = only(row(), cover="gaj")
    assert (problem.sheet, problem.column) == ("封面", "单位代码") and "与报送单位（jyj）不符" in problem.what


def test_the_cover_code_is_compared_without_case():
    assert check(row(), cover="JYJ").accepted


def test_an_empty_ledger_is_refused():
    assert "没有填写任何证明" in only().what


def test_a_ledger_over_the_row_limit_is_refused_once():
    rows = [row(n, name=f"证明{n}") for n in range(2, 6)]
    result = check_certificates(CertificateSheet("jyj", rows), org_code="jyj", org_name="沈阳市教育局", items=ITEMS,
                                directory=DIRECTORY, max_rows=3)
    assert len(result.problems) == 1 and "超过每份清理表 3 行的上限" in result.problems[0].what


def test_every_problem_is_told_at_once_in_row_order():
    problems = check(row(2, disposition="撤销"), row(3, name="", issuer="x"), row(4, name="学历证明", basis_level="?"),
                     cover="gaj").problems
    assert [(p.sheet, p.row) for p in problems] == [("封面", None), ("证明事项清理表", 2), ("证明事项清理表", 3),
                                                   ("证明事项清理表", 4)]


def test_structural_problems_come_first_and_count():
    sheet = CertificateSheet("jyj", [], [Problem("缺少表头「备注」", "", sheet="证明事项清理表", row=1)])
    result = check_certificates(sheet, org_code="jyj", org_name="沈阳市教育局", items=ITEMS, directory=DIRECTORY)
    assert result.problem_count == 1 and not result.accepted


# --- entries and notes -------------------------------------------------------------------------


def test_entries_carry_exactly_the_normalised_keys_and_are_json_able():
    [entry] = check(row(seq="7")).entries
    assert set(entry) == {"seq", "name", "items", "requester", "issuer", "issuer_code", "basis", "basis_level",
                          "disposition", "replacement", "share_source", "share_source_code", "commitment",
                          "verification", "field", "remarks", "sharing_candidate", "row"}
    assert entry["seq"] == 7 and entry["row"] == 2
    json.dumps(entry, ensure_ascii=False)


def test_choices_are_stored_in_their_canonical_form():
    [entry] = check(row(disposition=" 取消 ", basis_level="无", field="")).entries
    assert (entry["disposition"], entry["basis_level"], entry["field"]) == ("取消", "无", "")


def test_a_blank_requester_is_the_department_itself():
    [entry] = check(row(requester="")).entries
    assert entry["requester"] == "沈阳市教育局"


def test_a_refused_ledger_has_no_entries():
    assert check(row(), row(3, name="学历证明", disposition="撤销")).entries == []


def test_a_certificate_issued_by_another_city_department_is_a_sharing_candidate():
    result = check(row(base=KEPT, issuer="市公安局"))
    assert result.accepted and result.entries[0]["sharing_candidate"] is True
    assert result.entries[0]["issuer_code"] == "gaj"
    assert result.notes == ["「体检合格证明」由市公安局开具，可考虑信息共享替代"]


def test_a_certificate_the_department_issues_itself_is_not_a_sharing_candidate():
    result = check(row(base=KEPT, issuer="沈阳市教育局"))
    assert result.entries[0]["sharing_candidate"] is False and result.notes == []


def test_a_district_issuer_is_not_a_city_sharing_candidate():
    assert check(row(base=KEPT, issuer="和平区")).entries[0]["sharing_candidate"] is False


def test_a_certificate_already_replaced_by_sharing_gets_no_hint():
    result = check(row(issuer="市公安局", disposition="信息共享替代", share_source="市公安局"))
    assert result.entries[0]["sharing_candidate"] is True and result.notes == []


# --- pre-flags and the reviewers' packet -------------------------------------------------------


def entry(**fields) -> dict:
    [base] = check(row()).entries
    return {**base, **fields}


def test_basis_below_rules_flags_a_normative_document():
    flag = REVIEW_CHECKS["basis_below_rules"](entry(basis="《某办法》", basis_level="规范性文件"), {})
    assert "规范性文件" in flag


def test_basis_below_rules_flags_a_certificate_without_a_basis():
    assert REVIEW_CHECKS["basis_below_rules"](entry(basis="", basis_level="法律"), {}) == "未填写设定依据，原则上应取消"


def test_basis_below_rules_leaves_a_law_alone():
    assert REVIEW_CHECKS["basis_below_rules"](entry(basis="《教师法》第十条", basis_level="法律"), {}) is None


def test_basis_without_article_flags_a_document_without_its_article():
    assert REVIEW_CHECKS["basis_without_article"](entry(basis="《中华人民共和国教师法》"), {}) is not None


def test_basis_without_article_leaves_a_cited_article_alone():
    assert REVIEW_CHECKS["basis_without_article"](entry(basis="《中华人民共和国教师法》第十条"), {}) is None


def test_keep_asks_the_legal_office_to_confirm_the_basis():
    flag = REVIEW_CHECKS["keep"](entry(disposition="保留", basis="《教师法》第十条"), {})
    assert "《教师法》第十条" in flag


def test_keep_is_silent_on_a_cancelled_certificate():
    assert REVIEW_CHECKS["keep"](entry(), {}) is None


def test_sharing_candidate_names_the_issuer():
    flag = REVIEW_CHECKS["sharing_candidate"](entry(sharing_candidate=True, issuer="市公安局"), {})
    assert "市公安局" in flag


def test_commitment_asks_about_the_check_afterwards():
    flag = REVIEW_CHECKS["commitment"](entry(disposition="告知承诺", verification="现场核查"), {})
    assert "现场核查" in flag


def test_a_configured_flag_text_replaces_the_default_and_may_quote_the_entry():
    flag = REVIEW_CHECKS["keep"](entry(disposition="保留", name="体检合格证明"), {"flag": "请法制办核实「{name}」{unknown}"})
    assert flag == "请法制办核实「体检合格证明」{unknown}"


def test_review_columns_are_in_the_packets_order():
    columns = review_columns(entry(items=["教师资格认定", "学籍证明开具"]))
    assert list(columns) == ["所涉事项", "开具单位", "设定依据", "依据层级", "拟处理方式", "替代方式", "信息共享来源单位",
                             "承诺内容", "事后核查方式"]
    assert columns["所涉事项"] == "教师资格认定、学籍证明开具"


# --- what replaces a certificate -----------------------------------------------------------------


def test_a_cancelled_certificate_is_simply_no_longer_demanded():
    assert instead({"disposition": "取消"}) == "直接取消，不再索要"


def test_a_commitment_is_published_with_its_check_afterwards():
    assert instead({"disposition": "告知承诺", "verification": "信息系统核查"}) == "申请人书面承诺，不再提交证明；事后核查：信息系统核查"


def test_sharing_is_published_with_its_source():
    assert instead({"disposition": "信息共享替代", "share_source": "沈阳市公安局"}) == "通过沈阳市公安局信息共享核验，不再提交证明"


def test_another_licence_is_published_by_name():
    assert instead({"disposition": "其他证照替代", "replacement": "营业执照"}) == "以营业执照替代"


def test_items_are_stored_as_the_approved_list_spells_them():
    [entry] = check(row(items="教师资格 认定")).entries
    assert entry["items"] == ["教师资格认定"]
