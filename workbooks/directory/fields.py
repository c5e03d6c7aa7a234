"""The directory's fields as users see them: Excel headers, YAML keys, kind and role labels.

Also the folding every reader applies to typed text, so that both formats compare alike.
"""
from __future__ import annotations

import unicodedata

from rules.cell_text import fold as fold_label
from rules.organisations import OrgKind, OrgRole

SHEET_TITLE = "组织目录"
YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIX = ".xlsx"
# A real directory has a few hundred rows; anything far larger is a wrong file, and
# stopping early keeps a stray workbook from eating memory.
MAX_ROWS = 5000
MAX_FILE_BYTES = 20 * 1024 * 1024

# (field key, Excel header, column width). Keys double as dotted YAML paths.
FIELDS: tuple[tuple[str, str, int], ...] = (
    ("code", "代码", 10),
    ("name", "名称", 34),
    ("short_name", "简称", 16),
    ("kind", "类型", 10),
    ("roles", "角色", 22),
    ("division_code", "行政区划代码", 13),
    ("parent_code", "上级代码", 10),
    ("address", "地址", 36),
    ("contact.name", "联系人", 10),
    ("contact.email", "联系人邮箱", 34),
    ("contact.phone", "联系人电话", 15),
    ("leader.name", "分管领导", 10),
    ("leader.email", "分管领导邮箱", 34),
    ("leader.phone", "分管领导电话", 15),
    ("head.name", "主要负责同志", 12),
    ("head.email", "主要负责同志邮箱", 34),
    ("head.phone", "主要负责同志电话", 16),
)
HEADERS: dict[str, str] = {key: header for key, header, _ in FIELDS}
# Location, district and phone columns may be dropped by a coordinator who has no use
# for them; without the others a row cannot be used to send calls or escalate.
OPTIONAL_COLUMNS = frozenset(
    {"division_code", "parent_code", "address", "contact.phone", "leader.phone", "head.phone"}
)
PERSON_KEYS = ("contact", "leader", "head")
PERSON_FIELDS = ("name", "email", "phone")
YAML_ENTRY_KEYS = frozenset(
    {"code", "name", "short_name", "kind", "roles", "division_code", "parent_code", "address"}
    | set(PERSON_KEYS)
)

KIND_LABELS: dict[OrgKind, str] = {
    OrgKind.DEPARTMENT: "部门",
    OrgKind.DISTRICT: "区县政府",
    OrgKind.ENTERPRISE: "国有企业",
}
ROLE_LABELS: dict[OrgRole, str] = {
    OrgRole.COORDINATOR: "牵头协调",
    OrgRole.LEAD_AGENCY: "审核机构",
    OrgRole.GENERAL_OFFICE: "市政府办公厅",
    OrgRole.BIG_DATA: "大数据局",
    OrgRole.REGULATOR: "行业主管部门",
}
KIND_BY_TEXT: dict[str, OrgKind] = {
    **{label: kind for kind, label in KIND_LABELS.items()},
    **{kind.value: kind for kind in OrgKind},
    # Spellings the plan itself uses for the same kinds.
    "市直部门": OrgKind.DEPARTMENT,
    "区县(市)政府": OrgKind.DISTRICT,
    "区县(市)人民政府": OrgKind.DISTRICT,
    "国有企事业单位": OrgKind.ENTERPRISE,
}
ROLE_BY_TEXT: dict[str, OrgRole] = {
    **{label: role for role, label in ROLE_LABELS.items()},
    **{role.value: role for role in OrgRole},
}
# Values whose meaning is structural: compared and looked up, so folded to one form.
FOLDED_FIELDS = frozenset(
    {"code", "kind", "roles", "division_code", "parent_code"}
    | {f"{p}.{f}" for p in PERSON_KEYS for f in ("email", "phone")}
)


def cell_text(value: object) -> str:
    """Cell or scalar value as text; Excel turns codes and phones into numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def fold(text: str) -> str:
    """Fold full-width forms (ＡＢＣ, （）, ＠) that Chinese input methods produce."""
    return unicodedata.normalize("NFKC", text).strip()


def header_key(text: str) -> str:
    """Headers are matched as every label is: full-width folded, spaces ignored."""
    return fold_label(text)
