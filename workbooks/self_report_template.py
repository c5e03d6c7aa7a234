"""The self-report workbook (自查报告) of a long-term task: cover, indicators, narrative, instructions.

The indicators come pre-filled with the registry's own figures (系统统计值), so a unit checks and
corrects what is known rather than counting from nothing; its own figure goes beside each one.
"""
from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from rules import self_reports as r
from workbooks.cover import TemplateFacts, add_validation, template_formats, write_cover, write_header
from workbooks.safe_cells import Formats, safe_workbook, set_width, write_row_safe, write_safe

WIDTHS = (6, 28, 10, 14, 16, 48)
SYSTEM_COLUMN, REPORTED_COLUMN = 3, 4  # the registry's figure (grey), the unit's beside it
ANSWER = {"text_wrap": True, "valign": "top"}  # a narrative part's box: room for a paragraph
EXAMPLES = {
    r.PROGRESS: "本季度新增 9 项证明改为部门间信息共享核验，与市居民信息中心完成户籍、婚姻数据对接。",
    r.ISSUES: "部分证明需省级部门数据共享，暂不能取消。",
    r.NEXT_STEPS: "下季度完成与市不动产登记中心的数据对接，再取消 5 项证明。",
}
COMMON_MISTAKES = (
    (r.REPORTED, "十七项、若干", "填写阿拉伯数字，如 17；没有的填 0"),
    (r.LABEL, "改写指标名称或删除一行", "指标由系统列出，请勿改动；不适用的填 0 并在「说明」中写明"),
    (r.COVER_PERIOD, "把上一期的报告改个日期再发", "每期单独报送，只填本报告期内的情况"),
    (r.ISSUES, "（空白）", f"「{r.PROGRESS}」「{r.ISSUES}」「{r.NEXT_STEPS}」都要填写；确无问题的写「无」"),
)


@dataclass(frozen=True)
class ReportFacts:
    """What the report is for, besides the cover's usual facts."""

    task_number: int
    task_title: str
    period: str  # e.g. 2016Q4
    indicators: tuple[Mapping, ...]  # rules.self_reports.indicator_rows() entries


def self_report_filename(facts: ReportFacts, org_short_name: str) -> str:
    return f"自查报告-第{facts.task_number}项-{facts.period}-{org_short_name}.xlsx"


def build_self_report_template(cover: TemplateFacts, facts: ReportFacts) -> bytes:
    out = io.BytesIO()
    with safe_workbook(out) as book:
        formats = template_formats(book, answer=ANSWER)
        write_cover(book.add_worksheet(r.COVER_SHEET), formats, f"长期推进任务自查报告（{facts.period}）", cover,
                    extra=((r.COVER_TASK, r.task_label(facts.task_number, facts.task_title)),
                           (r.COVER_PERIOD, facts.period)),
                    note=f"「{r.INDICATOR_SHEET}」已列出系统统计值，请核对后在「{r.REPORTED}」填写本单位的数字；"
                         f"「{r.NARRATIVE_SHEET}」的三个栏目都要填写。")
        _indicators(book.add_worksheet(r.INDICATOR_SHEET), formats, facts)
        _narrative(book.add_worksheet(r.NARRATIVE_SHEET), formats)
        _instructions(book.add_worksheet(r.INSTRUCTIONS_SHEET), formats, cover, facts)
    return out.getvalue()


def _indicators(sheet: Worksheet, formats: Formats, facts: ReportFacts) -> None:
    write_header(sheet, formats, r.HEADERS)
    for row, indicator in enumerate(facts.indicators, start=1):
        write_row_safe(sheet, row, [row, indicator["label"], indicator["unit"]], formats)
        write_safe(sheet, row, SYSTEM_COLUMN, indicator["value"], formats, "prefilled")
    if facts.indicators:
        add_validation(sheet, (1, REPORTED_COLUMN, len(facts.indicators), REPORTED_COLUMN), {
            "validate": "decimal", "criteria": ">=", "value": 0,
            "error_title": "请填写数字", "error_message": "请填写阿拉伯数字，没有的填 0"})
    for col, width in enumerate(WIDTHS):
        set_width(sheet, col, col, width)


def _narrative(sheet: Worksheet, formats: Formats) -> None:
    write_header(sheet, formats, r.NARRATIVE_HEADERS)
    for row, part in enumerate(r.NARRATIVE, start=1):
        write_safe(sheet, row, 0, part, formats)
        write_safe(sheet, row, 1, None, formats, "answer")
        sheet.set_row(row, 90)
    set_width(sheet, 0, 0, 14)
    set_width(sheet, 1, 1, 90)


def _instructions(sheet: Worksheet, formats: Formats, cover: TemplateFacts, facts: ReportFacts) -> None:
    lines = (
        "填报说明",
        f"1. 本报告是第{facts.task_number}项「{facts.task_title}」{facts.period} 的自查报告，"
        f"请于 {cover.deadline.isoformat()} 前回复邮件报送（附本表）。",
        f"2. 「{r.INDICATOR_SHEET}」的「{r.SYSTEM}」是系统根据审定的清单、审核通过的办事指南和审定的证明清理结果统计的，"
        f"请核对后在「{r.REPORTED}」填写本单位的数字；与系统不一致的，请在「{r.NOTE}」写明原因。",
        "3. 数字只填阿拉伯数字（全角数字也可以），没有的填 0；不要改动指标名称，不要删除行。",
        f"4. 「{r.NARRATIVE_SHEET}」的「{'」「'.join(r.NARRATIVE)}」都要填写，确无问题的写「无」。",
        "5. 系统收到后几分钟内回执；如有问题，将一次性告知全部问题及修改方法。",
        "",
        "示范文本：",
    )
    rows = [*([line] for line in lines), *EXAMPLES.items(), ["常见错误示例："], ["栏目", "错误写法", "正确做法"],
            *COMMON_MISTAKES]
    write_safe(sheet, 0, 0, lines[0], formats, "title")
    for row, values in enumerate(rows[1:], start=1):
        write_row_safe(sheet, row, values, formats)
    for col, width in enumerate((22, 40, 60)):
        set_width(sheet, col, col, width)
