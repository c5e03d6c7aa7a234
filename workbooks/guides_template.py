"""The service-guide workbook each department receives, pre-filled from its approved list.

Every approved item has its row on 办事指南 with what the list already says (code, name, type,
implementer, audience, basis, legal limit, fee), one 申请材料 row per inventoried material and one
收费标准 row per charged item, so the department writes only what is new. Frozen headers and
drop-downs prevent most mistakes; 填报说明 shows one filled example per sheet and the mistakes the
check reports most often.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from xlsxwriter.worksheet import Worksheet

from rules.guides import split_materials
from workbooks import guides_schema as s
from workbooks.cover import (
    TemplateFacts,
    add_choices,
    template_formats,
    write_cover,
    write_header,
    write_instructions,
)
from workbooks.safe_cells import Formats, safe_workbook, write_safe

# Rows prepared with drop-downs below the pre-filled ones; more rows are still accepted.
PREPARED_ROWS = 2000

EXAMPLE_CODE, EXAMPLE_NAME = "SBJ-001", "城乡居民基本养老保险参保登记"
EXAMPLES: dict[str, tuple[tuple[object, ...], ...]] = {
    s.GUIDE_SHEET: ((
        EXAMPLE_CODE, EXAMPLE_NAME, "", "", "主动服务", "沈阳市社会保险事业服务中心", "沈阳市社会保险事业服务中心居民养老保险科",
        "自然人", "《中华人民共和国社会保险法》第二十条", "年满16周岁（不含在校学生），非国家机关和事业单位工作人员，"
        "不属于职工基本养老保险制度覆盖范围的本市户籍居民", 20, 5, "否", "否", "不收费", 1, "是",
        "https://zwfw.shenyang.example.gov.cn/", "参保登记", "024-12345678", "沈阳政务服务网在线咨询", "024-12345679、12345",
        "沈阳市政务服务办投诉窗口", "周一至周五 8:30-11:30、13:00-17:00（法定节假日除外）", "沈阳市和平区某某路 1 号 3 号窗口",
        "https://zwfw.shenyang.example.gov.cn/forms/"),),
    s.MATERIAL_SHEET: (
        (EXAMPLE_CODE, EXAMPLE_NAME, "参保登记表", 1, "必要", "纸质", 1, "申请人自备", "《中华人民共和国社会保险法》第二十条",
         "是", "参保登记表.docx", "参保登记表示范文本.pdf", "参保登记表常见错误示例.pdf", "用黑色签字笔填写，不得涂改"),
        (EXAMPLE_CODE, EXAMPLE_NAME, "居民身份证", 2, "必要", "纸质", 1, "公安机关核发", "", "否", "", "", "",
         "原件核验，复印件留存"),
    ),
    s.STEP_SHEET: (
        (EXAMPLE_CODE, EXAMPLE_NAME, 1, "受理", "综合窗口", 1, "核对材料，一次性告知需补正的内容"),
        (EXAMPLE_CODE, EXAMPLE_NAME, 2, "审核", "居民养老保险科科长", 3, "审核参保资格"),
        (EXAMPLE_CODE, EXAMPLE_NAME, 3, "办结", "综合窗口", 1, "录入系统，告知办理结果"),
    ),
    s.FEE_SHEET: (
        ("JYJ-004", "普通话水平测试", "普通话水平测试费", "每人次 50 元",
         "《辽宁省物价局 辽宁省财政厅关于普通话水平测试收费标准的通知》（辽价发〔2012〕10号）", "低保家庭学生免收"),
    ),
    s.FAQ_SHEET: (
        (EXAMPLE_CODE, EXAMPLE_NAME, "可以委托他人代办吗？", "可以，代办人须携带本人和申请人的居民身份证原件。"),
    ),
}

COMMON_MISTAKES = (
    ("办理依据", "《社会保险法》", "写明文件名称和条款：《中华人民共和国社会保险法》第二十条"),
    ("受理条件", "……以及法律、法规规定的其他条件", "逐条列明全部条件，不得使用兜底条款，也不要以「等」结尾"),
    ("收费依据及标准", "无 / 免费 / （空白）", "不收费的事项一律填写「不收费」"),
    ("收费标准", "（是否收费为「是」，但收费标准表中没有该事项）", "收费的事项在「收费标准」逐项填写收费标准和收费依据"),
    ("承诺办结时限（工作日）", "比法定办结时限长 / 只填一个", "两个时限都填；承诺时限不得长于法定时限；当场办结的把「是否即办」选为「是」"),
    ("步骤序号", "1、3、2 或 2、3、4", "按办理顺序从 1 开始连续编号"),
    ("咨询电话", "22725001 / 024 22725001", "写成「区号-号码」：024-22725001；多个号码用顿号分隔"),
    ("示范文本", "参保登记表示范文本.pdf（但邮件中没有这个附件）", "把文件随本工作簿一同发送，文件名与此处一致；或填写网址"),
    ("事项编码、事项名称", "修改或删除预填的内容", "预填内容来自审定的清单，请勿修改；确需调整的另行报市编委办"),
)


def guides_template_filename(org_short_name: str) -> str:
    return f"办事指南-{org_short_name}.xlsx"


def build_guides_template(facts: TemplateFacts, items: Sequence[Mapping]) -> bytes:
    """``items``: the department's approved items (code, name, kind, audience, implementer, legal_basis,
    time_limit_days, charged, fee_basis, materials), in list order."""
    rows = {
        s.GUIDE_SHEET: [_guide_row(item) for item in items],
        s.MATERIAL_SHEET: [_row(s.MATERIAL_SHEET, item, name=name) for item in items
                           for name in split_materials(item.get("materials") or "")],
        s.STEP_SHEET: [],
        s.FEE_SHEET: [_row(s.FEE_SHEET, item, basis=item.get("fee_basis") or "") for item in items
                      if item.get("charged")],
        s.FAQ_SHEET: [],
    }
    out = io.BytesIO()
    with safe_workbook(out) as book:
        formats = template_formats(book)
        _cover(book.add_worksheet(s.COVER_SHEET), formats, facts)
        for sheet, prefilled in rows.items():
            _table(book.add_worksheet(sheet), formats, sheet, prefilled)
        _instructions(book.add_worksheet(s.INSTRUCTIONS_SHEET), formats, facts)
    return out.getvalue()


def _guide_row(item: Mapping) -> list[object]:
    charged = bool(item.get("charged"))
    return _row(s.GUIDE_SHEET, item, item_type=item.get("kind") or "", implementer=item.get("implementer") or "",
                audience=item.get("audience") or "", basis=item.get("legal_basis") or "",
                legal_days=item.get("time_limit_days") or "", charged="是" if charged else "否",
                fee_note="" if charged else s.NO_FEE)


def _row(sheet: str, item: Mapping, **values: object) -> list[object]:
    code_field, name_field = ("code", "name") if sheet == s.GUIDE_SHEET else ("item_code", "item_name")
    values = {code_field: item.get("code", ""), name_field: item.get("name", ""), **values}
    return [values.get(f, "") for f in s.LABELS[sheet]]


def _cover(sheet: Worksheet, formats: Formats, facts: TemplateFacts) -> None:
    write_cover(sheet, formats, "公共服务事项办事指南报送表", facts, width=80,
                reply_note="；工作簿中提到的空白表格、示范文本和常见错误示例文件请一并附上",
                note=f"审定清单中的每个事项都已在「{s.GUIDE_SHEET}」预填一行，请逐项补齐；灰色底纹为预填内容，请勿修改。")


def _table(sheet: Worksheet, formats: Formats, name: str, prefilled: list[list[object]]) -> None:
    headers = s.HEADERS[name]
    widths = s.WIDTHS.get(name, {})
    write_header(sheet, formats, headers, lambda header: widths.get(header, s.NARROW), freeze="C2")
    for row, values in enumerate(prefilled, start=1):
        for col, value in enumerate(values):
            if value not in ("", None):  # an empty cell is the department's to fill: no grey
                write_safe(sheet, row, col, value, formats, "prefilled")
    add_choices(sheet, headers, s.CHOICES.get(name, {}), len(prefilled) + PREPARED_ROWS,
                strict=lambda header: header not in s.OPEN_CHOICES)


def _instructions(sheet: Worksheet, formats: Formats, facts: TemplateFacts) -> None:
    lines = (
        "填报说明",
        f"1. 「{s.GUIDE_SHEET}」每个事项一行，已按审定的清单预填事项编码、名称、类型、实施主体、服务对象、办理依据、"
        "法定办结时限和收费情况；请补齐其余各栏，不要修改工作表名称和表头。",
        f"2. 「{s.MATERIAL_SHEET}」「{s.STEP_SHEET}」「{s.FEE_SHEET}」「{s.FAQ_SHEET}」每行都填写所属事项的事项编码和事项名称"
        "（与「办事指南」表一致）。已按清理自查时的材料预填了材料名称，不再需要的材料请删除该行。",
        "3. 办理依据写明文件名称和条款（《…》第 N 条）；受理条件逐条列明，不用兜底条款。",
        f"4. 不收费的事项在「收费依据及标准」填「{s.NO_FEE}」；收费的在「{s.FEE_SHEET}」逐项写明收费标准和收费依据。",
        "5. 法定和承诺办结时限都填工作日天数，承诺时限不得长于法定时限；当场办结的把「是否即办」选为「是」。",
        "6. 办理流程按顺序从 1 编号，每一步写明环节名称、办理人（岗位）和办理时限（工作日，当场办结填 0）。",
        "7. 电话写成「区号-号码」（如 024-22725001），多个号码用顿号分隔；也可填 12345。",
        "8. 是表格的材料（是否表格选「是」）须提供空白表格、示范文本和常见错误示例：填网址，或填文件名并把文件随邮件附上。",
        f"9. 请于 {facts.deadline.isoformat()} 前回复邮件报送；系统将在几分钟内回执，一次性告知所有问题。",
    )
    examples = [(f"示范文本（「{name}」正确填写的例子）：", s.HEADERS[name], rows) for name, rows in EXAMPLES.items()]
    write_instructions(sheet, formats, lines, examples, COMMON_MISTAKES, widths=(24, 36, 60))
