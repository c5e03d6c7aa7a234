"""The 13 districts' own directories, imported one district at a time, and the regulators' enterprises."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from typer.testing import CliRunner

from reform.app import app
from registry.campaign.plan import debtors_for
from registry.db import transaction
from registry.directory.service import UnknownDistrict, export_directory, import_directory
from registry.directory.tables import Organisation
from registry.seed import DISTRICT_CODES, district_directory_path, sample_directory_path
from rules.organisations import OrgKind, OrgRecord, OrgRole, Person
from workbooks.directory import DirectoryFileError, read_directory, write_directory

HEPING = "210102"
SHENHE = "210103"
OFFICES = {
    "bwb": (OrgRole.COORDINATOR, OrgRole.LEAD_AGENCY),
    "fzb": (OrgRole.LEAD_AGENCY,),
    "czj": (OrgRole.LEAD_AGENCY,),
    "zwfwb": (OrgRole.LEAD_AGENCY,),
    "zfb": (OrgRole.GENERAL_OFFICE,),
}
runner = CliRunner()


@pytest.fixture(scope="module")
def city() -> list[OrgRecord]:
    return read_directory(sample_directory_path())


@pytest.fixture(scope="module")
def districts() -> dict[str, list[OrgRecord]]:
    return {code: read_directory(district_directory_path(code), district=code) for code in DISTRICT_CODES}


def _people(record: OrgRecord) -> list[Person]:
    return [record.contact, record.leader, record.head]


def _department(code: str, **changes: object) -> OrgRecord:
    """A 和平区 department as a coordinator types it: division and parent left to the import."""
    record = OrgRecord(
        code=code, name=f"沈阳市和平区{code}局", short_name=f"和平区{code}局", kind=OrgKind.DEPARTMENT,
        contact=Person("王丽", f"{code}.contact@{HEPING}.shenyang.example.org", "024-23380001"),
        leader=Person("李强", f"{code}.leader@{HEPING}.shenyang.example.org"),
        head=Person("张伟", f"{code}.head@{HEPING}.shenyang.example.org", "024-23380003"),
    )
    return replace(record, **changes)


def _file(tmp_path: Path, records: list[OrgRecord], suffix: str = ".yaml") -> Path:
    path = tmp_path / f"heping{suffix}"
    write_directory(path, records)
    return path


def _refused(path: Path, district: str | None = HEPING) -> DirectoryFileError:
    with pytest.raises(DirectoryFileError) as info:
        read_directory(path, district=district)
    return info.value


def _organisations(url: str) -> dict[str, Organisation]:
    with transaction(url) as session:
        orgs = session.scalars(select(Organisation).options(selectinload(Organisation.parent))).all()
        return {o.code: o for o in orgs}


def _count(url: str) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(Organisation))


# ---------------------------------------------------------------- the 13 sample files


def test_the_13_codes_are_the_city_directorys_districts_in_order(city) -> None:
    assert DISTRICT_CODES == tuple(r.code for r in city if r.kind is OrgKind.DISTRICT)


@pytest.mark.parametrize("code", DISTRICT_CODES)
def test_each_file_holds_its_district_departments_under_its_government(districts, code) -> None:
    records = districts[code]
    assert {(r.kind, r.division_code, r.parent_code) for r in records} == {(OrgKind.DEPARTMENT, code, code)}
    assert len([r for r in records if not r.roles]) >= 18


@pytest.mark.parametrize("code", DISTRICT_CODES)
def test_each_file_has_its_four_lead_agencies_and_its_government_office(districts, code) -> None:
    with_roles = {r.code: r.roles for r in districts[code] if r.roles}
    assert with_roles == {f"{code}-{office}": roles for office, roles in OFFICES.items()}


@pytest.mark.parametrize("code", DISTRICT_CODES)
def test_each_short_name_names_the_district(districts, city, code) -> None:
    place = next(r.short_name for r in city if r.code == code)
    assert all(r.short_name.startswith(place) and r.short_name != place for r in districts[code])
    assert next(r.short_name for r in districts[code] if r.code == f"{code}-bwb") == f"{place}编委办"


@pytest.mark.parametrize("code", DISTRICT_CODES)
def test_every_person_has_a_name_and_an_address_under_the_districts_example_domain(districts, code) -> None:
    for record in districts[code]:
        unit = record.code.removeprefix(f"{code}-")
        for role, person in zip(("contact", "leader", "head"), _people(record)):
            assert person.name and person.phone.startswith("024-")
            assert person.email == f"{unit}.{role}@{code}.shenyang.example.org"
            assert person.email.endswith(".example.org")


def test_codes_are_unique_across_the_13_files_and_the_city(districts, city) -> None:
    codes = [r.code for r in city] + [r.code for records in districts.values() for r in records]
    assert len(codes) == len(set(codes))
    assert all(r.code.startswith(f"{code}-") for code, records in districts.items() for r in records)


def test_a_district_without_a_sample_file_is_refused() -> None:
    with pytest.raises(ValueError, match="210199"):
        district_directory_path("210199")


# ---------------------------------------------------------------- reading with --district


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_blank_division_and_parent_codes_become_the_districts(tmp_path, suffix) -> None:
    records = [_department("jyj"), _department("mzj", parent_code="jyj")]
    [jyj, mzj] = read_directory(_file(tmp_path, records, suffix), district=HEPING)
    assert (jyj.division_code, jyj.parent_code) == (HEPING, HEPING)
    assert (mzj.division_code, mzj.parent_code) == (HEPING, "jyj")


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_another_districts_organisations_are_all_named_at_once(tmp_path, suffix) -> None:
    records = [_department("jyj"), _department("sh-jyj", division_code=SHENHE),
               _department("sh-mzj", parent_code=SHENHE)]
    error = _refused(_file(tmp_path, records, suffix))
    assert [p.what for p in error.problems] == [
        f"文件中的单位 sh-jyj（沈阳市和平区sh-jyj局）属于区县 {SHENHE}，不是 {HEPING}",
        f"文件中的单位 sh-mzj（沈阳市和平区sh-mzj局）属于区县 {SHENHE}，不是 {HEPING}",
    ]
    assert all(SHENHE in p.fix and "留空" in p.fix for p in error.problems)
    assert str(error).endswith("（另有 1 处错误）") and "请从本文件删去它" in str(error)


def test_an_excel_problem_names_its_row_and_column(tmp_path) -> None:
    error = _refused(_file(tmp_path, [_department("jyj"), _department("sh-jyj", division_code=SHENHE)], ".xlsx"))
    [problem] = error.problems
    assert (problem.row, problem.column) == (3, "行政区划代码")


def test_a_district_government_in_a_district_file_is_refused(tmp_path) -> None:
    records = [_department("jyj"), _department(SHENHE, kind=OrgKind.DISTRICT, division_code=SHENHE)]
    [problem] = _refused(_file(tmp_path, records)).problems
    assert problem.what == f"文件中的单位 {SHENHE}（沈阳市和平区{SHENHE}局）是区县政府，不能作为区县 {HEPING} 的单位导入"
    assert "市级目录" in problem.fix


def test_a_parent_neither_in_the_file_nor_the_district_is_unknown(tmp_path) -> None:
    [problem] = _refused(_file(tmp_path, [_department("jyj", parent_code="nosuch")])).problems
    assert "nosuch" in problem.what and HEPING in problem.what and "未知的组织代码" in problem.what


def test_without_a_district_the_parent_must_still_be_in_the_file(tmp_path) -> None:
    [problem] = _refused(_file(tmp_path, [_department("jyj", parent_code=HEPING)]), district=None).problems
    assert problem.what == f'"{HEPING}" 不是本文件中的组织代码（未知的组织代码）'


# ---------------------------------------------------------------- importing into a registry


def test_importing_a_district_puts_its_organisations_under_its_government(initialised) -> None:
    before = _count(initialised)
    done = import_directory(initialised, district_directory_path(HEPING), HEPING)
    assert (done.organisations, done.added, done.updated) == (29, 29, 0)
    orgs = _organisations(initialised)
    mine = [o for o in orgs.values() if o.code.startswith(f"{HEPING}-")]
    assert len(mine) == 29 == _count(initialised) - before
    assert {(o.parent.code, o.division_code) for o in mine} == {(HEPING, HEPING)}
    assert orgs[f"{HEPING}-jyj"].parent.kind == OrgKind.DISTRICT


def test_a_districts_departments_do_not_become_city_departments(initialised) -> None:
    import_directory(initialised, district_directory_path(HEPING), HEPING)
    with transaction(initialised) as session:
        departments = {o.code for o in debtors_for(session, "departments")}
    assert "jyj" in departments and not any(code.startswith(f"{HEPING}-") for code in departments)


def test_importing_a_district_again_changes_nothing(initialised, tmp_path) -> None:
    import_directory(initialised, district_directory_path(HEPING), HEPING)
    done = import_directory(initialised, district_directory_path(HEPING), HEPING)
    assert (done.added, done.updated) == (0, 0)
    exported = tmp_path / "all.xlsx"
    export_directory(initialised, exported)
    assert import_directory(initialised, exported).updated == 0


def test_a_file_naming_another_district_writes_nothing(initialised) -> None:
    before = _count(initialised)
    with pytest.raises(DirectoryFileError) as info:
        import_directory(initialised, district_directory_path(SHENHE), HEPING)
    assert len(info.value.problems) == 2 * 29  # each organisation's division and parent
    assert _count(initialised) == before


def test_a_code_of_the_city_cannot_be_taken_over(initialised, tmp_path) -> None:
    before = {o.code: o.name for o in _organisations(initialised).values()}
    path = _file(tmp_path, [_department("hp-ok"), _department("jyj"), _department("bwb")])
    with pytest.raises(DirectoryFileError) as info:
        import_directory(initialised, path, HEPING)
    assert [p.what for p in info.value.problems] == [
        f"代码 jyj 已是沈阳市教育局的代码，该单位不属于区县 {HEPING}",
        f"代码 bwb 已是沈阳市机构编制委员会办公室的代码，该单位不属于区县 {HEPING}",
    ]
    assert f"{HEPING}-jyj" in info.value.problems[0].fix
    assert {o.code: o.name for o in _organisations(initialised).values()} == before


def test_an_unknown_district_is_refused_naming_the_registrys_districts(initialised) -> None:
    before = _count(initialised)
    with pytest.raises(UnknownDistrict) as info:
        import_directory(initialised, district_directory_path(HEPING), "210199")
    assert "210199" in str(info.value) and f"{HEPING}（和平区）" in str(info.value) and "210181（新民市）" in str(info.value)
    assert _count(initialised) == before


def test_a_district_may_be_named_by_its_short_name(initialised) -> None:
    assert import_directory(initialised, district_directory_path(HEPING), "和平区").added == 29
    assert _organisations(initialised)[f"{HEPING}-czj"].parent.code == HEPING


def test_without_districts_in_the_registry_the_city_list_decides(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'district.db'}"
    with pytest.raises(UnknownDistrict) as info:
        import_directory(url, district_directory_path(HEPING), "210199")
    assert "、".join(DISTRICT_CODES) in str(info.value)
    assert not (tmp_path / "district.db").exists()  # refused before the registry was made
    assert import_directory(url, district_directory_path(HEPING), HEPING).added == 29


# ---------------------------------------------------------------- the command


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_the_command_imports_a_district_file(initialised) -> None:
    path = district_directory_path("210181")
    result = runner.invoke(app, ["directory", "import", str(path), "--district", "210181"])
    assert result.exit_code == 0, result.output
    assert "新增 31，更新 0" in result.stdout
    assert _organisations(initialised)["210181-bwb"].parent.code == "210181"


def test_the_command_refuses_an_unknown_district_in_one_line(initialised) -> None:
    message = _one_line_error(runner.invoke(app, ["directory", "import", str(district_directory_path(HEPING)),
                                                  "--district", "210199"]))
    assert "210199" in message and f"{HEPING}（和平区）" in message


def test_the_command_refuses_another_districts_file_in_one_line(initialised) -> None:
    before = _count(initialised)
    message = _one_line_error(runner.invoke(app, ["directory", "import", str(district_directory_path(SHENHE)),
                                                  "--district", HEPING]))
    assert f"属于区县 {SHENHE}，不是 {HEPING}" in message and "（另有 57 处错误）" in message
    assert _count(initialised) == before


# ---------------------------------------------------------------- the regulators' enterprises


def test_enterprises_are_read_with_their_regulator(city) -> None:
    regulators = {r.code for r in city if OrgRole.REGULATOR in r.roles}
    enterprises = [r for r in city if r.kind is OrgKind.ENTERPRISE]
    by_regulator = {code: [e.name for e in enterprises if e.parent_code == code] for code in regulators}
    assert regulators == {"jsw", "jtj", "swj", "gzw", "fwyw"}
    assert all(2 <= len(names) <= 4 for names in by_regulator.values())
    assert "沈阳地铁集团有限公司" in by_regulator["jtj"] and "沈阳水务集团有限公司" in by_regulator["swj"]


def test_the_plans_word_for_enterprises_is_read(tmp_path) -> None:
    path = tmp_path / "dir.yaml"
    path.write_text(yaml.safe_dump({"organisations": [
        {"code": "jtj", "name": "沈阳市交通运输局", "kind": "部门"},
        {"code": "sydt", "name": "沈阳地铁集团有限公司", "kind": "国有企事业单位", "parent_code": "jtj"},
    ]}, allow_unicode=True), encoding="utf-8")
    assert [(r.kind, r.parent_code) for r in read_directory(path)] == [
        (OrgKind.DEPARTMENT, ""), (OrgKind.ENTERPRISE, "jtj")]


def test_enterprises_sit_under_their_regulator_and_owe_no_city_inventory(initialised) -> None:
    orgs = _organisations(initialised)
    assert (orgs["sydt"].kind, orgs["sydt"].parent.code) == (OrgKind.ENTERPRISE, "jtj")
    with transaction(initialised) as session:
        departments = {o.code for o in debtors_for(session, "departments")}
    assert not {code for code, o in orgs.items() if o.kind == OrgKind.ENTERPRISE} & departments


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_export_keeps_the_enterprise_kind(initialised, tmp_path, suffix) -> None:
    path = tmp_path / f"directory{suffix}"
    assert runner.invoke(app, ["directory", "export", str(path)]).exit_code == 0
    exported = {r.code: r for r in read_directory(path)}
    assert (exported["syrq"].kind, exported["syrq"].parent_code) == (OrgKind.ENTERPRISE, "gzw")
    result = runner.invoke(app, ["directory", "import", str(path)])
    assert result.exit_code == 0 and "新增 0，更新 0" in result.stdout
