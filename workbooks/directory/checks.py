"""The row checks: one organisation's text, from either format, into an OrgRecord or problems."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.problems import Problem
from rules.organisations import OrgKind, OrgRecord, OrgRole, Person
from workbooks.directory.fields import (
    FOLDED_FIELDS,
    KIND_BY_TEXT,
    KIND_LABELS,
    PERSON_FIELDS,
    PERSON_KEYS,
    ROLE_BY_TEXT,
    ROLE_LABELS,
    fold,
)
from workbooks.directory.problems import FIX, directory_problem

# Coordinators separate roles however their keyboard makes it easy.
_ROLE_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_DIVISION_CODE = re.compile(r"\d{6}")
# Reports one problem in the current row: (field key or label, message).
Report = Callable[[str, str], None]


@dataclass(frozen=True)
class RawRow:
    """One organisation as text, before validation; the same shape for both formats."""

    where: str  # short form used when another row refers to this one
    row: int | None  # the Excel row; None for a YAML entry, which `place` locates
    place: str
    line: int
    values: dict[str, str]
    labels: dict[str, str]  # field key -> how the user sees that field in this file

    def problem(self, file: str, field: str, what: str, fix: str = FIX) -> Problem:
        return directory_problem(file, what, row=self.row, place=self.place, field=field, line=self.line, fix=fix)


def validate(rows: Iterable[RawRow], file: str, problems: list[Problem], district: str | None = None) -> list[OrgRecord]:
    """Every row checked; with `district`, every organisation must be that district's own.

    A district's file lists its departments under its government, which lives in the city's
    directory: blank division and parent codes mean that district, and the parent may be it.
    """
    # Here, not at the top: every command reading the registry imports this module, few check a file.
    from email_validator import EmailNotValidError, validate_email  # noqa: PLC0415 - slow import, see above

    records: list[OrgRecord] = []
    first_seen: dict[str, RawRow] = {}
    parents: list[tuple[RawRow, str, str]] = []
    for row in rows:
        values = {key: fold(v) if key in FOLDED_FIELDS else v.strip() for key, v in row.values.items()}

        def problem(key: str, message: str, fix: str = FIX, row: RawRow = row) -> None:
            problems.append(row.problem(file, row.labels[key], message, fix))

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
        # Ends in its own separator: "jyj（沈阳市教育局）属于…", "jyj 属于…".
        label = f"{code}（{name}）" if code and name else f"{code or name} "
        if district is not None:
            division_code, parent_code = _within_district(label, kind, division_code, parent_code, district,
                                                          row.labels, problem)
        if parent_code and parent_code != district:
            parents.append((row, label, parent_code))

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
    for row, label, parent_code in parents:
        field = row.labels["parent_code"]
        if parent_code in first_seen:
            continue
        if district is not None and _DIVISION_CODE.fullmatch(parent_code):
            problems.append(row.problem(file, field, *_other_district(label, parent_code, district, field)))
        elif district is not None:
            problems.append(row.problem(file, field, f'"{parent_code}" 既不是本文件中的组织代码，也不是区县 {district}'
                                                     "（未知的组织代码）"))
        else:
            problems.append(row.problem(file, field, f'"{parent_code}" 不是本文件中的组织代码（未知的组织代码）'))
    return records


def _within_district(label: str, kind: OrgKind | None, division_code: str, parent_code: str, district: str,
                     labels: dict[str, str], problem: Callable[[str, str, str], None]) -> tuple[str, str]:
    """The row's division and parent codes in `district`'s file, blanks meaning that district."""
    if kind is OrgKind.DISTRICT:
        problem("kind", f"文件中的单位 {label}是区县政府，不能作为区县 {district} 的单位导入",
                "区县政府由市级目录导入，请从本文件删去这一行")
        return division_code, parent_code
    if division_code and division_code != district and _DIVISION_CODE.fullmatch(division_code):
        problem("division_code", *_other_district(label, division_code, district, labels["division_code"]))
    return division_code or district, parent_code or district


def _other_district(label: str, other: str, district: str, field: str) -> tuple[str, str]:
    """What and fix for an organisation that names another district than the file's."""
    return (f"文件中的单位 {label}属于区县 {other}，不是 {district}",
            f"请从本文件删去它，在区县 {other} 的目录中导入；若确属 {district}，把「{field}」改为 {district} 或留空")


def _parse_kind(text: str, problem: Report) -> OrgKind | None:
    allowed = "、".join(KIND_LABELS.values()) + "（或 " + "、".join(k.value for k in OrgKind) + "）"
    if not text:
        problem("kind", f"类型不能为空，可选值: {allowed}")
        return None
    kind = KIND_BY_TEXT.get(text) or KIND_BY_TEXT.get(text.lower())
    if kind is None:
        problem("kind", f'"{text}" 不是有效的类型，可选值: {allowed}')
    return kind


def _parse_roles(text: str, problem: Report) -> tuple[OrgRole, ...]:
    roles: list[OrgRole] = []
    for part in _ROLE_SEPARATORS.split(text):
        if not part:
            continue
        role = ROLE_BY_TEXT.get(part) or ROLE_BY_TEXT.get(part.lower())
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
