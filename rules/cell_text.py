"""A cell's value as the person who typed it sees it, with what nobody can see made visible.

A receipt that quotes 「主动服务」 beside "不是可选的值" is no help when the cell holds a zero-width
space the eye cannot find; one that quotes Python's ``True`` names a value nobody typed. Pure text
functions: what a receipt shows, what a value would be without its hidden characters, and whether
text would start a formula in a spreadsheet program.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

FORMULA_TRIGGERS = ("=", "+", "-", "@")

# Names people know; other hidden characters are named by their kind.
_NAMES = {"\u200b": "零宽空格", "\u200c": "零宽非连接符", "\u200d": "零宽连接符", "\u2060": "零宽不换行符",
          "\ufeff": "字节顺序标记（BOM）", "\u00a0": "不换行空格", "\u3000": "全角空格", "\u00ad": "软连字符",
          "\u200e": "从左到右标记", "\u200f": "从右到左标记", "\t": "制表符", "\n": "换行符", "\r": "回车符"}
_KINDS = {"Cc": "控制字符", "Cf": "格式字符", "Zs": "特殊空格", "Zl": "分行符", "Zp": "分段符", "Co": "私用区字符"}
# Cyrillic and Greek letters that look like Latin ones: "јyj" is not "jyj", and nothing on screen says so.
_LOOK_ALIKES = dict(zip(
    "аеорсухѕіјԁӏАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧοινκρυχ",
    "aeopcyxsijdlABEKMHOPCTXIJSABEZHIKMNOPTYXoivkpux", strict=True))
_SCRIPTS = {"CYRILLIC": "西里尔字母", "GREEK": "希腊字母"}


_SPACES = re.compile(r"\s+")


def fold(value: object) -> str:
    """The form two labels are compared in: NFKC (full-width to half-width) without any spaces.
    An empty cell (None, or NaN as pandas reads one) folds to ""."""
    if value is None or (isinstance(value, float) and value != value):  # NaN: the one float unequal to itself
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))


def is_hidden(char: str) -> bool:
    """Characters that take no visible room, or look like a plain space but are not one."""
    return char != " " and unicodedata.category(char) in _KINDS


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet program would take this text for a formula: its first visible character
    is = + - or @, whatever spaces, tabs or control characters come before it."""
    if not isinstance(value, str):
        return False
    visible = next((c for c in value if not (c.isspace() or is_hidden(c))), "")
    return visible != "" and visible in FORMULA_TRIGGERS


def strip_as_typed(text: str) -> str:
    """Surrounding spaces removed, unless removing them would turn the text into a formula: a tab
    before "=1+1" is what keeps a spreadsheet program from calculating it."""
    stripped = text.strip()
    return text.rstrip() if text[:1].isspace() and looks_like_formula(stripped) else stripped


def visible(text: str) -> str:
    """The text with each hidden or look-alike character written as its code, e.g. 主动服务⟨U+200B⟩."""
    return "".join(f"⟨U+{ord(c):04X}⟩" if is_hidden(c) or c in _LOOK_ALIKES else c for c in text)


def unhidden(text: str) -> str:
    """What the text would be without its hidden characters and with look-alikes as the letters they imitate."""
    return "".join(_LOOK_ALIKES.get(c, c) for c in text if not is_hidden(c) or c.isspace())


def hidden_note(text: str) -> str:
    """What the hidden and look-alike characters are, e.g. "含不可见字符 U+200B（零宽空格）"; "" when there are none."""
    hidden = dict.fromkeys(c for c in text if is_hidden(c))
    alike = dict.fromkeys(c for c in text if c in _LOOK_ALIKES)
    notes = []
    if hidden:
        notes.append("含不可见字符 " + "、".join(f"U+{ord(c):04X}（{_name(c)}）" for c in hidden))
    if alike:
        notes.append("含形近字符 " + "、".join(f"U+{ord(c):04X}（{_script(c)}「{c}」，形似拉丁字母「{_LOOK_ALIKES[c]}」）"
                                          for c in alike))
    return "，".join(notes)


def shown(value: object) -> str:
    """A cell's value as the person sees it in Excel or WPS, hidden characters made visible: TRUE
    rather than Python's True, 5 rather than 5.0, a date without a midnight time."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}" if value.time() == time() else f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return visible("" if value is None else str(value).strip(" "))


def typed_text(value: object) -> str:
    """A cell as text, as the person typed it: a number typed in a text column without ".0", a
    boolean as Excel shows it (TRUE), and a tab that keeps "=1+1" from being a formula kept."""
    if value.__class__ is int:  # the usual number: its digits are the text
        return str(value)
    if isinstance(value, bool | float):
        return shown(value)
    return strip_as_typed(str(value))


def refusal(value: object, reason: str, valid=lambda _text: None, label: str = "") -> str:
    """Why a value is refused, quoting it with its hidden characters made visible. ``valid`` gives
    the value it would be without them (or None), so that the receipt can say it is that near."""
    text = "" if value is None else value if isinstance(value, str) else typed_text(value)
    quoted = f"{label}「{shown(value)}」"
    note = hidden_note(text)
    if not note:
        return f"{quoted}{reason}"
    match = valid(unhidden(text))
    if match is not None and match != "":
        return f"{quoted}{note}，删除或改正后即为「{match}」"
    return f"{quoted}{reason}（{note}）"


def _name(char: str) -> str:
    return _NAMES.get(char) or _KINDS[unicodedata.category(char)]


def _script(char: str) -> str:
    return _SCRIPTS.get(unicodedata.name(char, "").split(" ")[0], "外文字母")
