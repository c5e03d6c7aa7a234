"""A coordinator's first day: every mistake on a fresh machine is one Chinese line and exit 2, nothing left behind."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reform.app import app
from registry.db import engine_for
from tests.conftest import PG_ADMIN_URL, postgres_database

runner = CliRunner()

NOT_INITIALISED = "错误：登记库尚未初始化，请先运行 reform init"

# Every command that reads or writes the registry, as a coordinator might type it on the first day.
BEFORE_INIT = [
    ("status",),
    ("status", "--format", "json"),
    ("calendar", "show", "2016"),
    ("directory", "export", "directory.yaml"),
    ("template", "inventory", "--org", "jyj", "--out", "t.xlsx"),
    ("submit", "t.xlsx", "--org", "jyj"),
    ("kickoff", "inventory"),
    ("kickoff", "nosuchphase"),
    ("intake", "--once"),
    ("review", "status"),
    ("review", "decide", "1", "1", "--opinion", "保留"),
    ("review", "recheck", "1"),
    ("review", "route"),
    ("review", "merge"),
    ("approve", "--date", "2016-10-28", "--meeting", "会议", "--document", "文号"),
    ("approve", "--date", "2016-10-28", "--meeting", "会议", "--document", "文号", "--force", "--reason", "会议已定"),
    ("adjust", "--date", "2017-03-01", "--reason", "法规修订"),
    ("sweep", "--as-of", "2016-07-20"),
    ("explain", "1"),
    ("obligation", "show", "1"),
    ("obligation", "waive", "1", "--reason", "单位撤并"),
    ("obligation", "reopen", "1", "--reason", "重新报送"),
    ("complaint", "add", "窗口办事要跑好几趟"),
    ("serve",),
    ("intake",),
]


def reform(*args: str):
    return runner.invoke(app, list(args))


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch) -> Path:
    """A machine where nothing has run yet: the default SQLite registry under an empty REFORM_HOME."""
    home = tmp_path / "home"
    monkeypatch.setenv("REFORM_HOME", str(home))
    monkeypatch.delenv("REFORM_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return home


def database_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and (p.suffix in (".db", ".sqlite") or "-wal" in p.name)]


@pytest.mark.parametrize("command", BEFORE_INIT, ids=" ".join)
def test_a_command_before_init_says_so_and_creates_no_database(fresh_home, tmp_path, command):
    (tmp_path / "t.xlsx").write_bytes(b"a workbook that came some other way")
    assert one_line_error(reform(*command)) == NOT_INITIALISED
    assert database_files(tmp_path) == []


def test_init_still_works_on_an_empty_home_and_then_status_does(fresh_home):
    assert reform("status").exit_code == 2
    assert reform("init").exit_code == 0
    assert (fresh_home / "reform.db").is_file()
    assert reform("status", "--as-of", "2016-07-20").exit_code == 0


def test_help_works_on_an_empty_home(fresh_home, tmp_path):
    assert reform("--help").exit_code == 0
    assert database_files(tmp_path) == []


def test_a_postgresql_database_that_does_not_exist(monkeypatch, fresh_home):
    admin = PG_ADMIN_URL.rsplit("/", 1)[0]
    monkeypatch.setenv("REFORM_DATABASE_URL", f"{admin}/reform_first_day_no_such_database")
    for command in (("status",), ("init",)):
        line = one_line_error(reform(*command))
        if "无法连接" in line:
            if os.environ.get("REFORM_REQUIRE_POSTGRES") == "1":
                pytest.fail(line)
            pytest.skip("PostgreSQL unreachable")
        assert line.startswith("错误：数据库不存在：reform_first_day_no_such_database"), line


def test_an_empty_postgresql_database_is_not_initialised(monkeypatch, fresh_home):
    url, drop = postgres_database()
    try:
        monkeypatch.setenv("REFORM_DATABASE_URL", url)
        assert one_line_error(reform("status")) == NOT_INITIALISED
        assert reform("init").exit_code == 0
        assert reform("status", "--as-of", "2016-07-20").exit_code == 0
    finally:
        engine_for(url).dispose()
        drop()


def test_submit_of_a_missing_file(initialised_home, tmp_path):
    missing = tmp_path / "教育局.xlsx"
    assert one_line_error(reform("submit", str(missing), "--org", "jyj")) == f"错误：文件不存在：{missing}"


def test_an_unreachable_database_server(monkeypatch, fresh_home):
    # Port 9 (discard) is closed on any test machine: the connection is refused at once.
    monkeypatch.setenv("REFORM_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:9/reform")
    for command in (("status",), ("init",), ("kickoff", "inventory")):
        line = one_line_error(reform(*command))
        assert line.startswith("错误：无法连接数据库服务器：127.0.0.1:9"), line


def test_a_file_of_random_bytes_is_reported_damaged_before_anything_is_written(fresh_home):
    fresh_home.mkdir()
    registry = fresh_home / "reform.db"
    garbage = os.urandom(64 * 1024)
    registry.write_bytes(garbage)
    for command in (("status",), ("init",), ("sweep", "--as-of", "2016-07-20")):
        assert one_line_error(reform(*command)) == f"错误：数据库文件已损坏：{registry}，请从备份恢复"
    assert registry.read_bytes() == garbage


def test_a_truncated_registry_is_reported_damaged(fresh_home, seeded_templates):
    fresh_home.mkdir()
    registry = fresh_home / "reform.db"
    shutil.copyfile(seeded_templates("sqlite").split("///", 1)[1], registry)
    content = registry.read_bytes()
    registry.write_bytes(content[: len(content) // 2])
    assert one_line_error(reform("status")) == f"错误：数据库文件已损坏：{registry}，请从备份恢复"
    assert registry.stat().st_size == len(content) // 2


@pytest.fixture
def initialised_home(fresh_home) -> Path:
    assert reform("init").exit_code == 0
    return fresh_home


def test_calendar_import_of_a_missing_file(initialised_home, tmp_path):
    missing = tmp_path / "2027.yaml"
    assert one_line_error(reform("calendar", "import", str(missing))) == f"错误：文件不存在：{missing}"


def test_template_into_a_folder_that_does_not_exist(initialised_home, tmp_path):
    out = tmp_path / "没有这个目录" / "教育局.xlsx"
    line = one_line_error(reform("template", "inventory", "--org", "jyj", "--out", str(out)))
    assert line == f"错误：目录不存在：{out.parent}"


def test_approve_into_a_folder_that_does_not_exist_refuses_before_approving(initialised_home, tmp_path):
    out = tmp_path / "没有这个目录" / "清单.xlsx"
    approval = ("approve", "--date", "2016-10-28", "--meeting", "市政府第 62 次常务会议", "--document", "沈政办发〔2016〕88号")
    assert one_line_error(reform(*approval, "--out", str(out))) == f"错误：目录不存在：{out.parent}"
    # Nothing was committed: the same approval again meets the gate (no list yet), not a recorded approval.
    assert one_line_error(reform(*approval)).startswith("错误：还没有任何部门报送清单")


def test_kickoff_of_an_unknown_phase_lists_the_phases(initialised_home):
    line = one_line_error(reform("kickoff", "nosuchphase"))
    assert line.startswith("错误：没有阶段 'nosuchphase'，可用的阶段代码：inventory"), line
