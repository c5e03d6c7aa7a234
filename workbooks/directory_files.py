"""Read and write the organisation directory as YAML or Excel.

The directory is typed in by coordinators, so every problem is reported at once, in
Chinese, with the file, the row and the field, before anything reaches the database.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from email_validator import EmailNotValidError, validate_email
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.errors import UserError
from rules.organisations import OrgKind, OrgRecord, OrgRole, Person

SHEET_TITLE = "组织目录"
YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIX = ".xlsx"
# A real directory has a few hundred rows; anything far larger is a wrong file, and
# stopping early keeps a stray workbook from eating memory.
MAX_ROWS = 5000
MAX_FILE_BYTES = 20 * 1024 * 1024

# (field key, Excel header, column width). Keys double as dotted YAML paths.
FIELDS: tuple[tuple[str, str, int], ...] = (
    ("code", "代码", 10),
    ("name", "名称", 34),
    ("short_name", "简称", 16),
    ("kind", "类型", 10),
    ("roles", "角色", 22),
    ("division_code", "行政区划代码", 13),
    ("parent_code", "上级代码", 10),
    ("address", "地址", 36),
    ("contact.name", "联系人", 10),
    ("contact.email", "联系人邮箱", 34),
    ("contact.phone", "联系人电话", 15),
    ("leader.name", "分管领导", 10),
    ("leader.email", "分管领导邮箱", 34),
    ("leader.phone", "分管领导电话", 15),
    ("head.name", "主要负责同志", 12),
    ("head.email", "主要负责同志邮箱", 34),
    ("head.phone", "主要负责同志电话", 16),
)
HEADERS: dict[str, str] = {key: header for key, header, _ in FIELDS}
# Location, district and phone columns may be dropped by a coordinator who has no use
# for them; without the others a row cannot be used to send calls or escalate.
OPTIONAL_COLUMNS = frozenset(
    {"division_code", "parent_code", "address", "contact.phone", "leader.phone", "head.phone"}
)
PERSON_KEYS = ("contact", "leader", "head")
PERSON_FIELDS = ("name", "email", "phone")
YAML_ENTRY_KEYS = frozenset(
    {"code", "name", "short_name", "kind", "roles", "division_code", "parent_code", "address"}
    | set(PERSON_KEYS)
)

KIND_LABELS: dict[OrgKind, str] = {OrgKind.DEPARTMENT: "部门", OrgKind.DISTRICT: "区县政府"}
ROLE_LABELS: dict[OrgRole, str] = {
    OrgRole.COORDINATOR: "牵头协调",
    OrgRole.LEAD_AGENCY: "审核机构",
    OrgRole.GENERAL_OFFICE: "市政府办公厅",
    OrgRole.BIG_DATA: "大数据局",
    OrgRole.REGULATOR: "行业主管部门",
}
_KIND_BY_TEXT: dict[str, OrgKind] = {
    **{label: kind for kind, label in KIND_LABELS.items()},
    **{kind.value: kind for kind in OrgKind},
    # Spellings the plan itself uses for the same two kinds.
    "市直部门": OrgKind.DEPARTMENT,
    "区县(市)政府": OrgKind.DISTRICT,
    "区县(市)人民政府": OrgKind.DISTRICT,
}
_ROLE_BY_TEXT: dict[str, OrgRole] = {
    **{label: role for role, label in ROLE_LABELS.items()},
    **{role.value: role for role in OrgRole},
}
# Coordinators separate roles however their keyboard makes it easy.
_ROLE_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_DIVISION_CODE = re.compile(r"\d{6}")
_FORMULA_START = ("=", "+", "-", "@")
# Reports one problem in the current row: (field key or label, message).
_Report = Callable[[str, str], None]


@dataclass(frozen=True)
class DirectoryProblem:
    """One thing wrong with a directory file, placed precisely enough to fix it."""

    file: str
    location: str  # "第 7 行", "第 3 条（第 25 行）" or "" for the whole file
    field: str  # the column header or YAML key, "" when the problem is not one field's
    message: str
    line: int = 0  # Excel row or YAML line, 0 for the whole file; orders the report

    def __str__(self) -> str:
        where = f"目录文件 {self.file}"
        if self.location:
            where += f" {self.location}"
        if self.field:
            where += f"「{self.field}」"
        return f"{where}: {self.message}"


class DirectoryFileError(UserError, ValueError):
    """A directory file that cannot be used; `errors` lists every problem found."""

    def __init__(self, errors: list[DirectoryProblem]) -> None:
        if not errors:
            raise ValueError("DirectoryFileError needs at least one problem")
        self.errors = errors
        message = str(errors[0])
        if len(errors) > 1:
            message += f"（另有 {len(errors) - 1} 处错误）"
        super().__init__(message)


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class _RawRow:
    """One organisation as text, before validation; the same shape for both formats."""

    where: str  # short form used when another row refers to this one
    location: str
    line: int
    values: dict[str, str]
    labels: dict[str, str]  # field key -> how the user sees that field in this file


def read_directory(path: Path) -> list[OrgRecord]:
    """Read a .yaml/.yml or .xlsx directory; raise DirectoryFileError listing every problem."""
    path = Path(path)
    file = path.name
    suffix = path.suffix.lower()
    if suffix not in (*YAML_SUFFIXES, XLSX_SUFFIX):
        raise _one(file, f'不支持的文件类型 "{path.suffix}"，请使用 .yaml、.yml 或 .xlsx')
    if not path.is_file():
        raise _one(file, f"找不到文件 {path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _one(file, f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，不像组织目录")
    problems: list[DirectoryProblem] = []
    rows = (
        _yaml_rows(path, problems) if suffix in YAML_SUFFIXES else _xlsx_rows(path, problems)
    )
    records = _validate(rows, file, problems)
    if problems:
        # Readers and the validator report in separate passes; the user fixes row by row.
        raise DirectoryFileError(sorted(problems, key=lambda p: p.line))
    return records


def _one(file: str, message: str) -> DirectoryFileError:
    return DirectoryFileError([DirectoryProblem(file, "", "", message)])


def _text(value: object) -> str:
    """Cell or scalar value as text; Excel turns codes and phones into numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm(text: str) -> str:
    """Fold full-width forms (ＡＢＣ, （）, ＠) that Chinese input methods produce."""
    return unicodedata.normalize("NFKC", text).strip()


def _header_key(text: str) -> str:
    return re.sub(r"\s+", "", _norm(text))


# Values whose meaning is structural: compared and looked up, so folded to one form.
_FOLDED_FIELDS = frozenset(
    {"code", "kind", "roles", "division_code", "parent_code"}
    | {f"{p}.{f}" for p in PERSON_KEYS for f in ("email", "phone")}
)


def _validate(
    rows: Iterable[_RawRow], file: str, problems: list[DirectoryProblem]
) -> list[OrgRecord]:
    records: list[OrgRecord] = []
    first_seen: dict[str, _RawRow] = {}
    parents: list[tuple[_RawRow, str]] = []
    for row in rows:
        values = {
            key: _norm(v) if key in _FOLDED_FIELDS else v.strip() for key, v in row.values.items()
        }

        def problem(key: str, message: str, row: _RawRow = row) -> None:
            problems.append(
                DirectoryProblem(file, row.location, row.labels[key], message, row.line)
            )

        code = values.get("code", "")
        name = values.get("name", "")
        if not code:
            problem("code", "代码不能为空")
        elif code in first_seen:
            problem("code", f'代码 "{code}" 与{first_seen[code].where}重复')
        else:
            first_seen[code] = row
        if not name:
            problem("name", "名称不能为空")

        kind = _parse_kind(values.get("kind", ""), problem)
        roles = _parse_roles(values.get("roles", ""), problem)

        division_code = values.get("division_code", "")
        if division_code and not _DIVISION_CODE.fullmatch(division_code):
            problem("division_code", f'"{division_code}" 不是 6 位数字的行政区划代码')
        elif kind is OrgKind.DISTRICT and not division_code:
            problem("division_code", "区县政府必须填写 6 位数字的行政区划代码（GB/T 2260）")

        for person in PERSON_KEYS:
            email = values.get(f"{person}.email", "")
            if email:
                try:
                    validate_email(email, check_deliverability=False)
                except EmailNotValidError:
                    problem(f"{person}.email", f'"{email}" 不是有效的电子邮件地址')

        parent_code = values.get("parent_code", "")
        if parent_code:
            parents.append((row, parent_code))

        if kind is None or not code or not name:
            continue
        records.append(
            OrgRecord(
                code=code,
                name=name,
                short_name=values.get("short_name", "") or name,
                kind=kind,
                roles=roles,
                division_code=division_code,
                parent_code=parent_code,
                address=values.get("address", ""),
                contact=_person(values, "contact"),
                leader=_person(values, "leader"),
                head=_person(values, "head"),
            )
        )
    # Parents may appear after their children, so they are checked once all codes are known.
    for row, parent_code in parents:
        if parent_code not in first_seen:
            problems.append(
                DirectoryProblem(
                    file,
                    row.location,
                    row.labels["parent_code"],
                    f'"{parent_code}" 不是本文件中的组织代码（未知的组织代码）',
                    row.line,
                )
            )
    return records


def _parse_kind(text: str, problem: _Report) -> OrgKind | None:
    allowed = "、".join(KIND_LABELS.values()) + "（或 " + "、".join(k.value for k in OrgKind) + "）"
    if not text:
        problem("kind", f"类型不能为空，可选值: {allowed}")
        return None
    kind = _KIND_BY_TEXT.get(text) or _KIND_BY_TEXT.get(text.lower())
    if kind is None:
        problem("kind", f'"{text}" 不是有效的类型，可选值: {allowed}')
    return kind


def _parse_roles(text: str, problem: _Report) -> tuple[OrgRole, ...]:
    roles: list[OrgRole] = []
    for part in _ROLE_SEPARATORS.split(text):
        if not part:
            continue
        role = _ROLE_BY_TEXT.get(part) or _ROLE_BY_TEXT.get(part.lower())
        if role is None:
            allowed = "、".join(ROLE_LABELS.values())
            english = "、".join(r.value for r in OrgRole)
            problem(
                "roles",
                f'"{part}" 不是有效的角色，可选值: {allowed}（或 {english}），多个角色用「、」分隔',
            )
        elif role not in roles:
            roles.append(role)
    return tuple(roles)


def _person(values: dict[str, str], person: str) -> Person:
    return Person(*(values.get(f"{person}.{f}", "") for f in PERSON_FIELDS))


# ---------------------------------------------------------------- YAML


class _TextLoader(yaml.BaseLoader):
    """Every scalar stays text: YAML 1.1 would turn 024... into octal and `no` into False."""


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def _yaml_label(key: str) -> str:
    return f"{HEADERS[key]} {key}" if key in HEADERS else key


def _yaml_rows(path: Path, problems: list[DirectoryProblem]) -> list[_RawRow]:
    file = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
        root = yaml.compose(text, Loader=_TextLoader)
    except UnicodeDecodeError:
        problems.append(DirectoryProblem(file, "", "", "文件不是 UTF-8 编码的文本"))
        return []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        where = f"第 {line} 行" if line else ""
        reason = " ".join(str(getattr(exc, "problem", "") or exc).split())
        problems.append(DirectoryProblem(file, where, "", f"YAML 格式错误: {reason}", line))
        return []

    entries = _organisations_node(root)
    if entries is None:
        problems.append(
            DirectoryProblem(file, "", "organisations", "文件顶层应为含「organisations」列表的映射")
        )
        return []
    rows: list[_RawRow] = []
    for number, node in enumerate(entries.value, start=1):
        where = f"第 {number} 条"
        line = node.start_mark.line + 1
        location = f"{where}（第 {line} 行）"
        labels = {key: _yaml_label(key) for key, _, _ in FIELDS}

        def problem(field: str, message: str, location: str = location, line: int = line) -> None:
            problems.append(DirectoryProblem(file, location, field, message, line))

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
        rows.append(_RawRow(where, location, line, values, labels))
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


def _yaml_person(key: str, value: Any, problem: _Report) -> Iterator[tuple[str, str]]:
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


# ---------------------------------------------------------------- Excel


def _xlsx_rows(path: Path, problems: list[DirectoryProblem]) -> list[_RawRow]:
    file = path.name
    try:
        # Not read_only: its cells cannot tell a typed "=x" string from a formula.
        workbook = load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        problems.append(DirectoryProblem(file, "", "", f"不是有效的 xlsx 文件（{reason}）"))
        return []
    try:
        sheets = {_header_key(ws.title): ws for ws in workbook.worksheets}
        sheet = sheets.get(SHEET_TITLE)
        if sheet is None and len(workbook.worksheets) == 1:
            sheet = workbook.worksheets[0]  # a renamed lone sheet is still clearly the directory
        if sheet is None:
            names = "、".join(ws.title for ws in workbook.worksheets)
            problems.append(
                DirectoryProblem(file, "", "", f"找不到工作表「{SHEET_TITLE}」（现有: {names}）")
            )
            return []
        if sheet.max_row > MAX_ROWS + 1:
            problems.append(
                DirectoryProblem(file, "", "", f"工作表有 {sheet.max_row} 行，超过上限 {MAX_ROWS} 行")
            )
            return []
        return list(_sheet_rows(sheet, file, problems))
    finally:
        workbook.close()


def _sheet_rows(sheet: Any, file: str, problems: list[DirectoryProblem]) -> Iterator[_RawRow]:
    by_header = {_header_key(h): key for key, h, _ in FIELDS}
    header_row = 0
    columns: dict[str, int] = {}
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 10)):
        texts = [_header_key(_text(c.value)) for c in row]
        if HEADERS["code"] in texts:
            header_row = row[0].row
            for cell, text in zip(row, texts):
                key = by_header.get(text)
                if key is None:
                    continue  # extra columns such as 备注 are the coordinator's own
                if key in columns:
                    problems.append(
                        DirectoryProblem(
                            file, f"第 {header_row} 行", HEADERS[key],
                            f"表头重复（第 {get_column_letter(columns[key])} 列和第 "
                            f"{cell.column_letter} 列）",
                            header_row,
                        )
                    )
                columns[key] = cell.column
            break
    missing = [HEADERS[k] for k, _, _ in FIELDS if k not in columns and k not in OPTIONAL_COLUMNS]
    if not header_row or missing:
        where = f"第 {header_row or 1} 行（表头）"
        names = "、".join(f"「{m}」" for m in (missing or [HEADERS["code"]]))
        problems.append(DirectoryProblem(file, where, "", f"缺少列 {names}", header_row))
        return
    labels = {key: header for key, header, _ in FIELDS}
    for row in sheet.iter_rows(min_row=header_row + 1):
        cells = {key: row[col - 1] for key, col in columns.items() if col - 1 < len(row)}
        values = {key: _text(cell.value) for key, cell in cells.items()}
        if not any(values.values()):
            continue  # blank lines between blocks are common and harmless
        number = row[0].row
        where = f"第 {number} 行"
        for key, cell in cells.items():
            if cell.data_type == "f":
                problems.append(
                    DirectoryProblem(file, where, labels[key], "不能是公式，请填写文本", number)
                )
                values[key] = ""
        yield _RawRow(where, where, number, values, labels)


# ---------------------------------------------------------------- writing


def write_directory(path: Path, records: Iterable[OrgRecord]) -> None:
    """Write records as .yaml/.yml or .xlsx; read_directory gives the same records back."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        _write_yaml(path, records)
    elif suffix == XLSX_SUFFIX:
        _write_xlsx(path, records)
    else:
        raise _one(path.name, f'不支持的文件类型 "{path.suffix}"，请使用 .yaml、.yml 或 .xlsx')


def _record_values(record: OrgRecord) -> dict[str, str]:
    values = {
        "code": record.code,
        "name": record.name,
        "short_name": record.short_name,
        "kind": record.kind.value,
        "roles": "、".join(ROLE_LABELS[r] for r in record.roles),
        "division_code": record.division_code,
        "parent_code": record.parent_code,
        "address": record.address,
    }
    for person in PERSON_KEYS:
        p: Person = getattr(record, person)
        values.update({f"{person}.{f}": getattr(p, f) for f in PERSON_FIELDS})
    return values


class _Dumper(yaml.SafeDumper):
    pass


def _write_yaml(path: Path, records: Iterable[OrgRecord]) -> None:
    entries: list[dict[str, Any]] = []
    for r in records:
        entry: dict[str, Any] = {"code": r.code, "name": r.name, "short_name": r.short_name}
        entry["kind"] = r.kind.value
        if r.roles:
            entry["roles"] = [role.value for role in r.roles]
        for key in ("division_code", "parent_code", "address"):
            if getattr(r, key):
                entry[key] = getattr(r, key)
        for person in PERSON_KEYS:
            p: Person = getattr(r, person)
            entry[person] = {"name": p.name, "email": p.email, "phone": p.phone}
        entries.append(entry)
    # default_flow_style=None keeps roles and persons on one line each, as people write them.
    text = yaml.dump(
        {"organisations": entries},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=200,
    )
    path.write_text(text, encoding="utf-8")


def _write_xlsx(path: Path, records: Iterable[OrgRecord]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append([header for _, header, _ in FIELDS])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for index, (_, _, width) in enumerate(FIELDS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    row_count = 0
    for row_number, record in enumerate(records, start=2):
        values = _record_values(record)
        values["kind"] = KIND_LABELS[record.kind]
        for column, (key, _, _) in enumerate(FIELDS, start=1):
            _set_text(sheet.cell(row=row_number, column=column), values[key])
        row_count = row_number

    kind_column = get_column_letter([k for k, _, _ in FIELDS].index("kind") + 1)
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(KIND_LABELS.values()) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="类型",
        error="请选择: " + "、".join(KIND_LABELS.values()),
    )
    kinds.add(f"{kind_column}2:{kind_column}{max(row_count, 2) + 500}")
    sheet.add_data_validation(kinds)
    workbook.save(path)


def _set_text(cell: Any, text: str) -> None:
    """Store text as text: directory values come from users and must never run as formulas."""
    if not text:
        return
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise mark "=..." as a formula
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True  # and Excel keeps it text if someone edits the cell
