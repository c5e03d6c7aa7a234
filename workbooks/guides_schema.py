"""The service-guide workbook (办事指南): sheet names, headers, header -> field maps and allowed values.

The labels come from rules.guides, whose problems name them; this module puts them in the order
the sheets show, so the template, the parser and the instructions can never disagree.
"""
from __future__ import annotations

from rules import guides as g
from workbooks import cover

COVER_SHEET = g.COVER_SHEET
GUIDE_SHEET = g.GUIDE_SHEET
MATERIAL_SHEET = g.MATERIAL_SHEET
STEP_SHEET = g.STEP_SHEET
FEE_SHEET = g.FEE_SHEET
FAQ_SHEET = g.FAQ_SHEET
INSTRUCTIONS_SHEET = g.INSTRUCTIONS_SHEET

# Sheet -> field name -> header, in column order.
LABELS: dict[str, dict[str, str]] = {
    GUIDE_SHEET: g.GUIDE_LABELS,
    MATERIAL_SHEET: g.MATERIAL_LABELS,
    STEP_SHEET: g.STEP_LABELS,
    FEE_SHEET: g.FEE_LABELS,
    FAQ_SHEET: g.FAQ_LABELS,
}
HEADERS: dict[str, tuple[str, ...]] = {sheet: tuple(labels.values()) for sheet, labels in LABELS.items()}
FIELDS: dict[str, dict[str, str]] = {sheet: {h: f for f, h in labels.items()} for sheet, labels in LABELS.items()}
# Sheets a returned workbook must have; 常见问题 may be left out (its rows are optional).
REQUIRED_SHEETS = (GUIDE_SHEET, MATERIAL_SHEET, STEP_SHEET, FEE_SHEET)

YES_NO = g.YES_NO
NO_FEE = g.NO_FEE
ITEM_TYPES = ("主动服务", "证明盖章类")
NECESSITIES = ("必要", "非必要", "容缺后补")
MATERIAL_FORMS = ("纸质", "电子", "纸质或电子", "纸质和电子")
# Offered in the drop-down; other sources ("公安机关核发") may be typed.
SOURCES = ("申请人自备", "政府部门核发", "中介机构出具", "其他")

# Columns with a closed list of values, sheet by sheet: header -> choices; ``strict`` refuses others.
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    GUIDE_SHEET: {g.GUIDE_LABELS["item_type"]: ITEM_TYPES, g.GUIDE_LABELS["immediate"]: YES_NO,
                  g.GUIDE_LABELS["charged"]: YES_NO, g.GUIDE_LABELS["online"]: YES_NO},
    MATERIAL_SHEET: {g.MATERIAL_LABELS["necessity"]: NECESSITIES, g.MATERIAL_LABELS["form"]: MATERIAL_FORMS,
                     g.MATERIAL_LABELS["source"]: SOURCES, g.MATERIAL_LABELS["is_form"]: YES_NO},
}
OPEN_CHOICES = {g.MATERIAL_LABELS["source"]}

WIDE = 40
NARROW = 12
# Wide text columns; the rest are NARROW.
WIDTHS: dict[str, dict[str, int]] = {
    GUIDE_SHEET: {"事项名称": 30, "实施主体": 24, "受理单位": 24, "服务对象": 16, "办理依据": WIDE, "受理条件": WIDE,
                  "收费依据及标准": 24, "网办地址": 30, "办理结果": 24, "咨询电话": 18, "其他咨询渠道": 24,
                  "监督投诉电话": 18, "其他监督途径": 24, "办公时间": 24, "办公地址": 30, "表格下载地址": 30,
                  "基本编码": 16, "实施编码": 40},
    MATERIAL_SHEET: {"事项名称": 30, "材料名称": 30, "来源渠道": 18, "依据": WIDE, "空白表格": 24, "示范文本": 24,
                     "常见错误示例": 24, "填报须知": WIDE},
    STEP_SHEET: {"事项名称": 30, "环节名称": 16, "办理人（岗位）": 20, "办理说明": WIDE},
    FEE_SHEET: {"事项名称": 30, "收费项目名称": 24, "收费标准": 30, "收费依据": WIDE, "减免政策": 30},
    FAQ_SHEET: {"事项名称": 30, "问题": WIDE, "答案": 60},
}

# The cover sheet (labels in column A, values in column B) is every template's: workbooks.cover.
COVER_ORG_CODE = cover.COVER_ORG_CODE
