"""Checks on an untrusted workbook before anything parses it.

A file from a mailbox may be the wrong format, encrypted, carry macros, be corrupt, be a zip bomb
(a small file that expands to gigabytes), or be a package crafted against its reader: part names
outside the package, a DTD or entities, parts missing or cut short (workbooks.package). Each of
these becomes one clear problem in Chinese; nothing here raises on bad input.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from core.problems import Problem
from rules.documents import SPREADSHEET_EXTENSIONS, extension
from workbooks.package import (
    PackageDamage,
    XmlPartCheck,
    check_part_names,
    check_required_parts,
    check_sheet_parts,
    is_xml_part,
)

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, or an encrypted .xlsx
ZIP_SIGNATURE = b"PK\x03\x04"
CHUNK = 1 << 20
# Below this size an entry's compression ratio says nothing: tiny repetitive XML compresses a lot.
RATIO_FLOOR_BYTES = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_expanded_bytes: int = 400 * 1024 * 1024
    max_ratio: float = 200


WORKBOOK_EXTENSIONS = (".xlsx",)
REJECTED_FORMATS = {
    ".xls": "这是旧版 Excel 97-2003 格式（.xls）",
    ".xlsm": "这是含宏的工作簿（.xlsm），出于安全考虑不予接收",
    ".csv": "这是 CSV 文本文件，不是 Excel 工作簿",
    ".et": "这是 WPS 表格格式（.et）",
    ".ods": "这是 OpenDocument 表格（.ods）",
}
SAVE_AS = "请用 Excel 或 WPS 打开后「另存为」Excel 工作簿（*.xlsx），再作为附件发送"


def is_spreadsheet_name(filename: str) -> bool:
    return extension(filename) in SPREADSHEET_EXTENSIONS


def check_workbook(filename: str, content: bytes, limits: Limits) -> Problem | None:
    """The first reason not to open this file, or None when it is safe to parse."""
    ext = extension(filename)
    if ext in REJECTED_FORMATS:
        return Problem(f"附件「{filename}」{REJECTED_FORMATS[ext]}", SAVE_AS)
    if ext not in WORKBOOK_EXTENSIONS:
        return Problem(f"附件「{filename}」不是 Excel 工作簿", SAVE_AS)
    if len(content) > limits.max_bytes:
        return Problem(
            f"附件「{filename}」大小为 {_mb(len(content))}，超过 {_mb(limits.max_bytes)} 的上限",
            "请删除多余的工作表、图片和空行后重新发送；确需报送大量事项的，请与市编委办联系",
        )
    if content.startswith(OLE_SIGNATURE):
        return Problem(f"附件「{filename}」设置了打开密码（已加密），或是改了扩展名的 .xls 文件",
                           "请取消密码保护（文件-信息-保护工作簿-用密码进行加密，清空密码），另存为 .xlsx 后重新发送")
    if not content.startswith(ZIP_SIGNATURE):
        return _corrupt(filename)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return _corrupt(filename)
    if unsafe_name := check_part_names(filename, [e.filename for e in entries]):
        return unsafe_name
    names = {e.filename.lower() for e in entries}
    if "[content_types].xml" not in names or not any(n.startswith("xl/") for n in names):
        return _corrupt(filename)
    if any(n.endswith("vbaproject.bin") for n in names):
        return Problem(f"附件「{filename}」含有宏（VBA 代码），出于安全考虑不予接收",
                           "请另存为不含宏的 Excel 工作簿（*.xlsx）后重新发送")
    exact = {e.filename for e in entries}
    return (check_required_parts(filename, exact) or _check_expansion(filename, archive, entries, limits)
            or check_sheet_parts(filename, archive, exact))


def check_document(filename: str, content: bytes, limits: Limits) -> Problem | None:
    """The first reason not to keep a document (a work plan) that answered its obligation: it is
    stored whole and opened by people, never parsed here."""
    if len(content) > limits.max_bytes:
        return Problem(f"附件「{filename}」大小为 {_mb(len(content))}，超过 {_mb(limits.max_bytes)} 的上限",
                       "请压缩图片或降低扫描分辨率后重新发送；确实无法压缩的，请与市编委办联系")
    if content.startswith(ZIP_SIGNATURE):
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            names = []
        # Kept whole and opened by people: an entry that unpacks outside its folder is refused all the same.
        if unsafe_name := check_part_names(filename, names):
            return unsafe_name
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            return Problem(f"附件「{filename}」含有宏（VBA 代码），出于安全考虑不予接收",
                           "请另存为不含宏的文档（*.docx）或 PDF 后重新发送")
    return None


def _check_expansion(filename: str, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo],
                     limits: Limits) -> Problem | None:
    bomb = Problem(f"附件「{filename}」解压后体积异常巨大（疑似压缩炸弹），不予处理",
                       "请用 Excel 重新保存为正常的 .xlsx 文件后发送")
    declared = sum(e.file_size for e in entries)
    if declared > limits.max_expanded_bytes:
        return bomb
    for entry in entries:
        if entry.file_size > RATIO_FLOOR_BYTES and entry.file_size > limits.max_ratio * max(entry.compress_size, 1):
            return bomb
    # The sizes above are what the file claims; reading every entry (zipfile stops at the
    # declared size and checks the CRC) proves them, without ever holding more than a chunk. The
    # same pass parses each XML part, so nothing reads XML that has a DTD or is cut short.
    total = 0
    try:
        for entry in entries:
            xml = XmlPartCheck(filename, entry.filename) if is_xml_part(entry.filename) else None
            with archive.open(entry) as stream:
                while chunk := stream.read(CHUNK):
                    total += len(chunk)
                    if total > limits.max_expanded_bytes:
                        return bomb
                    if xml is not None:
                        xml.feed(chunk)
            if xml is not None:
                xml.feed(b"", final=True)
    except PackageDamage as damage:
        return damage.problem
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, RuntimeError):
        return _corrupt(filename)
    return None


def _corrupt(filename: str) -> Problem:
    return Problem(f"附件「{filename}」已损坏，无法作为 Excel 工作簿打开",
                       "请确认文件能在 Excel 中正常打开，重新保存为 .xlsx 后再发送")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
