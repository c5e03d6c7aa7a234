"""What goes wrong in a directory file, and the one line that tells the coordinator all of it."""
from __future__ import annotations

from core.errors import UserError
from core.problems import Problem

# Directory messages already name the allowed values; the remedy is the same for each.
FIX = "请在目录文件中改正后重新导入"


def directory_problem(file: str, what: str, *, row: int | None = None, place: str = "", field: str = "",
                      line: int = 0, fix: str = FIX) -> Problem:
    """A problem in `file`: at an Excel `row`, or at `place` (a YAML entry or line), in `field`."""
    return Problem(what, fix, row=row, column=field, file=file, place=place, line=line or row or 0)


def describe(problem: Problem) -> str:
    """目录文件 dir.xlsx 第 3 行「联系人邮箱」: "wang@@x" 不是有效的电子邮件地址"""
    where = f"目录文件 {problem.file}"
    location = problem.place or (f"第 {problem.row} 行" if problem.row else "")
    if location:
        where += f" {location}"
    if problem.column:
        where += f"「{problem.column}」"
    # The usual remedy goes without saying; one particular to the problem is the line's point.
    remedy = f"（{problem.fix}）" if problem.fix and problem.fix != FIX else ""
    return f"{where}: {problem.what}{remedy}"


class DirectoryFileError(UserError, ValueError):
    """A directory file that cannot be used; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("DirectoryFileError needs at least one problem")
        self.problems = problems
        message = describe(problems[0])
        if len(problems) > 1:
            message += f"（另有 {len(problems) - 1} 处错误）"
        super().__init__(message)


def file_error(file: str, what: str) -> DirectoryFileError:
    """The whole file is unusable: one problem, no row."""
    return DirectoryFileError([directory_problem(file, what)])
