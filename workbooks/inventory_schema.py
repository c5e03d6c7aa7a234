"""The 公共服务事项清单 as the issue defines it: sheet names, headers and the allowed values.

One place, so the template, the parser, the rules and the receipts can never disagree.
"""
from __future__ import annotations

ITEM_SHEET = "公共服务事项清单"
COVER_SHEET = "封面"
INSTRUCTIONS_SHEET = "填报说明"

SEQ = "序号"
NAME = "事项名称"
KIND = "事项类型"
CATEGORY = "事项类别"
AUDIENCE = "服务对象"
IMPLEMENTER = "实施主体"
LEGAL_BASIS = "设定依据"
TIME_LIMIT = "办理时限（工作日）"
CHARGED = "是否收费"
FEE_BASIS = "收费依据及标准"
MATERIALS = "所需证明材料"
REMARKS = "备注"

HEADERS = (SEQ, NAME, KIND, CATEGORY, AUDIENCE, IMPLEMENTER, LEGAL_BASIS, TIME_LIMIT, CHARGED, FEE_BASIS,
           MATERIALS, REMARKS)

# Column names of registry.submission_models.SubmittedItem, header by header.
FIELDS = {
    SEQ: "seq", NAME: "name", KIND: "kind", CATEGORY: "category", AUDIENCE: "audience",
    IMPLEMENTER: "implementer", LEGAL_BASIS: "legal_basis", TIME_LIMIT: "time_limit_days",
    CHARGED: "charged", FEE_BASIS: "fee_basis", MATERIALS: "materials", REMARKS: "remarks",
}

KINDS = ("主动服务", "证明盖章类")
CATEGORIES = ("政策支持", "法律和信息咨询", "知识产权保护", "就业技能培训", "公共教育", "劳动就业", "社会保障",
              "医疗卫生", "住房保障", "文化体育", "扶贫脱贫", "其他")
AUDIENCES = ("自然人", "法人", "其他组织")
AUDIENCE_SEPARATOR = "、"
YES_NO = ("是", "否")

REQUIRED = (SEQ, NAME, KIND, CATEGORY, AUDIENCE, IMPLEMENTER, TIME_LIMIT, CHARGED)
MAX_NAME_LENGTH = 200

# The cover sheet: labels in column A, values in column B.
COVER_ORG = "填报单位"
COVER_ORG_CODE = "单位代码"
COVER_CAMPAIGN = "工作方案"
COVER_DEADLINE = "报送截止日期"
COVER_REPLY = "报送方式"
COVER_ZERO = "零报告（是/否）"
COVER_CONTACT = "联系人"
COVER_PHONE = "联系电话"
COVER_DATE = "填报日期"
