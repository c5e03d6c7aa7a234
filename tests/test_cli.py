"""The `reform` command as a coordinator uses it: clear one-line errors, nothing half-written."""
from __future__ import annotations

import json
from pathlib import Path

import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

from reform.app import app
from registry.calendar.tables import CalendarYearRow
from registry.db import transaction
from registry.directory.tables import Contact, Organisation

runner = CliRunner()


def reform(*args: str):
    return runner.invoke(app, list(args))


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_init_then_status_json_has_phases_tasks_and_obligations(workspace):
    assert reform("init").exit_code == 0
    result = reform("status", "--as-of", "2016-07-20", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"phases", "tasks", "obligations"} <= report.keys()
    inventory = next(p for p in report["phases"] if p["code"] == "inventory")
    assert (inventory["source_phrase"], inventory["deadline"]) == ("7月底前", "2016-08-01")
    first = report["obligations"][0]
    assert {"id", "org", "org_name", "phase", "due", "state", "standing"} <= first.keys()


def test_status_table_names_the_phases_in_chinese(initialised):
    result = reform("status", "--as-of", "2016-07-28")
    assert result.exit_code == 0
    assert "清理自查" in result.stdout and "2016-08-01" in result.stdout


def test_status_outside_the_loaded_calendar_is_refused(initialised):
    message = _one_line_error(reform("status", "--as-of", "2031-03-02"))
    assert "2031" in message and "reform calendar import" in message


def test_status_with_a_malformed_date_says_how_to_write_it(initialised):
    assert "YYYY-MM-DD" in _one_line_error(reform("status", "--as-of", "2016/7/20"))


def _exported(tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"directory{suffix}"
    assert reform("directory", "export", str(path)).exit_code == 0
    return path


def test_directory_export_then_import_changes_nothing(initialised, tmp_path):
    for suffix in (".yaml", ".xlsx"):
        result = reform("directory", "import", str(_exported(tmp_path, suffix)))
        assert result.exit_code == 0, result.output
        assert "新增 0，更新 0" in result.stdout


def test_directory_import_updates_a_contact(initialised, tmp_path):
    path = _exported(tmp_path, ".yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["organisations"][0]["contact"]["email"] = "new.contact@shenyang.example.org"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert reform("directory", "import", str(path)).exit_code == 0
    with transaction(initialised) as session:
        emails = set(session.scalars(select(Contact.email)))
    assert "new.contact@shenyang.example.org" in emails


def _directory_with(tmp_path: Path, change) -> Path:
    path = tmp_path / "bad.yaml"
    data = yaml.safe_load(Path("registry/seed/directory.yaml").read_text(encoding="utf-8"))
    data["organisations"].append({**data["organisations"][0], "code": "newdept", "name": "沈阳市新设局"})
    change(data["organisations"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _organisation_count(url: str) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(Organisation))


def test_a_malformed_email_is_refused_and_nothing_is_written(initialised, tmp_path):
    before = _organisation_count(initialised)

    def break_email(orgs):
        orgs[3]["leader"]["email"] = "wang@@shenyang"

    message = _one_line_error(reform("directory", "import", str(_directory_with(tmp_path, break_email))))
    assert "bad.yaml" in message and "第 4 条" in message and "分管领导邮箱" in message
    assert _organisation_count(initialised) == before


def test_a_duplicate_code_names_both_entries(initialised, tmp_path):
    def duplicate(orgs):
        orgs[5]["code"] = orgs[2]["code"]

    message = _one_line_error(reform("directory", "import", str(_directory_with(tmp_path, duplicate))))
    assert "第 6 条" in message and "第 3 条" in message and "代码" in message


def test_an_unknown_parent_code_is_refused(initialised, tmp_path):
    def orphan(orgs):
        orgs[-1]["parent_code"] = "nosuch"

    message = _one_line_error(reform("directory", "import", str(_directory_with(tmp_path, orphan))))
    assert "nosuch" in message and "上级代码" in message


def test_a_directory_workbook_with_missing_columns_names_them(initialised, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "组织目录"
    book.active.append(["代码", "名称", "类型"])
    book.active.append(["abc", "沈阳市某局", "部门"])
    path = tmp_path / "short.xlsx"
    book.save(path)
    message = _one_line_error(reform("directory", "import", str(path)))
    assert "short.xlsx" in message and "联系人邮箱" in message


def _calendar_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "2027.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_calendar_import_loads_a_new_year(initialised, tmp_path):
    path = _calendar_file(tmp_path, "year: 2027\nsource: 2027年节假日安排\nholidays:\n"
                                    "  - {date: 2027-01-01, name: 元旦}\nworkdays: []\n")
    assert reform("calendar", "import", str(path)).exit_code == 0
    shown = reform("calendar", "show", "2027")
    assert shown.exit_code == 0 and "元旦" in shown.stdout
    assert reform("status", "--as-of", "2027-01-04").exit_code == 0


def test_a_calendar_listing_a_date_twice_is_refused_and_nothing_is_written(initialised, tmp_path):
    path = _calendar_file(tmp_path, "year: 2027\nholidays:\n  - {date: 2027-10-01, name: 国庆节}\n"
                                    "  - {date: 2027-10-01, name: 国庆节}\n")
    message = _one_line_error(reform("calendar", "import", str(path)))
    assert "2027.yaml" in message and "2027-10-01" in message and "重复" in message
    with transaction(initialised) as session:
        assert session.get(CalendarYearRow, 2027) is None


def test_a_day_table_covering_part_of_a_year_is_refused(initialised, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("日期,是否工作日,名称\n2027-01-01,否,元旦\n2027-01-04,是,\n", encoding="utf-8")
    message = _one_line_error(reform("calendar", "import", str(path)))
    assert "2027" in message and "2027-01-02" in message


def test_calendar_show_of_an_unloaded_year_fails_loudly(initialised):
    assert "2030" in _one_line_error(reform("calendar", "show", "2030"))


def test_calendar_show_lists_the_2016_make_up_days(initialised):
    result = reform("calendar", "show", "2016")
    assert result.exit_code == 0
    for day in ("2016-06-12", "2016-09-18", "2016-10-08", "2016-10-09"):
        assert day in result.stdout


def test_kickoff_without_a_prefect_server_calls_each_department_once(initialised, smtp_server, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    first = reform("kickoff", "inventory")
    assert first.exit_code == 0, first.output
    calls = len(smtp_server.messages)
    assert calls > 40 and f"通知 {calls} 个单位；本次发出 {calls} 封" in first.output
    again = reform("kickoff", "inventory")
    assert again.exit_code == 0, again.output
    assert "本次发出 0 封" in again.output and len(smtp_server.messages) == calls


def test_review_route_and_merge_without_a_prefect_server_route_a_list_and_merge_its_opinions(
        initialised, smtp_server, monkeypatch):
    from tests.review_helpers import accepted_list, all_agencies_reply

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    submission_id = accepted_list(initialised)
    routed = reform("review", "route")
    assert routed.exit_code == 0 and "本次处理 1 份清单。" in routed.output, routed.output
    assert "本次处理 0 份清单。" in reform("review", "route").output
    all_agencies_reply(initialised, submission_id)
    merged = reform("review", "merge")
    assert merged.exit_code == 0 and "本次汇总 1 份" in merged.output, merged.output
    assert "本次汇总 0 份" in reform("review", "merge").output
