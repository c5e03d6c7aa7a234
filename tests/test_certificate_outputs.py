"""What the clean-up publishes: the 保留 and 取消 lists as printable workbooks, and the 告知承诺书 as
a Word document that re-opens and states the duty, the content and the liability."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from workbooks.certificate_outputs import (
    CommitmentFacts,
    build_certificate_list,
    build_commitment_letter,
    commitment_letter_filename,
)

CAMPAIGN = "沈阳市简化优化公共服务流程方便基层群众办事创业工作"
AS_OF = date(2016, 11, 30)


def entry(name: str, disposition: str, **fields) -> dict:
    base = {"seq": 1, "name": name, "items": ["教师资格认定"], "requester": "沈阳市教育局", "issuer": "所在地社区居民委员会",
            "issuer_code": "", "basis": "", "basis_level": "无", "disposition": disposition, "replacement": "",
            "share_source": "", "share_source_code": "", "commitment": "", "verification": "", "field": "一般事项",
            "remarks": "", "sharing_candidate": False, "row": 2, "org_name": "沈阳市教育局"}
    return {**base, **fields}


ENTRIES = [
    entry("体检合格证明", "保留", basis="《中华人民共和国教师法》第十条", basis_level="法律", issuer="县级以上医院"),
    entry("户籍证明", "取消"),
    entry("无犯罪记录证明", "告知承诺", commitment="本人无犯罪记录", verification="通过公安机关信息系统核查"),
    entry("学历证明", "信息共享替代", share_source="沈阳市教育局", org_name="沈阳市人力资源和社会保障局",
          requester="沈阳市人力资源和社会保障局"),
    entry("企业登记证明", "其他证照替代", replacement="营业执照"),
]
LETTER = CommitmentFacts("无犯罪记录证明", ["教师资格认定", "教师资格注册"], "沈阳市教育局", "《教师资格条例》第四条",
                         "本人无犯罪记录", "通过公安机关信息系统核查", CAMPAIGN)


def sheet(kind: str, entries=ENTRIES):
    return load_workbook(io.BytesIO(build_certificate_list(kind, campaign_name=CAMPAIGN, as_of=AS_OF,
                                                           entries=entries))).active


def body(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=3, values_only=True)]


# --- the lists -------------------------------------------------------------------------------------


def test_the_kept_list_holds_only_kept_certificates_with_their_basis():
    ws = sheet("保留")
    assert [c.value for c in ws[2]] == ["序号", "证明名称", "所涉事项", "索要单位", "开具单位", "设定依据", "依据层级"]
    assert body(ws) == [(1, "体检合格证明", "教师资格认定", "沈阳市教育局", "县级以上医院", "《中华人民共和国教师法》第十条", "法律")]


def test_the_cancelled_list_holds_every_certificate_no_longer_demanded():
    ws = sheet("取消")
    assert [c.value for c in ws[2]][-2:] == ["处理方式", "取消后的办理方式"]
    assert [(r[0], r[1], r[5]) for r in body(ws)] == [(1, "户籍证明", "取消"), (2, "无犯罪记录证明", "告知承诺"),
                                                     (3, "学历证明", "信息共享替代"), (4, "企业登记证明", "其他证照替代")]


def test_the_cancelled_list_says_what_replaces_each_certificate():
    after = [r[6] for r in body(sheet("取消"))]
    assert after == ["直接取消，不再索要", "申请人书面承诺，不再提交证明；事后核查：通过公安机关信息系统核查",
                     "通过沈阳市教育局信息共享核验，不再提交证明", "以营业执照替代"]


def test_the_lists_name_each_certificates_requesting_department():
    assert body(sheet("取消"))[2][3] == "沈阳市人力资源和社会保障局"


def test_the_final_disposition_decides_the_list():
    reviewed = [{**ENTRIES[0], "disposition": "取消"}]
    assert body(sheet("保留", reviewed)) == [] and len(body(sheet("取消", reviewed))) == 1


def test_a_list_has_a_title_with_its_date_and_count():
    title = sheet("保留")["A1"].value
    assert CAMPAIGN in title and "保留的证明事项清单" in title and "2016年11月30日" in title and "共 1 项" in title


def test_a_list_has_a_frozen_header_repeated_on_each_printed_page():
    ws = sheet("取消")
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"


def test_a_list_prints_landscape_one_page_wide():
    ws = sheet("取消")
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True


def test_formula_like_text_in_a_list_stays_text():
    ws = sheet("取消", [entry("=HYPERLINK(\"http://x\")", "取消")])
    assert ws["B3"].data_type == "s" and ws["B3"].value.startswith("=")


def test_an_unknown_list_kind_is_refused():
    with pytest.raises(ValueError, match="保留、取消"):
        build_certificate_list("公示", campaign_name=CAMPAIGN, as_of=AS_OF, entries=ENTRIES)


# --- the 告知承诺书 ---------------------------------------------------------------------------------


def letter_text(facts: CommitmentFacts = LETTER) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(build_commitment_letter(facts))).paragraphs)


def test_the_letter_is_a_word_document():
    archive = zipfile.ZipFile(io.BytesIO(build_commitment_letter(LETTER)))
    assert "word/document.xml" in archive.namelist()
    assert b"wordprocessingml.document.main+xml" in archive.read("[Content_Types].xml")


def test_the_letter_is_titled_as_the_format_text():
    assert letter_text().splitlines()[0] == "证明事项告知承诺书（格式文本）"


def test_the_letter_names_the_certificate_its_use_and_its_basis():
    text = letter_text()
    assert "证明事项名称：无犯罪记录证明" in text
    assert "证明用途：办理教师资格认定、教师资格注册" in text
    assert "设定依据：《教师资格条例》第四条" in text


def test_the_letter_states_the_duty_and_the_content_of_the_commitment():
    text = letter_text()
    assert "证明义务：" in text and "证明内容：本人无犯罪记录" in text


def test_the_letter_states_how_it_is_checked_afterwards():
    assert "核查方式：行政机关将在办理后进行事后核查：通过公安机关信息系统核查。" in letter_text()


def test_the_letter_states_the_liability_for_a_false_commitment():
    text = letter_text()
    assert "不实承诺的法律责任" in text
    for consequence in ("终止办理", "撤销该决定", "记入申请人信用记录", "依法追究相应法律责任"):
        assert consequence in text


def test_the_letter_has_the_applicants_statement_signature_and_date():
    text = letter_text()
    assert "现承诺：本人无犯罪记录。" in text
    assert "申请人（签字或盖章）：" in text and "日期：________年____月____日" in text


def test_the_letter_has_the_requesting_authoritys_line():
    assert "行政机关（盖章）：沈阳市教育局" in letter_text()


def test_control_characters_from_a_department_do_not_break_the_letter():
    text = letter_text(CommitmentFacts("无犯罪\x01记录证明", ["教师资格认定"], "沈阳市教育局", "", "本人\x0b无犯罪记录",
                                       "信息系统核查"))
    assert "证明事项名称：无犯罪记录证明" in text and "设定依据：（无）" in text


def test_the_letter_filename_names_the_certificate():
    assert commitment_letter_filename("无犯罪记录证明") == "告知承诺书-无犯罪记录证明.docx"


def test_the_letter_filename_has_no_path_characters():
    assert commitment_letter_filename("../健康/证明") == "告知承诺书-健康_证明.docx"


def test_the_letter_sets_a_chinese_font_for_chinese_text():
    styles = zipfile.ZipFile(io.BytesIO(build_commitment_letter(LETTER))).read("word/styles.xml").decode()
    assert 'w:eastAsia="宋体"' in styles
