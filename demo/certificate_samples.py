"""A certificate ledger filled in the way a department's staff would: every pre-filled row completed
validly, with a knob to give any certificate another disposition or a mistake. The demo's departments
reply with it; the tests use it as a correct (or deliberately wrong) ledger."""
from __future__ import annotations

import io
from collections.abc import Mapping

from openpyxl import load_workbook

from workbooks import certificates_schema as s
from workbooks.safe_cells import set_safe

ISSUER = "所在地社区居民委员会"  # not in the directory: no sharing hint unless a test asks for one
# What a valid row holds for each disposition, header by header.
VALID: dict[str, dict[str, str]] = {
    "保留": {s.ISSUER: ISSUER, s.BASIS: "《中华人民共和国行政许可法》第三十一条", s.BASIS_LEVEL: "法律",
             s.FIELD: "一般事项"},
    "取消": {s.ISSUER: ISSUER, s.BASIS: "", s.BASIS_LEVEL: "无", s.REPLACEMENT: "直接取消", s.FIELD: "一般事项"},
    "告知承诺": {s.ISSUER: ISSUER, s.BASIS: "《沈阳市公共服务事项办理规范》", s.BASIS_LEVEL: "规范性文件",
                 s.COMMITMENT: "申请人承诺所述情况真实", s.VERIFICATION: "通过部门间信息共享核查", s.FIELD: "一般事项"},
    "信息共享替代": {s.ISSUER: ISSUER, s.BASIS: "", s.BASIS_LEVEL: "无", s.SHARE_SOURCE: "沈阳市公安局",
                     s.REPLACEMENT: "通过人口信息系统核验", s.FIELD: "一般事项"},
    "其他证照替代": {s.ISSUER: ISSUER, s.BASIS: "", s.BASIS_LEVEL: "无", s.REPLACEMENT: "营业执照",
                     s.FIELD: "一般事项"},
}
# Common mistakes, as overrides for one certificate.
KEEP_WITHOUT_BASIS = {s.DISPOSITION: "保留", s.BASIS: "《沈阳市某某管理办法》", s.BASIS_LEVEL: "规范性文件"}
COMMIT_IN_EXCLUDED_FIELD = {s.DISPOSITION: "告知承诺", s.FIELD: "生命健康"}


def filled_certificates_workbook(template: bytes, dispositions: Mapping[str, str | Mapping[str, str]] | None = None
                                 ) -> bytes:
    """Every row of the template's ledger completed as 取消 (valid), unless ``dispositions`` names
    the certificate: a disposition ("保留") fills the row validly for it; a mapping of header to
    value (e.g. KEEP_WITHOUT_BASIS) is written over the 取消 fill, or over the fill of the
    disposition it names."""
    book = load_workbook(io.BytesIO(template))
    sheet = book[s.SHEET]
    column = {cell.value: cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        name = sheet.cell(row=row, column=column[s.NAME]).value
        if not name:
            continue
        spec = (dispositions or {}).get(name, "取消")
        overrides = dict(spec) if isinstance(spec, Mapping) else {s.DISPOSITION: spec}
        chosen = overrides.get(s.DISPOSITION, "取消")
        values = {s.DISPOSITION: chosen, **VALID.get(chosen, VALID["取消"]), **overrides}
        for header, value in values.items():
            set_safe(sheet.cell(row=row, column=column[header]), value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
