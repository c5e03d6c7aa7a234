"""Filled-in inventories and reply emails as a department would send them, for the demo and the benchmark."""
from __future__ import annotations

import io
import random
from collections.abc import Mapping
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from openpyxl import load_workbook

from workbooks import inventory_schema as s
from workbooks.cover import TemplateFacts
from workbooks.inventory_template import build_inventory_template
from workbooks.review_packet import OPINION, SHEET
from workbooks.safe_cells import append_safe

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
    """The template with rows filled in (and the zero-report field set), as a department returns it."""
    template = template or build_inventory_template(TemplateFacts("", "", "", datetime.now().date(), ""))
    book = load_workbook(io.BytesIO(template))
    cover = book[s.COVER_SHEET]
    for row in cover.iter_rows(min_col=1, max_col=2):
        if row[0].value == s.COVER_ZERO:
            row[1].value = "是" if zero_report else "否"
    sheet = book[s.ITEM_SHEET]
    for values in rows:
        append_safe(sheet, values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def answered_packet(content: bytes, opinion: str, exceptions: Mapping[int, tuple[str, str, str]] | None = None
                    ) -> bytes:
    """A review packet as an agency returns it: every item given ``opinion``, except the sheet rows
    in ``exceptions`` (row 2 is the first item), each (opinion, reason, adjusted)."""
    book = load_workbook(io.BytesIO(content))
    sheet = book[SHEET]
    # Found by its header: the guides' and the ledgers' packets show other columns before it.
    column = next(c.column for c in sheet[1] if c.value == OPINION)
    for row in range(2, sheet.max_row + 1):
        chosen, reason, adjusted = (exceptions or {}).get(row, (opinion, "", ""))
        sheet.cell(row=row, column=column, value=chosen)
        sheet.cell(row=row, column=column + 1, value=reason or None)
        sheet.cell(row=row, column=column + 2, value=adjusted or None)
    out = io.BytesIO()
    book.save(out)
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
