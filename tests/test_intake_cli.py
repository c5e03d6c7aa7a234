"""`reform template inventory`, `reform submit`: the same checks from the command line, with exit codes."""
from __future__ import annotations

from typer.testing import CliRunner

from demo.samples import filled_workbook, item_rows
from reform.app import app

runner = CliRunner()


def _template(tmp_path) -> bytes:
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["template", "inventory", "--org", "jyj", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_template_writes_the_departments_template(initialised, tmp_path):
    from workbooks.inventory_parse import parse_inventory

    parsed = parse_inventory(_template(tmp_path))
    assert parsed.cover["单位代码"] == "jyj" and parsed.problems == []


def test_submit_exits_0_and_prints_the_receipt_when_accepted(initialised, tmp_path):
    workbook = tmp_path / "清单.xlsx"
    workbook.write_bytes(filled_workbook(_template(tmp_path), item_rows(3)))
    result = runner.invoke(app, ["submit", str(workbook), "--org", "jyj"])
    assert result.exit_code == 0 and "已通过校验" in result.output


def test_submit_exits_1_and_prints_every_problem_when_rejected(initialised, tmp_path):
    rows = item_rows(2)
    rows[1][3] = "社保"
    workbook = tmp_path / "清单.xlsx"
    workbook.write_bytes(filled_workbook(_template(tmp_path), rows))
    result = runner.invoke(app, ["submit", str(workbook), "--org", "jyj"])
    assert result.exit_code == 1 and "第 3 行「事项类别」列" in result.output


def test_submit_for_an_unknown_department_is_a_clear_error(initialised, tmp_path):
    workbook = tmp_path / "清单.xlsx"
    workbook.write_bytes(b"x")
    result = runner.invoke(app, ["submit", str(workbook), "--org", "nosuch"])
    assert result.exit_code == 2 and "nosuch" in result.output
