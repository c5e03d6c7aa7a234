"""A department's service-guide workbook filled in the way its staff would, with knobs to break one thing.

``filled_guides_workbook`` takes the template the system sent and fills every pre-filled row validly:
the demo's departments reply with it, and the tests use it as "a correct reply"; each knob spoils
one rule for the first item (or the first free item) so a test can watch that rule's problem come back.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from rules.guides import basis_cites_article
from workbooks import guides_schema as s
from workbooks.cover import TemplateFacts
from workbooks.guides_template import build_guides_template

ATTACHMENTS = ("申请表（空白）.docx", "申请表示范文本.pdf", "申请表常见错误示例.pdf")
LINKS = ("https://jyj.shenyang.example.gov.cn/forms/blank.docx", "https://jyj.shenyang.example.gov.cn/forms/sample.pdf",
         "https://jyj.shenyang.example.gov.cn/forms/mistakes.pdf")
BASIS = "《中华人民共和国教育法》第二十九条"
PHONE = "024-22725001"
FULL_WIDTH_PHONE = "０２４－２２７２５００１"

FACTS = TemplateFacts("沈阳市教育局", "jyj", "沈阳市简化优化公共服务流程方便基层群众办事创业工作",
                            date(2016, 11, 21), "intake+guides@shenyang.example.org", "张明", "024-12345678")


def approved_item(seq: int, name: str, **changes: object) -> dict:
    item = {"code": f"JYJ-{seq:03d}", "seq": seq, "name": name, "kind": "主动服务", "category": "公共教育",
            "audience": "自然人", "implementer": "沈阳市教育局", "legal_basis": BASIS, "time_limit_days": 20,
            "charged": False, "fee_basis": "", "materials": "居民身份证、户口簿", "remarks": ""}
    return {**item, **changes}


# Three items: free with two materials, charged, and free with none inventoried.
APPROVED = (
    approved_item(1, "中小学生学籍证明"),
    approved_item(2, "普通话水平测试", charged=True, time_limit_days=30,
                  fee_basis="《辽宁省物价局关于普通话水平测试收费标准的通知》（辽价发〔2012〕10号）每人次50元",
                  materials="居民身份证"),
    approved_item(3, "教师资格认定", legal_basis="《教师资格条例》", materials=""),
)


def guides_template(items: Sequence[Mapping] = APPROVED, facts: TemplateFacts = FACTS) -> bytes:
    return build_guides_template(facts, items)


def filled_guides_workbook(template: bytes, attach_names: Sequence[str] = ATTACHMENTS, *,
                           org_name: str = "沈阳市教育局", rename: str | None = None, drop: bool = False,
                           foreign_code: str | None = None,
                           added_code: str | None = None, cover_code: str | None = None,
                           steps_out_of_order: bool = False, promised_over_legal: bool = False,
                           full_width_phones: bool = False, unattached: str | None = None,
                           catch_all: str | None = None, free_says: str | None = None,
                           remove_materials: Sequence[str] = ()) -> bytes:
    """Every row of ``template`` filled validly. ``attach_names``: the blank form, sample and mistakes
    file names the workbook gives for each form (the test attaches them); empty: links instead.

    Knobs, each spoiling one thing for the first item unless said otherwise: ``rename`` (its new name,
    in every sheet), ``drop`` (its rows deleted), ``foreign_code``/``added_code`` (a row added with that
    code), ``cover_code`` (the cover's 单位代码), ``steps_out_of_order`` (1, 3, 2),
    ``promised_over_legal``, ``full_width_phones`` (valid, in full-width digits), ``unattached`` (a
    sample file name not attached), ``catch_all`` (appended to 受理条件), ``free_says`` (收费依据及标准
    of the first free item). ``remove_materials`` is no mistake: the department no longer asks for
    these inventoried materials (a simplification the receipt counts)."""
    book = load_workbook(io.BytesIO(template))
    files = tuple(attach_names) or LINKS
    guides = _Sheet(book[s.GUIDE_SHEET])
    rows = list(guides.rows())
    first_free = next((r for r in rows if guides.get(r, "是否收费") != "是"), None)
    for index, row in enumerate(rows):
        _fill_guide(guides, row, index, org_name)
    first = rows[0] if rows else None
    if first is not None:
        if promised_over_legal:
            guides.set(first, "承诺办结时限（工作日）", int(guides.get(first, "法定办结时限（工作日）")) + 5)
        if full_width_phones:
            guides.set(first, "咨询电话", FULL_WIDTH_PHONE)
            guides.set(first, "监督投诉电话", f"{FULL_WIDTH_PHONE}、１２３４５")
        if catch_all:
            guides.set(first, "受理条件", guides.get(first, "受理条件") + "；" + catch_all)
    if free_says is not None and first_free is not None:
        guides.set(first_free, "收费依据及标准", free_says)
    items = [(guides.get(r, "事项编码"), guides.get(r, "事项名称")) for r in rows]
    materials = _Sheet(book[s.MATERIAL_SHEET])
    for row in reversed(list(materials.rows())):
        if materials.get(row, "材料名称") in remove_materials:
            materials.sheet.delete_rows(row)
    _fill_materials(_Sheet(book[s.MATERIAL_SHEET]), items, files, unattached)
    _fill_steps(_Sheet(book[s.STEP_SHEET]), items, steps_out_of_order)
    _fill_fees(_Sheet(book[s.FEE_SHEET]))
    faqs = _Sheet(book[s.FAQ_SHEET])
    for code, name in items:
        faqs.append({"事项编码": code, "事项名称": name, "问题": "可以委托他人代办吗？", "答案": "可以，须携带双方身份证原件。"})
    if first is not None:
        code, name = items[0]
        if rename:
            for sheet in s.LABELS:
                table = _Sheet(book[sheet])
                for row in table.rows():
                    if table.get(row, "事项编码") == code:
                        table.set(row, "事项名称", rename)
        if drop:
            for sheet in s.LABELS:
                table = _Sheet(book[sheet])
                for row in reversed(list(table.rows())):
                    if table.get(row, "事项编码") == code:
                        table.sheet.delete_rows(row)
    for extra in (foreign_code, added_code):
        if extra:
            row = guides.append({"事项编码": extra, "事项名称": f"事项 {extra}"})
            _fill_guide(guides, row, 99, org_name)
    if cover_code is not None:
        cover = book[s.COVER_SHEET]
        for cells in cover.iter_rows(max_col=2):
            if cells[0].value == s.COVER_ORG_CODE:
                cells[1].value = cover_code
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Sheet:
    """A template sheet addressed by header."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.columns = {c.value: c.column for c in sheet[1] if c.value}

    def rows(self):
        for row in range(2, self.sheet.max_row + 1):
            if self.sheet.cell(row, 1).value not in (None, ""):
                yield row

    def get(self, row: int, header: str) -> str:
        value = self.sheet.cell(row, self.columns[header]).value
        return "" if value is None else str(value)

    def set(self, row: int, header: str, value: object) -> None:
        self.sheet.cell(row, self.columns[header]).value = value

    def fill(self, row: int, header: str, value: object) -> None:
        """Set a cell the template left empty; pre-filled text is kept."""
        if self.get(row, header) == "":
            self.set(row, header, value)

    def append(self, values: Mapping[str, object]) -> int:
        row = self.sheet.max_row + 1
        for header, value in values.items():
            self.set(row, header, value)
        return row


def _fill_guide(guides: _Sheet, row: int, index: int, org_name: str) -> None:
    charged = guides.get(row, "是否收费") == "是"
    if not basis_cites_article(guides.get(row, "办理依据")):
        guides.set(row, "办理依据", BASIS)
    legal = int(guides.get(row, "法定办结时限（工作日）") or 20)
    for header, value in (
        ("基本编码", f"{210100 + index:012d}"), ("实施编码", f"11210100MB{index:026d}"), ("事项类型", "主动服务"),
        ("实施主体", org_name), ("受理单位", f"{org_name}政务服务窗口"), ("服务对象", "自然人"),
        ("受理条件", "申请人为本市户籍居民；材料齐全、符合法定形式"), ("法定办结时限（工作日）", legal),
        ("承诺办结时限（工作日）", max(legal - 3, 1)), ("是否即办", "否"), ("是否收费", "否"),
        ("收费依据及标准", "见收费标准" if charged else s.NO_FEE), ("到办事现场次数", index % 2),
        ("是否网办", "是"), ("网办地址", "https://zwfw.shenyang.example.gov.cn/jyj"), ("办理结果", "证明文件"),
        ("咨询电话", PHONE), ("其他咨询渠道", "沈阳政务服务网在线咨询"), ("监督投诉电话", "024-22725002、12345"),
        ("其他监督途径", "沈阳市政务服务办投诉窗口"), ("办公时间", "周一至周五 8:30-11:30、13:00-17:00"),
        ("办公地址", "沈阳市和平区南京南街 1 号"), ("表格下载地址", "https://jyj.shenyang.example.gov.cn/forms/"),
    ):
        guides.fill(row, header, value)


def _fill_materials(materials: _Sheet, items: list[tuple[str, str]], files: Sequence[str],
                    unattached: str | None) -> None:
    listed = {code for code in (materials.get(r, "事项编码") for r in materials.rows())}
    for code, name in items:
        if code not in listed:
            materials.append({"事项编码": code, "事项名称": name, "材料名称": "申请表"})
    first_material: dict[str, int] = {}
    for row in materials.rows():
        first_material.setdefault(materials.get(row, "事项编码"), row)
    for position, row in enumerate(materials.rows(), start=1):
        is_form = first_material[materials.get(row, "事项编码")] == row
        for header, value in (("排序", position), ("材料必要性", "必要"), ("材料形式", "纸质"), ("份数", 1),
                              ("来源渠道", "申请人自备"), ("依据", BASIS), ("是否表格", "是" if is_form else "否"),
                              ("填报须知", "原件核验，复印件留存")):
            materials.fill(row, header, value)
        if is_form:
            for header, value in zip(("空白表格", "示范文本", "常见错误示例"), files):
                materials.fill(row, header, value)
    if unattached and items:
        materials.set(first_material[items[0][0]], "示范文本", unattached)


def _fill_steps(steps: _Sheet, items: list[tuple[str, str]], out_of_order: bool) -> None:
    for index, (code, name) in enumerate(items):
        numbers = (1, 3, 2) if out_of_order and index == 0 else (1, 2, 3)
        for number, (step, actor, days) in zip(numbers, (("受理", "综合窗口", 1), ("审核", "业务科室科长", 1),
                                                          ("办结", "综合窗口", 0))):
            steps.append({"事项编码": code, "事项名称": name, "步骤序号": number, "环节名称": step,
                          "办理人（岗位）": actor, "办理时限（工作日）": days, "办理说明": f"{step}并告知申请人"})


def _fill_fees(fees: _Sheet) -> None:
    for row in fees.rows():
        for header, value in (("收费项目名称", "测试费"), ("收费标准", "每人次 50 元"),
                              ("收费依据", "《辽宁省物价局关于普通话水平测试收费标准的通知》（辽价发〔2012〕10号）"),
                              ("减免政策", "低保家庭学生免收")):
            fees.fill(row, header, value)
