"""Benchmark of the weekly 进展通报: a city's whole standing written as one workbook.

    python -m bench.weekly_report [--organisations 2000] [--phases 12] [--runs 5]

Synthetic facts: the 13 districts and counties and city departments up to 2,000 organisations, each
against 12 phases with every light, written by workbooks.weekly_report.write_weekly_report
(xlsxwriter). Baseline, in the same run: openpyxl writing the same cells from the same grid, with the
same formats, merged headings, traffic-light conditional formats, bar chart, freeze panes and print
setup (``openpyxl_weekly_report`` below). Each writer runs a few times; the medians, their ratio and
the files' sizes are printed, and the two files' cells are compared once.

Target: the 2,000 organisations in 2 s or less, and faster than the openpyxl baseline. Exits 1 when a
target is missed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workbooks.cover import HEADER_COLOUR
from workbooks.safe_cells import set_safe
from workbooks.weekly_report import (
    AS_OF_ROW,
    CHART_SHEET,
    FIRST_DATA_ROW,
    FONT,
    FROZEN_COLUMNS,
    GROUP_HEADER_ROW,
    LEADING_HEADERS,
    LEGEND_LABEL,
    LEGEND_ROW,
    LIGHTS,
    NOT_APPLICABLE,
    PHASE_HEADER_ROW,
    PHASES_GROUP_HEADER,
    SHEET,
    TITLE_ROW,
    TRAILING_HEADERS,
    PhaseStanding,
    WeeklyFacts,
    WeeklyGrid,
    WeeklyRow,
    light_rule,
    weekly_grid,
    write_weekly_report,
)

TARGET_SECONDS = 2.0
AS_OF = date(2016, 12, 5)
DISTRICTS = (("210102", "和平区"), ("210103", "沈河区"), ("210104", "大东区"), ("210105", "皇姑区"),
             ("210106", "铁西区"), ("210111", "苏家屯区"), ("210112", "浑南区"), ("210113", "沈北新区"),
             ("210114", "于洪区"), ("210115", "辽中区"), ("210123", "康平县"), ("210124", "法库县"),
             ("210181", "新民市"))
PHASE_NAMES = ("清理自查", "审核确认", "研究提出意见", "复核审定", "编制办事指南", "公布", "清理证明",
               "区县工作方案", "区县公布", "督导检查", "自查报告", "动态调整")


def _standing(org: int, phase: int) -> PhaseStanding:
    """Every light in turn, with counts that agree with it, and a phase in seven not applicable."""
    due = AS_OF + timedelta(days=7 * (phase - 6))
    turn = (org + phase) % 7
    if turn == 0:
        return PhaseStanding(0, 0, 0, None, "none")
    total = 1 + (org * 7 + phase) % 9
    if turn in (1, 2):
        return PhaseStanding(total, total, 0, due, "done")
    if turn in (3, 4):
        return PhaseStanding(total, total // 2, 0, due, "green")
    if turn == 5:
        return PhaseStanding(total, total // 3, 1, due, "yellow")
    return PhaseStanding(total, 0, total, due, "red")


def synthetic_facts(organisations: int, phases: int) -> WeeklyFacts:
    codes = [f"p{n:02d}" for n in range(phases)]
    names = tuple((code, PHASE_NAMES[n % len(PHASE_NAMES)] + ("" if n < len(PHASE_NAMES) else str(n)))
                  for n, code in enumerate(codes))
    rows = []
    for org in range(organisations):
        standings = {code: _standing(org, n) for n, code in enumerate(codes)}
        if org < len(DISTRICTS):
            code, name = DISTRICTS[org]
            rows.append(WeeklyRow("district", code, name, standings, published="v1" if org % 3 == 0 else "",
                                  note="" if org % 3 == 0 else "区县清单尚在审核"))
        else:
            rows.append(WeeklyRow("department", f"d{org:04d}", f"沈阳市第{org}局", standings,
                                  note="=转办督查" if org % 97 == 0 else ""))
    return WeeklyFacts(AS_OF, "沈阳市简化优化公共服务流程工作进展通报", names, tuple(rows))


def openpyxl_weekly_report(path: Path, facts: WeeklyFacts) -> Path:
    """The same workbook written with openpyxl, its styles made once and shared by the cells."""
    grid = weekly_grid(facts)
    columns = grid.columns
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    side = Side(style="thin")
    border = Border(left=side, right=side, top=side, bottom=side)
    plain, bold = Font(name=FONT, size=11), Font(name=FONT, size=11, bold=True)
    centre = Alignment(horizontal="center", vertical="center")
    left = Alignment(vertical="center")
    wrapped = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_fill, heading_fill = PatternFill("solid", fgColor=HEADER_COLOUR), PatternFill("solid", fgColor="F2F2F2")
    grey = Font(name=FONT, size=11, color="808080")

    def put(row: int, col: int, value: object, font: Font = plain, alignment: Alignment | None = None,
            fill: PatternFill | None = None, boxed: bool = True, number_format: str | None = None) -> None:
        cell = set_safe(sheet.cell(row=row + 1, column=col + 1), value)
        cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        if fill is not None:
            cell.fill = fill
        if boxed:
            cell.border = border
        if number_format is not None:
            cell.number_format = number_format

    def merge(rows: tuple[int, int], cols: tuple[int, int], value: str, **style: object) -> None:
        for row in range(rows[0], rows[1] + 1):
            for col in range(cols[0], cols[1] + 1):
                put(row, col, value if (row, col) == (rows[0], cols[0]) else None, **style)
        sheet.merge_cells(start_row=rows[0] + 1, start_column=cols[0] + 1, end_row=rows[1] + 1,
                          end_column=cols[1] + 1)

    merge((TITLE_ROW, TITLE_ROW), (0, columns.last_visible), grid.title,
          font=Font(name=FONT, size=16, bold=True), alignment=centre, boxed=False)
    put(AS_OF_ROW, 0, grid.as_of, boxed=False)
    merge((LEGEND_ROW, LEGEND_ROW), (0, columns.legend - 1), LEGEND_LABEL, font=bold,
          alignment=Alignment(horizontal="right", vertical="center"), boxed=False)
    for col, (_, legend, fill, font) in enumerate(LIGHTS.values(), start=columns.legend):
        put(LEGEND_ROW, col, legend, font=Font(name=FONT, size=11, color=font), alignment=wrapped,
            fill=PatternFill("solid", fgColor=fill))
    header = {"font": bold, "alignment": wrapped, "fill": header_fill}
    for col, text in enumerate(LEADING_HEADERS):
        merge((GROUP_HEADER_ROW, PHASE_HEADER_ROW), (col, col), text, **header)
    for col, text in enumerate(TRAILING_HEADERS, start=columns.completion):
        merge((GROUP_HEADER_ROW, PHASE_HEADER_ROW), (col, col), text, **header)
    merge((GROUP_HEADER_ROW, GROUP_HEADER_ROW), (columns.first_phase, columns.last_phase), PHASES_GROUP_HEADER,
          **header)
    for col, text in enumerate(grid.phase_headers, start=columns.first_phase):
        put(PHASE_HEADER_ROW, col, text, **header)
    for col, name in enumerate(grid.phase_names, start=columns.first_light):
        put(PHASE_HEADER_ROW, col, f"{name}灯号（底色规则用）", font=grey, boxed=False)

    for row, line in enumerate(grid.lines, start=FIRST_DATA_ROW):
        if line.heading:
            merge((row, row), (0, columns.last_visible), line.heading, font=bold, alignment=left, fill=heading_fill)
            continue
        put(row, 0, line.number, alignment=centre)
        put(row, 1, line.name, alignment=left)
        put(row, 2, line.code, alignment=centre)
        for col, text in enumerate(line.cells, start=columns.first_phase):
            put(row, col, text, alignment=centre)
        if line.completion is None:
            put(row, columns.completion, NOT_APPLICABLE, alignment=centre)
        else:
            put(row, columns.completion, line.completion, alignment=centre, number_format="0.0%")
        put(row, columns.published, line.published, alignment=centre)
        put(row, columns.note, line.note, alignment=left)
        for col, word in enumerate(line.lights, start=columns.first_light):
            put(row, col, word, font=grey, boxed=False)

    block = (f"{get_column_letter(columns.first_phase + 1)}{FIRST_DATA_ROW + 1}:"
             f"{get_column_letter(columns.last_phase + 1)}{grid.last_row + 1}")
    for light, (_, _, fill, font) in LIGHTS.items():
        style = DifferentialStyle(font=Font(color=font), fill=PatternFill(bgColor=fill))
        sheet.conditional_formatting.add(block, Rule(type="expression", formula=[light_rule(grid, light)], dxf=style))

    _openpyxl_layout(sheet, grid)
    _openpyxl_chart(book, sheet, grid)
    book.save(path)
    return path


def _openpyxl_layout(sheet: Worksheet, grid: WeeklyGrid) -> None:
    columns = grid.columns
    widths = {0: 5, 1: 26, 2: 10, columns.completion: 9, columns.published: 12, columns.note: 30}
    widths |= {col: 12 for col in range(columns.first_phase, columns.last_phase + 1)}
    for col, width in widths.items():
        sheet.column_dimensions[get_column_letter(col + 1)].width = width
    for col in range(columns.first_light, columns.last_light + 1):
        sheet.column_dimensions[get_column_letter(col + 1)].hidden = True
    sheet.row_dimensions[TITLE_ROW + 1].height = 30
    sheet.row_dimensions[LEGEND_ROW + 1].height = 32
    sheet.row_dimensions[PHASE_HEADER_ROW + 1].height = 45
    sheet.freeze_panes = f"{get_column_letter(FROZEN_COLUMNS + 1)}{FIRST_DATA_ROW + 1}"
    sheet.page_setup.paperSize = 9
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = f"{GROUP_HEADER_ROW + 1}:{PHASE_HEADER_ROW + 1}"
    sheet.print_area = f"A1:{get_column_letter(columns.last_visible + 1)}{grid.last_row + 1}"
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.oddFooter.center.font = FONT


def _openpyxl_chart(book: Workbook, sheet: Worksheet, grid: WeeklyGrid) -> None:
    charts = book.create_sheet(CHART_SHEET)
    charts.page_setup.paperSize, charts.page_setup.orientation = 9, "landscape"
    if grid.districts is None:
        return
    first, last = grid.districts
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"各区、县（市）完成率（{grid.as_of}）"
    chart.add_data(Reference(sheet, min_col=grid.columns.completion + 1, min_row=first + 1, max_row=last + 1))
    chart.set_categories(Reference(sheet, min_col=2, min_row=first + 1, max_row=last + 1))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.y_axis.number_format = "0%"
    chart.legend = None
    chart.width, chart.height = 25, max(9.5, 1.06 * (last - first + 1) + 3.2)
    charts.add_chart(chart, "A1")


def _median_seconds(write: Callable[[Path, WeeklyFacts], Path], facts: WeeklyFacts, folder: Path,
                    runs: int) -> tuple[float, Path]:
    times = []
    for run in range(runs):
        path = folder / f"{write.__name__}-{run}.xlsx"
        started = time.perf_counter()
        write(path, facts)
        times.append(time.perf_counter() - started)
    return statistics.median(times), path


def _values(path: Path) -> list[tuple[object, ...]]:
    book = load_workbook(path, read_only=True)
    try:
        # openpyxl reads an empty string back as None, xlsxwriter's as "": the same blank cell.
        return [tuple(None if v == "" else v for v in row) for row in book[SHEET].iter_rows(values_only=True)]
    finally:
        book.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--phases", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    facts = synthetic_facts(args.organisations, args.phases)
    with tempfile.TemporaryDirectory(prefix="reform-bench-weekly-") as tmp:
        folder = Path(tmp)
        ours, ours_file = _median_seconds(write_weekly_report, facts, folder, args.runs)
        baseline, baseline_file = _median_seconds(openpyxl_weekly_report, facts, folder, args.runs)
        ours_kb, baseline_kb = ours_file.stat().st_size / 1024, baseline_file.stat().st_size / 1024
        same = _values(ours_file) == _values(baseline_file)
    cells = args.organisations * args.phases
    print(f"进展通报: {args.organisations} organisations × {args.phases} phases ({cells:,} phase cells), "
          f"median of {args.runs} runs each")
    print(f"xlsxwriter (write_weekly_report): {ours:.2f} s, {ours_kb:,.0f} KB")
    print(f"openpyxl baseline, same cells:    {baseline:.2f} s, {baseline_kb:,.0f} KB")
    print(f"openpyxl / xlsxwriter: {baseline / ours:.1f}× the time, {baseline_kb / ours_kb:.2f}× the size; "
          f"the two files' cells are {'the same' if same else 'DIFFERENT'}")
    missed = [what for what, over in (("time", ours > TARGET_SECONDS), ("faster than openpyxl", ours >= baseline),
                                      ("same cells", not same)) if over]
    print(f"target: ≤ {TARGET_SECONDS:.0f} s and faster than openpyxl; "
          + ("targets missed: " + ", ".join(missed) if missed else "all targets met"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
