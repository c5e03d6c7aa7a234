"""The inventory template each department receives: cover, item sheet, instructions.

Drop-downs and a frozen header prevent most mistakes before they are made; the instructions
sheet shows one correct row and the mistakes the validator reports most often.
"""
from __future__ import annotations

import io

from xlsxwriter.worksheet import Worksheet

from workbooks import inventory_schema as s
from workbooks.cover import (
    TemplateFacts,
    add_choices,
    add_validation,
    template_formats,
    write_cover,
    write_header,
    write_instructions,
)
from workbooks.safe_cells import Formats, safe_workbook

# Rows prepared with drop-downs; people rarely list more, and more rows are still accepted.
PREPARED_ROWS = 2000
AUDIENCE_CHOICES = ("自然人", "法人", "其他组织", "自然人、法人", "自然人、其他组织", "法人、其他组织",
                    "自然人、法人、其他组织")
WIDTHS = {s.SEQ: 6, s.NAME: 30, s.KIND: 12, s.CATEGORY: 16, s.AUDIENCE: 18, s.IMPLEMENTER: 20,
          s.LEGAL_BASIS: 36, s.TIME_LIMIT: 12, s.CHARGED: 10, s.FEE_BASIS: 24, s.MATERIALS: 30, s.REMARKS: 16}

EXAMPLE_ROW = (1, "城乡居民基本养老保险参保登记", "主动服务", "社会保障", "自然人", "沈阳市社会保险事业服务中心",
               "《中华人民共和国社会保险法》第二十条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
               5, "否", "", "居民身份证、户口簿", "")

COMMON_MISTAKES = (
    ("事项类型", "行政审批", "只能选「主动服务」或「证明盖章类」；行政审批事项不在本清单内"),
    ("事项类别", "社保", "请从下拉列表中选择，应为「社会保障」"),
    ("服务对象", "个人,企业", "填写「自然人」「法人」「其他组织」，多个用顿号「、」分隔，如「自然人、法人」"),
    ("办理时限（工作日）", "5天 / 即时", "只填工作日天数的整数，如「5」；即时办结填「1」并在备注中说明"),
    ("办理时限（工作日）", "2016-07-20", "这里填天数，不是日期"),
    ("收费依据及标准", "（空白，但是否收费为「是」）", "收费的事项必须写明收费依据和标准"),
    ("设定依据", "（空白）", "请写明法律、法规、规章或规范性文件的名称和条款；确无依据的留空，审核时将重点核查"),
    ("工作表", "把「公共服务事项清单」改名或删掉表头", "请勿修改工作表名称和表头，只在表头下方逐行填写"),
    ("单元格", "合并单元格、使用公式", "每个事项占一行，不合并单元格，不使用公式，直接填写内容"),
)


def build_inventory_template(facts: TemplateFacts) -> bytes:
    out = io.BytesIO()
    with safe_workbook(out) as book:
        formats = template_formats(book)
        _cover(book.add_worksheet(s.COVER_SHEET), formats, facts)
        _items(book.add_worksheet(s.ITEM_SHEET), formats)
        _instructions(book.add_worksheet(s.INSTRUCTIONS_SHEET), formats, facts)
    return out.getvalue()


def template_filename(org_short_name: str) -> str:
    return f"公共服务事项清单-{org_short_name}.xlsx"


def _cover(sheet: Worksheet, formats: Formats, facts: TemplateFacts) -> None:
    rows = write_cover(sheet, formats, "公共服务事项清理自查报送表", facts, extra=((s.COVER_ZERO, "否"),),
                       note="没有公共服务事项的单位，请将「零报告」选为「是」并直接回复，无需填写清单。")
    zero = rows[s.COVER_ZERO]
    add_validation(sheet, (zero, 1, zero, 1), {"validate": "list", "source": ["是", "否"], "ignore_blank": False,
                                               "error_title": "零报告", "error_message": "请选择「是」或「否」"})


def _items(sheet: Worksheet, formats: Formats) -> None:
    write_header(sheet, formats, s.HEADERS, WIDTHS.__getitem__)
    add_choices(sheet, s.HEADERS, {s.KIND: s.KINDS, s.CATEGORY: s.CATEGORIES, s.AUDIENCE: AUDIENCE_CHOICES,
                                   s.CHARGED: s.YES_NO}, PREPARED_ROWS)
    days = s.HEADERS.index(s.TIME_LIMIT)
    add_validation(sheet, (1, days, PREPARED_ROWS, days), {
        "validate": "integer", "criteria": "between", "minimum": 1, "maximum": 3650,
        "error_title": s.TIME_LIMIT, "error_message": "请填写工作日天数（正整数）"})


def _instructions(sheet: Worksheet, formats: Formats, facts: TemplateFacts) -> None:
    lines = (
        "填报说明",
        f"1. 请在「{s.ITEM_SHEET}」工作表逐项填写，每个事项一行，不要修改工作表名称和表头。",
        "2. 带下拉列表的栏目请从列表中选择；服务对象可多选，用顿号「、」分隔。",
        f"3. 「{s.TIME_LIMIT}」只填整数天数；「{s.CHARGED}」为「是」时必须填写「{s.FEE_BASIS}」。",
        f"4. 没有公共服务事项的，在「{s.COVER_SHEET}」把零报告选为「是」后回复即可。",
        f"5. 请于 {facts.deadline.isoformat()} 前回复邮件报送；系统将在几分钟内回执，一次性告知所有问题。",
    )
    write_instructions(sheet, formats, lines, [("示范文本（正确填写的一行）：", s.HEADERS, [EXAMPLE_ROW])], COMMON_MISTAKES)
