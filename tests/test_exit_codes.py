"""The exit codes: 0 done, 1 a rejected submission, 2 what the user can fix, 3 our own failure.

Our own failure is here a registry whose table was dropped behind its back: no user input causes
it, and the command must say so in one line, keep the traceback in the log and never call it a
rejection.
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reform.app import app

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch, seeded_templates) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(seeded_templates("sqlite").split("///", 1)[1], home / "reform.db")
    monkeypatch.setenv("REFORM_HOME", str(home))
    monkeypatch.delenv("REFORM_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return home


def drop_table(home: Path, table: str) -> None:
    with sqlite3.connect(home / "reform.db") as db:
        db.execute(f"DROP TABLE {table}")


def internal_error_line(result, home: Path) -> str:
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    log = home / "logs" / "internal-errors.log"
    assert lines[0].startswith("内部错误：") and lines[0].endswith(f"（详情已写入 {log.resolve()}）")
    return lines[0]


def test_an_internal_failure_is_one_line_and_exit_3_with_the_traceback_in_the_log(home):
    drop_table(home, "tasks")
    line = internal_error_line(runner.invoke(app, ["status", "--as-of", "2016-07-20"]), home)
    assert "no such table: tasks" in line
    log = (home / "logs" / "internal-errors.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "no such table: tasks" in log


def test_a_second_failure_is_appended_to_the_same_log(home):
    drop_table(home, "tasks")
    for _ in range(2):
        runner.invoke(app, ["status", "--as-of", "2016-07-20"])
    log = (home / "logs" / "internal-errors.log").read_text(encoding="utf-8")
    assert log.count("reform status --as-of 2016-07-20\n") == 2


def test_submit_reports_an_internal_failure_as_3_never_as_a_rejection(home, tmp_path):
    drop_table(home, "submissions")
    workbook = tmp_path / "教育局.xlsx"
    workbook.write_bytes(b"not a workbook")
    result = runner.invoke(app, ["submit", str(workbook), "--org", "jyj"])
    internal_error_line(result, home)
    assert "未通过" not in result.output


def test_submit_rejects_a_bad_workbook_with_1(home, tmp_path):
    workbook = tmp_path / "教育局.xlsx"
    workbook.write_bytes(b"not a workbook")
    result = runner.invoke(app, ["submit", str(workbook), "--org", "jyj"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output


def test_a_user_error_is_2_and_a_finished_command_0(home):
    assert runner.invoke(app, ["explain", "999999"]).exit_code == 2
    assert runner.invoke(app, ["calendar", "show", "2016"]).exit_code == 0


def test_settings_of_the_wrong_kind_are_a_user_error_naming_every_variable(home, monkeypatch):
    monkeypatch.setenv("REFORM_SMTP_PORT", "abc")
    monkeypatch.setenv("REFORM_INTAKE_MAILBOX", "pop3")
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == ("错误：设置有误（环境变量或 .env 文件）：REFORM_SMTP_PORT='abc' 应为整数；"
                                     "REFORM_INTAKE_MAILBOX='pop3' 应为 'imap' 或 'maildir'")
