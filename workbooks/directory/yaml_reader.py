"""Reading a directory written as YAML: every scalar kept as text, every entry placed by its line."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from core.problems import Problem
from workbooks.directory.checks import RawRow, Report
from workbooks.directory.fields import FIELDS, HEADERS, PERSON_FIELDS, PERSON_KEYS, YAML_ENTRY_KEYS
from workbooks.directory.problems import directory_problem


class _TextLoader(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):
    """Every scalar stays text: YAML 1.1 would turn 024... into octal and `no` into False.

    libyaml's parser where PyYAML has it: a province's hundred directories read ten times faster."""


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def _yaml_label(key: str) -> str:
    return f"{HEADERS[key]} {key}" if key in HEADERS else key


def yaml_rows(path: Path, problems: list[Problem]) -> list[RawRow]:
    file = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
        root = yaml.compose(text, Loader=_TextLoader)
    except UnicodeDecodeError:
        problems.append(directory_problem(file, "文件不是 UTF-8 编码的文本"))
        return []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        where = f"第 {line} 行" if line else ""
        reason = " ".join(str(getattr(exc, "problem", "") or exc).split())
        problems.append(directory_problem(file, f"YAML 格式错误: {reason}", place=where, line=line))
        return []

    entries = _organisations_node(root)
    if entries is None:
        problems.append(directory_problem(file, "文件顶层应为含「organisations」列表的映射", field="organisations"))
        return []
    rows: list[RawRow] = []
    for number, node in enumerate(entries.value, start=1):
        where = f"第 {number} 条"
        line = node.start_mark.line + 1
        location = f"{where}（第 {line} 行）"
        labels = {key: _yaml_label(key) for key, _, _ in FIELDS}

        def problem(field: str, message: str, location: str = location, line: int = line) -> None:
            problems.append(directory_problem(file, message, place=location, field=field, line=line))

        entry = _construct(node)
        if not isinstance(entry, dict):
            problem("", "每个组织应为一个映射（code、name、kind……）")
            continue
        values: dict[str, str] = {}
        for key, value in entry.items():
            if key not in YAML_ENTRY_KEYS:
                problem(key, f"未知的键，可用的键: {', '.join(sorted(YAML_ENTRY_KEYS))}")
            elif key in PERSON_KEYS:
                values.update(_yaml_person(key, value, problem))
            elif key == "roles":
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    values["roles"] = "、".join(v for v in value if v not in _NULLS)
                elif isinstance(value, str):
                    values["roles"] = "" if value in _NULLS else value
                else:
                    problem(_yaml_label("roles"), "应为角色列表，例如 [lead_agency, regulator]")
            elif isinstance(value, str):
                values[key] = "" if value in _NULLS else value
            else:
                problem(_yaml_label(key), "应为文本，不能是列表或映射")
        missing = [k for k in ("code", "name", "kind") if k not in entry]
        if missing:
            # A row without its identity cannot be checked for duplicates or parents.
            problem("、".join(missing), f"缺少键 {', '.join(missing)}")
            continue
        rows.append(RawRow(where, None, location, line, values, labels))
    return rows


def _organisations_node(root: yaml.Node | None) -> yaml.SequenceNode | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if key.value == "organisations" and isinstance(value, yaml.SequenceNode):
            return value
    return None


def _construct(node: yaml.Node) -> Any:
    """Plain Python values from a composed node, all scalars as text."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_construct(n) for n in node.value]
    return {_construct(k): _construct(v) for k, v in node.value}


def _yaml_person(key: str, value: Any, problem: Report) -> Iterator[tuple[str, str]]:
    if isinstance(value, str) and value in _NULLS:
        return
    if not isinstance(value, dict):
        problem(key, "应为映射，例如 {name: 王丽, email: ..., phone: ...}")
        return
    for field, text in value.items():
        dotted = f"{key}.{field}"
        if field not in PERSON_FIELDS:
            problem(dotted, f"未知的键，可用的键: {', '.join(PERSON_FIELDS)}")
        elif not isinstance(text, str):
            problem(_yaml_label(dotted), "应为文本，不能是列表或映射")
        else:
            yield dotted, "" if text in _NULLS else text
