"""`reform template guides|certificates`, `reform submit --phase … --attach`, `reform guides status`
and `reform certificates list|export`, as a coordinator or a script runs them."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from demo.certificate_samples import filled_certificates_workbook
from demo.guide_samples import filled_guides_workbook
from reform.app import app
from tests.second_half_helpers import FORMS, approved_department

runner = CliRunner()


def reform(*args: str):
    return runner.invoke(app, list(args))


def _template(tmp_path, phase: str):
    out = tmp_path / f"{phase}.xlsx"
    result = reform("template", phase, "--org", "jyj", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_template_guides_is_made_for_the_department_from_its_approved_items(initialised, tmp_path):
    approved_department(initialised)
    from workbooks.guides_parse import parse_guides

    sheets = parse_guides(_template(tmp_path, "guides").read_bytes())
    assert sheets.org_code == "jyj" and len(sheets.guides) == 3


def test_guides_status_json_lists_every_approved_item_with_its_missing_elements(initialised):
    approved_department(initialised)
    result = reform("guides", "status", "--format", "json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.output)
    assert len(entries) == 3
    assert {"org", "item", "state", "complete", "missing"} <= set(entries[0])
    assert entries[0]["complete"] is False and "受理单位" in entries[0]["missing"]


def test_submit_guides_with_the_forms_it_names_is_accepted_and_status_says_under_review(initialised, tmp_path):
    approved_department(initialised)
    workbook = tmp_path / "办事指南.xlsx"
    workbook.write_bytes(filled_guides_workbook(_template(tmp_path, "guides").read_bytes()))
    attached = []
    for name, content in FORMS:
        (tmp_path / name).write_bytes(content)
        attached += ["--attach", str(tmp_path / name)]
    result = reform("submit", str(workbook), "--org", "jyj", "--phase", "guides", *attached)
    assert result.exit_code == 0, result.output
    entries = json.loads(reform("guides", "status", "--org", "市教育局", "--format", "json").output)
    assert {(e["state"], e["complete"], tuple(e["missing"])) for e in entries} == {("under_review", True, ())}


def test_submit_guides_without_the_forms_exits_1_naming_each_missing_file(initialised, tmp_path):
    approved_department(initialised)
    workbook = tmp_path / "办事指南.xlsx"
    workbook.write_bytes(filled_guides_workbook(_template(tmp_path, "guides").read_bytes()))
    result = reform("submit", str(workbook), "--org", "jyj", "--phase", "guides")
    assert result.exit_code == 1
    assert all(name in result.output for name, _ in FORMS)


def test_certificates_list_json_and_the_export_of_the_lists(initialised, tmp_path):
    approved_department(initialised)
    ledger = tmp_path / "证明.xlsx"
    ledger.write_bytes(filled_certificates_workbook(_template(tmp_path, "certificates").read_bytes(),
                                                    {"申请表": "保留", "身份证明": "告知承诺"}))
    assert reform("submit", str(ledger), "--org", "jyj", "--phase", "certificates").exit_code == 0
    listed = json.loads(reform("certificates", "list", "--format", "json").output)
    assert [(e["name"], e["disposition"], e["state"]) for e in listed] == [
        ("申请表", "保留", "under_review"), ("身份证明", "告知承诺", "under_review")]
    assert {"org", "name", "items", "issuer", "basis", "basis_level", "disposition", "replacement",
            "state"} <= set(listed[0])
    kept = json.loads(reform("certificates", "list", "--disposition", "保留", "--format", "json").output)
    assert [e["name"] for e in kept] == ["申请表"]
    out = tmp_path / "公布"
    out.mkdir()
    result = reform("certificates", "export", "--out", str(out), "--as-of", "2016-11-30")
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".xlsx", ".xlsx"]


def test_certificates_list_with_an_unknown_disposition_exits_2_in_chinese(initialised):
    result = reform("certificates", "list", "--disposition", "作废")
    assert result.exit_code == 2 and "可用的：保留" in result.stderr
