"""Filled-in inventories and reply emails as a department would send them, for the demo and the benchmark."""
from __future__ import annotations

import io
import random
from collections.abc import Mapping
from datetime import date, datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

import xlsxwriter
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from workbooks import inventory_schema as s
from workbooks.cover import TemplateFacts
from workbooks.inventory_template import build_inventory_template
from workbooks.review_packet import OPINION, SHEET

NAMES = ("居民身份证明开具", "就业失业登记", "职业技能鉴定", "医疗保险参保登记", "公共租赁住房申请", "文化场馆免费开放",
         "法律援助申请", "专利申请咨询", "义务教育入学登记", "低保对象认定", "创业担保贷款申请", "健康证明办理")
BASES = ("《中华人民共和国社会保险法》", "《就业促进法》第三十五条", "《辽宁省法律援助条例》", "")


def item_rows(count: int, seed: int = 0, implementer: str = "本单位") -> list[list]:
    rng = random.Random(seed)
    rows = []
    for n in range(1, count + 1):
        charged = rng.random() < 0.1
        rows.append([n, f"{rng.choice(NAMES)}（{n}）", rng.choice(s.KINDS), rng.choice(s.CATEGORIES),
                     rng.choice(("自然人", "法人", "自然人、法人")), implementer, rng.choice(BASES), rng.randint(1, 20),
                     "是" if charged else "否", "辽价发〔2015〕12号，每件10元" if charged else "", "申请表、身份证明", ""])
    return rows


def filled_workbook(template: bytes | None = None, rows: list[list] = (), zero_report: bool = False) -> bytes:
    """The template with rows filled in (and the zero-report field set), as a department returns it.

    Written back as values, as answered_packet does and for the same reason: intake reads values,
    and a spreadsheet program's export keeps them all.
    """
    template = template or build_inventory_template(TemplateFacts("", "", "", datetime.now().date(), ""))
    sheets = _values_of(template)
    by_name = {name: values for name, _, values in sheets}
    for row in by_name[s.COVER_SHEET]:
        if row and row[0] == s.COVER_ZERO:
            row[1:2] = ["是" if zero_report else "否"]
    items = by_name[s.ITEM_SHEET]
    while items and all(v in ("", None) for v in items[-1]):
        items.pop()  # rows follow the last one filled, as a department's cursor goes
    items.extend(list(values) for values in rows)
    return _workbook_of(sheets)


def saved_by_a_spreadsheet_program(workbook: bytes) -> bytes:
    """The workbook opened and saved again with every style, drop-down and hidden sheet kept, as
    Excel or WPS would (openpyxl's layout: each string inline in its cell)."""
    book, out = load_workbook(io.BytesIO(workbook)), io.BytesIO()
    book.save(out)
    return out.getvalue()


def answered_packet(content: bytes, opinion: str, exceptions: Mapping[int, tuple[str, str, str]] | None = None
                    ) -> bytes:
    """A review packet as an agency returns it: every item given ``opinion``, except the sheet rows
    in ``exceptions`` (row 2 is the first item), each (opinion, reason, adjusted).

    The packet's values are written back into a new workbook, as a spreadsheet program exporting
    them would: what intake reads (every sheet, every value) is the same as if the packet had been
    edited in place, at a tenth of the cost, which the demo pays for each of its hundreds of packets.
    """
    sheets = _values_of(content)
    rows = next(rows for name, _, rows in sheets if name == SHEET)
    # Found by its header: the guides' and the ledgers' packets show other columns before it.
    column = rows[0].index(OPINION)
    for number, row in enumerate(rows[1:], start=2):
        chosen, reason, adjusted = (exceptions or {}).get(number, (opinion, "", ""))
        row.extend([""] * (column + 3 - len(row)))
        row[column:column + 3] = [chosen, reason, adjusted]
    return _workbook_of(sheets)


def _values_of(content: bytes) -> list[tuple[str, bool, list[list]]]:
    """Every sheet's name, whether it is shown, and its values from A1."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [(sheet.name, sheet.visible == SheetVisibleEnum.Visible,
             [list(row) for row in book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)])
            for sheet in book.sheets_metadata]


def _workbook_of(sheets: list[tuple[str, bool, list[list]]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, visible, rows in sheets:
        sheet = book.add_worksheet(name)
        if not visible:
            sheet.hide()
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    if value:
                        sheet.write_string(r, c, value)  # never a formula, whatever the text
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value, day)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def reply_mail(*, sender: str, sender_name: str, to: str, subject: str,
               attachments: list[tuple[str, bytes]] = (), text: str = "请查收。", charset: str = "utf-8",
               message_id: str | None = None, when: datetime | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender), charset=charset)
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="dept.shenyang.example.org")
    message["Date"] = format_datetime(when or datetime.now(timezone.utc))
    message.set_content(text, charset=charset)
    for filename, content in attachments:
        message.add_attachment(content, maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=filename)
    return message.as_bytes()
