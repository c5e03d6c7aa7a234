"""The weekly 进展通报 for 市政府: the cells a reader sees, the traffic lights as conditional formats that
colour the right cells, the districts' completion chart, the print setup, and a name that looks like a
formula kept as text."""
from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from workbooks.weekly_report import PhaseStanding, WeeklyFacts, WeeklyRow, write_weekly_report

AS_OF = date(2016, 12, 5)
PLANS_DUE, PUBLICATION_DUE = date(2016, 12, 31), date(2017, 3, 31)
INVENTORY_DUE, GUIDES_DUE = date(2016, 8, 1), date(2016, 11, 21)
PHASES = (("inventory", "清理自查"), ("guides", "编制办事指南"), ("district_plans", "区县工作方案"),
          ("district_publication", "区县公布"))
FORMULA_NAME = "=HYPERLINK(\"http://x\",\"点击\")市测试局"
ROWS = (
    WeeklyRow("district", "210102", "和平区", {
        "district_plans": PhaseStanding(1, 1, 0, PLANS_DUE, "done"),
        "district_publication": PhaseStanding(2, 0, 0, PUBLICATION_DUE, "green")}, published="v1"),
    WeeklyRow("district", "210103", "沈河区", {
        "district_plans": PhaseStanding(1, 0, 0, PLANS_DUE, "yellow"),
        "district_publication": PhaseStanding(2, 0, 0, PUBLICATION_DUE, "green")}, note="工作方案未报送"),
    WeeklyRow("district", "210104", "大东区", {"district_plans": PhaseStanding(1, 0, 1, PLANS_DUE, "red")}),
    WeeklyRow("department", "jyj", "市教育局", {
        "inventory": PhaseStanding(1, 1, 0, INVENTORY_DUE, "done"),
        "guides": PhaseStanding(5, 3, 2, GUIDES_DUE, "red")}),
    WeeklyRow("department", "csj", FORMULA_NAME, {
        "inventory": PhaseStanding(1, 1, 0, INVENTORY_DUE, "done"),
        "guides": PhaseStanding(4, 2, 0, GUIDES_DUE, "yellow")}),
)
FACTS = WeeklyFacts(AS_OF, "沈阳市简化优化公共服务流程工作进展通报", PHASES, ROWS)
GREEN, YELLOW, RED = "C6EFCE", "FFEB9C", "FFC7CE"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("weekly") / "进展通报.xlsx"
    assert write_weekly_report(path, FACTS) == path
    return path


@pytest.fixture(scope="module")
def sheet(report: Path):
    return load_workbook(report)["进展通报"]


def values(sheet, row: int) -> tuple:
    return tuple(c.value for c in sheet[row][:10])


def test_title_date_legend_and_headers(sheet):
    assert sheet.parent.sheetnames == ["进展通报", "图表"]
    assert sheet["A1"].value == "沈阳市简化优化公共服务流程工作进展通报"
    assert "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "截至2016年12月5日"
    legend = {c.value: c.fill.fgColor.rgb[-6:] for c in sheet[3][3:8]}
    assert legend == {"完成": GREEN, "绿灯：按期推进": "EEF7EA", "黄灯：临近期限或黄牌": YELLOW,
                      "红灯：逾期（红牌、督查）": RED, "—：不适用": "F2F2F2"}
    assert values(sheet, 4) == ("序号", "单位", "代码", "各阶段进展（已完成/应完成）", None, None, None,
                                "完成率", "清单公布", "备注")
    # Each phase with its deadline, when every organisation in it has the same one.
    assert values(sheet, 5)[3:7] == ("清理自查\n（8月1日前）", "编制办事指南\n（11月21日前）",
                                     "区县工作方案\n（12月31日前）", "区县公布\n（2017年3月31日前）")
    assert {"D4:G4", "A4:A5", "H4:H5"} <= {str(r) for r in sheet.merged_cells.ranges}


def test_one_row_per_organisation_districts_first(sheet):
    assert values(sheet, 6)[0] == "区、县（市）"
    assert values(sheet, 7) == (1, "和平区", "210102", "—", "—", "完成", "0/2", pytest.approx(1 / 3), "已公布（v1）", "")
    assert values(sheet, 8) == (2, "沈河区", "210103", "—", "—", "0/1", "0/2", 0, "未公布", "工作方案未报送")
    assert values(sheet, 9) == (3, "大东区", "210104", "—", "—", "0/1 逾期1", "—", 0, "未公布", "")
    assert values(sheet, 10)[0] == "市直部门"
    assert values(sheet, 11)[:8] == (1, "市教育局", "jyj", "完成", "3/5 逾期2", "—", "—", pytest.approx(4 / 6))
    assert values(sheet, 12)[1:8] == (FORMULA_NAME, "csj", "完成", "2/4", "—", "—", pytest.approx(3 / 5))
    assert sheet["H7"].number_format == "0.0%"
    assert sheet.max_row == 12


def test_a_name_that_looks_like_a_formula_stays_text(report: Path, sheet):
    cell = sheet["B12"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA_NAME, "s", True)
    with zipfile.ZipFile(report) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in package.read(name) and b"<f " not in package.read(name), name
        assert "HYPERLINK" in package.read("xl/sharedStrings.xml").decode()


def colour_of(sheet, cell: str) -> str | None:
    """The fill the sheet's conditional formats give a cell, evaluated as Excel does: each rule's
    formula is relative to the top-left cell of its range."""
    column, row = column_index_from_string(re.match(r"[A-Z]+", cell)[0]), int(re.search(r"\d+", cell)[0])
    for formatting in sheet.conditional_formatting:
        for cells in formatting.sqref.ranges:
            if not (cells.min_col <= column <= cells.max_col and cells.min_row <= row <= cells.max_row):
                continue
            top, left = min(r.min_row for r in formatting.sqref.ranges), min(r.min_col for r in formatting.sqref.ranges)
            for rule in formatting.rules:
                assert rule.type == "expression"
                ref, word = re.fullmatch(r'([A-Z]+\d+)="(.+)"', rule.formula[0]).groups()
                ref_col = column_index_from_string(re.match(r"[A-Z]+", ref)[0])
                ref_row = int(re.search(r"\d+", ref)[0])
                tested = sheet.cell(row=ref_row + row - top, column=ref_col + column - left).value
                if tested == word:
                    return rule.dxf.fill.bgColor.rgb[-6:]
    return None


def test_traffic_lights_are_conditional_formats_over_the_phase_cells(sheet):
    (formatting,) = list(sheet.conditional_formatting)
    assert str(formatting.sqref) == "D6:G12"
    assert {GREEN, YELLOW, RED} <= {rule.dxf.fill.bgColor.rgb[-6:] for rule in formatting.rules}
    # The cells have no fill of their own: the colour is the rules'.
    assert all(sheet[f"{col}{row}"].fill.fill_type is None for col in "DEFG" for row in range(7, 13))
    assert colour_of(sheet, "F7") == GREEN  # 和平区's plan is in
    assert colour_of(sheet, "G7") == "EEF7EA"  # its publication on track
    assert colour_of(sheet, "F8") == YELLOW
    assert colour_of(sheet, "F9") == RED
    assert colour_of(sheet, "D11") == GREEN and colour_of(sheet, "E11") == RED
    assert colour_of(sheet, "E12") == YELLOW
    assert colour_of(sheet, "D7") == "F2F2F2"  # a district owes no inventory
    assert colour_of(sheet, "D6") is None  # the section heading is not a light
    # The words the rules test are in hidden columns, out of the print.
    lights = sheet.column_dimensions["K"]
    assert (lights.min, lights.max, lights.hidden) == (11, 14, True)


def test_frozen_headers_and_a4_landscape_print(report: Path, sheet):
    assert sheet.freeze_panes == "C6"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$4:$5"
    assert sheet.print_area == "'进展通报'!$A$1:$J$12"  # the light words' columns are not printed
    with zipfile.ZipFile(report) as package:
        setup = ElementTree.fromstring(package.read("xl/worksheets/sheet1.xml")).find(f"{MAIN}pageSetup")
        styles = package.read("xl/styles.xml").decode()
    # One page wide (1 is the default width, so it is not written), as many pages tall as it takes.
    assert setup.get("fitToWidth", "1") == "1" and setup.get("fitToHeight") == "0"
    assert set(re.findall(r'<name val="([^"]+)"/>', styles)) == {"宋体"}
    assert sheet["B7"].font.name == "宋体"


def test_a_bar_chart_of_each_districts_completion(report: Path, sheet):
    with zipfile.ZipFile(report) as package:
        assert "xl/charts/chart1.xml" in package.namelist()
        chart = ElementTree.fromstring(package.read("xl/charts/chart1.xml"))
        rels = package.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
    assert chart.find(f".//{CHART}barChart/{CHART}barDir").get("val") == "bar"
    (series,) = chart.findall(f".//{CHART}ser")
    values_ref = series.find(f"{CHART}val/{CHART}numRef/{CHART}f").text
    categories_ref = series.find(f"{CHART}cat/{CHART}strRef/{CHART}f").text
    assert values_ref == "'进展通报'!$H$7:$H$9"
    assert categories_ref == "'进展通报'!$B$7:$B$9"
    column = values_ref.split("!$")[1].split("$")[0]
    assert sheet[f"{column}4"].value == "完成率"
    assert [sheet[f"B{row}"].value for row in range(7, 10)] == ["和平区", "沈河区", "大东区"]
    assert "drawing" in rels  # on the 图表 sheet


def test_facts_built_wrongly_are_named_at_once(tmp_path: Path):
    wrong = WeeklyRow("county", "210123", "康平县", {
        "district_plans": PhaseStanding(1, 0, 0, PLANS_DUE, "blue"), "audit": PhaseStanding(1, 0, 0, None, "red")})
    with pytest.raises(ValueError) as raised:
        write_weekly_report(tmp_path / "x.xlsx", WeeklyFacts(AS_OF, "通报", PHASES, (wrong,)))
    message = str(raised.value)
    assert "county" in message and "blue" in message and "audit" in message
    assert not (tmp_path / "x.xlsx").exists()


def test_departments_alone_have_no_chart(tmp_path: Path):
    facts = WeeklyFacts(AS_OF, "通报", PHASES, ROWS[3:])
    path = write_weekly_report(tmp_path / "部门.xlsx", facts)
    with zipfile.ZipFile(path) as package:
        assert not any(name.startswith("xl/charts/") for name in package.namelist())
    book = load_workbook(path)
    assert book["进展通报"]["A6"].value == "市直部门"
    assert book["图表"]["A1"].value == "本期通报没有区、县（市）"


def test_one_phase_still_shows_the_whole_legend_in_print(tmp_path: Path):
    rows = tuple(replace(r, phases={"district_plans": r.phases["district_plans"]}) for r in ROWS[:3])
    facts = WeeklyFacts(AS_OF, "通报", PHASES[2:3], rows)
    sheet = load_workbook(write_weekly_report(tmp_path / "一个阶段.xlsx", facts))["进展通报"]
    assert sheet.print_area == "'进展通报'!$A$1:$G$9"
    assert [c.value for c in sheet[3][2:7]] == ["完成", "绿灯：按期推进", "黄灯：临近期限或黄牌", "红灯：逾期（红牌、督查）",
                                              "—：不适用"]
    assert values(sheet, 7)[:7] == (1, "和平区", "210102", "完成", pytest.approx(1.0), "已公布（v1）", "")
