"""Text from a submitter that begins with = + - or @ stays text in every workbook we write."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from core.problems import Problem
from workbooks.problem_report import build_problem_report


def test_the_problem_report_keeps_formula_like_submitter_text_as_text():
    evil = Problem('=HYPERLINK("http://evil.example","点我")', "@SUM(1)", sheet="+工作表", row=2, column="-列")
    sheet = load_workbook(io.BytesIO(build_problem_report([evil])))["问题清单"]
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.data_type for c in cells[1:]] == ["s", "n", "s", "s", "s"]
    assert cells[4].value == '=HYPERLINK("http://evil.example","点我")'
