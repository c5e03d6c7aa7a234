"""Which file answers which phase's document (rules.documents), and what a file's bytes are (workbooks.sniffing)."""
from __future__ import annotations

from demo.documents import work_plan_docx, work_plan_ofd, work_plan_pdf
from demo.samples import filled_workbook, item_rows
from notifications.intake_letters import CALL_LETTERS
from rules.documents import DOCUMENTS, DocumentKind, Format, choose, document
from workbooks.sniffing import sniff

WORK_PLAN = document("work_plan")
INVENTORY = document("inventory")


def test_the_bytes_of_each_format_are_told_apart():
    assert [sniff(c) for c in (work_plan_pdf(), work_plan_docx(), work_plan_ofd(), filled_workbook(None, item_rows(1)),
                               b"\x89PNG\r\n\x1a\n", b"PK\x03\x04broken")] == [
        Format.PDF, Format.DOCX, Format.OFD, Format.XLSX, None, None]


def test_a_work_plan_is_answered_by_a_pdf_a_docx_or_an_ofd():
    for name, fmt in (("方案.pdf", Format.PDF), ("方案.docx", Format.DOCX), ("方案.ofd", Format.OFD)):
        assert choose(WORK_PLAN, [(name, fmt)]).index == 0


def test_a_workbook_does_not_answer_a_work_plan():
    [problem] = choose(WORK_PLAN, [("清单.xlsx", Format.XLSX)]).problems
    assert "本项任务要求报送的是工作方案（PDF 文件、Word 文档、OFD 版式文件）" in problem.what


def test_a_pdf_does_not_answer_an_inventory():
    [problem] = choose(INVENTORY, [("清单.pdf", Format.PDF)]).problems
    assert problem.what.startswith("附件「清单.pdf」是PDF 文件，本项任务要求报送的是公共服务事项清单")


def test_a_name_that_the_content_belies_does_not_answer():
    [problem] = choose(WORK_PLAN, [("方案.pdf", Format.XLSX)]).problems
    assert "扩展名是 .pdf，但内容实为Excel 工作簿" in problem.what


def test_an_old_word_file_is_named_as_such():
    [problem] = choose(WORK_PLAN, [("方案.doc", None)]).problems
    assert "旧版 Word 97-2003 文档（.doc）" in problem.what


def test_any_spreadsheet_name_is_left_to_the_workbook_checks_for_an_inventory():
    assert choose(INVENTORY, [("清单.xls", None)]).index == 0


def test_files_beside_the_one_that_answers_are_ignored():
    assert choose(WORK_PLAN, [("签名.png", None), ("方案.pdf", Format.PDF)]).index == 1


def test_every_file_is_named_at_once_when_none_answers():
    choice = choose(WORK_PLAN, [("a.xlsx", Format.XLSX), ("b.txt", None)])
    assert choice.index is None
    assert [p.what.split("」")[0] for p in choice.problems] == ["附件「a.xlsx", "附件「b.txt"]


def test_two_files_that_answer_are_one_too_many():
    [problem] = choose(WORK_PLAN, [("a.pdf", Format.PDF), ("b.pdf", Format.PDF)]).problems
    assert "2 个文档附件：「a.pdf」、「b.pdf」" in problem.what


def test_no_attachment_is_said_so():
    [problem] = choose(WORK_PLAN, []).problems
    assert problem.what == "邮件中没有附件" and "工作方案" in problem.fix


def test_every_document_a_kickoff_calls_has_its_letter():
    assert {k for k, d in DOCUMENTS.items() if d.called} == set(CALL_LETTERS)


def test_the_inventory_guides_certificates_and_self_reports_have_templates():
    assert [k for k, d in DOCUMENTS.items() if d.template] == [DocumentKind.INVENTORY, DocumentKind.GUIDES,
                                                               DocumentKind.CERTIFICATES, DocumentKind.SELF_REPORT]
