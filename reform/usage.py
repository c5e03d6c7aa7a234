"""How to use the `reform` command, in Chinese: its help pages and its usage errors.

Typer draws English help in boxes and answers a mistyped option with an English box of several
lines. Officials read Chinese and paste an error into a chat, so every page here is rendered from
the commands' own parameters and help texts, and every usage error becomes one line. Typer builds
its strings inline rather than through a message catalog, so they are replaced, not translated.
"""
from __future__ import annotations

import inspect
import re
from enum import Enum
from pathlib import Path

from rich.cells import cell_len
from typer._click.core import Command, Context
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)

HELP_OPTION = "显示本帮助并退出"
_VALUE_KINDS = {bool: "", int: "整数", float: "数字", str: "文字", Path: "路径"}
_NAME_ENDS = re.compile(r"[（(，,：:；;。]")
_LATEST = "reform.latest_context"


class ReformContext(Context):
    """A context whose help and usage are Chinese; the newest one is where a usage error arose."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Click's parser raises some errors without their context: the one being parsed is this.
        self.find_root().meta[_LATEST] = self

    def get_help(self) -> str:
        return help_page(self)

    def get_usage(self) -> str:
        return usage_line(self)


def chinese_everywhere(command: Command) -> None:
    """Give every command of the tree the Chinese pages, and no boxes."""
    command.context_class = ReformContext
    command.rich_markup_mode = None
    for sub in getattr(command, "commands", {}).values():
        chinese_everywhere(sub)


# --- the help pages ---------------------------------------------------------------------------

def argument_name(param) -> str:
    """An argument's name as a user reads it: its metavar, or its help text's first words."""
    if param.metavar:
        return param.metavar
    words = _NAME_ENDS.split(param.help or "", maxsplit=1)[0].strip()
    return words or param.name.upper()


def value_kind(param) -> str:
    descriptor = param.type_descriptor
    if descriptor.is_choice and descriptor.choices:
        return "|".join(str(c.value if isinstance(c, Enum) else c) for c in descriptor.choices)
    annotation = descriptor.annotation
    return next((name for kind, name in _VALUE_KINDS.items()  # bool first: it is an int too
                 if isinstance(annotation, type) and issubclass(annotation, kind)), "值")


def usage_line(ctx: Context) -> str:
    command = ctx.command
    pieces = ["[选项]"]
    pieces += [argument_name(p) if p.required else f"[{argument_name(p)}]"
               for p in command.params if p.param_type_name == "argument"]
    if hasattr(command, "commands"):
        pieces.append("命令 [参数]...")
    return f"用法：{ctx.command_path} {' '.join(pieces)}"


def _extras(param) -> str:
    if param.required:
        return "（必填）"
    default = param.default
    if not param.show_default or default is None or callable(default):
        return ""
    if getattr(param, "is_flag", False):
        if getattr(param, "secondary_opts", None):
            return f"（默认：{param.opts[0] if default else param.secondary_opts[0]}）"
        return ""
    shown = default.value if isinstance(default, Enum) else default
    return f"（默认：{shown}）" if shown not in ("", ()) else ""


def _argument_help(param) -> str:
    """The help after the words that already name the argument; the usage line shows what is optional."""
    text = (param.help or "").removeprefix(argument_name(param)).lstrip("，,：:；; ")
    if text.startswith("（") and text.endswith("）") and text.count("（") == 1:
        text = text[1:-1]
    return text + ("" if param.required else _extras(param))


def _option_name(param) -> str:
    names = "/".join(param.opts + list(param.secondary_opts))
    return names if param.is_flag else f"{names} {value_kind(param)}"


def _rows(rows: list[tuple[str, str]]) -> list[str]:
    width = max(cell_len(name) for name, _ in rows)
    if width > 28:  # a long name gets its help on the next line, so help never runs off the page
        return [line for name, text in rows for line in (f"  {name}", f"      {text}") if line.strip()]
    return [f"  {name}{' ' * (width - cell_len(name))}  {text}".rstrip() for name, text in rows]


def short_help(command: Command) -> str:
    text = inspect.cleandoc(command.short_help or command.help or "")
    return re.split(r"(?<=[。；])|\n", text, maxsplit=1)[0]


def help_page(ctx: Context) -> str:
    command = ctx.command
    lines = [usage_line(ctx)]
    if command.help:
        lines += ["", *("  " + line for line in inspect.cleandoc(command.help).partition("\f")[0].splitlines())]
    params = command.get_params(ctx)
    arguments = [(argument_name(p), _argument_help(p)) for p in params
                 if p.param_type_name == "argument" and not getattr(p, "hidden", False)]
    options = [(_option_name(p), HELP_OPTION if p is command.get_help_option(ctx) else (p.help or "") + _extras(p))
               for p in params if p.param_type_name == "option" and not p.hidden]
    commands = [(name, short_help(sub)) for name, sub in getattr(command, "commands", {}).items() if not sub.hidden]
    for title, rows in (("参数", arguments), ("选项", options), ("命令", commands)):
        if rows:
            lines += ["", f"{title}：", *_rows(rows)]
    if command.epilog:
        lines += ["", *inspect.cleandoc(command.epilog).splitlines()]
    return "\n".join(lines)


# --- the usage errors -------------------------------------------------------------------------

def _param_label(param) -> str:
    if param.param_type_name == "argument":
        return f"参数 {argument_name(param)}"
    return f"选项 {param.opts[0]}"


def _bad_value(error: BadParameter) -> str:
    param = error.param
    cause = error.__cause__
    given = ""
    errors = getattr(cause, "errors", None)
    if callable(errors):
        first = errors()[0] if errors() else {}
        given = f"{first.get('input')!r}" if "input" in first else ""
    label = _param_label(param) if param is not None else "参数"
    kind = value_kind(param) if param is not None else ""
    expected = f"，应为{'其中之一：' + kind.replace('|', '、') if '|' in kind else kind}" if kind else ""
    return f"{label} 的值{' ' + given + ' ' if given else ''}不对{expected}"


def describe(error: UsageError, ctx: Context | None) -> str:
    """What was wrong, in Chinese, without the help hint."""
    if isinstance(error, MissingParameter) and error.param is not None:
        return f"缺少{_param_label(error.param)}"
    if isinstance(error, BadParameter):
        return _bad_value(error)
    if isinstance(error, NoSuchOption):
        near = f"（是否想用 {'、'.join(sorted(error.possibilities))}）" if error.possibilities else ""
        return f"没有选项 {error.option_name}{near}"
    if isinstance(error, BadOptionUsage):
        if "does not take a value" in error.message:
            return f"选项 {error.option_name} 不带值"
        return f"选项 {error.option_name} 后面缺少它的值"
    message = error.message
    if match := re.match(r"No such command '(.*?)'", message):
        if near := re.search(r"Did you mean (.*)\?", message):
            names = near[1].replace("'", "").replace(", ", "、")
            return f"没有命令 {match[1]}，是否想输入 {names}"
        known = "、".join(getattr(ctx.command, "commands", {})) if ctx else ""
        return f"没有命令 {match[1]}" + (f"，可用的命令：{known}" if known else "")
    if match := re.match(r"Got unexpected extra argument\(s\) \((.*)\)", message):
        return f"多余的参数：{match[1]}"
    if message.startswith("Missing command"):
        return "缺少命令"
    return message


def usage_error_line(error: UsageError, fallback: Context | None) -> str:
    """One line: what was wrong and which help page to read."""
    ctx = error.ctx
    if ctx is None and fallback is not None:
        ctx = fallback.find_root().meta.get(_LATEST, fallback)
    hint = f"。运行 {ctx.command_path} --help 查看用法" if ctx is not None else ""
    return f"用法错误：{describe(error, ctx)}{hint}"


def is_bare_group(error: UsageError) -> bool:
    """A group typed without its command: its help page is the answer."""
    return isinstance(error, NoArgsIsHelpError)
