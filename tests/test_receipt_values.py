"""Receipts that show the problem: values as the person typed them, hidden and look-alike characters
made visible, and rows numbered in advance but never filled named once, as a range."""
from __future__ import annotations

from datetime import date, datetime

from demo.samples import filled_workbook, item_rows
from rules.cell_text import hidden_note, looks_like_formula, shown, strip_as_typed, unhidden, visible
from tests.intake_helpers import call, outbox, reply, take_in
from workbooks import inventory_schema as s
from workbooks.cover import TemplateFacts
from workbooks.inventory_parse import parse_inventory
from workbooks.inventory_rules import validate_inventory
from workbooks.inventory_template import build_inventory_template

TEMPLATE = build_inventory_template(TemplateFacts("沈阳市教育局", "jyj", "方案", date(2016, 8, 1), "intake+a@x.org"))


def _problems(rows: list[list], zero_report: bool = False, cover: object = None, **kw) -> list[str]:
    workbook = filled_workbook(TEMPLATE, rows, zero_report=zero_report)
    parsed = parse_inventory(workbook)
    if cover is not None:
        parsed.cover[s.COVER_ZERO] = cover
    result = validate_inventory(parsed, **kw)
    return [f"{p.where()}：{p.what}" for p in result.problems]


def _with(header: str, value: object) -> list[list]:
    rows = item_rows(1)
    rows[0][s.HEADERS.index(header)] = value
    return rows


def test_visible_writes_each_hidden_character_as_its_code():
    assert visible("主动服务\u200b") == "主动服务⟨U+200B⟩"
    assert visible("\ufeff是\u00a0否\u3000\x07") == "⟨U+FEFF⟩是⟨U+00A0⟩否⟨U+3000⟩⟨U+0007⟩"
    assert visible("јyj") == "⟨U+0458⟩yj" and visible("普通文本 abc") == "普通文本 abc"


def test_hidden_note_names_what_each_character_is():
    assert hidden_note("主动服务\u200b") == "含不可见字符 U+200B（零宽空格）"
    assert hidden_note("\ufeffa\x07") == "含不可见字符 U+FEFF（字节顺序标记（BOM））、U+0007（控制字符）"
    assert hidden_note("јyj") == "含形近字符 U+0458（西里尔字母「ј」，形似拉丁字母「j」）"
    assert hidden_note("主动服务") == ""


def test_unhidden_is_the_value_without_them():
    assert unhidden("主动\u200b服务\ufeff") == "主动服务" and unhidden("јyј") == "jyj"


def test_shown_is_what_the_person_sees_in_excel():
    assert [shown(True), shown(False), shown(5.0), shown(5.5), shown("是")] == ["TRUE", "FALSE", "5", "5.5", "是"]
    assert shown(datetime(2016, 7, 20)) == "2016-07-20" and shown(datetime(2016, 7, 20, 9, 30)) == "2016-07-20 09:30:00"


def test_formula_text_is_found_behind_anything_invisible():
    assert all(looks_like_formula(t) for t in ("=1", "\t=1+1", "\u200b@SUM(1)", "\u3000-1", "\x01+1", " \ufeff=A1"))
    assert not any(looks_like_formula(t) for t in ("1=1", "主动服务", "", "\u200b", 5))


def test_stripping_never_turns_text_into_a_formula():
    assert strip_as_typed("\t=1+1 ") == "\t=1+1"
    assert strip_as_typed("  主动服务 ") == "主动服务" and strip_as_typed(" 1-2 ") == "1-2"


def test_a_boolean_cell_is_shown_as_the_person_typed_it():
    [problem] = _problems(_with(s.CHARGED, True))
    assert problem == "工作表「公共服务事项清单」第 2 行「是否收费」列：「TRUE」不是可选的值"


def test_a_boolean_zero_report_is_shown_as_typed():
    [problem] = _problems(item_rows(1), cover=False)
    assert problem == "工作表「封面」第 7 行「零报告（是/否）」列：零报告填写为「FALSE」，应为「是」或「否」"
    assert "True" not in "".join(_problems(item_rows(1), cover=True))


def test_a_zero_width_space_is_made_visible():
    [problem] = _problems(_with(s.KIND, "主动服务\u200b"))
    assert problem == ("工作表「公共服务事项清单」第 2 行「事项类型」列："
                       "「主动服务⟨U+200B⟩」含不可见字符 U+200B（零宽空格），删除或改正后即为「主动服务」")


def test_a_byte_order_mark_in_a_value_that_is_wrong_anyway_is_named_too():
    [problem] = _problems(_with(s.CATEGORY, "\ufeff社保"))
    assert problem.endswith("「⟨U+FEFF⟩社保」不是可选的值（含不可见字符 U+FEFF（字节顺序标记（BOM）））")


def test_a_hidden_character_in_a_number_is_made_visible():
    [problem] = _problems(_with(s.TIME_LIMIT, "12\u200b"))
    assert problem.endswith("「12⟨U+200B⟩」含不可见字符 U+200B（零宽空格），删除或改正后即为「12」")


def test_a_look_alike_letter_in_the_cover_code_is_named():
    workbook = filled_workbook(
        build_inventory_template(TemplateFacts("沈阳市教育局", "јyj", "方案", date(2016, 8, 1), "intake+a@x.org")),
        item_rows(1))
    [problem] = validate_inventory(parse_inventory(workbook), expected_org_code="jyj").problems
    assert problem.what == ("封面单位代码为「⟨U+0458⟩yj」含形近字符 U+0458（西里尔字母「ј」，形似拉丁字母「j」），"
                            "删除或改正后即为「jyj」")


def test_spaces_a_person_cannot_see_still_pass_where_they_always_did():
    assert _problems(_with(s.KIND, "主动服务\u3000")) == [] and _problems(_with(s.CHARGED, " 否\u00a0")) == []


def test_blank_pre_numbered_rows_are_named_once_as_a_range():
    rows = item_rows(10) + [[n] + [""] * (len(s.HEADERS) - 1) for n in range(11, 18)]
    result = validate_inventory(parse_inventory(filled_workbook(TEMPLATE, rows)))
    assert result.problem_count == 1
    [problem] = result.problems
    assert f"{problem.where()}：{problem.what}" == "工作表「公共服务事项清单」：第 12–18 行只有序号，其余为空"
    assert "删除" in problem.fix


def test_separate_runs_of_numbered_rows_are_each_named_among_the_other_problems():
    blank = [""] * (len(s.HEADERS) - 1)
    rows = [*item_rows(2), [3, *blank], *item_rows(1), [5, *blank], [6, *blank]]
    rows[3][:2] = [4, "另一事项"]
    rows[3][s.HEADERS.index(s.CATEGORY)] = "社保"
    assert _problems(rows) == ["工作表「公共服务事项清单」：第 4 行只有序号，其余为空",
                               "工作表「公共服务事项清单」第 5 行「事项类别」列：「社保」不是可选的值",
                               "工作表「公共服务事项清单」：第 6–7 行只有序号，其余为空"]


def test_the_receipt_mailed_back_shows_the_hidden_character_and_the_range(initialised):
    c = call(initialised, "jyj")
    rows = item_rows(3) + [[n] + [""] * (len(s.HEADERS) - 1) for n in range(4, 11)]
    rows[0][s.HEADERS.index(s.KIND)] = "主动服务\u200b"
    rows[1][s.HEADERS.index(s.CHARGED)] = True
    result = take_in(initialised, reply(c, [("清单.xlsx", filled_workbook(c.template, rows))]))
    assert result.outcome == "rejected" and result.problems == 3
    [receipt] = outbox(initialised, "receipt")
    assert "共发现 3 处问题" in receipt.text
    assert "「主动服务⟨U+200B⟩」含不可见字符 U+200B（零宽空格），删除或改正后即为「主动服务」" in receipt.text
    assert "第 3 行「是否收费」列：「TRUE」不是可选的值" in receipt.text and "True" not in receipt.text
    assert "工作表「公共服务事项清单」：第 5–11 行只有序号，其余为空。修改方法：" in receipt.text
    assert "⟨U+200B⟩" in receipt.html
