"""Reading a directory file of either format, with every problem reported at once."""
from __future__ import annotations

from pathlib import Path

from core.problems import Problem
from rules.organisations import OrgRecord
from workbooks.directory.checks import validate
from workbooks.directory.fields import MAX_FILE_BYTES, XLSX_SUFFIX, YAML_SUFFIXES
from workbooks.directory.problems import DirectoryFileError, file_error
from workbooks.directory.yaml_reader import yaml_rows


def read_directory(path: Path, district: str | None = None) -> list[OrgRecord]:
    """Read a .yaml/.yml or .xlsx directory; raise DirectoryFileError listing every problem.

    With `district` (a GB/T 2260 code) the file is that district's own: every organisation in it
    must belong there, and blank division and parent codes are filled in with the district's.
    """
    path = Path(path)
    file = path.name
    suffix = path.suffix.lower()
    if suffix not in (*YAML_SUFFIXES, XLSX_SUFFIX):
        raise file_error(file, f'不支持的文件类型 "{path.suffix}"，请使用 .yaml、.yml 或 .xlsx')
    if not path.is_file():
        raise file_error(file, f"找不到文件 {path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise file_error(file, f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，不像组织目录")
    problems: list[Problem] = []
    if suffix in YAML_SUFFIXES:
        rows = yaml_rows(path, problems)
    else:
        # openpyxl (with numpy, a second of import) only for a directory kept in Excel.
        from workbooks.directory.excel_reader import xlsx_rows  # noqa: PLC0415 - slow import, see above

        rows = xlsx_rows(path, problems)
    records = validate(rows, file, problems, district)
    if problems:
        # Readers and the validator report in separate passes; the user fixes row by row.
        raise DirectoryFileError(sorted(problems, key=lambda p: p.line))
    return records
