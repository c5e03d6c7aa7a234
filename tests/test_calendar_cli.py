"""`reform calendar show` lists every day of each holiday; `import` warns about a notice that looks incomplete."""
from __future__ import annotations

import re
from datetime import date

from typer.testing import CliRunner

from reform.app import app
from registry.calendar import service as calendar
from registry.calendar.store import shipped_years
from rules.calendar import CalendarYear, import_warnings, year_at_a_glance

runner = CliRunner()

FULL_2027 = """year: 2027
source: 国务院办公厅关于2027年部分节假日安排的通知（测试用）
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {date: 2027-02-08, name: 春节}
  - {date: 2027-02-09, name: 春节}
  - {date: 2027-02-10, name: 春节}
  - {date: 2027-02-11, name: 春节}
  - {date: 2027-02-12, name: 春节}
  - {date: 2027-04-05, name: 清明节}
  - {date: 2027-05-03, name: 劳动节}
  - {date: 2027-05-04, name: 劳动节}
  - {date: 2027-05-05, name: 劳动节}
  - {date: 2027-06-09, name: 端午节}
  - {date: 2027-09-15, name: 中秋节}
  - {date: 2027-10-01, name: 国庆节}
  - {date: 2027-10-04, name: 国庆节}
  - {date: 2027-10-05, name: 国庆节}
  - {date: 2027-10-06, name: 国庆节}
  - {date: 2027-10-07, name: 国庆节}
  - {date: 2027-10-08, name: 国庆节}
workdays:
  - {date: 2027-09-26, name: 国庆节调休}
"""


def reform(*args: str):
    return runner.invoke(app, list(args))


def rows(output: str) -> dict[str, tuple[str, str]]:
    """date -> (安排, 名称) from the table."""
    found = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) >= 5 and re.fullmatch(r"\d{4}-\d\d-\d\d", cells[1]):
            found[cells[1]] = (cells[3], cells[4])
    return found


def test_national_day_2016_shows_all_seven_days_weekend_included(initialised):
    result = reform("calendar", "show", "2016")
    assert result.exit_code == 0
    shown = rows(result.stdout)
    for day in range(1, 8):
        assert shown[f"2016-10-0{day}"] == ("放假", "国庆节")
    assert shown["2016-10-09"] == ("调休上班", "国庆节调休")
    assert shown["2016-04-02"] == ("放假", "清明节")  # a Saturday, the first day of 清明
    assert "2016-10-15" not in shown  # a plain weekend: counted, not listed
    assert "此外周六、周日休息 87 天" in result.stdout


def test_weekend_days_a_notice_leaves_out_are_named_after_their_holiday(initialised, tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(FULL_2027, encoding="utf-8")
    assert reform("calendar", "import", str(path)).exit_code == 0
    shown = rows(reform("calendar", "show", "2027").stdout)
    # 2027-10-02/03 are a Saturday and Sunday the file does not list: inside National Day all the same.
    assert shown["2027-10-02"] == ("放假", "国庆节") and shown["2027-10-03"] == ("放假", "国庆节")
    assert shown["2027-02-06"] == ("放假", "春节")  # the weekend before 春节 runs into it


def test_a_complete_year_imports_without_warnings(initialised, tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(FULL_2027, encoding="utf-8")
    result = reform("calendar", "import", str(path))
    assert result.exit_code == 0 and result.stderr == ""


def test_a_year_with_only_new_year_warns_and_still_imports(initialised, tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text("year: 2027\nholidays:\n  - {date: 2027-01-01, name: 元旦}\nworkdays: []\n", encoding="utf-8")
    result = reform("calendar", "import", str(path))
    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    assert warnings == [
        "警告：2027 年日历缺少法定节假日：春节、清明节、劳动节、端午节、中秋节、国庆节"
        "（已照常导入，请与国务院通知核对，改正后重新导入）",
        "警告：2027 年日历只有 1 个周一至周五的放假日，少于已载入年份中最少的 16 个（2017 年）"
        "（已照常导入，请与国务院通知核对，改正后重新导入）",
    ]
    assert 2027 in calendar.working_calendar(initialised).years


def test_the_shipped_years_raise_no_holiday_warning():
    years = shipped_years()
    assert [w for y in years for w in import_warnings(y, years) if "缺少" in w] == []


def test_year_at_a_glance_counts_every_day():
    cy = CalendarYear(2027, {}, {})
    glance = year_at_a_glance(cy)
    assert glance.days == () and glance.plain_weekend_days == 104 and glance.working_days == 261


def test_a_year_replacing_itself_is_compared_with_the_other_years_only():
    weekdays = {date(2027, 3, d): "春节" for d in (1, 2, 3)}
    thin = CalendarYear(2027, {date(2027, 3, 1): "春节"}, {})
    assert [w for w in import_warnings(thin, [CalendarYear(2027, weekdays, {})]) if "只有" in w] == []
    assert [w for w in import_warnings(thin, [CalendarYear(2026, {date(2026, 3, 2): "x", date(2026, 3, 3): "x"}, {})])
            if "只有" in w] == ["2027 年日历只有 1 个周一至周五的放假日，少于已载入年份中最少的 2 个（2026 年）"]
