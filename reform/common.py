"""What every `reform` command shares: the console, the output formats, dates, the one error path.

Commands import the registry's service modules inside their bodies: the registry brings SQLAlchemy,
openpyxl and pandas, seconds of imports that `reform --help` and a mistyped option must not pay. The
settings (pydantic) are imported where they are read, for the same reason: they alone cost more than
the rest of `reform --help`.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from datetime import date, datetime
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from typer._click.exceptions import ClickException, UsageError
from typer.core import TyperGroup

from core.errors import UserError
from reform.usage import chinese_everywhere, is_bare_group, usage_error_line

console = Console()


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


# The two options every watching command takes, spelt once so their help reads the same everywhere.
AsOf = Annotated[str | None, typer.Option("--as-of", help="以哪一天为准（YYYY-MM-DD），默认今天")]
Format = Annotated[OutputFormat, typer.Option("--format", help="table 或 json")]
# A district's or regulator's campaign (reform district list shows their codes); the city's by default.
CampaignCode = Annotated[str | None, typer.Option("--campaign", help="工作方案代码（区县、行业的方案见 reform district list），默认市级方案")]


class BadDate(UserError, ValueError):
    pass


class MissingFolder(UserError, FileNotFoundError):
    pass


class ExitCode(IntEnum):
    """What every command's exit status means (``reform --help`` and the README say the same)."""

    DONE = 0
    REJECTED = 1  # `reform submit`: the workbook was checked and refused; its receipt says why
    USER_ERROR = 2  # bad usage, input or settings, a missing file, a registry not initialised or not reachable
    INTERNAL = 3  # our own failure: the details are in the log under REFORM_HOME


EXIT_CODES_EPILOG = """退出码：0 完成；1 报送未通过校验（reform submit）；
2 可由使用者纠正的问题（用法、输入或设置有误，文件或目录不存在，尚未 reform init，数据库无法连接或已损坏）；
3 程序内部错误（详情写入 REFORM_HOME/logs/internal-errors.log）。"""


_TYPED = "reform.typed"  # the command line as typed, for the log


class ReformGroup(TyperGroup):
    """The one error path of every command: one line on stderr, never a traceback, and its exit code.

    A usage mistake or a UserError is something the user can fix (exit 2); anything else is our own
    failure (exit 3), its traceback kept in a log file for whoever maintains the installation.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The command tree is built before its root: every command gets the Chinese pages here.
        chinese_everywhere(self)

    def make_context(self, info_name, args, parent=None, **extra):
        typed = " ".join(["reform", *args])
        try:
            # Every message names the command as the README does, however it was started.
            ctx = super().make_context("reform", args, parent, **extra)
        except UsageError as error:
            _refuse_usage(error, None)
        ctx.meta[_TYPED] = typed
        return ctx

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UsageError as error:
            _refuse_usage(error, ctx)
        except UserError as error:
            # One line, never wrapped: coordinators paste it into a chat, scripts grep it.
            typer.echo(f"错误：{error}", err=True)
            raise typer.Exit(ExitCode.USER_ERROR) from None
        except (ClickException, typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - the one place our own failures are caught
            log = _log_internal_error(error, ctx.meta.get(_TYPED, "reform"))
            first_line = (str(error).strip().splitlines() or [""])[0][:200]
            typer.echo(f"内部错误：{type(error).__name__}：{first_line}（详情已写入 {log}）", err=True)
            raise typer.Exit(ExitCode.INTERNAL) from None


def _refuse_usage(error: UsageError, ctx) -> NoReturn:
    if is_bare_group(error):
        typer.echo(error.ctx.get_help(), err=True)
    else:
        typer.echo(usage_error_line(error, ctx), err=True)
    raise typer.Exit(ExitCode.USER_ERROR) from None


def _log_internal_error(error: Exception, typed: str) -> Path:
    """Append the traceback to REFORM_HOME/logs/internal-errors.log (the temporary folder if that fails)."""
    entry = (f"--- {datetime.now().isoformat(timespec='seconds')} {typed}\n"
             + "".join(traceback.format_exception(error)))
    for folder in _log_folders():
        path = folder / "internal-errors.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(entry)
            return path.resolve()
        except OSError:
            continue
    return Path("（无法写入日志）")


def _log_folders() -> list[Path]:
    try:
        from core.settings import get_settings  # noqa: PLC0415 - slow import, see the module's docstring

        home = [get_settings().home / "logs"]
    except Exception:  # noqa: BLE001 - unreadable settings must not hide the failure being logged
        home = []
    return [*home, Path(tempfile.gettempdir()) / "reform-logs"]


def prefect_server_configured() -> bool:
    """Whether a one-shot command runs its flow against a Prefect server (PREFECT_API_URL); without
    one it runs the flow's steps in this process (tasks.one_shot), and no server is started."""
    return bool(os.environ.get("PREFECT_API_URL"))


def database_url() -> str:
    from core.settings import get_settings  # noqa: PLC0415 - slow import, see the module's docstring

    return get_settings().database_url


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadDate(f"日期 {text!r} 格式不对，应为 YYYY-MM-DD，例如 2016-07-20") from None


class UnwritableTarget(UserError, PermissionError):
    pass


def writable_target(out: Path | None) -> Path | None:
    """Refuse an output file that cannot be written, before the command changes anything."""
    if out is None:
        return out
    if not out.parent.is_dir():
        raise MissingFolder(f"目录不存在：{out.parent}")
    if out.is_dir():
        raise UnwritableTarget(f"输出文件是一个已有的目录：{out}，请给出文件名，例如 {out / '清单.xlsx'}")
    if not os.access(out if out.exists() else out.parent, os.W_OK):
        raise UnwritableTarget(f"没有写入权限：{out if out.exists() else out.parent}")
    return out


def day_or_today(text: str | None) -> date:
    return parse_date(text) if text else date.today()


def print_json(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
