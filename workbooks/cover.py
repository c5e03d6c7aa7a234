"""The parts every template a debtor receives is made of: the cover (who fills it in, for which plan,
by when, how it goes back, who to ask), the header row of each table and its drop-downs, and the
instructions sheet. One writer each, so the inventory, the guides, the certificate ledger and the
self-report say it alike, and their parsers find the unit's code in the same place.

The sheets are xlsxwriter's: rows and columns count from 0, and every cell goes through
workbooks.safe_cells with the formats of ``template_formats``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import Worksheet

from workbooks.safe_cells import Formats, set_width, write_row_safe, write_safe

COVER_ORG = "填报单位"
COVER_ORG_CODE = "单位代码"
COVER_CAMPAIGN = "工作方案"
COVER_DEADLINE = "报送截止日期"
COVER_REPLY = "报送方式"
COVER_CONTACT = "联系人"
COVER_PHONE = "联系电话"
COVER_DATE = "填报日期"
HEADER_COLOUR = "DDEBF7"  # every outgoing table's header row, also those openpyxl still writes
PREFILLED_COLOUR = "F2F2F2"  # what the registry filled in and the unit should leave alone

TEMPLATE_FORMATS: dict[str, dict[str, object]] = {
    "title": {"bold": True, "font_size": 14},
    "bold": {"bold": True},
    "header": {"bold": True, "bg_color": HEADER_COLOUR, "text_wrap": True, "valign": "vcenter"},
    "prefilled": {"bg_color": PREFILLED_COLOUR},
}


def template_formats(book: Workbook, **more: Mapping[str, object]) -> Formats:
    """The formats the cover, header and instructions use, with a template's own ``more``."""
    return Formats(book, {**TEMPLATE_FORMATS, **more})


@dataclass(frozen=True)
class TemplateFacts:
    """What the cover shows; plain values, so a task can build a template from ids it looked up."""

    org_name: str
    org_code: str
    campaign_name: str
    deadline: date
    reply_address: str
    contact_name: str = ""
    contact_phone: str = ""


def write_cover(sheet: Worksheet, formats: Formats, title: str, facts: TemplateFacts, *, reply_note: str = "",
                extra: Sequence[tuple[str, object]] = (), note: str = "", width: int = 70) -> dict[str, int]:
    """Title, the unit, the plan, the deadline, how to reply (with ``reply_note``), ``extra`` rows
    (the inventory's 零报告), the contact and a closing ``note``; returns each label's row."""
    write_safe(sheet, 0, 0, title, formats, "title")
    rows = ((COVER_ORG, facts.org_name), (COVER_ORG_CODE, facts.org_code), (COVER_CAMPAIGN, facts.campaign_name),
            (COVER_DEADLINE, facts.deadline.isoformat()),
            (COVER_REPLY, f"填好后作为附件回复本邮件，或发送至 {facts.reply_address}{reply_note}（请勿修改收件地址）"),
            *extra, (COVER_CONTACT, facts.contact_name), (COVER_PHONE, facts.contact_phone), (COVER_DATE, ""))
    for row, (label, value) in enumerate([*rows, *([("说明", note)] if note else [])], start=1):
        write_safe(sheet, row, 0, label, formats, "bold")
        write_safe(sheet, row, 1, value, formats)
    set_width(sheet, 0, 0, 18)
    set_width(sheet, 1, 1, width)
    return {label: row for row, (label, _) in enumerate(rows, start=1)}


def write_instructions(sheet: Worksheet, formats: Formats, lines: Sequence[str],
                       examples: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]],
                       mistakes: Sequence[Sequence[str]], widths: Sequence[int] = (22, 34, 60)) -> None:
    """The 填报说明 sheet every template ends with: its numbered lines, a correct example of each table
    (caption, headers, rows) and the common mistakes (栏目, 错误写法, 正确做法)."""
    for row, line in enumerate(lines):
        write_safe(sheet, row, 0, line, formats, "title" if row == 0 else None)
    # Each block starts on the row after the last, with no blank row between: the sheets departments
    # have always received look so.
    row = len(lines)
    for caption, headers, example_rows in examples:
        write_safe(sheet, row, 0, caption, formats, "bold")
        for row, values in enumerate((headers, *example_rows), start=row + 1):
            write_row_safe(sheet, row, values, formats)
        row += 1
    write_safe(sheet, row, 0, "常见错误示例：", formats, "bold")
    for row, values in enumerate((("栏目", "错误写法", "正确做法"), *mistakes), start=row + 1):
        write_row_safe(sheet, row, values, formats)
    for col, width in enumerate(widths):
        set_width(sheet, col, col, width)


def write_header(sheet: Worksheet, formats: Formats, headers: Sequence[str],
                 width: Callable[[str], int] | None = None, freeze: str = "A2") -> None:
    """A table's header row: bold on the header colour, wrapped, each column ``width(header)`` wide;
    the panes frozen above and left of the ``freeze`` cell."""
    write_row_safe(sheet, 0, headers, formats, "header")
    if width is not None:
        for col, header in enumerate(headers):
            set_width(sheet, col, col, width(header))
    sheet.freeze_panes(*xl_cell_to_rowcol(freeze))


def add_choices(sheet: Worksheet, headers: Sequence[str], choices: Mapping[str, Sequence[str]], last_row: int,
                strict: Callable[[str], bool] = lambda _header: True) -> None:
    """A drop-down under each header ``choices`` names, from the second row to ``last_row`` (counted
    from 0); ``strict`` columns refuse other values, the others only suggest."""
    for header, values in choices.items():
        col = list(headers).index(header)
        add_validation(sheet, (1, col, last_row, col), {
            "validate": "list", "source": list(values), "show_error": strict(header), "error_title": header,
            "error_message": f"请从下拉列表中选择：{'、'.join(values)}"})


def add_validation(sheet: Worksheet, cells: tuple[int, int, int, int], options: Mapping[str, object]) -> None:
    """A data validation over ``cells`` (first row, first column, last row, last column) that shows no
    input prompt, as the templates always had; xlsxwriter declines one it cannot write (a list over
    255 characters, a title over 32) with only a warning, so that is an error here."""
    if sheet.data_validation(*cells, {"show_input": False, **options}) != 0:
        raise ValueError(f"工作表「{sheet.name}」的数据验证无法写入：{dict(options)}")
