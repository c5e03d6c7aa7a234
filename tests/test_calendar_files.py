"""Reading calendar files: the shipped notice files, per-day tables, and the errors officials see."""
from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from rules.calendar import CalendarYear, WorkingCalendar
from tests.calendar_helpers import SHIPPED_DIR, d, shipped_calendar
from workbooks.calendar_files import (
    CalendarFileError,
    read_calendar_file,
    write_calendar_yaml,
)

HEADER = ["日期", "是否工作日", "名称"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _year_rows(year: int) -> list[list[str]]:
    """The shipped calendar's year as table rows, as an office export would give it."""
    cal = shipped_calendar(year)
    first = date(year, 1, 1)
    rows = []
    for k in range((date(year, 12, 31) - first).days + 1):
        day = first + timedelta(days=k)
        rows.append([day.isoformat(), "是" if cal.is_working_day(day) else "否", cal.day_name(day)])
    return rows


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


# --- the notice form -------------------------------------------------------------


def test_shipped_2016_file_reads_as_one_year() -> None:
    [year] = read_calendar_file(SHIPPED_DIR / "2016.yaml")
    assert year.year == 2016
    assert year.source == "国务院办公厅关于2016年部分节假日安排的通知"
    assert year.workdays[d("2016-10-09")] == "国庆节调休"
    assert year.holidays[d("2016-10-01")] == "国庆节"


def test_shipped_files_cover_2015_to_2026() -> None:
    assert sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml")) == [str(y) for y in range(2015, 2027)]


def test_write_then_read_gives_the_same_year(tmp_path: Path) -> None:
    [original] = read_calendar_file(SHIPPED_DIR / "2015.yaml")
    path = tmp_path / "2015.yaml"
    write_calendar_yaml(path, original)
    assert read_calendar_file(path) == [original]


def test_written_names_that_look_like_yaml_keywords_stay_text(tmp_path: Path) -> None:
    year = CalendarYear(2027, {d("2027-10-01"): "yes"}, {}, source="2027: 通知")
    write_calendar_yaml(tmp_path / "2027.yaml", year)
    assert read_calendar_file(tmp_path / "2027.yaml") == [year]


def test_yaml_list_of_years(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "years.yaml",
        "- {year: 2027, holidays: [{date: 2027-01-01, name: 元旦}]}\n"
        "- {year: 2028, workdays: [{date: 2028-01-02, name: 元旦调休}]}\n",
    )
    assert [y.year for y in read_calendar_file(path)] == [2027, 2028]


def test_name_is_optional(tmp_path: Path) -> None:
    path = _write(tmp_path / "2027.yaml", "year: 2027\nholidays:\n  - {date: 2027-10-01}\n")
    assert read_calendar_file(path)[0].holidays == {d("2027-10-01"): ""}


def test_loaded_file_extends_the_calendar(tmp_path: Path) -> None:
    path = _write(tmp_path / "2027.yaml", "year: 2027\nholidays:\n  - {date: 2027-10-01, name: 国庆节}\n")
    cal = WorkingCalendar([*read_calendar_file(path)])
    assert not cal.is_working_day(d("2027-10-01"))


def test_missing_year_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "2027.yaml", "holidays:\n  - {date: 2027-10-01, name: 国庆节}\n")
    with pytest.raises(CalendarFileError, match="日历文件 2027.yaml year：缺少年份"):
        read_calendar_file(path)


def test_date_twice_in_holidays_names_both_entries(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "2027.yaml",
        "year: 2027\nholidays:\n"
        "  - {date: 2027-10-01, name: 国庆节}\n"
        "  - {date: 2027-10-02, name: 国庆节}\n"
        "  - {date: 2027-10-01, name: 国庆节}\n",
    )
    with pytest.raises(CalendarFileError) as info:
        read_calendar_file(path)
    assert str(info.value) == (
        "日历文件 2027.yaml holidays 第 3 条 date：日期 2027-10-01 重复出现（已见于 holidays 第 1 条）"
    )


def test_date_twice_in_workdays_is_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "2027.yaml",
        "year: 2027\nworkdays:\n  - {date: 2027-09-26}\n  - {date: 2027-09-26}\n",
    )
    with pytest.raises(CalendarFileError, match="workdays 第 2 条 date：日期 2027-09-26 重复出现"):
        read_calendar_file(path)


def test_date_in_both_holidays_and_workdays_is_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "2027.yaml",
        "year: 2027\nholidays:\n  - {date: 2027-10-09}\nworkdays:\n  - {date: 2027-10-09}\n",
    )
    with pytest.raises(CalendarFileError, match="workdays 第 1 条 date：.*已见于 holidays 第 1 条"):
        read_calendar_file(path)


def test_date_outside_the_declared_year_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "2027.yaml", "year: 2027\nholidays:\n  - {date: 2028-01-01, name: 元旦}\n")
    with pytest.raises(CalendarFileError, match="holidays 第 1 条 date：日期 2028-01-01 不在 2027 年内"):
        read_calendar_file(path)


def test_malformed_date_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "2027.yaml", "year: 2027\nholidays:\n  - {date: 2027-13-01, name: 国庆节}\n")
    with pytest.raises(CalendarFileError, match="holidays 第 1 条 date：日期 2027-13-01 无法识别"):
        read_calendar_file(path)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "2027.yaml",
        "year: 2027\nholidays:\n  - {date: 2027-02-30}\n  - {date: 2026-12-31}\n",
    )
    with pytest.raises(CalendarFileError) as info:
        read_calendar_file(path)
    assert len(info.value.problems) == 2
    assert "\n" not in str(info.value)


def test_invalid_yaml_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "2027.yaml", "year: 2027\nholidays: [\n")
    with pytest.raises(CalendarFileError, match="不是有效的 YAML"):
        read_calendar_file(path)


def test_unsupported_file_type_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError, match="不支持的文件类型 .txt"):
        read_calendar_file(_write(tmp_path / "2027.txt", "2027"))


# --- per-day tables --------------------------------------------------------------


def test_full_year_csv_matches_the_shipped_year(tmp_path: Path) -> None:
    [year] = read_calendar_file(_write_csv(tmp_path / "2016.csv", _year_rows(2016)))
    cal, shipped = WorkingCalendar([year]), shipped_calendar(2016)
    days = [date(2016, 1, 1) + timedelta(days=k) for k in range(366)]
    assert all(cal.is_working_day(day) == shipped.is_working_day(day) for day in days)
    assert year.workdays[d("2016-10-09")] == "国庆节调休"


def test_csv_saved_by_chinese_excel_in_gb18030_is_read(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "2016.csv", _year_rows(2016), encoding="gb18030")
    assert read_calendar_file(path)[0].holidays[d("2016-10-03")] == "国庆节"


def test_table_without_name_column_is_read(tmp_path: Path) -> None:
    path = tmp_path / "2016.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER[:2], *[row[:2] for row in _year_rows(2016)]])
    assert d("2016-10-09") in read_calendar_file(path)[0].workdays


def test_full_year_xlsx_is_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for iso, flag, name in _year_rows(2017):
        ws.append([date.fromisoformat(iso), flag, name])  # real date cells, as Excel stores them
    wb.save(tmp_path / "2017.xlsx")
    [year] = read_calendar_file(tmp_path / "2017.xlsx")
    assert year.workdays[d("2017-01-22")] == "春节调休"


def test_two_years_in_one_table_give_two_years(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "both.csv", _year_rows(2016) + _year_rows(2017))
    assert [y.year for y in read_calendar_file(path)] == [2016, 2017]


def test_partial_year_table_names_year_and_first_missing_date(tmp_path: Path) -> None:
    rows = [r for r in _year_rows(2016) if not r[0].startswith("2016-03")]
    with pytest.raises(CalendarFileError) as info:
        read_calendar_file(_write_csv(tmp_path / "2016.csv", rows))
    assert str(info.value).startswith("日历文件 2016.csv 日期：2016 年不完整，缺少 2016-03-01 等 31 天")


def test_date_twice_in_table_names_both_rows(tmp_path: Path) -> None:
    rows = _year_rows(2016)
    rows.insert(10, rows[0])  # 2016-01-01 again, as spreadsheet row 12 (header is row 1)
    with pytest.raises(CalendarFileError) as info:
        read_calendar_file(_write_csv(tmp_path / "2016.csv", rows))
    assert str(info.value) == "日历文件 2016.csv 第 12 行 日期：日期 2016-01-01 与第 2 行重复"


def test_bad_working_flag_names_row_and_column(tmp_path: Path) -> None:
    rows = _year_rows(2016)
    rows[3][1] = "可能"
    with pytest.raises(CalendarFileError) as info:
        read_calendar_file(_write_csv(tmp_path / "2016.csv", rows))
    assert str(info.value) == "日历文件 2016.csv 第 5 行 是否工作日：值 “可能” 无法识别，应为“是”或“否”"


def test_bad_date_in_table_names_row_and_column(tmp_path: Path) -> None:
    rows = _year_rows(2016)
    rows.append(["2016-02-30", "是", ""])
    with pytest.raises(CalendarFileError, match="第 368 行 日期：日期 “2016-02-30” 无法识别"):
        read_calendar_file(_write_csv(tmp_path / "2016.csv", rows))


def test_missing_working_column_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "2016.csv"
    path.write_text("日期,名称\n2016-01-01,元旦\n", encoding="utf-8")
    with pytest.raises(CalendarFileError, match="第 1 行 是否工作日：缺少此列"):
        read_calendar_file(path)


def test_table_problems_carry_file_row_and_column(tmp_path: Path) -> None:
    rows = _year_rows(2016)
    rows[3][1] = "可能"
    with pytest.raises(CalendarFileError) as info:
        read_calendar_file(_write_csv(tmp_path / "2016.csv", rows))
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("2016.csv", 5, "是否工作日")
