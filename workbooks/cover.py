"""The parts every template a debtor receives is made of: the cover (who fills it in, for which plan,
by when, how it goes back, who to ask), the header row of each table and its drop-downs, and the
instructions sheet. One writer each, so the inventory, the guides, the certificate ledger and the
self-report say it alike, and their parsers find the unit's code in the same place."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workbooks.safe_cells import append_safe

COVER_ORG = "填报单位"
COVER_ORG_CODE = "单位代码"
COVER_CAMPAIGN = "工作方案"
COVER_DEADLINE = "报送截止日期"
COVER_REPLY = "报送方式"
COVER_CONTACT = "联系人"
COVER_PHONE = "联系电话"
COVER_DATE = "填报日期"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


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


def write_cover(sheet: Worksheet, title: str, facts: TemplateFacts, *, reply_note: str = "",
                extra: Sequence[tuple[str, object]] = (), note: str = "", width: int = 70) -> dict[str, int]:
    """Title, the unit, the plan, the deadline, how to reply (with ``reply_note``), ``extra`` rows
    (the inventory's 零报告), the contact and a closing ``note``; returns each label's row."""
    append_safe(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=14)
    rows = ((COVER_ORG, facts.org_name), (COVER_ORG_CODE, facts.org_code), (COVER_CAMPAIGN, facts.campaign_name),
            (COVER_DEADLINE, facts.deadline.isoformat()),
            (COVER_REPLY, f"填好后作为附件回复本邮件，或发送至 {facts.reply_address}{reply_note}（请勿修改收件地址）"),
            *extra, (COVER_CONTACT, facts.contact_name), (COVER_PHONE, facts.contact_phone), (COVER_DATE, ""))
    for label, value in rows:
        append_safe(sheet, [label, value])
    if note:
        append_safe(sheet, [])
        append_safe(sheet, ["说明", note])
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = width
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].font = Font(bold=True)
    return {label: n for n, (label, _) in enumerate(rows, start=2)}


def write_instructions(sheet: Worksheet, lines: Sequence[str],
                       examples: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]],
                       mistakes: Sequence[Sequence[str]], widths: Sequence[int] = (22, 34, 60)) -> None:
    """The 填报说明 sheet every template ends with: its numbered lines, a correct example of each table
    (caption, headers, rows) and the common mistakes (栏目, 错误写法, 正确做法)."""
    for line in lines:
        append_safe(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=14)
    for caption, headers, rows in examples:
        append_safe(sheet, [])
        append_safe(sheet, [caption])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        append_safe(sheet, list(headers))
        for row in rows:
            append_safe(sheet, list(row))
    append_safe(sheet, [])
    append_safe(sheet, ["常见错误示例："])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    append_safe(sheet, ["栏目", "错误写法", "正确做法"])
    for mistake in mistakes:
        append_safe(sheet, list(mistake))
    for letter, width in zip("ABC", widths):
        sheet.column_dimensions[letter].width = width


def write_header(sheet: Worksheet, headers: Sequence[str], width: Callable[[str], int] | None = None,
                 freeze: str = "A2") -> None:
    """A table's header row: bold on the header colour, wrapped, each column ``width(header)`` wide."""
    append_safe(sheet, list(headers))
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if width is not None:
            sheet.column_dimensions[get_column_letter(column)].width = width(header)
    sheet.freeze_panes = freeze


def add_choices(sheet: Worksheet, headers: Sequence[str], choices: Mapping[str, Sequence[str]], last_row: int,
                strict: Callable[[str], bool] = lambda _header: True) -> None:
    """A drop-down under each header ``choices`` names, rows 2 to ``last_row``; ``strict`` columns refuse
    other values, the others only suggest."""
    for header, values in choices.items():
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                    showErrorMessage=strict(header), errorTitle=header,
                                    error=f"请从下拉列表中选择：{'、'.join(values)}")
        sheet.add_data_validation(validation)
        letter = get_column_letter(list(headers).index(header) + 1)
        validation.add(f"{letter}2:{letter}{last_row}")
