"""Untrusted attachments: wrong formats, macros, encryption, damage, zip bombs and size limits."""
from __future__ import annotations

import io
import zipfile
from datetime import date

from demo.samples import filled_workbook, item_rows
from workbooks.cover import TemplateFacts
from workbooks.inventory_template import build_inventory_template
from workbooks.safety import OLE_SIGNATURE, Limits, check_workbook

GOOD = filled_workbook(build_inventory_template(TemplateFacts("单位", "jyj", "方案", date(2016, 8, 1), "a@b.c")),
                       item_rows(2))
LIMITS = Limits()


def _with_entry(name: str, content: bytes, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(GOOD)) as source, zipfile.ZipFile(out, "w", compress) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr(name, content)
    return out.getvalue()


def test_a_good_workbook_passes():
    assert check_workbook("清单.xlsx", GOOD, LIMITS) is None


def test_an_old_xls_is_refused_with_save_as_advice():
    problem = check_workbook("清单.xls", OLE_SIGNATURE + b"\0" * 600, LIMITS)
    assert ".xls" in problem.what and "另存为" in problem.fix


def test_an_xlsm_is_refused_for_its_macros():
    assert "宏" in check_workbook("清单.xlsm", GOOD, LIMITS).what


def test_macros_inside_a_file_named_xlsx_are_refused():
    problem = check_workbook("清单.xlsx", _with_entry("xl/vbaProject.bin", b"\0" * 100), LIMITS)
    assert "含有宏" in problem.what


def test_a_csv_is_refused():
    assert "CSV" in check_workbook("清单.csv", "序号,事项名称\n1,x\n".encode(), LIMITS).what


def test_an_encrypted_xlsx_is_recognised():
    problem = check_workbook("清单.xlsx", OLE_SIGNATURE + b"\0" * 4096, LIMITS)
    assert "加密" in problem.what and "密码" in problem.fix


def test_a_corrupt_xlsx_is_reported():
    assert "已损坏" in check_workbook("清单.xlsx", GOOD[: len(GOOD) // 2], LIMITS).what


def test_a_zip_bomb_is_refused_before_it_expands():
    bomb = _with_entry("xl/media/padding.bin", b"\0" * (50 * 1024 * 1024))
    assert len(bomb) < 200 * 1024
    assert "压缩炸弹" in check_workbook("清单.xlsx", bomb, LIMITS).what


def test_a_file_over_the_configured_size_is_refused():
    problem = check_workbook("清单.xlsx", GOOD, Limits(max_bytes=1024))
    assert "超过" in problem.what and "上限" in problem.what
