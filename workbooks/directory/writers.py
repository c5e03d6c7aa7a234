"""Writing the directory as YAML or Excel, in the shape read_directory reads back unchanged."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from rules.organisations import OrgRecord, Person
from workbooks.directory.fields import (
    FIELDS,
    KIND_LABELS,
    PERSON_FIELDS,
    PERSON_KEYS,
    ROLE_LABELS,
    SHEET_TITLE,
    XLSX_SUFFIX,
    YAML_SUFFIXES,
)
from workbooks.directory.problems import file_error
from workbooks.safe_cells import set_safe


def write_directory(path: Path, records: Iterable[OrgRecord]) -> None:
    """Write records as .yaml/.yml or .xlsx; read_directory gives the same records back."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        _write_yaml(path, records)
    elif suffix == XLSX_SUFFIX:
        _write_xlsx(path, records)
    else:
        raise file_error(path.name, f'不支持的文件类型 "{path.suffix}"，请使用 .yaml、.yml 或 .xlsx')


def _record_values(record: OrgRecord) -> dict[str, str]:
    values = {
        "code": record.code,
        "name": record.name,
        "short_name": record.short_name,
        "kind": KIND_LABELS[record.kind],
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
    # openpyxl (with numpy, a second of import) only here: every command that reads the registry
    # imports this module through the directory's setup.
    from openpyxl import Workbook  # noqa: PLC0415 - slow import, see above
    from openpyxl.styles import Font, PatternFill  # noqa: PLC0415 - slow import, see above
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - slow import, see above
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415 - slow import, see above

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
        for column, (key, _, _) in enumerate(FIELDS, start=1):
            if values[key]:  # directory values come from users: never a formula
                set_safe(sheet.cell(row=row_number, column=column), values[key])
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
