"""Directory files: the sample, round trips, and errors a coordinator can act on."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from registry.seed import sample_directory_path
from rules.organisations import OrgKind, OrgRecord, OrgRole, Person
from workbooks.directory import (
    DirectoryFileError,
    read_directory,
    write_directory,
)

DISTRICT_CODES = {
    "和平区": "210102",
    "沈河区": "210103",
    "大东区": "210104",
    "皇姑区": "210105",
    "铁西区": "210106",
    "苏家屯区": "210111",
    "浑南区": "210112",
    "沈北新区": "210113",
    "于洪区": "210114",
    "辽中区": "210115",
    "康平县": "210123",
    "法库县": "210124",
    "新民市": "210181",
}


@pytest.fixture(scope="module")
def sample() -> list[OrgRecord]:
    return read_directory(sample_directory_path())


def _by_code(records: list[OrgRecord]) -> dict[str, OrgRecord]:
    return {r.code: r for r in records}


def _org(code: str, **changes: object) -> OrgRecord:
    record = OrgRecord(
        code=code,
        name=f"沈阳市{code}局",
        short_name=f"市{code}局",
        kind=OrgKind.DEPARTMENT,
        contact=Person("王丽", f"{code}.contact@shenyang.example.org", "024-22720001"),
        leader=Person("李强", f"{code}.leader@shenyang.example.org"),
        head=Person("张伟", f"{code}.head@shenyang.example.org", "024-22720003"),
    )
    return replace(record, **changes)


def _xlsx_with(tmp_path: Path, records: list[OrgRecord], edit: dict[str, str]) -> Path:
    """Write records as xlsx, then overwrite cells (e.g. {"J3": "wang@@x"}) as a user would."""
    path = tmp_path / "dir.xlsx"
    write_directory(path, records)
    workbook = load_workbook(path)
    for ref, value in edit.items():
        workbook["组织目录"][ref] = value
    workbook.save(path)
    return path


def _raises(path: Path) -> DirectoryFileError:
    with pytest.raises(DirectoryFileError) as info:
        read_directory(path)
    return info.value


# ---------------------------------------------------------------- the sample


def test_sample_has_at_least_40_departments(sample: list[OrgRecord]) -> None:
    departments = [r for r in sample if r.kind is OrgKind.DEPARTMENT]
    assert len(departments) >= 40


def test_sample_has_the_four_lead_agencies_with_their_codes(sample: list[OrgRecord]) -> None:
    leads = {r.code: r.short_name for r in sample if OrgRole.LEAD_AGENCY in r.roles}
    assert leads == {"bwb": "市编委办", "fzb": "市法制办", "czj": "市财政局", "zwfwb": "市政务服务办"}


def test_sample_coordinator_is_the_bianweiban(sample: list[OrgRecord]) -> None:
    assert [r.code for r in sample if OrgRole.COORDINATOR in r.roles] == ["bwb"]


def test_sample_has_general_office_big_data_and_four_regulators(sample: list[OrgRecord]) -> None:
    orgs = _by_code(sample)
    assert OrgRole.GENERAL_OFFICE in orgs["szfbgt"].roles
    assert OrgRole.BIG_DATA in orgs["dsjj"].roles
    assert len([r for r in sample if OrgRole.REGULATOR in r.roles]) >= 4


def test_sample_has_the_13_districts_with_their_gb2260_codes(sample: list[OrgRecord]) -> None:
    districts = [r for r in sample if r.kind is OrgKind.DISTRICT]
    assert {r.short_name: r.code for r in districts} == DISTRICT_CODES
    assert all(r.division_code == r.code for r in districts)


def test_sample_gives_every_person_a_reserved_domain_email(sample: list[OrgRecord]) -> None:
    for r in sample:
        assert r.contact.email == f"{r.code}.contact@shenyang.example.org"
        assert r.leader.email == f"{r.code}.leader@shenyang.example.org"
        assert r.head.email == f"{r.code}.head@shenyang.example.org"
        assert r.contact.name and r.leader.name and r.head.name


# ---------------------------------------------------------------- round trips


def test_sample_round_trips_through_xlsx(sample: list[OrgRecord], tmp_path: Path) -> None:
    path = tmp_path / "dir.xlsx"
    write_directory(path, sample)
    assert read_directory(path) == sample


def test_sample_round_trips_through_yaml(sample: list[OrgRecord], tmp_path: Path) -> None:
    path = tmp_path / "dir.yaml"
    write_directory(path, sample)
    assert read_directory(path) == sample


def test_parent_code_round_trips_through_xlsx(tmp_path: Path) -> None:
    records = [
        _org("210102", kind=OrgKind.DISTRICT, division_code="210102"),
        _org("hpjyj", parent_code="210102"),
    ]
    path = tmp_path / "dir.xlsx"
    write_directory(path, records)
    assert read_directory(path) == records


def test_formula_looking_name_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "dir.xlsx"
    write_directory(path, [_org("evil", name='=HYPERLINK("http://x","点我")', short_name="+1")])
    sheet = load_workbook(path)["组织目录"]
    assert sheet["B2"].data_type == "s"
    assert sheet["C2"].data_type == "s"
    assert sheet["B2"].quotePrefix


def test_formula_looking_name_reads_back_unchanged(tmp_path: Path) -> None:
    record = _org("evil", name="=1+1", short_name="@sum")
    path = tmp_path / "dir.xlsx"
    write_directory(path, [record])
    assert read_directory(path) == [record]


def test_written_xlsx_has_frozen_header_and_kind_dropdown(tmp_path: Path) -> None:
    path = tmp_path / "dir.xlsx"
    write_directory(path, [_org("jyj")])
    sheet = load_workbook(path)["组织目录"]
    assert sheet.freeze_panes == "A2"
    validations = sheet.data_validations.dataValidation
    assert any("部门" in (v.formula1 or "") and "D2" in str(v.sqref) for v in validations)


# ---------------------------------------------------------------- tolerant reading


def test_xlsx_accepts_chinese_and_english_kinds_and_roles(tmp_path: Path) -> None:
    edits = {"D2": "department", "E2": "行业主管部门，lead_agency", "E3": "regulator"}
    path = _xlsx_with(tmp_path, [_org("jtj"), _org("jsw")], edits)
    orgs = _by_code(read_directory(path))
    assert orgs["jtj"].roles == (OrgRole.REGULATOR, OrgRole.LEAD_AGENCY)
    assert orgs["jsw"].roles == (OrgRole.REGULATOR,)


def test_xlsx_headers_tolerate_spaces_and_full_width_forms(tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, [_org("jyj")], {"A1": " 代 码 ", "J1": "联系人邮箱　"})
    assert [r.code for r in read_directory(path)] == ["jyj"]


def test_xlsx_numeric_codes_and_phones_read_as_text(tmp_path: Path) -> None:
    path = _xlsx_with(
        tmp_path,
        [_org("210102", kind=OrgKind.DISTRICT, division_code="210102")],
        {"A2": 210102, "F2": 210102.0},  # type: ignore[dict-item]
    )
    [record] = read_directory(path)
    assert (record.code, record.division_code) == ("210102", "210102")


def test_yaml_keeps_leading_zero_phones_and_no_as_text(tmp_path: Path) -> None:
    path = tmp_path / "dir.yaml"
    path.write_text(
        "organisations:\n"
        "  - {code: no, name: 沈阳市某局, kind: department,"
        " contact: {name: 王丽, email: a@shenyang.example.org, phone: 02422720001}}\n",
        encoding="utf-8",
    )
    [record] = read_directory(path)
    assert (record.code, record.contact.phone) == ("no", "02422720001")


# ---------------------------------------------------------------- errors


def test_duplicate_code_names_file_field_and_both_rows(tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, [_org("jyj"), _org("gaj"), _org("mzj")], {"A4": "jyj"})
    message = str(_raises(path))
    assert "dir.xlsx" in message and "第 4 行" in message and "「代码」" in message
    assert "第 2 行" in message


def test_malformed_email_names_file_row_and_field(tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, [_org("jyj"), _org("gaj")], {"J3": "wang@@x"})
    assert str(_raises(path)) == '目录文件 dir.xlsx 第 3 行「联系人邮箱」: "wang@@x" 不是有效的电子邮件地址'


def test_missing_columns_are_all_named(tmp_path: Path) -> None:
    path = tmp_path / "dir.xlsx"
    workbook = Workbook()
    workbook.active.title = "组织目录"
    workbook.active.append(["代码", "名称", "类型"])
    workbook.active.append(["jyj", "沈阳市教育局", "部门"])
    workbook.save(path)
    message = str(_raises(path))
    assert "dir.xlsx" in message and "第 1 行" in message
    assert "「联系人邮箱」" in message and "「主要负责同志」" in message


def test_missing_yaml_keys_are_named(tmp_path: Path) -> None:
    path = tmp_path / "dir.yaml"
    path.write_text("organisations:\n  - {code: jyj}\n", encoding="utf-8")
    message = str(_raises(path))
    assert "dir.yaml" in message and "第 1 条" in message and "name" in message and "kind" in message


def test_unknown_kind_lists_the_allowed_values(tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, [_org("jyj")], {"D2": "局"})
    message = str(_raises(path))
    assert "dir.xlsx" in message and "第 2 行" in message and "「类型」" in message
    assert "部门" in message and "区县政府" in message


def test_unknown_role_lists_the_allowed_values(tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, [_org("jyj")], {"E2": "牵头单位"})
    message = str(_raises(path))
    assert "「角色」" in message and "牵头单位" in message and "行业主管部门" in message


def test_unknown_parent_code_names_file_row_and_field(tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, [_org("jyj"), _org("hpjyj", parent_code="210199")], {})
    message = str(_raises(path))
    assert "dir.xlsx" in message and "第 3 行" in message and "「上级代码」" in message
    assert "210199" in message


def test_district_without_division_code_is_rejected(tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, [_org("210102", kind=OrgKind.DISTRICT)], {})
    message = str(_raises(path))
    assert "第 2 行" in message and "「行政区划代码」" in message


def test_yaml_error_names_entry_and_key(tmp_path: Path) -> None:
    path = tmp_path / "dir.yaml"
    write_directory(path, [_org("jyj"), _org("gaj", contact=Person("王丽", "wang@@x"))])
    message = str(_raises(path))
    assert "dir.yaml" in message and "第 2 条" in message and "contact.email" in message


def test_every_problem_is_collected_and_counted(tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, [_org("jyj"), _org("gaj")], {"J2": "a@@b", "D3": "局", "M3": "c@"})
    error = _raises(path)
    assert len(error.problems) == 3
    assert str(error).endswith("（另有 2 处错误）")
    assert [(p.file, p.row, p.column) for p in error.problems] == [
        ("dir.xlsx", 2, "联系人邮箱"), ("dir.xlsx", 3, "类型"), ("dir.xlsx", 3, "分管领导邮箱")]
    assert str(error).startswith("目录文件 dir.xlsx 第 2 行「联系人邮箱」: ")


def test_error_message_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "dir.yaml"
    path.write_text("organisations:\n  - code: [unclosed\n", encoding="utf-8")
    message = str(_raises(path))
    assert "\n" not in message and "dir.yaml" in message


def test_formula_cell_in_a_read_file_is_rejected(tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, [_org("jyj")], {"B2": "=A2"})
    message = str(_raises(path))
    assert "第 2 行" in message and "「名称」" in message and "公式" in message


def test_unsupported_suffix_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "dir.csv"
    path.write_text("代码,名称\n", encoding="utf-8")
    assert "dir.csv" in str(_raises(path))
