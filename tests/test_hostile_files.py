"""Hostile and damaged workbooks: each class gets its receipt in Chinese, never a traceback, and
formula-like text never comes alive in anything we write."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from core.problems import Problem
from demo.documents import work_plan_docx
from demo.samples import filled_workbook, item_rows, saved_by_a_spreadsheet_program
from reform.app import app
from registry.campaign.obligations import find_obligation
from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.intake.tables import MailboxMessage, SubmittedItem
from rules.organisations import OrgKind, OrgRecord, Person
from tests.intake_helpers import call, outbox, reply, take_in
from workbooks import inventory_schema as s
from workbooks.approved_list import DepartmentList, build_approved_list
from workbooks.consolidated_opinion import OpinionLine, build_consolidated_workbook
from workbooks.cover import TemplateFacts
from workbooks.directory.writers import write_directory
from workbooks.inventory_template import build_inventory_template
from workbooks.problem_report import build_problem_report
from workbooks.review_packet import PacketFacts, build_review_packet, parse_review_packet
from workbooks.safe_cells import csv_safe
from workbooks.self_report_template import ReportFacts, build_self_report_template
from workbooks.supervision_report import BulletinFacts, BulletinRow, Narrative, Unreported, build_bulletin

runner = CliRunner()
TEMPLATE = build_inventory_template(TemplateFacts("沈阳市教育局", "jyj", "方案", date(2016, 8, 1), "intake+a@x.org"))
# Saved as a spreadsheet program saves it: the part surgery below is written against that layout
# (each string inline in its cell, the items on sheet2.xml).
GOOD = saved_by_a_spreadsheet_program(filled_workbook(TEMPLATE, item_rows(2)))
ITEMS = "xl/worksheets/sheet2.xml"  # the template's second sheet, 公共服务事项清单
SST_REL = (b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"'
           b' Target="sharedStrings.xml" Id="rId99" /></Relationships>')
SST_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
SST = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
       '<si><t>主动服务</t></si></sst>').encode()


def _repacked(change=lambda name, data: data, drop=(), add=(), workbook: bytes = GOOD) -> bytes:
    """The workbook with its parts changed, dropped or added, as a hand-made or damaged package would be."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in drop:
                target.writestr(item.filename, change(item.filename, source.read(item)))
        for name, data in add:
            target.writestr(name, data)
    return out.getvalue()


def _text_node(xml: bytes, text: str) -> bytes:
    """The <t> node holding ``text`` as this openpyxl wrote it: raw UTF-8, or (with lxml installed)
    as numeric character references."""
    raw = f"<t>{text}</t>".encode()
    return raw if raw in xml else ("<t>" + "".join(f"&#{ord(c)};" for c in text) + "</t>").encode()


def _in_part(part: str, edit) -> bytes:
    return _repacked(lambda name, data: edit(data) if name == part else data)


def _with_shared_strings(table: bytes, index: int, workbook: bytes = GOOD) -> bytes:
    """C2 of the second sheet (in GOOD, 事项类型 of the first item) read from the shared-string table at ``index``."""
    def change(name: str, data: bytes) -> bytes:
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", SST_REL)
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", SST_TYPE)
        if name == ITEMS:
            return re.sub(rb'<c r="C2" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="C2" t="s"><v>%d</v></c>' % index,
                          data)
        return data
    return _repacked(change, add=[("xl/sharedStrings.xml", table)], workbook=workbook)


def _submitted(tmp_path, workbook: bytes):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(workbook)
    return runner.invoke(app, ["submit", str(path), "--org", "jyj"])


def _refused(tmp_path, workbook: bytes) -> str:
    """`reform submit` of the workbook: exit 1 with a receipt, never a traceback."""
    result = _submitted(tmp_path, workbook)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "未通过校验" in result.output
    return result.output


def test_the_shared_string_table_is_read_when_it_is_whole(initialised, tmp_path):
    result = _submitted(tmp_path, _with_shared_strings(SST, 0))
    assert result.exit_code == 0, result.output


def test_entity_in_sheet(initialised, tmp_path):
    workbook = _in_part(ITEMS, lambda xml: b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "x">]>'
                        + xml.replace("<t>本单位</t>".encode(), b"<t>&e;</t>", 1))
    assert "部件 xl/worksheets/sheet2.xml 含有 XML 文档类型声明（DTD）或实体引用" in _refused(tmp_path, workbook)


def test_entity_without_dtd_in_sheet(initialised, tmp_path):
    workbook = _in_part(ITEMS, lambda xml: xml.replace(_text_node(xml, "本单位"), b"<t>&e;</t>", 1))
    assert "含有 XML 文档类型声明（DTD）或实体引用" in _refused(tmp_path, workbook)


def test_dtd_in_shared_strings(initialised, tmp_path):
    table = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "AAAA">]>' + SST.replace(b"<t>", b"<t>&a;")
    assert "部件 xl/sharedStrings.xml 含有 XML 文档类型声明" in _refused(tmp_path, _with_shared_strings(table, 0))


def test_dtd_in_workbook_part(initialised, tmp_path):
    workbook = _in_part("xl/workbook.xml", lambda xml: b"<!DOCTYPE workbook>" + xml)
    assert "部件 xl/workbook.xml 含有 XML 文档类型声明" in _refused(tmp_path, workbook)


def test_dtd_in_content_types(initialised, tmp_path):
    workbook = _in_part("[Content_Types].xml", lambda xml: b"<!DOCTYPE Types>" + xml)
    assert "部件 [Content_Types].xml 含有 XML 文档类型声明" in _refused(tmp_path, workbook)


def test_shared_string_index_out_of_range(initialised, tmp_path):
    output = _refused(tmp_path, _with_shared_strings(SST, 99))
    assert "工作表「公共服务事项清单」：文件已损坏：单元格 C2 引用了第 100 个共享字符串，但文件中只有 1 个" in output


def test_shared_string_index_out_of_range_in_a_review_packet():
    item = {"seq": 1, "name": "事项", "kind": "主动服务", "category": "其他", "audience": "自然人", "implementer": "本单位",
            "legal_basis": "", "time_limit_days": 1, "charged": False, "fee_basis": "", "materials": "", "remarks": ""}
    packet = build_review_packet(PacketFacts("fzb", "市法制办", "合法性", "依据", "jyj", "市教育局", 1, 1,
                                             date(2016, 8, 1), "intake+x@x.org"), [item], [[]])
    parsed = parse_review_packet(_with_shared_strings(SST, 99, saved_by_a_spreadsheet_program(packet)))
    assert [(p.sheet, p.what) for p in parsed.problems] == [
        ("审核意见表", "文件已损坏：单元格 C2 引用了第 100 个共享字符串，但文件中只有 1 个")]


def test_truncated_sheet_part(initialised, tmp_path):
    workbook = _in_part(ITEMS, lambda xml: xml[: len(xml) // 2])
    assert "文件已损坏：部件 xl/worksheets/sheet2.xml 内容不完整（被截断）" in _refused(tmp_path, workbook)


def test_missing_sheet_part_is_called_damaged(initialised, tmp_path):
    output = _refused(tmp_path, _repacked(drop=(ITEMS,)))
    assert "文件已损坏：缺少工作表「公共服务事项清单」的部件 xl/worksheets/sheet2.xml" in output


def test_missing_workbook_part_is_called_damaged(initialised, tmp_path):
    output = _refused(tmp_path, _repacked(drop=("xl/workbook.xml",)))
    assert "文件已损坏：缺少工作簿部件 xl/workbook.xml" in output and "重新保存" in output
    assert "改回" not in output and "找不到工作表" not in output


def test_part_name_with_dotdot(initialised, tmp_path):
    output = _refused(tmp_path, _repacked(add=[("../../../../tmp/x", b"x")]))
    assert "含有非法的部件名称「../../../../tmp/x」" in output


def test_absolute_part_name(initialised, tmp_path):
    assert "含有非法的部件名称「/tmp/x」" in _refused(tmp_path, _repacked(add=[("/tmp/x", b"x")]))


def test_part_name_with_dotdot_in_a_work_plan(initialised, tmp_path):
    plan = tmp_path / "和平区工作方案.docx"
    plan.write_bytes(_repacked(add=[("../../../../tmp/x", b"x")], workbook=work_plan_docx()))
    result = runner.invoke(app, ["submit", str(plan), "--org", "210102"])
    assert result.exit_code == 1 and "含有非法的部件名称「../../../../tmp/x」" in result.output
    with transaction(initialised) as session:
        assert find_obligation(session, "district_plans", "210102").state != "fulfilled"


def test_a_hostile_workbook_by_mail_gets_its_receipt_and_leaves_the_mailbox(initialised):
    c = call(initialised, "jyj")
    workbook = _in_part(ITEMS, lambda xml: xml[: len(xml) // 2])
    result = take_in(initialised, reply(c, [("清单.xlsx", workbook)]))
    assert result.outcome == "rejected"
    [receipt] = outbox(initialised, "receipt")
    assert receipt.to_addrs == [c.sender] and "内容不完整（被截断）" in receipt.text
    with transaction(initialised) as session:
        assert session.scalar(select(MailboxMessage.outcome)) == "rejected"
        assert session.get(Obligation, c.obligation_id).state == "returned"


def test_tab_before_equals_stays_text(initialised):
    c = call(initialised, "jyj")
    rows = item_rows(1)
    rows[0][s.HEADERS.index(s.REMARKS)] = "\t=1+1"
    rows[0][s.HEADERS.index(s.MATERIALS)] = "\u200b@SUM(1)"
    result = take_in(initialised, reply(c, [("清单.xlsx", filled_workbook(c.template, rows))]))
    assert result.outcome == "accepted"
    with transaction(initialised) as session:
        item = session.scalars(select(SubmittedItem)).one()
        assert (item.remarks, item.materials) == ("\t=1+1", "\u200b@SUM(1)")


def _live_cells(workbook: bytes, text: str) -> list[str]:
    """Cells that are formulas, or that hold ``text`` without the quote prefix that keeps Excel from
    calculating it once someone edits the cell."""
    book = load_workbook(io.BytesIO(workbook))
    return [f"{sheet.title}!{cell.coordinate}" for sheet in book for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f" or (cell.value == text and not cell.quotePrefix)]


HOSTILE = ("=1+1", "\t=1+1", "\u200b=HYPERLINK(\"http://evil.example\")", " +1", "\u3000-1", "@SUM(1)")


def test_no_live_formula_in_written_workbooks_and_csv(tmp_path):
    for text in HOSTILE:
        item = {"seq": 1, "name": text, "kind": "主动服务", "category": "其他", "audience": "自然人",
                "implementer": text, "legal_basis": text, "time_limit_days": 1, "charged": False, "fee_basis": "",
                "materials": text, "remarks": text}
        written = {
            "problem report": build_problem_report([Problem(text, text, sheet=text, row=2, column=text)]),
            "approved list": build_approved_list(
                campaign_name="方案", version=1, approved_on=date(2016, 10, 28), meeting=text, document=text,
                departments=[DepartmentList("jyj", text, text, 1, text, [item], finished=False)], forced=text),
            "review packet": build_review_packet(
                PacketFacts("fzb", text, text, text, "jyj", text, 1, 1, date(2016, 8, 1), text), [item], [[text]]),
            "consolidated opinion": build_consolidated_workbook(
                org_name=text, version=1, agencies=[text], lines=[OpinionLine(text, text, [text], text, text, text, text)],
                response_due=date(2016, 8, 1), reply_address=text),
            "template": build_inventory_template(TemplateFacts(text, text, text, date(2016, 8, 1), "a@b.c")),
            "self-report": build_self_report_template(
                TemplateFacts(text, text, text, date(2016, 8, 1), "a@b.c"),
                ReportFacts(5, text, text, ({"key": "items", "label": text, "unit": text, "value": 1},))),
            "supervision report": build_bulletin(BulletinFacts(
                text, text, "2017-01-20", ((5, text),), (BulletinRow(5, text, text, text, text, 1, 2, text),),
                (Unreported(5, text, text, text, text),), (Narrative(5, text, text, text, text),))),
        }
        path = tmp_path / "directory.xlsx"
        person = Person(text, "a@b.c", text)
        write_directory(path, [OrgRecord("jyj", text, text, OrgKind.DEPARTMENT, address=text, contact=person,
                                         leader=person, head=person)])
        written["directory"] = path.read_bytes()
        assert {name: _live_cells(content, text) for name, content in written.items()} == {n: [] for n in written}
        rows = io.StringIO()
        csv.writer(rows).writerow([csv_safe(text), csv_safe("正常文本"), csv_safe(3)])
        [cells] = list(csv.reader(io.StringIO(rows.getvalue())))
        assert cells == [f"'{text}", "正常文本", "3"]
