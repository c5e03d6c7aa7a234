"""What each phase asks for (its document) and which files answer it. Pure: no I/O.

A phase names its document kind in the plan file. A file answers a document when both its
extension and its content (sniffed by ``workbooks.sniffing``) are a format the document takes:
a service-item workbook never closes a work-plan obligation, nor a PDF an inventory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from core.problems import Problem


class Format(StrEnum):
    XLSX = "xlsx"  # an Excel workbook
    PDF = "pdf"
    DOCX = "docx"  # a Word document
    OFD = "ofd"  # 版式文档 (GB/T 33190), the format of Chinese e-government documents


FORMAT_NAMES = {Format.XLSX: "Excel 工作簿", Format.PDF: "PDF 文件", Format.DOCX: "Word 文档",
                Format.OFD: "OFD 版式文件"}
EXTENSION_FORMATS = {".xlsx": Format.XLSX, ".pdf": Format.PDF, ".docx": Format.DOCX, ".ofd": Format.OFD}
# Spreadsheets in other formats count as the workbook they were meant to be: the workbook checks
# (workbooks.safety) name each and say how to save it as .xlsx.
SPREADSHEET_EXTENSIONS = (".xlsx", ".xls", ".xlsm", ".csv", ".et", ".ods")
# What people send instead of a document, and what it is, for the receipt.
NEAR_MISSES = {
    ".doc": "旧版 Word 97-2003 文档（.doc）",
    ".docm": "含宏的 Word 文档（.docm），出于安全考虑不予接收",
    ".wps": "WPS 文字文档（.wps）",
    ".txt": "纯文本文件",
    ".jpg": "图片", ".jpeg": "图片", ".png": "图片",
    ".zip": "压缩包", ".rar": "压缩包", ".7z": "压缩包",
}


class DocumentKind(StrEnum):
    INVENTORY = "inventory"  # 公共服务事项清单, or a zero report on its cover
    REVIEW_OPINION = "review_opinion"  # an agency's written opinion, on the review packet
    REVISED_INVENTORY = "revised_inventory"  # the department's revised list, on its inventory thread
    APPROVAL = "approval"  # the government's approval, recorded by `reform approve`
    GUIDES = "guides"  # 办事指南, one per approved item
    PUBLICATION_ADDRESS = "publication_address"  # where the list and guides are published
    CERTIFICATES = "certificates"  # the certificate clean-up list
    WORK_PLAN = "work_plan"  # a district's or regulator's own 工作方案
    SELF_REPORT = "self_report"  # a long-term task's periodic 自查报告
    COMPLAINT_ANSWER = "complaint_answer"  # recorded by `reform complaint answer`
    RECTIFICATION = "rectification"  # 整改情况 of an inspection finding or a 差评, recorded when done


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    name: str  # what the call and the receipts ask for
    formats: tuple[Format, ...] = ()  # the files that answer it; none: nothing is sent in as a file
    template: bool = False  # `reform template` makes one for each debtor, and the call carries it
    called: bool = False  # `reform kickoff` calls for it; otherwise its own flow writes (review, sweep, …)
    taken_in: bool = False  # intake takes it, by mail and by `reform submit`, today
    unit: str = "文件"  # what one of it is called when a mail holds several

    @property
    def formats_text(self) -> str:
        return "、".join(FORMAT_NAMES[f] for f in self.formats)


DOCUMENTS = {d.kind: d for d in (
    Document(DocumentKind.INVENTORY, "公共服务事项清单", (Format.XLSX,), template=True, called=True, taken_in=True,
             unit="表格"),
    Document(DocumentKind.REVIEW_OPINION, "书面审核意见", (Format.XLSX,), unit="表格"),
    Document(DocumentKind.REVISED_INVENTORY, "修改后的公共服务事项清单", (Format.XLSX,), unit="表格"),
    Document(DocumentKind.APPROVAL, "市政府审定意见"),
    Document(DocumentKind.GUIDES, "办事指南", (Format.XLSX,), template=True, called=True, taken_in=True, unit="表格"),
    # Not a file: the address is written in the reply to the mail that carried the department's part.
    Document(DocumentKind.PUBLICATION_ADDRESS, "公布网址", called=True, taken_in=True),
    Document(DocumentKind.CERTIFICATES, "证明事项清理表", (Format.XLSX,), template=True, called=True, taken_in=True,
             unit="表格"),
    Document(DocumentKind.WORK_PLAN, "工作方案", (Format.PDF, Format.DOCX, Format.OFD), called=True, taken_in=True,
             unit="文档"),
    # Called by the daily sweep when a period opens, not by a kickoff; the call carries its workbook.
    Document(DocumentKind.SELF_REPORT, "自查报告", (Format.XLSX,), template=True, taken_in=True, unit="表格"),
    Document(DocumentKind.COMPLAINT_ANSWER, "投诉答复"),
    Document(DocumentKind.RECTIFICATION, "整改情况"),
)}


class UnknownDocumentKind(ValueError):
    pass


def document(kind: str) -> Document:
    try:
        return DOCUMENTS[DocumentKind(kind)]
    except ValueError:
        raise UnknownDocumentKind(kind) from None


def extension(filename: str) -> str:
    match = re.search(r"\.[A-Za-z0-9]+$", filename.strip())
    return match.group(0).lower() if match else ""


def what_to_send(doc: Document) -> str:
    """How the receipt tells a debtor to put it right."""
    if doc.formats == (Format.XLSX,):
        return f"请把填好的「{doc.name}」工作簿（.xlsx）作为附件回复本邮件"
    return f"请把{doc.name}（{doc.formats_text}，一份）作为附件回复本邮件"


def fits(doc: Document, filename: str, content: Format | None) -> Problem | None:
    """None when the file answers the document; otherwise the problem to tell its sender.

    ``content`` is the format the file's bytes show, or None when they show none of ours.
    """
    ext = extension(filename)
    named = EXTENSION_FORMATS.get(ext)
    if Format.XLSX in doc.formats and ext in SPREADSHEET_EXTENSIONS:
        return None  # the workbook checks look inside, with finer reasons (encrypted, macros, .xls)
    if named in doc.formats:
        if content == named:
            return None
        inside = f"实为{FORMAT_NAMES[content]}" if content else f"不是有效的{FORMAT_NAMES[named]}（文件已损坏或已加密）"
        return Problem(f"附件「{filename}」的扩展名是 {ext}，但内容{inside}",
                       f"请确认文件能正常打开，保存为{doc.formats_text}后重新发送")
    if content is not None:
        what = f"是{FORMAT_NAMES[content]}"
        if content is Format.XLSX:
            what += "（表格）"
    elif ext in SPREADSHEET_EXTENSIONS:
        what = "是电子表格"
    elif ext in NEAR_MISSES:
        what = f"是{NEAR_MISSES[ext]}"
    else:
        what = "不是可以受理的格式"
    return Problem(f"附件「{filename}」{what}，本项任务要求报送的是{doc.name}（{doc.formats_text}）",
                   what_to_send(doc))


@dataclass(frozen=True)
class Choice:
    """The one attachment that answers the document (its index), or every reason none does."""

    index: int | None
    problems: tuple[Problem, ...] = ()


def choose(doc: Document, offered: list[tuple[str, Format | None]]) -> Choice:
    """Among a message's attachments (file name, sniffed format), the one that answers ``doc``.

    Files that do not answer it are ignored beside one that does (a signature image, a cover
    note); without one, each is named at once, with what it is and what was asked for.
    """
    if not offered:
        return Choice(None, (Problem("邮件中没有附件", what_to_send(doc)),))
    verdicts = [fits(doc, filename, content) for filename, content in offered]
    fitting = [i for i, problem in enumerate(verdicts) if problem is None]
    if len(fitting) == 1:
        return Choice(fitting[0])
    if fitting:
        names = "、".join(f"「{offered[i][0]}」" for i in fitting)
        return Choice(None, (Problem(f"邮件中有 {len(fitting)} 个{doc.unit}附件：{names}，无法确定以哪一个为准",
                                     f"每封邮件只附一份{doc.name}；请只附最终版本后重新发送"),))
    return Choice(None, tuple(p for p in verdicts if p is not None))
