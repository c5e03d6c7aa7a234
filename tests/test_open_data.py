"""The public site's open data: CSV and JSON per table and a Frictionless Data Package that validates,
with formula-like text kept text and guide-less items left out of the guide tables."""
from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import frictionless
import pytest

from workbooks.site.model import Site, SiteCertificate, SiteChange, SiteDepartment, SiteFile, SiteItem
from workbooks.site.open_data import TABLES, write_open_data

BASIS = "《中华人民共和国教育法》第二十九条"
BLANK = "files/jyj/申请表（空白）.docx"


def approved(code: str, seq: int, name: str, **changes: object) -> dict:
    item = {"code": code, "seq": seq, "name": name, "kind": "主动服务", "category": "公共教育", "audience": "自然人",
            "implementer": "沈阳市教育局", "legal_basis": BASIS, "time_limit_days": 20, "charged": False,
            "fee_basis": "", "materials": "居民身份证、户口簿", "remarks": ""}
    return {**item, **changes}


def guide(item: dict, **changes: object) -> dict:
    materials = [
        {"name": "居民身份证", "position": 1, "necessity": "必要", "form": "原件", "copies": 1, "source": "公安机关核发",
         "basis": BASIS, "is_form": False, "blank": "", "sample": "", "mistakes": "", "notes": ""},
        {"name": "申请表", "position": 2, "necessity": "必要", "form": "原件", "copies": 2, "source": "申请人填写",
         "basis": BASIS, "is_form": True, "blank": BLANK, "sample": "https://zwfw.shenyang.gov.cn/sample.pdf",
         "mistakes": "https://zwfw.shenyang.gov.cn/mistakes.pdf", "notes": "用黑色签字笔填写"},
    ]
    steps = [{"number": 1, "name": "受理", "actor": "窗口人员", "days": 0, "detail": "当场受理"},
             {"number": 2, "name": "审核", "actor": "科室", "days": 5, "detail": "审核材料"}]
    fees = ([{"name": "测试费", "standard": "每人次50元", "basis": "辽价发〔2012〕10号", "relief": ""}]
            if item["charged"] else [])
    base = {"code": item["code"], "name": item["name"], "basic_code": "", "implementation_code": "",
            "item_type": item["kind"], "implementer": item["implementer"], "accepting_unit": "沈阳市教育局政务服务窗口",
            "audience": "自然人", "basis": BASIS, "conditions": "申请人为本市户籍居民", "legal_days": 20,
            "promised_days": 10, "immediate": False, "charged": item["charged"],
            "fee_note": "辽价发〔2012〕10号" if item["charged"] else "不收费", "visits": 1, "online": False,
            "online_url": "", "result": "证明文件", "consult_phone": "024-22725001", "consult_other": "",
            "supervise_phone": "12345", "supervise_other": "", "hours": "工作日 8:30—17:00",
            "address": "沈阳市沈河区市府大路260号", "downloads": "", "materials": materials, "steps": steps,
            "fees": fees, "faqs": [{"question": "能否代办？", "answer": "可以。"}]}
    return {**base, **changes}


FIRST = approved("JYJ-001", 1, "中小学生学籍证明")
CHARGED = approved("JYJ-002", 2, "普通话水平测试", charged=True, fee_basis="辽价发〔2012〕10号 每人次50元")
UNGUIDED = approved("RSJ-001", 1, "就业失业登记")


def small_site(items: list[SiteItem] | None = None, **changes: object) -> Site:
    if items is None:
        items = [SiteItem("jyj", "沈阳市教育局", FIRST, guide(FIRST)),
                 SiteItem("jyj", "沈阳市教育局", CHARGED, guide(CHARGED)),
                 SiteItem("rsj", "沈阳市人力资源和社会保障局", UNGUIDED)]
    certificates = [
        SiteCertificate("jyj", "沈阳市教育局", {"seq": 1, "name": "户籍证明", "items": ["中小学生学籍证明", "普通话水平测试"],
                                               "requester": "沈阳市教育局", "issuer": "派出所", "basis": "",
                                               "basis_level": "无", "disposition": "取消", "replacement": "",
                                               "share_source": "", "commitment": "", "verification": ""}),
        SiteCertificate("jyj", "沈阳市教育局", {"seq": 2, "name": "无犯罪记录证明", "items": ["中小学生学籍证明"],
                                               "requester": "沈阳市教育局", "issuer": "公安机关", "basis": "",
                                               "basis_level": "无", "disposition": "告知承诺", "replacement": "",
                                               "share_source": "", "commitment": "本人无犯罪记录",
                                               "verification": "信息系统比对"}, "files/jyj/告知承诺书.docx"),
    ]
    log = {"jyj": {"added": ["普通话水平测试"], "removed": ["教师资格认定"],
                   "changed": {"中小学生学籍证明": [["办理时限（工作日）", 30, 20]]}}}
    site = Site(campaign_name="沈阳市简化优化公共服务流程方便基层群众办事创业工作", issued_by="沈阳市人民政府办公厅",
                version=2, approved_on=date(2016, 8, 26), meeting="市政府第62次常务会议", document="沈政办发〔2016〕88号",
                effective_on=date(2017, 3, 1), generated_at=datetime(2017, 3, 1, 9, 0),
                departments=[SiteDepartment("jyj", "沈阳市教育局", "市教育局"),
                             SiteDepartment("rsj", "沈阳市人力资源和社会保障局", "市人社局")],
                items=items, certificates=certificates,
                files=[SiteFile(BLANK, b"blank form", "申请表（空白）"), SiteFile("files/jyj/告知承诺书.docx", b"letter")],
                changes=[SiteChange(1, date(2016, 9, 1), "首次审定", "沈政办发〔2016〕88号", {}),
                         SiteChange(2, date(2017, 3, 1), "动态调整", "沈政办发〔2017〕12号", log)],
                evaluations=[EVALUATION_MONTH])
    return replace(site, **changes)


# A month of 好差评 as registry.evaluations' monthly_summary gives it: figures, units, items, cases.
EVALUATION_MONTH = {
    "month": "2017-01", "as_of": "2017-03-01",
    "totals": {"evaluations": 5, "bad": 2, "cases": 2, "rectified_on_time": 1, "rectified_late": 0, "overdue": 0,
               "unfounded": 1, "closed": 1, "open": 0},
    "by_level": {"headers": ["评价等级", "评价器", "合计"], "rows": [["非常满意", 2, 2], ["不满意", 2, 2]]},
    "by_unit": {"headers": ["单位", "非常满意", "满意", "基本满意", "不满意", "非常不满意", "合计", "差评"],
                "rows": [["沈阳市教育局", 2, 1, 0, 1, 1, 5, 2]]},
    "by_item": {"headers": ["事项编码", "事项名称", "单位", "合计"], "rows": [["JYJ-001", "中小学生学籍证明", "沈阳市教育局", 5]]},
    "cases": {"headers": ["案件编号", "单位", "事项编码", "事项名称", "评价等级", "办理状态", "整改期限", "整改日期", "按期整改",
                          "申诉复核"],
              "rows": [[1, "沈阳市教育局", "JYJ-001", "中小学生学籍证明", "不满意", "已办结", "2017-02-28", "2017-02-16", "是", "否"],
                       [2, "沈阳市教育局", "JYJ-001", "中小学生学籍证明", "非常不满意", "核实不属实", "", "", "", "是"]]},
}


def test_the_months_evaluations_are_open_data_by_unit_and_by_case(data: Path):
    [unit] = read_csv(data, "evaluation_units")
    assert (unit["month"], unit["unit"], unit["total"], unit["bad"]) == ("2017-01", "沈阳市教育局", "5", "2")
    cases = read_json(data, "evaluation_cases")
    assert [(c["case_id"], c["appealed"]) for c in cases] == [(1, False), (2, True)]


def read_csv(folder: Path, table: str) -> list[dict]:
    with (folder / f"{table}.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_json(folder: Path, table: str) -> list[dict]:
    return json.loads((folder / f"{table}.json").read_text(encoding="utf-8"))


def as_csv_text(value: object) -> str:
    """How the CSV writes a JSON value, apostrophe aside."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    return str(value)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    write_open_data(small_site(), tmp_path / "data")
    return tmp_path / "data"


def errors_of(report: frictionless.Report) -> list[tuple[str, str, str]]:
    """(table, error type, message) for every error, the package's own ones named "package"."""
    return [("package", e.type, e.message) for e in report.errors] + [
        (task.name, e.type, e.message) for task in report.tasks for e in task.errors]


# --- the package ---------------------------------------------------------------------------------


def test_the_package_validates_without_errors(data: Path):
    report = frictionless.validate(str(data / "datapackage.json"))
    assert errors_of(report) == []
    assert report.valid


def test_every_table_is_written_as_csv_and_json_beside_the_package(tmp_path: Path):
    written = write_open_data(small_site(), tmp_path / "data")
    expected = [tmp_path / "data" / f"{t}.{ext}" for t in TABLES for ext in ("csv", "json")]
    assert written == [*expected, tmp_path / "data" / "datapackage.json"]
    assert all(path.is_file() for path in written)


def test_the_package_describes_each_csv_with_its_encoding_and_keys(data: Path):
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert [r["path"] for r in package["resources"]] == [f"{t}.csv" for t in TABLES]
    assert {(r["format"], r["encoding"], r["mediatype"]) for r in package["resources"]} == {
        ("csv", "utf-8-sig", "text/csv")}
    keys = {r["name"]: r["schema"]["primaryKey"] for r in package["resources"]}
    assert keys["items"] == ["item_code"] and keys["materials"] == ["item_code", "position"]
    references = {r["name"] for r in package["resources"] if r["schema"].get("foreignKeys")}
    assert references == {"guides", "materials", "steps", "fees"}


def test_booleans_are_declared_as_shi_and_fou(data: Path):
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    items = next(r for r in package["resources"] if r["name"] == "items")
    charged = next(f for f in items["schema"]["fields"] if f["name"] == "charged")
    assert (charged["type"], charged["trueValues"], charged["falseValues"]) == ("boolean", ["是"], ["否"])
    assert [r["charged"] for r in read_csv(data, "items")] == ["否", "是", "否"]


def test_the_package_has_a_chinese_title_a_licence_and_its_creation_time(data: Path):
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    assert "公共服务事项清单（第 2 版）" in package["title"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["created"] == "2017-03-01T09:00:00"


def test_a_reference_to_an_item_not_on_the_list_is_caught(data: Path):
    path = data / "steps.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("JYJ-002", "XXX-999"), encoding="utf-8-sig")
    report = frictionless.validate(str(data / "datapackage.json"))
    assert {(e[0], e[1]) for e in errors_of(report)} == {("steps", "foreign-key")}


# --- the rows ------------------------------------------------------------------------------------


def test_items_csv_has_exactly_one_row_per_item(data: Path):
    assert [r["item_code"] for r in read_csv(data, "items")] == ["JYJ-001", "JYJ-002", "RSJ-001"]


def test_every_csv_starts_with_a_byte_order_mark(data: Path):
    assert {(data / f"{t}.csv").read_bytes()[:3] for t in TABLES} == {b"\xef\xbb\xbf"}


@pytest.mark.parametrize("text", ["=1+1", "@SUM(A1:A9)", "+1", "-1", "\t=HYPERLINK(\"http://x\")"])
def test_formula_like_text_comes_out_as_text_in_the_csv(tmp_path: Path, text: str):
    item = approved("JYJ-001", 1, text, legal_basis=text)
    write_open_data(small_site([SiteItem("jyj", "沈阳市教育局", item, guide(item, conditions=text))]), tmp_path)
    row = read_csv(tmp_path, "items")[0]
    assert (row["name"], row["legal_basis"]) == (f"'{text}", f"'{text}")
    assert read_csv(tmp_path, "guides")[0]["conditions"] == f"'{text}"


def test_the_json_keeps_formula_like_text_as_written(tmp_path: Path):
    item = approved("JYJ-001", 1, "=1+1")
    write_open_data(small_site([SiteItem("jyj", "沈阳市教育局", item)]), tmp_path)
    assert read_json(tmp_path, "items")[0]["name"] == "=1+1"


def test_chinese_text_round_trips(data: Path):
    assert read_csv(data, "items")[2]["org_name"] == "沈阳市人力资源和社会保障局"
    assert read_json(data, "guides")[0]["address"] == "沈阳市沈河区市府大路260号"
    assert read_csv(data, "certificates")[0]["items"] == "中小学生学籍证明、普通话水平测试"


def test_text_across_lines_stays_in_one_cell(tmp_path: Path):
    item = approved("JYJ-001", 1, "中小学生学籍证明")
    detail = "第一行\r\n第二行，\"引号\"\n第三行"
    steps = [{"number": 1, "name": "受理", "actor": "窗口", "days": 0, "detail": detail}]
    write_open_data(small_site([SiteItem("jyj", "沈阳市教育局", item, guide(item, steps=steps))]), tmp_path)
    assert [r["detail"] for r in read_csv(tmp_path, "steps")] == [detail]
    assert errors_of(frictionless.validate(str(tmp_path / "datapackage.json"))) == []


def test_the_json_holds_the_same_rows_as_the_csv(data: Path):
    for table in TABLES:
        from_json = [{k: as_csv_text(v) for k, v in row.items()} for row in read_json(data, table)]
        assert from_json == read_csv(data, table), table


def test_the_json_keeps_numbers_booleans_and_lists(data: Path):
    first = read_json(data, "items")[0]
    assert (first["seq"], first["time_limit_days"], first["charged"]) == (1, 20, False)
    assert read_json(data, "certificates")[0]["items"] == ["中小学生学籍证明", "普通话水平测试"]


def test_the_same_site_gives_the_same_bytes(tmp_path: Path):
    first = write_open_data(small_site(), tmp_path / "a")
    second = write_open_data(small_site(), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_an_item_without_a_guide_has_no_rows_in_the_guide_tables(data: Path):
    for table in ("guides", "materials", "steps", "fees"):
        assert "RSJ-001" not in {r["item_code"] for r in read_csv(data, table)}, table
    assert [r["item_code"] for r in read_csv(data, "guides")] == ["JYJ-001", "JYJ-002"]


def test_only_a_charged_item_has_fee_rows(data: Path):
    assert [(r["item_code"], r["position"], r["name"]) for r in read_csv(data, "fees")] == [("JYJ-002", "1", "测试费")]


def test_a_form_links_its_blank_by_its_path_in_the_site(data: Path):
    form = next(r for r in read_csv(data, "materials") if r["is_form"] == "是")
    assert (form["item_code"], form["position"], form["blank"]) == ("JYJ-001", "2", BLANK)


def test_materials_given_the_same_place_are_numbered_in_their_order(tmp_path: Path):
    item = approved("JYJ-001", 1, "中小学生学籍证明")
    materials = [{**m, "position": 1} for m in guide(item)["materials"]]
    write_open_data(small_site([SiteItem("jyj", "沈阳市教育局", item, guide(item, materials=materials))]), tmp_path)
    assert [(r["position"], r["name"]) for r in read_csv(tmp_path, "materials")] == [("1", "居民身份证"), ("2", "申请表")]
    assert errors_of(frictionless.validate(str(tmp_path / "datapackage.json"))) == []


def test_a_material_without_a_place_comes_after_the_others(tmp_path: Path):
    item = approved("JYJ-001", 1, "中小学生学籍证明")
    first, form = guide(item)["materials"]
    materials = [{**first, "position": None}, {**form, "position": 3}]
    write_open_data(small_site([SiteItem("jyj", "沈阳市教育局", item, guide(item, materials=materials))]), tmp_path)
    assert [(r["position"], r["name"]) for r in read_csv(tmp_path, "materials")] == [("1", "申请表"), ("2", "居民身份证")]


def test_certificates_are_numbered_by_department_and_ledger_number(data: Path):
    assert [(r["certificate_id"], r["disposition"]) for r in read_csv(data, "certificates")] == [
        ("jyj:1", "取消"), ("jyj:2", "告知承诺")]


def test_a_certificate_number_given_twice_still_gives_distinct_ids(tmp_path: Path):
    site = small_site()
    twice = [replace(c, entry={**c.entry, "seq": 1}) for c in site.certificates]
    write_open_data(replace(site, certificates=twice), tmp_path)
    assert [r["certificate_id"] for r in read_csv(tmp_path, "certificates")] == ["jyj:1", "jyj:1-2"]
    assert errors_of(frictionless.validate(str(tmp_path / "datapackage.json"))) == []


def test_the_changes_name_an_added_item(data: Path):
    added = [r for r in read_csv(data, "changes") if r["change"] == "added"]
    assert [(r["version"], r["org_code"], r["item_name"], r["effective_on"]) for r in added] == [
        ("2", "jyj", "普通话水平测试", "2017-03-01")]


def test_a_changed_field_gives_its_values_before_and_after(data: Path):
    changed = [r for r in read_csv(data, "changes") if r["change"] == "changed"]
    assert [(r["item_name"], r["field"], r["before"], r["after"]) for r in changed] == [
        ("中小学生学籍证明", "办理时限（工作日）", "30", "20")]


def test_a_site_without_guides_certificates_or_changes_still_validates(tmp_path: Path):
    site = small_site([SiteItem("rsj", "沈阳市人力资源和社会保障局", UNGUIDED)], certificates=[], changes=[])
    write_open_data(site, tmp_path)
    assert read_json(tmp_path, "guides") == [] and read_csv(tmp_path, "changes") == []
    assert errors_of(frictionless.validate(str(tmp_path / "datapackage.json"))) == []
