"""The weekly progress bulletin (进展通报) that 市编委办 sends 市政府: one row per district and per city
department against the campaign's phases, in traffic lights (红黄绿灯), with a bar chart of each
district's completion.

Plain values in (``WeeklyFacts``). ``weekly_grid`` lays them out as the sheet's cells; the writer
only formats and writes them. The lights are conditional formats, not fixed fills: each phase cell's
colour comes from a rule testing its light word in a hidden column block to the right, so a
coordinator who corrects a light in the sheet sees the colour follow. Written with xlsxwriter, which
writes a city's 2,000 rows several times faster than openpyxl (bench.weekly_report).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from workbooks.cover import HEADER_COLOUR
from workbooks.safe_cells import Formats, safe_workbook

SHEET = "进展通报"
CHART_SHEET = "图表"
FONT = "宋体"
DISTRICT, DEPARTMENT = "district", "department"
DISTRICTS_HEADING, DEPARTMENTS_HEADING = "区、县（市）", "市直部门"

# The light of a phase cell: the word the conditional formats test, the legend's text, fill and font.
LIGHTS: dict[str, tuple[str, str, str, str]] = {
    "done": ("完成", "完成", "C6EFCE", "006100"),
    "green": ("绿灯", "绿灯：按期推进", "EEF7EA", "375623"),
    "yellow": ("黄灯", "黄灯：临近期限或黄牌", "FFEB9C", "9C5700"),
    "red": ("红灯", "红灯：逾期（红牌、督查）", "FFC7CE", "9C0006"),
    "none": ("不适用", "—：不适用", "F2F2F2", "808080"),
}
NOT_APPLICABLE = "—"
LEGEND_LABEL = "图例（各阶段单元格底色）："

TITLE_ROW, AS_OF_ROW, LEGEND_ROW, GROUP_HEADER_ROW, PHASE_HEADER_ROW, FIRST_DATA_ROW = range(6)
LEADING_HEADERS = ("序号", "单位", "代码")
TRAILING_HEADERS = ("完成率", "清单公布", "备注")
PHASES_GROUP_HEADER = "各阶段进展（已完成/应完成）"
FROZEN_COLUMNS = 2  # 序号 and 单位 stay in sight while the phases scroll


@dataclass(frozen=True)
class PhaseStanding:
    """One organisation against one phase."""

    total: int  # obligations it has in the phase (0 = not applicable)
    done: int  # fulfilled or waived
    late: int  # open and past due (yellow/red/督查)
    due: date | None  # the phase deadline for this organisation
    light: str  # "green" | "yellow" | "red" | "done" | "none" (none = not applicable)


@dataclass(frozen=True)
class WeeklyRow:
    kind: str  # "district" | "department"
    code: str  # district GB/T 2260 code or department code
    name: str
    phases: dict[str, PhaseStanding]  # by phase code; a phase left out is not applicable
    published: str = ""  # for districts: the published list version ("v1") or ""
    note: str = ""  # e.g. why a district is not published


@dataclass(frozen=True)
class WeeklyFacts:
    as_of: date
    title: str  # e.g. "沈阳市简化优化公共服务流程工作进展通报"
    phases: tuple[tuple[str, str], ...]  # (code, Chinese name) in plan order
    rows: tuple[WeeklyRow, ...]


@dataclass(frozen=True)
class Columns:
    """Where each kind of cell goes, counted from 0: the leading columns, one per phase, the trailing
    ones, then the hidden block of light words, one per phase in the same order."""

    phases: int

    @property
    def first_phase(self) -> int:
        return len(LEADING_HEADERS)

    @property
    def last_phase(self) -> int:
        return self.first_phase + self.phases - 1

    @property
    def completion(self) -> int:
        return self.last_phase + 1

    @property
    def published(self) -> int:
        return self.completion + 1

    @property
    def note(self) -> int:
        return self.published + 1

    @property
    def last_visible(self) -> int:
        return self.note

    @property
    def legend(self) -> int:
        """The first of the legend's swatches: above the phases, moved left when there are too few
        visible columns after them for all five."""
        return min(self.first_phase, self.last_visible - len(LIGHTS) + 1)

    @property
    def first_light(self) -> int:
        return self.last_visible + 1

    @property
    def last_light(self) -> int:
        return self.first_light + self.phases - 1


@dataclass(frozen=True)
class GridLine:
    """One sheet row below the headers: a section heading, or an organisation."""

    heading: str = ""
    number: int = 0
    name: str = ""
    code: str = ""
    cells: tuple[str, ...] = ()  # each phase's text: "3/5", "完成", "—"
    lights: tuple[str, ...] = ()  # each phase's light word (LIGHTS[…][0])
    completion: float | None = None  # done over total across the applicable phases
    published: str = ""
    note: str = ""


@dataclass(frozen=True)
class WeeklyGrid:
    title: str
    as_of: str  # 截至2016年12月5日
    columns: Columns
    phase_names: tuple[str, ...]
    phase_headers: tuple[str, ...]  # each phase's name, and its deadline when every organisation shares it
    lines: tuple[GridLine, ...]  # from FIRST_DATA_ROW on
    districts: tuple[int, int] | None  # the first and last sheet row of the district lines

    @property
    def last_row(self) -> int:
        return FIRST_DATA_ROW + len(self.lines) - 1


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _check(facts: WeeklyFacts) -> None:
    """Facts the registry built wrongly are our bug: say every one of them at once."""
    known = {code for code, _ in facts.phases}
    wrong = [] if facts.phases else ["没有任何阶段"]
    for row in facts.rows:
        if row.kind not in (DISTRICT, DEPARTMENT):
            wrong.append(f"{row.name}：类型「{row.kind}」不是 {DISTRICT} 或 {DEPARTMENT}")
        wrong += [f"{row.name}：阶段「{code}」不在通报的阶段中" for code in row.phases if code not in known]
        wrong += [f"{row.name}：阶段「{code}」的灯号「{s.light}」不是可选的值（{'、'.join(LIGHTS)}）"
                  for code, s in row.phases.items() if s.light not in LIGHTS]
    if wrong:
        raise ValueError("进展通报的数据有误：" + "；".join(wrong))


def _cell_text(standing: PhaseStanding | None) -> str:
    if standing is None or standing.light == "none":
        return NOT_APPLICABLE
    if standing.light == "done":
        return LIGHTS["done"][0]
    late = f" 逾期{standing.late}" if standing.late else ""
    return f"{standing.done}/{standing.total}{late}"


def _completion(standings: list[PhaseStanding | None]) -> float | None:
    counted = [s for s in standings if s is not None and s.light != "none" and s.total > 0]
    total = sum(s.total for s in counted)
    return sum(min(s.done, s.total) for s in counted) / total if total else None


def _line(number: int, row: WeeklyRow, phase_codes: list[str]) -> GridLine:
    standings = [row.phases.get(code) for code in phase_codes]
    published = ""
    if row.kind == DISTRICT:
        published = f"已公布（{row.published}）" if row.published else "未公布"
    return GridLine(number=number, name=row.name, code=row.code,
                    cells=tuple(_cell_text(s) for s in standings),
                    lights=tuple(LIGHTS[s.light if s is not None else "none"][0] for s in standings),
                    completion=_completion(standings), published=published, note=row.note)


def _phase_header(code: str, name: str, rows: tuple[WeeklyRow, ...], as_of: date) -> str:
    dues = {r.phases[code].due for r in rows if code in r.phases and r.phases[code].light != "none"}
    if len(dues) != 1 or None in dues:
        return name  # no one deadline to print above the column
    due = next(iter(dues))
    day = f"{due.month}月{due.day}日" if due.year == as_of.year else chinese_date(due)
    return f"{name}\n（{day}前）"


def weekly_grid(facts: WeeklyFacts) -> WeeklyGrid:
    """The sheet's cells as plain values: districts first under their heading, then departments."""
    _check(facts)
    codes = [code for code, _ in facts.phases]
    lines: list[GridLine] = []
    districts: tuple[int, int] | None = None
    for kind, heading in ((DISTRICT, DISTRICTS_HEADING), (DEPARTMENT, DEPARTMENTS_HEADING)):
        rows = [r for r in facts.rows if r.kind == kind]
        if not rows:
            continue
        lines.append(GridLine(heading=heading))
        first = FIRST_DATA_ROW + len(lines)
        lines += [_line(number, row, codes) for number, row in enumerate(rows, start=1)]
        if kind == DISTRICT:
            districts = (first, FIRST_DATA_ROW + len(lines) - 1)
    return WeeklyGrid(title=facts.title, as_of=f"截至{chinese_date(facts.as_of)}", columns=Columns(len(codes)),
                      phase_names=tuple(name for _, name in facts.phases),
                      phase_headers=tuple(_phase_header(code, name, facts.rows, facts.as_of)
                                          for code, name in facts.phases),
                      lines=tuple(lines), districts=districts)


def light_rule(grid: WeeklyGrid, light: str) -> str:
    """The formula a phase cell's colour rule tests, relative to the block's top-left cell: the light
    word in the same row, as many columns to the right as the light block is from the phases."""
    columns = grid.columns
    return f'{xl_rowcol_to_cell(FIRST_DATA_ROW, columns.first_light)}="{LIGHTS[light][0]}"'


def completion_refs(grid: WeeklyGrid) -> tuple[str, str]:
    """The chart's categories (district names) and values (their completion), as absolute ranges."""
    assert grid.districts is not None
    first, last = grid.districts
    sheet = f"'{SHEET}'"

    def column(col: int) -> str:
        return (f"{sheet}!{xl_rowcol_to_cell(first, col, row_abs=True, col_abs=True)}:"
                f"{xl_rowcol_to_cell(last, col, row_abs=True, col_abs=True)}")

    return column(1), column(grid.columns.completion)


def _formats(book: xlsxwriter.Workbook) -> Formats:
    border = {"border": 1, "valign": "vcenter"}
    kinds: dict[str, dict[str, object]] = {
        "title": {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"},
        "as_of": {"font_size": 11},
        "legend_label": {"bold": True, "align": "right", "valign": "vcenter"},
        "header": {**border, "bold": True, "bg_color": HEADER_COLOUR, "align": "center", "text_wrap": True},
        "heading": {**border, "bold": True, "bg_color": "F2F2F2"},
        "text": {**border},
        "centre": {**border, "align": "center"},
        "percent": {**border, "align": "center", "num_format": "0.0%"},
        "light": {"font_color": "808080"},
    }
    for light, (_, _, fill, font) in LIGHTS.items():
        kinds[f"legend_{light}"] = {**border, "align": "center", "text_wrap": True, "bg_color": fill,
                                    "font_color": font}
    return Formats(book, kinds)


def _text(sheet: Worksheet, row: int, col: int, text: str, formats: Formats, kind: str) -> None:
    """safe_cells.write_safe, except that an empty text stays an empty string, as the bulletin has
    always had it."""
    sheet.write_string(row, col, text, formats(kind, text))


def _merged(sheet: Worksheet, rows: tuple[int, int], cols: tuple[int, int], text: str, formats: Formats,
            kind: str) -> None:
    """merge_range writes its text with write(), which takes "=…" for a formula: merge empty, then
    write the text into the first cell as a string, as xlsxwriter's documentation advises."""
    fmt = formats(kind, text)
    sheet.merge_range(rows[0], cols[0], rows[1], cols[1], "", fmt)
    sheet.write_string(rows[0], cols[0], text, fmt)


def _heads(sheet: Worksheet, grid: WeeklyGrid, formats: Formats) -> None:
    columns = grid.columns
    _merged(sheet, (TITLE_ROW, TITLE_ROW), (0, columns.last_visible), grid.title, formats, "title")
    _text(sheet, AS_OF_ROW, 0, grid.as_of, formats, "as_of")
    _merged(sheet, (LEGEND_ROW, LEGEND_ROW), (0, columns.legend - 1), LEGEND_LABEL, formats, "legend_label")
    for col, (light, (_, legend, _, _)) in enumerate(LIGHTS.items(), start=columns.legend):
        _text(sheet, LEGEND_ROW, col, legend, formats, f"legend_{light}")
    header_rows = (GROUP_HEADER_ROW, PHASE_HEADER_ROW)
    for col, text in enumerate(LEADING_HEADERS):
        _merged(sheet, header_rows, (col, col), text, formats, "header")
    for col, text in enumerate(TRAILING_HEADERS, start=columns.completion):
        _merged(sheet, header_rows, (col, col), text, formats, "header")
    if columns.phases > 1:
        _merged(sheet, (GROUP_HEADER_ROW, GROUP_HEADER_ROW), (columns.first_phase, columns.last_phase),
                PHASES_GROUP_HEADER, formats, "header")
    else:
        _text(sheet, GROUP_HEADER_ROW, columns.first_phase, PHASES_GROUP_HEADER, formats, "header")
    for col, text in enumerate(grid.phase_headers, start=columns.first_phase):
        _text(sheet, PHASE_HEADER_ROW, col, text, formats, "header")
    for col, name in enumerate(grid.phase_names, start=columns.first_light):
        _text(sheet, PHASE_HEADER_ROW, col, f"{name}灯号（底色规则用）", formats, "light")


def _lines(sheet: Worksheet, grid: WeeklyGrid, formats: Formats) -> None:
    columns = grid.columns
    for row, line in enumerate(grid.lines, start=FIRST_DATA_ROW):
        if line.heading:
            _merged(sheet, (row, row), (0, columns.last_visible), line.heading, formats, "heading")
            continue
        sheet.write_number(row, 0, line.number, formats("centre"))
        _text(sheet, row, 1, line.name, formats, "text")
        _text(sheet, row, 2, line.code, formats, "centre")
        for col, text in enumerate(line.cells, start=columns.first_phase):
            _text(sheet, row, col, text, formats, "centre")
        if line.completion is None:
            _text(sheet, row, columns.completion, NOT_APPLICABLE, formats, "centre")
        else:
            sheet.write_number(row, columns.completion, line.completion, formats("percent"))
        _text(sheet, row, columns.published, line.published, formats, "centre")
        _text(sheet, row, columns.note, line.note, formats, "text")
        for col, word in enumerate(line.lights, start=columns.first_light):
            sheet.write_string(row, col, word, formats("light"))


def _lights(sheet: Worksheet, grid: WeeklyGrid, book: xlsxwriter.Workbook) -> None:
    columns = grid.columns
    for light, (_, _, fill, font) in LIGHTS.items():
        sheet.conditional_format(FIRST_DATA_ROW, columns.first_phase, grid.last_row, columns.last_phase, {
            "type": "formula", "criteria": f"={light_rule(grid, light)}",
            "format": book.add_format({"bg_color": fill, "font_color": font})})


def _layout(sheet: Worksheet, grid: WeeklyGrid) -> None:
    columns = grid.columns
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 2, 10)
    sheet.set_column(columns.first_phase, columns.last_phase, 12)
    sheet.set_column(columns.completion, columns.completion, 9)
    sheet.set_column(columns.published, columns.published, 12)
    sheet.set_column(columns.note, columns.note, 30)
    sheet.set_column(columns.first_light, columns.last_light, 8, None, {"hidden": True})
    sheet.set_row(TITLE_ROW, 30)
    sheet.set_row(LEGEND_ROW, 32)
    sheet.set_row(PHASE_HEADER_ROW, 45)
    sheet.freeze_panes(FIRST_DATA_ROW, FROZEN_COLUMNS)


def _print_setup(sheet: Worksheet, grid: WeeklyGrid) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    sheet.repeat_rows(GROUP_HEADER_ROW, PHASE_HEADER_ROW)
    sheet.print_area(0, 0, grid.last_row, grid.columns.last_visible)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer(f"&C&\"{FONT}\"第 &P 页，共 &N 页")


def _chart(book: xlsxwriter.Workbook, grid: WeeklyGrid, formats: Formats) -> None:
    sheet = book.add_worksheet(CHART_SHEET)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 1)
    if grid.districts is None:
        _text(sheet, 0, 0, "本期通报没有区、县（市）", formats, "as_of")
        return
    categories, values = completion_refs(grid)
    font = {"name": FONT}
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"name": "完成率", "categories": categories, "values": values, "fill": {"color": "5B9BD5"},
                      "data_labels": {"value": True, "num_format": "0%", "font": font}})
    chart.set_title({"name": f"各区、县（市）完成率（{grid.as_of}）", "name_font": {**font, "size": 14}})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True},
                      "num_font": font})
    # The first district on top, as in the table, and the percentages along the bottom.
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font})
    chart.set_legend({"none": True})
    first, last = grid.districts
    chart.set_size({"width": 960, "height": max(360, 40 * (last - first + 1) + 120)})
    sheet.insert_chart(0, 0, chart)


def write_weekly_report(path: Path, facts: WeeklyFacts) -> Path:
    grid = weekly_grid(facts)
    # The font is named outright (no theme scheme, GB2312's charset), or Excel would show the theme's
    # Latin font wherever the text is not Chinese.
    font = {"font_name": FONT, "font_size": 11, "font_scheme": "none", "font_charset": 134}
    book = safe_workbook(path, {"default_format_properties": font})
    formats = _formats(book)
    sheet = book.add_worksheet(SHEET)
    _heads(sheet, grid, formats)
    _lines(sheet, grid, formats)
    _lights(sheet, grid, book)
    _layout(sheet, grid)
    _print_setup(sheet, grid)
    _chart(book, grid, formats)
    book.close()
    return path
