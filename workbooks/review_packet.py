"""The review packet: one department's list as a workbook for one agency, and reading it back.

The agency fills three columns (审核意见 from a drop-down, 审核理由, 调整后内容) beside the list
it was sent. The cover names the agency and the submission, so a reply is checked against what was
actually sent. Submitter text goes through ``write_safe``: it never becomes a live formula.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from python_calamine import CalamineError
from xlsxwriter import Workbook

from core.problems import Problem
from rules.cell_text import fold
from rules.review import OPINIONS, ReviewRow
from workbooks import inventory_schema as s
from workbooks.cover import HEADER_COLOUR, add_validation
from workbooks.package import reader_failure
from workbooks.safe_cells import Formats, safe_workbook, set_width, write_row_safe, write_safe

COVER_SHEET = "审核封面"
SHEET = "审核意见表"
INSTRUCTIONS_SHEET = "填写说明"

COVER_AGENCY = "审核单位"
COVER_AGENCY_CODE = "审核单位代码"
COVER_ANGLE = "审核角度"
COVER_ORG = "报送部门"
COVER_ORG_CODE = "部门代码"
COVER_SUBMISSION = "送审编号"
COVER_VERSION = "清单版本"
COVER_DEADLINE = "审核截止日期"
COVER_REPLY = "回复方式"

FLAGS = "预审提示"
AGENCY = "审核单位"
OPINION = "审核意见"
REASON = "审核理由"
ADJUSTED = "调整后内容"
LIST_HEADERS = s.HEADERS
HEADERS = (*LIST_HEADERS, FLAGS, AGENCY, OPINION, REASON, ADJUSTED)
# Fields of a submitted item, in the order of the list's headers.
ITEM_FIELDS = tuple(s.FIELDS[h] for h in LIST_HEADERS)
NAME_HEADERS = (s.NAME, "证明名称")
REVIEW_COLOUR = "FFF2CC"  # the header of the three columns the agency fills
PACKET_FORMATS: dict[str, dict[str, object]] = {
    "title": {"bold": True, "font_size": 14},
    "header": {"bold": True, "bg_color": HEADER_COLOUR, "text_wrap": True, "valign": "vcenter"},
    "review_header": {"bold": True, "bg_color": REVIEW_COLOUR, "text_wrap": True, "valign": "vcenter"},
}


@dataclass(frozen=True)
class PacketFacts:
    agency_code: str
    agency_name: str
    angle_title: str
    angle_guidance: str
    org_code: str
    org_name: str
    submission_id: int
    version: int
    deadline: date
    reply_address: str


@dataclass(frozen=True)
class PacketLayout:
    """What one kind of packet shows: the document's own columns beside the agency's three."""

    title: str  # the document reviewed: 公共服务事项清单, 办事指南, 证明事项清理表
    name_header: str  # the second column: 事项名称, or 证明名称 for a certificate
    columns: tuple[str, ...]  # the document's columns after 序号 and the name
    choices: tuple[str, ...]  # what 审核意见 may be
    guidance: tuple[str, ...] = ()  # what each choice needs, for the instructions sheet

    @property
    def headers(self) -> tuple[str, ...]:
        return (s.SEQ, self.name_header, *self.columns, FLAGS, AGENCY, OPINION, REASON, ADJUSTED)


INVENTORY_LAYOUT = PacketLayout(
    "公共服务事项清单", s.NAME, LIST_HEADERS[2:], OPINIONS,
    ("选「取消」的必须写明理由；选「调整」的写明调整后内容；选「合并」的写明合并到哪个事项。",))
WIDE = frozenset({s.NAME, "证明名称", FLAGS, REASON, ADJUSTED, s.LEGAL_BASIS, "办理依据", "申请材料", "办理流程",
                  "设定依据", "受理条件"})


def packet_filename(org_short_name: str, agency_short_name: str, title: str = "") -> str:
    return f"审核意见表-{title + '-' if title else ''}{org_short_name}-{agency_short_name}.xlsx"


def _cell_value(field_name: str, value: object) -> object:
    if field_name == "charged":
        return "是" if value else "否"
    return value


def build_review_packet(facts: PacketFacts, items: list[dict], flags: list[list[str]]) -> bytes:
    """The inventory's packet: ``items`` are SubmittedItem columns in the list's order."""
    rows = [[_cell_value(f, item.get(f)) for f in ITEM_FIELDS] for item in items]
    return build_packet(facts, INVENTORY_LAYOUT, rows, flags)


def build_packet(facts: PacketFacts, layout: PacketLayout, rows: list[list[object]],
                 flags: list[list[str]]) -> bytes:
    """``rows`` hold 序号, the name and the layout's columns, in the document's order; ``flags``
    the pre-flags per row."""
    out = io.BytesIO()
    with safe_workbook(out) as book:
        formats = Formats(book, PACKET_FORMATS)
        _cover(book, formats, facts, layout)
        _opinions(book, formats, facts, layout, rows, flags)
        _notes(book, formats, layout)
    return out.getvalue()


def _cover(book: Workbook, formats: Formats, facts: PacketFacts, layout: PacketLayout) -> None:
    sheet = book.add_worksheet(COVER_SHEET)
    write_safe(sheet, 0, 0, f"{layout.title}审核意见表", formats, "title")
    for row, pair in enumerate(((COVER_AGENCY, facts.agency_name), (COVER_AGENCY_CODE, facts.agency_code),
                                (COVER_ANGLE, f"{facts.angle_title}：{facts.angle_guidance}"),
                                (COVER_ORG, facts.org_name), (COVER_ORG_CODE, facts.org_code),
                                (COVER_SUBMISSION, facts.submission_id), (COVER_VERSION, facts.version),
                                (COVER_DEADLINE, facts.deadline.isoformat()),
                                (COVER_REPLY, f"填好后作为附件回复本邮件（{facts.reply_address}），"
                                              f"请勿修改封面和{layout.title}内容")), start=1):
        write_row_safe(sheet, row, pair, formats)
    set_width(sheet, 0, 0, 16)
    set_width(sheet, 1, 1, 80)


def _opinions(book: Workbook, formats: Formats, facts: PacketFacts, layout: PacketLayout, rows: list[list[object]],
              flags: list[list[str]]) -> None:
    headers = layout.headers
    sheet = book.add_worksheet(SHEET)
    for col, header in enumerate(headers):
        write_safe(sheet, 0, col, header, formats, "review_header" if header in (OPINION, REASON, ADJUSTED) else "header")
        set_width(sheet, col, col, 30 if header in WIDE else 12)
    sheet.freeze_panes(1, 2)
    for number, (row, row_flags) in enumerate(zip(rows, flags), start=1):
        # The department's own text, which must not turn into a formula.
        write_row_safe(sheet, number, [*row, "；".join(row_flags), facts.agency_name], formats)
    col = headers.index(OPINION)
    add_validation(sheet, (1, col, max(len(rows), 1), col), {
        "validate": "list", "source": list(layout.choices), "error_title": OPINION,
        "error_message": f"请选择：{'、'.join(layout.choices)}"})


def _notes(book: Workbook, formats: Formats, layout: PacketLayout) -> None:
    sheet = book.add_worksheet(INSTRUCTIONS_SHEET)
    for n, line in enumerate(("填写说明",
                              f"只填写「{OPINION}」「{REASON}」「{ADJUSTED}」三列，不要增加、删除或移动行，"
                              f"不要修改{layout.title}内容。",
                              f"{OPINION}从下拉列表中选择：{'、'.join(layout.choices)}。",
                              *layout.guidance,
                              f"「{FLAGS}」是系统按贵单位审核角度预先标出的问题，供参考。",
                              "填好后直接回复本邮件；系统几分钟内回执，有问题将一次性告知。")):
        write_safe(sheet, n, 0, f"{n}. {line}" if n else line, formats)
    set_width(sheet, 0, 0, 100)


@dataclass
class ParsedReview:
    agency_code: str = ""
    org_code: str = ""
    submission_id: int | None = None
    rows: list[ReviewRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_review_packet(content: bytes) -> ParsedReview:
    """Read a returned packet (which passed workbooks.safety); problems, never exceptions."""
    try:
        return _parse(content)
    except (CalamineError, zipfile.BadZipFile):
        return ParsedReview(problems=[reader_failure(content)])


def _parse(content: bytes) -> ParsedReview:
    result = ParsedReview()
    book = pd.ExcelFile(io.BytesIO(content), engine="calamine")
    by_fold = {fold(n): n for n in book.sheet_names}
    cover = by_fold.get(fold(COVER_SHEET))
    if cover is None:
        result.problems.append(Problem(f"找不到工作表「{COVER_SHEET}」", "请使用系统发来的审核意见表，不要删除封面",
                                       sheet=COVER_SHEET))
    else:
        _read_cover(pd.read_excel(book, sheet_name=cover, header=None, dtype=object), result)
    sheet = by_fold.get(fold(SHEET))
    if sheet is None:
        result.problems.append(Problem(f"找不到工作表「{SHEET}」", "请使用系统发来的审核意见表，不要修改工作表名称",
                                       sheet=SHEET))
        return result
    frame = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    if frame.empty:
        result.problems.append(Problem(f"工作表「{SHEET}」是空的", "请使用系统发来的审核意见表", sheet=SHEET))
        return result
    columns = {fold(v): i for i, v in enumerate(frame.iloc[0])}
    # A certificate packet names its rows 证明名称; every other packet 事项名称.
    name = next((h for h in NAME_HEADERS if fold(h) in columns), s.NAME)
    needed = (s.SEQ, name, OPINION, REASON, ADJUSTED)
    missing = [h for h in needed if fold(h) not in columns]
    for header in missing:
        result.problems.append(Problem(f"缺少表头「{header}」", f"请按原表恢复「{header}」这一列", sheet=SHEET, row=1,
                                       column=header))
    if missing:
        return result
    for index in range(1, len(frame)):
        values = {h: _text(frame.iat[index, columns[fold(h)]]) for h in needed}
        if not any(values.values()):
            continue
        result.rows.append(ReviewRow(index + 1, values[s.SEQ], values[name], values[OPINION], values[REASON],
                                     values[ADJUSTED]))
    return result


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_cover(frame: pd.DataFrame, result: ParsedReview) -> None:
    if frame.shape[1] < 2:
        return
    cover = {fold(label): _text(value) for label, value in zip(frame[0], frame[1])}
    result.agency_code = cover.get(fold(COVER_AGENCY_CODE), "")
    result.org_code = cover.get(fold(COVER_ORG_CODE), "")
    number = cover.get(fold(COVER_SUBMISSION), "")
    if number.isdigit():
        result.submission_id = int(number)
    else:
        result.problems.append(Problem(f"封面的「{COVER_SUBMISSION}」为「{number}」，无法识别",
                                       "请使用系统发来的审核意见表，不要修改封面", sheet=COVER_SHEET,
                                       column=COVER_SUBMISSION))


def is_review_packet(content: bytes) -> bool:
    """Whether an attachment is a returned review packet, from its sheet list alone.

    Reads only xl/workbook.xml (a few hundred bytes, size-checked first), so deciding where a
    reply goes never expands an untrusted file; the full safety checks follow either way.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entry = archive.getinfo("xl/workbook.xml")
        if entry.file_size > 1 << 20:
            return False
        return SHEET.encode() in archive.read(entry)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError, EOFError):
        return False
