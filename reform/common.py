"""What every `reform` command shares: the console, the output formats, dates, the one error path.

Commands import the registry's service modules inside their bodies: the registry brings SQLAlchemy,
openpyxl and pandas, seconds of imports that `reform --help` and a mistyped option must not pay.
"""
from __future__ import annotations

import json
import os
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from typer.core import TyperGroup

from core.errors import UserError
from core.settings import get_settings

console = Console()


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class BadDate(UserError, ValueError):
    pass


class MissingFolder(UserError, FileNotFoundError):
    pass


class ReformGroup(TyperGroup):
    """The one error path: a UserError from any command is one line on stderr and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as error:
            # One line, never wrapped: coordinators paste it into a chat, scripts grep it.
            typer.echo(f"错误：{error}", err=True)
            raise typer.Exit(2) from None


def database_url() -> str:
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
        raise UnwritableTarget(f"不能写入：{out} 是一个目录，请给出文件名，例如 {out / '清单.xlsx'}")
    if not os.access(out if out.exists() else out.parent, os.W_OK):
        raise UnwritableTarget(f"没有写入权限：{out}")
    return out


def day_or_today(text: str | None) -> date:
    return parse_date(text) if text else date.today()


def print_json(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
