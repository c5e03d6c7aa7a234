"""What the city publishes from the clean-up: the 保留 and 取消 lists, and a 告知承诺书 per
notify-and-commit certificate.

The lists are printed and posted as well as put online, so they carry a title, a repeated header
and a landscape page one sheet wide. The 告知承诺书 states in writing the 证明义务, the 证明内容
and the liability for a false commitment, as the 2020 notice requires of the authority.
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from rules.cell_text import fold, is_hidden
from rules.certificates import (
    BASIS,
    BASIS_LEVEL,
    ISSUER,
    ITEM_SEPARATOR,
    ITEMS,
    NAME,
    NO_LONGER_DEMANDED,
    REQUESTER,
    SEQ,
    Disposition,
    instead,
)
from workbooks.cover import HEADER_COLOUR
from workbooks.safe_cells import append_safe

KEPT = "保留"
CANCELLED = "取消"
DISPOSAL = "处理方式"
AFTER = "取消后的办理方式"
KEPT_HEADERS = (SEQ, NAME, ITEMS, REQUESTER, ISSUER, BASIS, BASIS_LEVEL)
CANCELLED_HEADERS = (SEQ, NAME, ITEMS, REQUESTER, ISSUER, DISPOSAL, AFTER)
# Every certificate no longer demanded, whatever took its place.
WIDTHS = {SEQ: 6, NAME: 24, ITEMS: 32, REQUESTER: 20, ISSUER: 20, BASIS: 44, BASIS_LEVEL: 12, DISPOSAL: 14,
          AFTER: 44}
_THIN = Side(style="thin", color="808080")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOUR)


def certificate_list_filename(kind: str, as_of: date) -> str:
    return f"{_title_of(kind)}-{as_of.isoformat()}.xlsx"


def _title_of(kind: str) -> str:
    if kind == KEPT:
        return "保留的证明事项清单"
    if kind == CANCELLED:
        return "取消的证明事项清单"
    raise ValueError(f"清单类型「{kind}」不是可选的值（可选：{KEPT}、{CANCELLED}）")


def build_certificate_list(kind: str, *, campaign_name: str, as_of: date, entries: Sequence[Mapping]) -> bytes:
    """``entries``: normalised entries with "org_name" and the final "disposition", in the order to list."""
    title = _title_of(kind)
    if kind == KEPT:
        headers = KEPT_HEADERS
        chosen = [e for e in entries if fold(e.get("disposition")) == Disposition.KEEP]
    else:
        headers = CANCELLED_HEADERS
        chosen = [e for e in entries if fold(e.get("disposition")) in NO_LONGER_DEMANDED]
    book = Workbook()
    sheet = book.active
    sheet.title = title
    append_safe(sheet, [f"{campaign_name} {title}（截至 {as_of.year}年{as_of.month}月{as_of.day}日，共 {len(chosen)} 项）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[1].height = 36
    append_safe(sheet, list(headers))
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=column)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, _GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[header]
    for seq, entry in enumerate(chosen, start=1):
        # Departments' own text: append_safe keeps "=…" from becoming a live formula.
        append_safe(sheet, [_value(header, seq, entry) for header in headers])
        for cell in sheet[sheet.max_row]:
            cell.alignment, cell.border = Alignment(vertical="top", wrap_text=True), _GRID
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(header: str, seq: int, entry: Mapping) -> object:
    if header == SEQ:
        return seq
    if header == ITEMS:
        return ITEM_SEPARATOR.join(entry.get("items") or ())
    if header == REQUESTER:
        return entry.get("requester") or entry.get("org_name") or ""
    if header == DISPOSAL:
        return fold(entry.get("disposition"))
    if header == AFTER:
        return instead(entry)
    field = {NAME: "name", ISSUER: "issuer", BASIS: "basis", BASIS_LEVEL: "basis_level"}[header]
    return entry.get(field) or ""


# --- the 告知承诺书 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentFacts:
    certificate: str
    items: Sequence[str]
    requester: str
    basis: str
    commitment: str
    verification: str
    campaign_name: str = ""


LIABILITY = ("申请人作出不实承诺的，行政机关将终止办理；已作出决定的，依法撤销该决定；"
             "不实承诺情况将记入申请人信用记录，并依法追究相应法律责任。")
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\s]+')


def commitment_letter_filename(certificate: str) -> str:
    name = _UNSAFE_IN_NAMES.sub("_", _xml_text(certificate)).strip("_.") or "证明事项"
    return f"告知承诺书-{name}.docx"


def _xml_text(text: object) -> str:
    """Text Word can hold: control and other hidden characters (which python-docx refuses, or which
    would print as nothing) removed, tabs and line breaks kept."""
    return "".join(c for c in str(text or "") if c in "\t\n" or not is_hidden(c)).strip()


def build_commitment_letter(facts: CommitmentFacts) -> bytes:
    """证明事项告知承诺书（格式文本）: what the authority tells the applicant, and what the applicant signs."""
    document = Document()
    _chinese_fonts(document)
    certificate, requester = _xml_text(facts.certificate), _xml_text(facts.requester)
    items = ITEM_SEPARATOR.join(_xml_text(i) for i in facts.items if _xml_text(i))
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run("证明事项告知承诺书（格式文本）")
    run.bold, run.font.size = True, Pt(18)
    if facts.campaign_name:
        note = document.add_paragraph(_xml_text(facts.campaign_name))
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_paragraph("申请人：____________________  身份证件号码（统一社会信用代码）：____________________")
    _section(document, "一、行政机关告知", bold=True)
    told = (
        ("证明事项名称", certificate),
        ("证明用途", f"办理{items}" if items else "办理相关事项"),
        ("设定依据", _xml_text(facts.basis) or "（无）"),
        ("证明义务", f"申请人应当证明本人（本单位）符合「{certificate}」所证明的条件；"
                     "以书面承诺代替提交该证明的，应当对承诺内容的真实性负责。"),
        ("证明内容", _xml_text(facts.commitment)),
        ("核查方式", f"行政机关将在办理后进行事后核查：{_sentence(facts.verification)}"
                     "申请人应当配合核查，如实提供相关情况。"),
        ("承诺的效力", "申请人书面承诺符合上述条件的，行政机关不再索要该证明，依据书面承诺办理相关事项。"),
        ("不实承诺的法律责任", LIABILITY),
    )
    for number, (label, text) in enumerate(told, start=1):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"（{_CHINESE_NUMBERS[number]}）{label}：").bold = True
        paragraph.add_run(text)

    _section(document, "二、申请人承诺", bold=True)
    document.add_paragraph(
        f"本人（本单位）已经知晓行政机关告知的全部内容，现承诺：{_sentence(facts.commitment)}"
        "本人（本单位）所作承诺真实、准确，愿意接受行政机关的事后核查；如承诺不实，愿意承担相应的法律责任。")
    document.add_paragraph("申请人（签字或盖章）：____________________")
    document.add_paragraph("日期：________年____月____日")

    _section(document, "三、行政机关", bold=True)
    document.add_paragraph(f"行政机关（盖章）：{requester}")
    document.add_paragraph("经办人：____________________    日期：________年____月____日")
    document.add_paragraph("本承诺书一式两份，行政机关与申请人各执一份。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_CHINESE_NUMBERS = "〇一二三四五六七八九十"


def _sentence(text: object) -> str:
    cleaned = _xml_text(text)
    return cleaned if not cleaned or cleaned[-1] in "。；！？.;!?" else cleaned + "。"


def _section(document, text: str, bold: bool = False) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    run = paragraph.add_run(text)
    run.bold, run.font.size = bold, Pt(14)


def _chinese_fonts(document) -> None:
    """Word picks a Latin font for Chinese text unless the East Asian font is set on the style."""
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "宋体", Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
