"""The inventory template: the issue's headers, drop-downs, a frozen header, instructions; and safe export."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook, load_workbook

from workbooks import inventory_schema as s
from workbooks.cover import TemplateFacts
from workbooks.inventory_parse import parse_inventory
from workbooks.inventory_template import build_inventory_template
from workbooks.safe_cells import append_safe

FACTS = TemplateFacts("沈阳市教育局", "jyj", "沈阳市简化优化公共服务流程方便基层群众办事创业工作", date(2016, 8, 1),
                      "intake+abc234defg@shenyang.example.org", "张明", "024-12345678")


def _book():
    return load_workbook(io.BytesIO(build_inventory_template(FACTS)))


def test_item_sheet_has_exactly_the_issue_headers():
    sheet = _book()[s.ITEM_SHEET]
    assert [c.value for c in sheet[1]] == [
        "序号", "事项名称", "事项类型", "事项类别", "服务对象", "实施主体", "设定依据", "办理时限（工作日）", "是否收费",
        "收费依据及标准", "所需证明材料", "备注"]


def test_item_sheet_header_is_frozen():
    assert _book()[s.ITEM_SHEET].freeze_panes == "A2"


def test_item_sheet_offers_drop_downs_for_the_closed_lists():
    lists = {v.formula1 for v in _book()[s.ITEM_SHEET].data_validations.dataValidation if v.type == "list"}
    assert '"主动服务,证明盖章类"' in lists
    assert '"是,否"' in lists
    assert any("扶贫脱贫" in f for f in lists)


def test_cover_carries_deadline_reply_address_and_zero_report():
    cover = {row[0]: row[1] for row in _book()[s.COVER_SHEET].iter_rows(min_row=2, max_col=2, values_only=True)}
    assert cover[s.COVER_DEADLINE] == "2016-08-01"
    assert "intake+abc234defg@shenyang.example.org" in cover[s.COVER_REPLY]
    assert cover[s.COVER_ZERO] == "否"


def test_instructions_show_an_example_and_common_mistakes():
    texts = [c for row in _book()[s.INSTRUCTIONS_SHEET].iter_rows(values_only=True) for c in row if c]
    assert "城乡居民基本养老保险参保登记" in texts
    assert "常见错误示例：" in texts


def test_a_blank_template_parses_without_structural_problems():
    parsed = parse_inventory(build_inventory_template(FACTS))
    assert parsed.problems == [] and len(parsed.items) == 0


def test_formula_like_text_is_written_as_text():
    book = Workbook()
    append_safe(book.active, ["=HYPERLINK(\"http://evil\")", "+1", "-1+2", "@SUM(A1)"])
    out = io.BytesIO()
    book.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert [c.data_type for c in sheet[1]] == ["s", "s", "s", "s"]
