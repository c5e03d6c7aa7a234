"""Every command of `reform --help`, found in the app itself, run the ways a first day goes wrong.

Before `reform init`, with paths that do not exist, and with bad arguments, each answers in Chinese,
prints no traceback and exits 2. A command added later is covered without touching this file.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from reform.app import app
from reform.usage import value_kind

runner = CliRunner()
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# The demo builds a whole campaign in its own workspace; it has its own test (tests/test_demo.py).
# `init` is the one command that works before `init`.
NOT_HERE = {("demo",), ("init",)}


def _leaves(command, path=()) -> list[tuple[tuple[str, ...], object]]:
    subs = getattr(command, "commands", None)
    if subs is None:
        return [(path, command)]
    return [leaf for name, sub in subs.items() for leaf in _leaves(sub, (*path, name))]


def _groups(command, path=()) -> list[tuple[str, ...]]:
    subs = getattr(command, "commands", None)
    if subs is None:
        return []
    return [path] * bool(path) + [g for name, sub in subs.items() for g in _groups(sub, (*path, name))]


TREE = get_command(app)
COMMANDS = [(path, command) for path, command in _leaves(TREE) if path not in NOT_HERE]
IDS = [" ".join(path) for path, _ in COMMANDS]


def _is_path(param) -> bool:
    annotation = param.type_descriptor.annotation
    return isinstance(annotation, type) and issubclass(annotation, Path)


def _value(param, workbook: Path) -> str:
    """A plausible value of the parameter's kind: an existing file, a number, a date-like text."""
    if _is_path(param):
        return str(workbook)
    kind = value_kind(param)
    if "|" in kind:
        return kind.split("|")[0]
    return "1" if kind == "整数" else "2016-07-20"


def _required_args(command, workbook: Path, missing: Path | None = None) -> list[str]:
    """Every required parameter filled; with ``missing``, every path parameter points there."""
    args: list[str] = []
    for param in command.params:
        wanted = param.required or (missing is not None and _is_path(param))
        if not wanted or param.name == "help":
            continue
        value = str(missing) if missing is not None and _is_path(param) else _value(param, workbook)
        args += [value] if param.param_type_name == "argument" else [param.opts[0], value]
    return args


def _answers_in_chinese_with_exit_2(result) -> str:
    output = result.output + result.stderr
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, output
    assert CHINESE.search(result.stderr), output
    return result.stderr


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("REFORM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REFORM_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    workbook = tmp_path / "t.xlsx"
    workbook.write_bytes(b"a file that came some other way")
    return workbook


@pytest.fixture
def initialised_home(fresh_home: Path, seeded_templates, monkeypatch) -> Path:
    home = fresh_home.parent / "home"
    home.mkdir()
    shutil.copyfile(seeded_templates("sqlite").split("///", 1)[1], home / "reform.db")
    return fresh_home


def test_the_app_has_the_commands_of_the_readme():
    assert {("status",), ("calendar", "show"), ("complaint", "add"), ("submit",)} <= {p for p, _ in COMMANDS}


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_before_init(fresh_home, path, command):
    result = runner.invoke(app, [*path, *_required_args(command, fresh_home)])
    _answers_in_chinese_with_exit_2(result)
    assert not (fresh_home.parent / "home" / "reform.db").exists()


PATH_COMMANDS = [(p, c) for p, c in COMMANDS if any(_is_path(param) for param in c.params)]


@pytest.mark.parametrize(("path", "command"), PATH_COMMANDS, ids=[" ".join(p) for p, _ in PATH_COMMANDS])
def test_with_paths_that_do_not_exist(initialised_home, path, command):
    missing = initialised_home.parent / "nosuch" / "missing.xlsx"
    result = runner.invoke(app, [*path, *_required_args(command, initialised_home, missing)])
    assert str(missing.parent) in _answers_in_chinese_with_exit_2(result)


# Commands whose path is a file (not an output folder, such as `certificates export --out`).
FILE_COMMANDS = [(p, c) for p, c in PATH_COMMANDS
                 if all(param.type_descriptor.parameter_info.file_okay for param in c.params if _is_path(param))]


@pytest.mark.parametrize(("path", "command"), FILE_COMMANDS, ids=[" ".join(p) for p, _ in FILE_COMMANDS])
def test_with_a_folder_where_a_file_goes(initialised_home, path, command):
    folder = initialised_home.parent / "一个目录"
    folder.mkdir()
    result = runner.invoke(app, [*path, *_required_args(command, initialised_home, folder)])
    assert not _answers_in_chinese_with_exit_2(result).startswith("内部错误")


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_with_an_unknown_option(initialised_home, path, command):
    result = runner.invoke(app, [*path, *_required_args(command, initialised_home), "--no-such-option"])
    line = _answers_in_chinese_with_exit_2(result).strip()
    assert line == f"用法错误：没有选项 --no-such-option。运行 reform {' '.join(path)} --help 查看用法"


REQUIRING = [(p, c) for p, c in COMMANDS if any(param.required for param in c.params)]


@pytest.mark.parametrize(("path", "command"), REQUIRING, ids=[" ".join(p) for p, _ in REQUIRING])
def test_with_a_required_parameter_left_out(initialised_home, path, command):
    line = _answers_in_chinese_with_exit_2(runner.invoke(app, list(path))).strip()
    assert line.startswith("用法错误：缺少") and line.endswith(f"运行 reform {' '.join(path)} --help 查看用法")


INTEGERS = [(p, c) for p, c in COMMANDS if any(value_kind(param) == "整数" and param.required for param in c.params)]


@pytest.mark.parametrize(("path", "command"), INTEGERS, ids=[" ".join(p) for p, _ in INTEGERS])
def test_with_a_word_where_a_number_goes(initialised_home, path, command):
    args = _required_args(command, initialised_home)
    first_int = next(i for i, a in enumerate(args) if a == "1")
    args[first_int] = "abc"
    assert "应为整数" in _answers_in_chinese_with_exit_2(runner.invoke(app, [*path, *args]))


@pytest.mark.parametrize("group", _groups(TREE), ids=" ".join)
def test_a_group_without_its_command_shows_its_chinese_page(fresh_home, group):
    page = _answers_in_chinese_with_exit_2(runner.invoke(app, list(group)))
    assert page.startswith(f"用法：reform {' '.join(group)} [选项] 命令 [参数]...")
    assert "命令：" in page and "Usage" not in page


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_help_page_is_chinese_and_unboxed(fresh_home, path, command):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"用法：reform {' '.join(path)} [选项]")
    assert "显示本帮助并退出" in result.output
    for english in ("Usage", "Options", "Arguments", "Show this message", "[default", "[required", "╭", "│"):
        assert english not in result.output
    assert command.help and CHINESE.search(command.help)
    assert [p.name for p in command.params if not (p.help and CHINESE.search(p.help))] == []


def test_the_main_page_documents_the_exit_codes(fresh_home):
    page = runner.invoke(app, ["--help"]).output
    assert "退出码：0 完成；1 报送未通过校验（reform submit）" in page
    assert "3 程序内部错误" in page


def test_unknown_command_names_the_near_one(fresh_home):
    result = runner.invoke(app, ["statu"])
    assert _answers_in_chinese_with_exit_2(result).strip() == (
        "用法错误：没有命令 statu，是否想输入 status。运行 reform --help 查看用法")
