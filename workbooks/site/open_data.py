"""The public site's open data (公布的开放数据): the approved list, its guides, the certificate clean-up and
the change log as tables anyone can load, written beside the pages in ``data/``.

Each table is written twice from the same rows: ``<table>.csv`` for spreadsheet programs (UTF-8 with a
BOM, so that Excel reads the Chinese; lists joined with 、; booleans 是/否; text that a spreadsheet would
calculate gets a leading apostrophe) and ``<table>.json`` for programs (the text as written, numbers,
booleans and lists as such). ``datapackage.json`` describes the CSV files as a Frictionless Data
Package, with a Table Schema per file, so that the frictionless library, or any reader of the
standard, can check them.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rules.certificates import BASIS_LEVELS, DISPOSITIONS, ITEM_SEPARATOR, split_items
from rules.certificates import HEADER_OF as CERTIFICATE_HEADERS
from rules.guides import FEE_LABELS, GUIDE_LABELS, MATERIAL_LABELS, STEP_LABELS
from workbooks import inventory_schema as inventory
from workbooks.safe_cells import csv_safe
from workbooks.site.model import Site, SiteCertificate, SiteChange

TABLES = ("items", "guides", "materials", "steps", "fees", "certificates", "changes", "evaluation_units",
          "evaluation_cases")
PACKAGE = "datapackage.json"
YES, NO = "是", "否"
# Government information is published for anyone to reuse with attribution.
LICENCE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0"}
ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    type: str = "string"  # a Table Schema type: string, integer, boolean, date
    required: bool = False
    minimum: int | None = None
    choices: tuple[str, ...] = ()
    description: str = ""

    def descriptor(self) -> dict:
        field = {"name": self.name, "title": self.title, "type": self.type}
        if self.description:
            field["description"] = self.description
        if self.type == "boolean":
            field.update(trueValues=[YES], falseValues=[NO])
        constraints: dict = {}
        if self.required:
            constraints["required"] = True
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.choices:
            constraints["enum"] = list(self.choices)
        if constraints:
            field["constraints"] = constraints
        return field


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    to_items: bool = False  # item_code refers to the items table

    def descriptor(self) -> dict:
        schema: dict = {"fields": [c.descriptor() for c in self.columns], "primaryKey": list(self.primary_key)}
        if self.to_items:
            schema["foreignKeys"] = [{"fields": ["item_code"],
                                      "reference": {"resource": "items", "fields": ["item_code"]}}]
        return {"name": self.name, "path": f"{self.name}.csv", "profile": "tabular-data-resource",
                "title": self.title, "description": self.description, "format": "csv", "encoding": "utf-8-sig",
                "mediatype": "text/csv", "schema": schema}


_FILE_NOTE = "网址，或本站内文件的路径（相对于站点根目录）"
_LIST_NOTE = "多项之间在 CSV 中用顿号「、」分隔，在 JSON 中为数组"
_ITEM_CODE = Column("item_code", "事项编码", required=True)

ITEMS = Table("items", "公共服务事项清单", "经市政府审定的公共服务事项，每个事项一行", (
    _ITEM_CODE,
    Column("org_code", "部门代码", required=True),
    Column("org_name", "部门", required=True),
    Column("seq", inventory.SEQ, "integer", required=True, minimum=1, description="在本部门清单中的序号"),
    Column("name", inventory.NAME, required=True),
    Column("kind", inventory.KIND, required=True, choices=inventory.KINDS),
    Column("category", inventory.CATEGORY, required=True, choices=inventory.CATEGORIES),
    Column("audience", inventory.AUDIENCE, required=True),
    Column("implementer", inventory.IMPLEMENTER, required=True),
    Column("legal_basis", inventory.LEGAL_BASIS),
    Column("time_limit_days", inventory.TIME_LIMIT, "integer", required=True, minimum=1),
    Column("charged", inventory.CHARGED, "boolean", required=True),
    Column("fee_basis", inventory.FEE_BASIS),
    Column("materials", inventory.MATERIALS),
    Column("version", "清单版本", "integer", required=True, minimum=1),
), ("item_code",))

GUIDES = Table("guides", "办事指南", "已编制办事指南的事项，每个事项一行；申请材料、办理流程和收费标准见各自的表", (
    Column("item_code", GUIDE_LABELS["code"], required=True),
    *(Column(name, GUIDE_LABELS[name]) for name in ("accepting_unit", "basis", "conditions")),
    Column("legal_days", GUIDE_LABELS["legal_days"], "integer", minimum=1),
    Column("promised_days", GUIDE_LABELS["promised_days"], "integer", minimum=1),
    Column("immediate", GUIDE_LABELS["immediate"], "boolean", required=True),
    Column("charged", GUIDE_LABELS["charged"], "boolean", required=True),
    Column("fee_note", GUIDE_LABELS["fee_note"]),
    Column("visits", GUIDE_LABELS["visits"], "integer", minimum=0, description="0 表示零跑动"),
    Column("online", GUIDE_LABELS["online"], "boolean", required=True),
    *(Column(name, GUIDE_LABELS[name]) for name in (
        "online_url", "result", "consult_phone", "consult_other", "supervise_phone", "supervise_other", "hours",
        "address", "downloads", "basic_code", "implementation_code", "audience")),
), ("item_code",), to_items=True)

MATERIALS = Table("materials", "申请材料", "各事项的申请材料，按排序列出", (
    Column("item_code", MATERIAL_LABELS["item_code"], required=True),
    Column("position", MATERIAL_LABELS["position"], "integer", required=True, minimum=1),
    Column("name", MATERIAL_LABELS["name"], required=True),
    *(Column(name, MATERIAL_LABELS[name]) for name in ("necessity", "form")),
    Column("copies", MATERIAL_LABELS["copies"], "integer", minimum=1),
    *(Column(name, MATERIAL_LABELS[name]) for name in ("source", "basis")),
    Column("is_form", MATERIAL_LABELS["is_form"], "boolean", required=True),
    *(Column(name, MATERIAL_LABELS[name], description=_FILE_NOTE) for name in ("blank", "sample", "mistakes")),
    Column("notes", MATERIAL_LABELS["notes"]),
), ("item_code", "position"), to_items=True)

STEPS = Table("steps", "办理流程", "各事项的办理流程，一步一行", (
    Column("item_code", STEP_LABELS["item_code"], required=True),
    Column("number", STEP_LABELS["number"], "integer", required=True, minimum=1),
    Column("name", STEP_LABELS["name"], required=True),
    Column("actor", STEP_LABELS["actor"]),
    Column("days", STEP_LABELS["days"], "integer", minimum=0),
    Column("detail", STEP_LABELS["detail"]),
), ("item_code", "number"), to_items=True)

FEES = Table("fees", "收费标准", "收费事项的收费项目，一项一行", (
    Column("item_code", FEE_LABELS["item_code"], required=True),
    Column("position", "排序", "integer", required=True, minimum=1),
    Column("name", FEE_LABELS["name"], required=True),
    *(Column(name, FEE_LABELS[name]) for name in ("standard", "basis", "relief")),
), ("item_code", "position"), to_items=True)

CERTIFICATES = Table("certificates", "证明事项清理结果", "各部门索要的证明及其清理结果（保留、取消、告知承诺、信息共享替代、其他证照替代）", (
    Column("certificate_id", "证明编号", required=True, description="部门代码:清理表中的序号"),
    Column("org_code", "部门代码", required=True),
    Column("org_name", "部门", required=True),
    Column("name", CERTIFICATE_HEADERS["name"], required=True),
    Column("items", CERTIFICATE_HEADERS["items"], description=_LIST_NOTE),
    *(Column(name, CERTIFICATE_HEADERS[name]) for name in ("requester", "issuer", "basis")),
    Column("basis_level", CERTIFICATE_HEADERS["basis_level"], choices=BASIS_LEVELS),
    Column("disposition", "处理方式", required=True, choices=DISPOSITIONS),
    *(Column(name, CERTIFICATE_HEADERS[name]) for name in ("replacement", "share_source", "commitment",
                                                            "verification")),
), ("certificate_id",))

CHANGES = Table("changes", "清单调整记录", "每一版清单相对上一版新增、删除和修改的事项；修改的事项每个字段一行", (
    Column("row", "行号", "integer", required=True, minimum=1),
    Column("version", "清单版本", "integer", required=True, minimum=1),
    Column("org_code", "部门代码", required=True),
    Column("change", "调整类型", required=True, choices=(ADDED, REMOVED, CHANGED),
           description="added 新增，removed 删除，changed 修改"),
    Column("item_name", "事项名称", required=True),
    Column("field", "修改的字段"),
    Column("before", "修改前"),
    Column("after", "修改后"),
    Column("effective_on", "施行日期", "date", required=True),
    Column("reason", "调整理由"),
    Column("document", "调整文件"),
), ("row",))

# 好差评, month by month: figures, units and items only (the summaries hold no person).
LEVELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
EVALUATION_UNITS = Table("evaluation_units", "好差评月度统计（按单位）", "每月每个单位收到的各等级评价件数；不满意和非常不满意为差评", (
    Column("month", "月份", required=True, description="YYYY-MM"),
    Column("unit", "单位", required=True),
    *(Column(f"level_{n}", level, "integer", required=True, minimum=0) for n, level in enumerate(LEVELS, start=1)),
    Column("total", "合计", "integer", required=True, minimum=0),
    Column("bad", "差评", "integer", required=True, minimum=0),
), ("month", "unit"))
EVALUATION_CASES = Table("evaluation_cases", "差评案件", "每件差评的核实、整改和回访情况，不含评价人的个人信息", (
    Column("case_id", "案件编号", "integer", required=True, minimum=1),
    Column("month", "月份", required=True, description="YYYY-MM"),
    Column("unit", "单位", required=True),
    Column("item_code", "事项编码"),
    Column("item_name", "事项名称"),
    Column("level", "评价等级", required=True, choices=LEVELS),
    Column("state", "办理状态", required=True),
    Column("due", "整改期限"),
    Column("rectified_on", "整改日期"),
    Column("on_time", "按期整改"),
    Column("appealed", "申诉复核", "boolean", required=True),
), ("case_id",))

SCHEMAS: dict[str, Table] = {t.name: t for t in (ITEMS, GUIDES, MATERIALS, STEPS, FEES, CERTIFICATES, CHANGES,
                                                 EVALUATION_UNITS, EVALUATION_CASES)}


# --- rows ----------------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list | tuple):
        return ITEM_SEPARATOR.join(_text(v) for v in value)
    return str(value)


def _number(value: object) -> int | None:
    # The registry's values are already whole numbers; a number written as text in old data still reads.
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _numbered(values: Sequence[object]) -> list[int]:
    """The given numbers when they are distinct and present; otherwise 1, 2, 3… in listed order, so
    that (item_code, number) stays a key whatever was kept."""
    numbers = [_number(v) for v in values]
    if None in numbers or len(set(numbers)) != len(numbers) or min(numbers, default=1) < 1:
        return list(range(1, len(values) + 1))
    return numbers


def _place(value: object) -> tuple[bool, int]:
    number = _number(value)
    return number is None, number or 0


def item_rows(site: Site) -> Iterator[dict]:
    for entry in site.items:
        item = entry.item
        yield {"item_code": _text(item.get("code")), "org_code": entry.org_code, "org_name": entry.org_name,
               "seq": _number(item.get("seq")), "name": _text(item.get("name")), "kind": _text(item.get("kind")),
               "category": _text(item.get("category")), "audience": _text(item.get("audience")),
               "implementer": _text(item.get("implementer")), "legal_basis": _text(item.get("legal_basis")),
               "time_limit_days": _number(item.get("time_limit_days")), "charged": bool(item.get("charged")),
               "fee_basis": _text(item.get("fee_basis")), "materials": _text(item.get("materials")),
               "version": site.version}


def _guided(site: Site) -> Iterator[tuple[str, dict]]:
    for entry in site.items:
        if entry.guide is not None:
            yield _text(entry.item.get("code")), entry.guide


def guide_rows(site: Site) -> Iterator[dict]:
    for code, guide in _guided(site):
        row: dict = {}
        for column in GUIDES.columns:
            value = guide.get(column.name)
            if column.name == "item_code":
                row[column.name] = code
            elif column.type == "integer":
                row[column.name] = _number(value)
            elif column.type == "boolean":
                row[column.name] = bool(value)
            else:
                row[column.name] = _text(value)
        yield row


def material_rows(site: Site) -> Iterator[dict]:
    for code, guide in _guided(site):
        materials = guide.get("materials") or []
        # 排序 is the order an applicant reads them in; a material without one comes after the others.
        ordered = sorted(materials, key=lambda m: _place(m.get("position")))
        for position, m in zip(_numbered([m.get("position") for m in ordered]), ordered):
            yield {"item_code": code, "position": position, "name": _text(m.get("name")),
                   "necessity": _text(m.get("necessity")), "form": _text(m.get("form")),
                   "copies": _number(m.get("copies")), "source": _text(m.get("source")),
                   "basis": _text(m.get("basis")), "is_form": bool(m.get("is_form")), "blank": _text(m.get("blank")),
                   "sample": _text(m.get("sample")), "mistakes": _text(m.get("mistakes")),
                   "notes": _text(m.get("notes"))}


def step_rows(site: Site) -> Iterator[dict]:
    for code, guide in _guided(site):
        steps = guide.get("steps") or []
        for number, s in zip(_numbered([s.get("number") for s in steps]), steps):
            yield {"item_code": code, "number": number, "name": _text(s.get("name")), "actor": _text(s.get("actor")),
                   "days": _number(s.get("days")), "detail": _text(s.get("detail"))}


def fee_rows(site: Site) -> Iterator[dict]:
    for code, guide in _guided(site):
        for position, f in enumerate(guide.get("fees") or [], start=1):
            yield {"item_code": code, "position": position, "name": _text(f.get("name")),
                   "standard": _text(f.get("standard")), "basis": _text(f.get("basis")),
                   "relief": _text(f.get("relief"))}


def certificate_rows(site: Site) -> Iterator[dict]:
    taken: set[str] = set()
    ordinals: dict[str, int] = {}
    for certificate in site.certificates:
        ordinals[certificate.org_code] = ordinals.get(certificate.org_code, 0) + 1
        entry = certificate.entry
        yield {"certificate_id": _certificate_id(certificate, ordinals[certificate.org_code], taken),
               "org_code": certificate.org_code, "org_name": certificate.org_name, "name": _text(entry.get("name")),
               "items": _names(entry.get("items")),
               **{key: _text(entry.get(key)) for key in ("requester", "issuer", "basis", "basis_level", "disposition",
                                                         "replacement", "share_source", "commitment", "verification")}}


def _names(items: object) -> list[str]:
    # The registry stores a certificate's items as a list; text from an older ledger is split as the ledger is.
    if isinstance(items, str):
        return split_items(items)
    return [_text(i) for i in items or []]


def _certificate_id(certificate: SiteCertificate, ordinal: int, taken: set[str]) -> str:
    """部门代码:序号, the ledger's own number; a number given twice gets the row's place after it."""
    seq = _number(certificate.entry.get("seq")) or ordinal
    key = f"{certificate.org_code}:{seq}"
    if key in taken:
        key = f"{key}-{ordinal}"
    taken.add(key)
    return key


def change_rows(site: Site) -> Iterator[dict]:
    """Version by version, oldest first; within one, department by department: added, removed, changed."""
    number = 0
    for change in site.changes:
        for org_code in sorted(change.changes):
            for kind, name, field, before, after in _org_changes(change.changes[org_code]):
                number += 1
                yield _change_row(number, change, org_code, kind, name, field, before, after)


def _org_changes(log: Mapping) -> Iterator[tuple]:
    for name in log.get(ADDED) or []:
        yield ADDED, name, "", "", ""
    for name in log.get(REMOVED) or []:
        yield REMOVED, name, "", "", ""
    for name, fields in (log.get(CHANGED) or {}).items():
        for field, before, after in fields:
            yield CHANGED, name, field, before, after


def _change_row(number: int, change: SiteChange, org_code: str, kind: str, name: object, field: object,
                before: object, after: object) -> dict:
    return {"row": number, "version": change.version, "org_code": org_code, "change": kind,
            "item_name": _text(name), "field": _text(field), "before": _text(before), "after": _text(after),
            "effective_on": change.effective_on.isoformat(), "reason": change.reason, "document": change.document}


def evaluation_unit_rows(site: Site) -> Iterator[dict]:
    for month in site.evaluations:
        for unit, *counts in month["by_unit"]["rows"]:
            yield {"month": month["month"], "unit": _text(unit),
                   **{f"level_{n}": int(c) for n, c in enumerate(counts[:len(LEVELS)], start=1)},
                   "total": int(counts[len(LEVELS)]), "bad": int(counts[len(LEVELS) + 1])}


def evaluation_case_rows(site: Site) -> Iterator[dict]:
    for month in site.evaluations:
        for case_id, unit, code, name, level, state, due, rectified_on, on_time, appealed in month["cases"]["rows"]:
            yield {"case_id": int(case_id), "month": month["month"], "unit": _text(unit), "item_code": _text(code),
                   "item_name": _text(name), "level": _text(level), "state": _text(state), "due": _text(due),
                   "rectified_on": _text(rectified_on), "on_time": _text(on_time), "appealed": appealed == YES}


ROWS: dict[str, Callable[[Site], Iterable[dict]]] = {
    "items": item_rows, "guides": guide_rows, "materials": material_rows, "steps": step_rows, "fees": fee_rows,
    "certificates": certificate_rows, "changes": change_rows, "evaluation_units": evaluation_unit_rows,
    "evaluation_cases": evaluation_case_rows,
}


# --- files ---------------------------------------------------------------------------------------


def csv_cell(value: object) -> object:
    """A value as the CSV file holds it: 是/否, lists joined with 、, nothing as an empty cell, and
    formula-like text kept text."""
    if value is None:
        return ""
    if isinstance(value, bool | list):
        value = _text(value)
    return csv_safe(value)


def _write_csv(path: Path, table: Table, rows: Sequence[dict]) -> None:
    names = [c.name for c in table.columns]
    # Department names, 是/否 and the like repeat on every row: each distinct value is checked once.
    cells: dict[object, object] = {}

    def cell(value: object) -> object:
        key = (type(value), value) if not isinstance(value, list) else (list, tuple(value))
        if key not in cells:
            cells[key] = csv_cell(value)
        return cells[key]

    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(names)
        writer.writerows([cell(row[n]) for n in names] for row in rows)


def _write_json(path: Path, rows: Sequence[dict]) -> None:
    # One object a line: the file diffs well between versions and still parses as one JSON array.
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("[")
        for n, row in enumerate(rows):
            out.write(",\n" if n else "\n")
            out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n]\n" if rows else "]\n")


def package_descriptor(site: Site) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": f"public-service-list-v{site.version}",
        "title": f"{site.campaign_name}：公共服务事项清单（第 {site.version} 版）开放数据",
        "description": (f"{site.issued_by}公布的公共服务事项清单、办事指南和证明事项清理结果。"
                        f"{site.approved_on.isoformat()} {site.meeting}审定，{site.document}，"
                        f"自 {site.effective_on.isoformat()} 起施行。CSV 文件为带 BOM 的 UTF-8；"
                        "以 = + - @ 开头的文字前加了一个单引号，以免电子表格软件当作公式计算；"
                        "同名的 JSON 文件是相同的数据，不加单引号。"),
        "version": f"{site.version}.0.0",
        "created": site.generated_at.isoformat(timespec="seconds"),
        "licenses": [LICENCE],
        "contributors": [{"title": site.issued_by, "role": "publisher"}],
        "resources": [SCHEMAS[name].descriptor() for name in TABLES],
    }


def write_open_data(site: Site, out: Path) -> list[Path]:
    """Create ``out`` (the site's data/ folder) and write, for each table, <table>.csv and <table>.json,
    and datapackage.json. Returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in TABLES:
        rows = list(ROWS[name](site))
        csv_path, json_path = out / f"{name}.csv", out / f"{name}.json"
        _write_csv(csv_path, SCHEMAS[name], rows)
        _write_json(json_path, rows)
        written += [csv_path, json_path]
    package = out / PACKAGE
    package.write_text(json.dumps(package_descriptor(site), ensure_ascii=False, indent=2) + "\n", encoding="utf-8",
                       newline="\n")
    return [*written, package]
