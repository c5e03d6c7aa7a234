"""A department's certificate ledger: opened on approval, pre-filled from its items' 所需证明材料,
checked at once, reviewed by the four agencies, conflicts decided, the lists and 告知承诺书 made."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from demo.certificate_samples import KEEP_WITHOUT_BASIS, filled_certificates_workbook
from registry.certificates.service import UnknownDisposition, certificate_documents, certificates_list
from registry.review.service import conflicting_items, decide_conflict
from tests.review_helpers import agency_reply, filled_packet, merge, packets, route
from tests.second_half_helpers import approved_department, call_for, send

REVIEWED = datetime(2016, 11, 24, 10, 0)
MIX = {"申请表": "保留", "身份证明": "告知承诺"}


def _accepted_ledger(url: str, dispositions=MIX) -> int:
    approved_department(url)
    c = call_for(url, "certificates")
    result = send(url, c, filled_certificates_workbook(c.template, dispositions))
    assert result.outcome == "accepted", result.receipt
    return result.submission_id


def test_the_ledger_is_pre_filled_with_the_certificates_the_approved_items_name(initialised):
    approved_department(initialised)
    c = call_for(initialised, "certificates")
    from workbooks.certificates_parse import parse_certificates

    names = [row.values["name"] for row in parse_certificates(c.template).rows]
    assert names == ["申请表", "身份证明"]  # every sample item asks for 申请表、身份证明


def test_a_certificate_kept_without_a_basis_at_rules_level_is_refused_and_nothing_stored(initialised):
    approved_department(initialised)
    c = call_for(initialised, "certificates")
    result = send(initialised, c, filled_certificates_workbook(c.template, {"申请表": KEEP_WITHOUT_BASIS}))
    assert result.outcome == "rejected" and "保留" in result.receipt
    assert certificates_list(initialised) == []


def test_an_accepted_ledger_lists_each_certificate_with_the_keys_scripts_read(initialised):
    _accepted_ledger(initialised)
    listed = certificates_list(initialised)
    assert [e["name"] for e in listed] == ["申请表", "身份证明"]
    for key in ("org", "name", "items", "issuer", "basis", "basis_level", "disposition", "replacement", "state"):
        assert key in listed[0]
    assert listed[0]["state"] == "under_review" and listed[0]["disposition"] == "保留"
    assert [e["name"] for e in certificates_list(initialised, disposition="告知承诺")] == ["身份证明"]


def test_an_unknown_disposition_filter_is_refused_naming_the_choices(initialised):
    with pytest.raises(UnknownDisposition, match="保留、取消"):
        certificates_list(initialised, disposition="作废")


def test_the_ledger_goes_to_the_four_agencies_with_the_legal_bases_pre_flagged_for_fzb(initialised):
    submission_id = _accepted_ledger(initialised)
    assert route(initialised, submission_id, REVIEWED).opened == 4
    found = packets(initialised, submission_id)
    assert sorted(found) == ["bwb", "czj", "fzb", "zwfwb"]
    sheet = load_workbook(io.BytesIO(found["fzb"].workbook))["审核意见表"]
    flags = next(c.column for c in sheet[1] if c.value == "预审提示")
    assert sheet.cell(row=2, column=flags).value  # the kept certificate: 法制办 confirms its basis


def test_an_agency_keeping_a_certificate_without_a_basis_is_refused(initialised):
    submission_id = _accepted_ledger(initialised, {"申请表": "取消", "身份证明": "取消"})
    route(initialised, submission_id, REVIEWED)
    packet = packets(initialised, submission_id)["bwb"]
    result = _answer(initialised, packet, {0: ("保留", "确有必要", "")})
    assert result.outcome == "rejected" and "不能保留" in result.receipt


def test_agreement_makes_the_proposed_dispositions_final(initialised):
    submission_id = _accepted_ledger(initialised)
    route(initialised, submission_id, REVIEWED)
    for packet in packets(initialised, submission_id).values():
        assert _answer(initialised, packet).outcome == "opinion"
    assert merge(initialised, submission_id, REVIEWED).issued
    assert [(e["disposition"], e["state"]) for e in certificates_list(initialised)] == [
        ("保留", "decided"), ("告知承诺", "decided")]


def test_a_conflict_is_decided_by_the_coordinator_and_the_decision_is_final(initialised):
    submission_id = _accepted_ledger(initialised)
    route(initialised, submission_id, REVIEWED)
    for code, packet in packets(initialised, submission_id).items():
        opinions = {0: ("取消", "可由申请人书面说明代替", "")} if code == "fzb" else None
        _answer(initialised, packet, opinions)
    result = merge(initialised, submission_id, REVIEWED)
    assert result.conflicts == 1 and not result.issued
    [seq] = conflicting_items(initialised, submission_id)
    assert decide_conflict(initialised, submission_id, seq, "取消", "采纳法制办意见", REVIEWED)
    assert [e["disposition"] for e in certificates_list(initialised)] == ["取消", "告知承诺"]
    assert certificates_list(initialised)[0]["proposed"] == "保留"


def test_the_coordinator_cannot_keep_a_certificate_without_a_basis(initialised):
    from registry.review.obligations import ReviewError

    submission_id = _accepted_ledger(initialised, {"申请表": "取消", "身份证明": "取消"})
    route(initialised, submission_id, REVIEWED)
    for code, packet in packets(initialised, submission_id).items():
        _answer(initialised, packet, {0: ("告知承诺", "以承诺代替", "")} if code == "zwfwb" else None)
    merge(initialised, submission_id, REVIEWED)
    [seq] = conflicting_items(initialised, submission_id)
    with pytest.raises(ReviewError, match="不能保留"):
        decide_conflict(initialised, submission_id, seq, "保留", "确有必要", REVIEWED)


def test_the_kept_and_cancelled_lists_and_a_commitment_letter_are_made(initialised):
    submission_id = _accepted_ledger(initialised)
    route(initialised, submission_id, REVIEWED)
    for packet in packets(initialised, submission_id).values():
        _answer(initialised, packet)
    merge(initialised, submission_id, REVIEWED)
    files = dict(certificate_documents(initialised, date(2016, 11, 30)))
    kept = next(v for k, v in files.items() if k.startswith("保留"))
    cancelled = next(v for k, v in files.items() if k.startswith("取消"))
    kept_rows = [r for r in load_workbook(io.BytesIO(kept)).active.iter_rows(values_only=True) if "申请表" in r]
    assert kept_rows
    assert any("身份证明" in r for r in load_workbook(io.BytesIO(cancelled)).active.iter_rows(values_only=True))
    [letter] = [v for k, v in files.items() if k.endswith(".docx")]
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(letter)).namelist()
    text = "\n".join(p.text for p in Document(io.BytesIO(letter)).paragraphs)
    assert "证明义务" in text and "证明内容" in text and "身份证明" in text


def _answer(url, packet, opinions=None, default=("同意", "", "")):
    from tests.intake_helpers import take_in

    return take_in(url, agency_reply(packet, filled_packet(packet.workbook, opinions, default)), REVIEWED)
