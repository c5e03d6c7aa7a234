"""One problem found in a submission, told the way a department can act on it (一次性告知)."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    what: str  # what is wrong, in Chinese
    fix: str  # how to put it right
    sheet: str = ""  # empty: the file or the message as a whole
    row: int | None = None  # the row number Excel shows
    column: str = ""  # the header, or the column letter where there is no header

    def where(self) -> str:
        parts = [f"工作表「{self.sheet}」" if self.sheet else "", f"第 {self.row} 行" if self.row else "",
                 f"「{self.column}」列" if self.column else ""]
        return "".join(parts) or "附件"

    def as_dict(self) -> dict:
        return asdict(self)
