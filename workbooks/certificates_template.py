"""The certificate ledger each department receives: cover, 证明事项清理表, instructions.

The ledger starts from the certificates the department's approved items name among their
materials, so a department reviews what it already asks for instead of recalling it. Drop-downs
keep the fixed-choice columns to their values; the instructions show one correct row and the
mistakes the checks refuse most often.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from xlsxwriter.worksheet import Worksheet

from workbooks import certificates_schema as s
from workbooks.cover import (
    TemplateFacts,
    add_choices,
    template_formats,
    write_cover,
    write_header,
    write_instructions,
)
from workbooks.safe_cells import Formats, safe_workbook, write_row_safe

# Rows prepared with drop-downs beyond the pre-filled ones; more rows are still accepted.
PREPARED_ROWS = 500
WIDTHS = {s.SEQ: 6, s.NAME: 24, s.ITEMS: 30, s.REQUESTER: 18, s.ISSUER: 18, s.BASIS: 36, s.BASIS_LEVEL: 12,
          s.DISPOSITION: 14, s.REPLACEMENT: 24, s.SHARE_SOURCE: 18, s.COMMITMENT: 30, s.VERIFICATION: 24,
          s.FIELD: 12, s.REMARKS: 16}

EXAMPLE_ROW = (1, "婚姻状况证明", "公共租赁住房申请", "沈阳市住房保障和房产管理局", "户籍所在地街道办事处", "", "无",
               "信息共享替代", "通过婚姻登记信息系统查询核验", "沈阳市民政局", "", "", "一般事项", "")

COMMON_MISTAKES = (
    (s.DISPOSITION, "保留（设定依据为本市规范性文件）",
     "只有法律、行政法规、地方性法规或规章设定的证明才能保留；其他的原则上取消"),
    (s.BASIS, "《中华人民共和国行政许可法》", "保留的证明须写明具体条款，如「《中华人民共和国行政许可法》第三十一条」"),
    (s.DISPOSITION, "告知承诺（涉及领域为生命健康）",
     f"涉及{'、'.join(s.CHOICES[s.FIELD][1:])}的证明不适用告知承诺"),
    (s.COMMITMENT, "（空白，但拟处理方式为告知承诺）", "告知承诺须写明承诺内容和事后核查方式"),
    (s.SHARE_SOURCE, "公安", "写明提供共享数据的单位全称或规范简称，如「沈阳市公安局」或「市公安局」"),
    (s.REPLACEMENT, "（空白，但拟处理方式为其他证照替代）", "写明用哪一证照替代，如「营业执照」"),
    (s.ITEMS, "办理各类业务", "只填本单位经审定的事项名称，多个用顿号「、」分隔"),
    ("工作表", "把「证明事项清理表」改名或删掉表头", "请勿修改工作表名称和表头，只在表头下方逐行填写"),
)


def certificates_template_filename(org_short_name: str) -> str:
    return f"证明事项清理表-{org_short_name}.xlsx"


def build_certificates_template(facts: TemplateFacts, prefilled: Sequence[Mapping]) -> bytes:
    """``prefilled``: rules.certificates.certificates_from_items() entries, one row each."""
    out = io.BytesIO()
    with safe_workbook(out) as book:
        formats = template_formats(book)
        _cover(book.add_worksheet(s.COVER_SHEET), formats, facts)
        _ledger(book.add_worksheet(s.SHEET), formats, facts, prefilled)
        _instructions(book.add_worksheet(s.INSTRUCTIONS_SHEET), formats, facts)
    return out.getvalue()


def _cover(sheet: Worksheet, formats: Formats, facts: TemplateFacts) -> None:
    write_cover(sheet, formats, "证明事项清理报送表", facts,
                note=f"「{s.SHEET}」已按本单位经审定事项的申请材料预填了证明名称和所涉事项，"
                     "请逐项核对、补全，不属于证明的（如身份证件、营业执照）可整行删除。")


def _ledger(sheet: Worksheet, formats: Formats, facts: TemplateFacts, prefilled: Sequence[Mapping]) -> None:
    write_header(sheet, formats, s.HEADERS, WIDTHS.__getitem__)
    for seq, certificate in enumerate(prefilled, start=1):
        write_row_safe(sheet, seq, [seq, certificate["name"], "、".join(certificate.get("items") or ()), facts.org_name],
                       formats)
    add_choices(sheet, s.HEADERS, s.CHOICES, len(prefilled) + PREPARED_ROWS)


def _instructions(sheet: Worksheet, formats: Formats, facts: TemplateFacts) -> None:
    lines = (
        "填报说明",
        f"1. 请在「{s.SHEET}」逐项填写，每个证明一行，不要修改工作表名称和表头。",
        f"2. 「{s.BASIS}」写明文件名称和条款，如「《中华人民共和国行政许可法》第三十一条」；"
        f"「{s.BASIS_LEVEL}」从下拉列表选择，确无依据的选「无」。",
        "3. 没有法律、行政法规、地方性法规或规章依据的证明不能「保留」，原则上「取消」，"
        "也可改为告知承诺、信息共享替代或其他证照替代。",
        f"4. 告知承诺须填写「{s.COMMITMENT}」「{s.VERIFICATION}」和「{s.FIELD}」；"
        f"涉及{'、'.join(s.CHOICES[s.FIELD][1:])}的不适用告知承诺。",
        f"5. 信息共享替代须填写「{s.SHARE_SOURCE}」（单位全称或规范简称）；其他证照替代须在「{s.REPLACEMENT}」写明证照名称。",
        f"6. 「{s.ITEMS}」只填本单位经审定的事项名称，多个用顿号「、」分隔。",
        f"7. 请于 {facts.deadline.isoformat()} 前回复邮件报送；系统将在几分钟内回执，一次性告知所有问题。",
    )
    write_instructions(sheet, formats, lines, [("示范文本（正确填写的一行）：", s.HEADERS, [EXAMPLE_ROW])], COMMON_MISTAKES)
