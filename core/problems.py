"""One problem found in something a user gave us, told the way they can act on it (一次性告知).

The same type serves every file a user hands in: a department's workbook (sheet, row, column),
the organisation directory and the calendar (file, an entry or line, a field) and the work plan.
Each error that carries problems words its one-line message its own way from these fields.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

# Fields a workbook problem never sets; left out of as_dict when empty so that stored
# submission problems keep the shape they have always had.
_FILE_FIELDS = ("file", "place", "line")


@dataclass(frozen=True)
class Problem:
    what: str  # what is wrong, in Chinese
    fix: str  # how to put it right; "" where `what` already names the allowed values
    sheet: str = ""  # empty: the file or the message as a whole
    row: int | None = None  # the row number Excel shows
    column: str = ""  # the header, the YAML key or the column letter where there is no header
    file: str = ""  # the name of the file the user gave, when there is one
    # Where in the file when no row says it: a YAML entry ("第 3 条（第 25 行）"), a text line.
    place: str = ""
    line: int = 0  # the row or text line the problem is on, to list problems in file order; 0: the whole file

    def where(self) -> str:
        parts = [f"工作表「{self.sheet}」" if self.sheet else "", f"第 {self.row} 行" if self.row else "",
                 self.place, f"「{self.column}」列" if self.column else ""]
        return "".join(parts) or "附件"

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in _FILE_FIELDS:
            if not data[key]:
                del data[key]
        return data
