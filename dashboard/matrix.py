"""The overview's matrix: every organisation against every phase, one coloured cell each. Pure.

Built from what ``registry.campaign.service.campaign_status`` returns. A cell holds all of one
organisation's obligations in one phase: its colour is the worst of their standings, its count how
many there are (and how many are still open), its date the earliest still open (or the last one due).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from markupsafe import Markup, escape

# Worst first: the order cells take their colour in and rows are sorted by.
COLOURS = ("supervision", "red", "yellow", "due", "near_due", "on_track", "undated", "done")
NOT_APPLICABLE = "none"
COLOUR_NAMES = {"supervision": "督查", "red": "红牌", "yellow": "黄牌", "due": "今日到期", "near_due": "临近期限",
                "on_track": "正常推进", "undated": "待导入日历", "done": "已完成", NOT_APPLICABLE: "不适用"}
RANK = {c: n for n, c in enumerate(COLOURS)} | {NOT_APPLICABLE: len(COLOURS)}
LATE = frozenset({"supervision", "red", "yellow"})
SUPERVISION_LEVEL = 4  # rules.escalation.Level.SUPERVISION: the ladder has reached 督查
SORTS = {"lateness": "按延误程度", "name": "按单位名称", "org": "按单位代码"}


def colour_of(obligation: dict) -> str:
    """A red card whose ladder has reached 督查 shows as 督查; otherwise the standing itself."""
    if obligation["standing"] == "red" and obligation.get("escalation_level", 0) >= SUPERVISION_LEVEL:
        return "supervision"
    return obligation["standing"]


@dataclass
class Cell:
    count: int = 0
    open: int = 0
    colour: str = NOT_APPLICABLE
    due: str | None = None  # the earliest open due date, else the last due date
    ids: list[int] = field(default_factory=list)

    def add(self, obligation: dict) -> None:
        colour = colour_of(obligation)
        self.count += 1
        self.ids.append(obligation["id"])
        if RANK[colour] < RANK[self.colour]:
            self.colour = colour
        if colour == "done":
            if self.open == 0 and (self.due is None or obligation["due"] > self.due):
                self.due = obligation["due"]
        else:
            self.due = obligation["due"] if self.open == 0 or obligation["due"] < self.due else self.due
            self.open += 1

    def as_dict(self) -> dict:
        return {"count": self.count, "open": self.open, "colour": self.colour, "due": self.due}


@dataclass
class Row:
    org: str
    name: str
    district: str | None
    cells: dict[str, Cell] = field(default_factory=dict)
    late: int = 0  # obligations with a yellow or red card or at 督查

    @property
    def worst(self) -> str:
        return min((c.colour for c in self.cells.values()), key=RANK.__getitem__, default=NOT_APPLICABLE)

    @property
    def earliest_open(self) -> str:
        return min((c.due for c in self.cells.values() if c.open and c.due), default="9999-12-31")

    def lateness(self) -> tuple:
        return RANK[self.worst], -self.late, self.earliest_open, self.name


def standing_matrix(status: dict, sort: str = "lateness", phase: str = "") -> dict:
    """The matrix as JSON-ready values: phases (with totals per colour) and one row per organisation;
    with ``phase``, that phase's column alone (and only the organisations that have obligations in it)."""
    phases = [p for p in status["phases"] if not phase or p["code"] == phase]
    codes = [p["code"] for p in phases]
    rows: dict[str, Row] = {}
    totals: dict[str, Counter] = {code: Counter() for code in codes}
    for o in status["obligations"]:
        if o["phase"] not in totals:
            continue
        row = rows.get(o["org"])
        if row is None:
            row = rows[o["org"]] = Row(o["org"], o.get("org_short_name") or o["org_name"],
                                       o.get("district") or status["campaign"].get("district"))
        row.cells.setdefault(o["phase"], Cell()).add(o)
        colour = colour_of(o)
        totals[o["phase"]][colour] += 1
        row.late += colour in LATE
    ordered = sorted(rows.values(), key=_sort_key(sort))
    return {
        "campaign": status["campaign"],
        "as_of": status["as_of"],
        "sort": sort,
        "phases": [{"code": p["code"], "name": p["name"], "deadline": p["deadline"],
                    "source_phrase": p.get("source_phrase", ""),
                    "totals": {c: totals[p["code"]][c] for c in COLOURS if totals[p["code"]][c]},
                    "count": sum(totals[p["code"]].values())} for p in phases],
        "rows": [{"org": r.org, "name": r.name, "district": r.district, "worst": r.worst, "late": r.late,
                  "cells": {code: r.cells[code].as_dict() for code in codes if code in r.cells}} for r in ordered],
    }


def _sort_key(sort: str):
    if sort == "name":
        return lambda r: (r.name, r.org)
    if sort == "org":
        return lambda r: r.org
    return Row.lateness


def short_day(iso: str | None) -> str:
    """07-31 for 2016-07-31: the year is the campaign's and would only crowd the cell."""
    return iso[5:] if iso else ""


# A cell's class (dashboard.css colours it) and the one character that says its colour in words too,
# for whoever cannot tell the colours apart; short, since the city's matrix has ten thousand cells.
CELL_CLASS = {"supervision": "s", "red": "r", "yellow": "y", "due": "d", "near_due": "n", "on_track": "g",
              "undated": "u", "done": "k", NOT_APPLICABLE: "x"}
MARKS = {"supervision": "督", "red": "红", "yellow": "黄", "due": "到", "near_due": "近", "on_track": "正",
         "undated": "待", "done": "完", NOT_APPLICABLE: "—"}


def matrix_rows_html(matrix: dict) -> Markup:
    """The matrix's body rows as HTML, written here rather than by the template: ten thousand cells
    are written several times faster, and every text from the registry is escaped all the same."""
    codes = [p["code"] for p in matrix["phases"]]
    empty = f'<td class="{CELL_CLASS[NOT_APPLICABLE]}">{MARKS[NOT_APPLICABLE]}</td>'
    out = []
    for r in matrix["rows"]:
        out.append(f'<tr><th scope="row"><a href="/org/{escape(quote(r["org"], safe=""))}">{escape(r["name"])}</a></th>')
        cells = r["cells"]
        for code in codes:
            c = cells.get(code)
            if c is None:
                out.append(empty)
                continue
            count = f'{c["open"]}/{c["count"]}' if c["open"] and c["open"] != c["count"] else c["count"]
            out.append(f'<td class="{CELL_CLASS[c["colour"]]}">{MARKS[c["colour"]]}{count} {short_day(c["due"])}</td>')
        out.append("</tr>\n")
    return Markup("".join(out))
