"""The parts of an xlsx package (a zip of XML parts), checked before any reader trusts them.

A workbook that Excel or WPS saved has safe part names, a workbook part, a part for every sheet it
lists, and well-formed XML without a DTD. A hostile or damaged file may have none of these; each
becomes one problem in Chinese that says what is wrong with the file, never a reader's traceback.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from html import unescape
from xml.parsers import expat

from core.problems import Problem

WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS = "xl/sharedStrings.xml"
# Not .vml: the legacy drawings of comments are not well-formed XML even as Excel writes them, and no
# reader of ours opens them.
XML_SUFFIXES = (".xml", ".rels")
RESAVE = "请用 Excel 或 WPS 打开后重新保存为 .xlsx，再作为附件发送；如无法打开，请从原始文件重新制作"

_SHEET_ENTRY = re.compile(r'<(?:\w+:)?sheet\b([^>]*)>')
_RELATIONSHIP = re.compile(r'<(?:\w+:)?Relationship\b([^>]*)>')
_ATTRIBUTE = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')


class PackageDamage(Exception):
    """Why the parts cannot be trusted, as the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.what)
        self.problem = problem


def damaged(filename: str, what: str) -> Problem:
    return Problem(f"附件「{filename}」文件已损坏：{what}", RESAVE)


def check_part_names(filename: str, names: list[str]) -> Problem | None:
    """Part names are relative paths inside the package; "/x", "C:x", "..\\x" or "a/../../x" are not."""
    for name in names:
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0] or "\0" in name:
            return Problem(f"附件「{filename}」含有非法的部件名称「{name}」（指向文件包以外的位置），不予处理", RESAVE)
    return None


def check_required_parts(filename: str, names: set[str]) -> Problem | None:
    for part, what in ((WORKBOOK_PART, "工作簿部件"), (WORKBOOK_RELS, "工作簿关系部件")):
        if part not in names:
            return damaged(filename, f"缺少{what} {part}")
    return None


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name and the part that holds it, as the workbook part and its relationships say."""
    workbook = archive.read(WORKBOOK_PART).decode("utf-8", "replace")
    rels = archive.read(WORKBOOK_RELS).decode("utf-8", "replace")
    targets = {}
    for attributes in _RELATIONSHIP.findall(rels):
        values = dict(_ATTRIBUTE.findall(attributes))
        if "Id" in values and "Target" in values:
            targets[values["Id"]] = unescape(values["Target"])
    sheets = {}
    for attributes in _SHEET_ENTRY.findall(workbook):
        values = dict(_ATTRIBUTE.findall(attributes))
        rid = next((v for k, v in values.items() if k.endswith(":id")), "")
        if "name" in values and rid in targets:
            sheets[unescape(values["name"])] = _resolve(targets[rid])
    return sheets


def _resolve(target: str) -> str:
    # A target is relative to xl/ unless it starts with "/": the package's root.
    path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
    return posixpath.normpath(path)


def check_sheet_parts(filename: str, archive: zipfile.ZipFile, names: set[str]) -> Problem | None:
    for sheet, part in sheet_parts(archive).items():
        if part.startswith("../") or part not in names:
            return damaged(filename, f"缺少工作表「{sheet}」的部件 {part}")
    return None


class XmlPartCheck:
    """Fed a part's bytes chunk by chunk: a DTD or an entity stops it at once (an entity can expand
    a few bytes into gigabytes, or read a file from the server); a part cut short or garbled is
    damage."""

    def __init__(self, filename: str, part: str) -> None:
        self.filename, self.part = filename, part
        self._parser = expat.ParserCreate()
        self._parser.StartDoctypeDeclHandler = self._refuse_dtd
        self._parser.EntityDeclHandler = self._refuse_dtd

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self._parser.Parse(chunk, final)
        except expat.ExpatError as error:
            if error.code == expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]:
                raise PackageDamage(self._entities()) from None
            where = f"第 {error.lineno} 行第 {error.offset + 1} 列"
            what = "内容不完整（被截断）" if error.code in _TRUNCATED else f"内容无法解析（{where}）"
            raise PackageDamage(damaged(self.filename, f"部件 {self.part} {what}")) from None

    def _refuse_dtd(self, *_args) -> None:
        raise PackageDamage(self._entities())

    def _entities(self) -> Problem:
        return Problem(f"附件「{self.filename}」的部件 {self.part} 含有 XML 文档类型声明（DTD）或实体引用，"
                       "出于安全考虑不予处理", RESAVE)


_TRUNCATED = {expat.errors.codes[name] for name in (expat.errors.XML_ERROR_NO_ELEMENTS,
                                                   expat.errors.XML_ERROR_UNCLOSED_TOKEN,
                                                   expat.errors.XML_ERROR_PARTIAL_CHAR)}


def is_xml_part(name: str) -> bool:
    return name.lower().endswith(XML_SUFFIXES)


def shared_string_overflow(archive: zipfile.ZipFile, sheet_part: str) -> tuple[str, int, int] | None:
    """The first cell of the sheet that points past the end of the shared-string table: its
    reference, the index it holds and how many strings there are. Read only after a reader failed,
    to say why."""
    count = _shared_string_count(archive)
    cell = {"ref": "", "shared": False, "text": None}
    found: list[tuple[str, int, int]] = []

    def start(name: str, attributes: dict) -> None:
        local = name.rpartition(":")[2]
        if local == "c":
            cell.update(ref=attributes.get("r", ""), shared=attributes.get("t") == "s", text=None)
        elif local == "v" and cell["shared"]:
            cell["text"] = ""

    def text(data: str) -> None:
        if cell["text"] is not None:
            cell["text"] += data

    def end(name: str) -> None:
        if name.rpartition(":")[2] == "v" and cell["shared"] and cell["text"] is not None:
            index = cell["text"].strip()
            if not found and (not index.isdigit() or int(index) >= count):
                found.append((cell["ref"], int(index) if index.isdigit() else -1, count))
            cell["text"] = None

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.CharacterDataHandler, parser.EndElementHandler = start, text, end
    try:
        parser.Parse(archive.read(sheet_part), True)
    except (expat.ExpatError, KeyError):
        return None
    return found[0] if found else None


def _shared_string_count(archive: zipfile.ZipFile) -> int:
    counted = [0]

    def start(name: str, _attributes: dict) -> None:
        if name.rpartition(":")[2] == "si":
            counted[0] += 1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        parser.Parse(archive.read(SHARED_STRINGS), True)
    except (expat.ExpatError, KeyError):
        return 0
    return counted[0]


def reader_failure(content: bytes) -> Problem:
    """Why a reader failed on a package that passed the checks above: the damage is inside a part,
    named where it can be told (a shared-string index out of range), described as damage where not."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        sheets = sheet_parts(archive)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError):
        sheets = {}
    for sheet, part in sheets.items():
        if overflow := shared_string_overflow(archive, part):
            cell, index, count = overflow
            return Problem(f"文件已损坏：单元格 {cell} 引用了第 {index + 1} 个共享字符串，但文件中只有 {count} 个",
                           RESAVE, sheet=sheet)
    return Problem("文件已损坏：工作簿的内容无法读取", RESAVE)
