"""The service guide (办事指南) as pure rules: what a complete guide holds, checked item by item.

A department writes one guide per item of its approved list. The workbook comes in as plain rows
(field name -> text, read by workbooks.guides_parse); out come every problem at once (一次性告知),
the guides normalised for the registry, the elements each item still lacks and the simplification
figures a receipt reports. The sheet names and headers live here because the problems name them;
workbooks.guides_schema builds the workbook's layout from them.
"""
from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from core.problems import Problem
from rules.cell_text import fold, refusal, unhidden, visible

# The plan's elements, with the national record's 服务对象, 受理条件, 到办事现场次数, 是否网办 and 办理结果
# beside the ones they belong with. Receipts and `reform guides status` name them in this order.
ELEMENTS: tuple[str, ...] = (
    "办理依据", "受理单位", "服务对象", "受理条件", "基本流程", "申请材料", "示范文本及常见错误示例", "收费依据及标准",
    "办理时限", "到办事现场次数", "是否网办", "办理结果", "表格下载", "咨询渠道", "办公时间和地址", "监督途径",
)

COVER_SHEET = "封面"
GUIDE_SHEET = "办事指南"
MATERIAL_SHEET = "申请材料"
STEP_SHEET = "办理流程"
FEE_SHEET = "收费标准"
FAQ_SHEET = "常见问题"
INSTRUCTIONS_SHEET = "填报说明"

# Field name -> header, sheet by sheet; the field names are the keys of the normalised guide.
GUIDE_LABELS = {
    "code": "事项编码", "name": "事项名称", "basic_code": "基本编码", "implementation_code": "实施编码",
    "item_type": "事项类型", "implementer": "实施主体", "accepting_unit": "受理单位", "audience": "服务对象",
    "basis": "办理依据", "conditions": "受理条件", "legal_days": "法定办结时限（工作日）",
    "promised_days": "承诺办结时限（工作日）", "immediate": "是否即办", "charged": "是否收费",
    "fee_note": "收费依据及标准", "visits": "到办事现场次数", "online": "是否网办", "online_url": "网办地址",
    "result": "办理结果", "consult_phone": "咨询电话", "consult_other": "其他咨询渠道",
    "supervise_phone": "监督投诉电话", "supervise_other": "其他监督途径", "hours": "办公时间", "address": "办公地址",
    "downloads": "表格下载地址",
}
ITEM_LABELS = {"item_code": "事项编码", "item_name": "事项名称"}
MATERIAL_LABELS = {
    **ITEM_LABELS, "name": "材料名称", "position": "排序", "necessity": "材料必要性", "form": "材料形式",
    "copies": "份数", "source": "来源渠道", "basis": "依据", "is_form": "是否表格", "blank": "空白表格",
    "sample": "示范文本", "mistakes": "常见错误示例", "notes": "填报须知",
}
STEP_LABELS = {**ITEM_LABELS, "number": "步骤序号", "name": "环节名称", "actor": "办理人（岗位）",
               "days": "办理时限（工作日）", "detail": "办理说明"}
FEE_LABELS = {**ITEM_LABELS, "name": "收费项目名称", "standard": "收费标准", "basis": "收费依据", "relief": "减免政策"}
FAQ_LABELS = {**ITEM_LABELS, "question": "问题", "answer": "答案"}

YES_NO = ("是", "否")
NO_FEE = "不收费"
CODE_SEPARATOR = "-"
BASIC_CODE_LENGTH = 12
IMPLEMENTATION_CODE_LENGTH = 36
PHONE_SEPARATOR = "、"
HOTLINE = "12345"


@dataclass(frozen=True)
class SheetRow:
    row: int  # the spreadsheet row number Excel shows
    values: Mapping[str, str]  # field name -> cell text ('' when blank), already str

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()


@dataclass
class GuideSheets:
    """What the parser read; plain values."""

    org_code: str = ""  # the cover's 单位代码
    guides: list[SheetRow] = field(default_factory=list)
    materials: list[SheetRow] = field(default_factory=list)
    steps: list[SheetRow] = field(default_factory=list)
    fees: list[SheetRow] = field(default_factory=list)
    faqs: list[SheetRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # structural: a sheet or header missing, unreadable file


# --- single values -----------------------------------------------------------------------------

_DASHES = re.compile(r"[‐‑‒–—―﹘﹣－−]")
_PHONE = re.compile(r"0\d{2,3}-\d{7,8}")
_PHONE_SPLIT = re.compile(r"[、;；]")
_DAY_SUFFIX = re.compile(r"(个)?(工作日|天|日|次|份)$")
_LINK = re.compile(r"https?://\S+", re.I)
_NUMERAL = "0-9零〇一二三四五六七八九十百千两"
_CITATION = re.compile(rf"《[^《》]+》[^《]*?第[{_NUMERAL}]+条")
# Clauses that let the accepting unit add conditions of its own; the last: a list ending in 等.
_CATCH_ALLS = (
    re.compile(r"(?:法律|法规|规章|规定)[^。；;，,]*?(?:其他|其它)[^。；;，,]*"),
    re.compile(r"(?:其他|其它)(?:条件|情形|要求|材料)"),
    re.compile(r"[^。；;，,、]+、[^。；;，,]*?等(?:等)?(?=$|[。；;，,）)])"),
)


def normalise_phones(text: str) -> tuple[str, list[str]]:
    """Phones in 区号-号码 form, several separated by 、 or ；: the normalised text (full-width digits and
    dashes folded, spaces removed, joined by 、) and the parts that are not phones."""
    folded = _DASHES.sub("-", fold(text))
    parts = [p for p in _PHONE_SPLIT.split(folded) if p]
    bad = [p for p in parts if not (_PHONE.fullmatch(p) or p == HOTLINE)]
    return PHONE_SEPARATOR.join(parts), bad


def basis_cites_article(text: str) -> bool:
    """办理依据 names a document and its article: 《…》第 N 条, in Chinese or Arabic numerals."""
    return bool(_CITATION.search(fold(text).replace("<", "《").replace(">", "》")))


def catch_all_clause(text: str) -> str | None:
    """The catch-all clause in 受理条件 ("法律、法规规定的其他条件", "其他情形", "…等"), or None."""
    text = text.strip()
    for pattern in _CATCH_ALLS:
        if match := pattern.search(text):
            return match.group(0).lstrip("、，,").strip()
    return None


def whole_number(text: str, minimum: int = 1) -> int | None | str:
    """A whole number at least ``minimum`` ("5", "５", "5个工作日"), None when blank, "bad" otherwise."""
    folded = _DAY_SUFFIX.sub("", fold(text))
    if not folded:
        return None
    try:
        number = float(folded)
    except ValueError:
        return "bad"
    return int(number) if number.is_integer() and number >= minimum else "bad"


def yes_no(text: str) -> bool | None | str:
    """是 -> True, 否 -> False, blank -> None, anything else "bad"."""
    folded = fold(text)
    if not folded:
        return None
    return {"是": True, "否": False}.get(folded, "bad")


def is_link(text: str) -> bool:
    return bool(_LINK.fullmatch(fold(text)))


def split_materials(text: str) -> list[str]:
    """The inventory's 所需证明材料 ("居民身份证、户口簿") as names."""
    return [p for p in (part.strip() for part in re.split(r"[、，,；;\n]", text or "")) if p]


def unattached_files(names: Sequence[str], attached: Collection[str]) -> list[str]:
    """The file names a workbook gives (not links) that are not among the email's attachments."""
    present = {fold(a).lower() for a in attached}
    return [n for n in names if n and not is_link(n) and fold(n).lower() not in present]


def fee_note_problem(charged: bool, note: str) -> str | None:
    """A free item says 不收费 (never 无, never blank: blank is a missing element); a charged item does not."""
    folded = fold(note)
    if not charged and folded and folded != NO_FEE:
        return refusal(note, f"不是规范写法：不收费的事项应填写「{NO_FEE}」", label="收费依据及标准")
    if charged and folded == NO_FEE:
        return f"是否收费为「是」，但收费依据及标准写的是「{NO_FEE}」"
    return None


def time_limit_problem(legal: int | None, promised: int | None) -> str | None:
    """The promised limit no longer than the legal one (both absent is a missing element, not this)."""
    if legal is not None and promised is not None and promised > legal:
        return f"承诺办结时限 {promised} 个工作日，长于法定办结时限 {legal} 个工作日"
    return None


def step_numbering_problem(numbers: Sequence[int]) -> str | None:
    """Steps numbered 1, 2, 3… in the order they are listed, without gaps or repeats."""
    if list(numbers) == list(range(1, len(numbers) + 1)):
        return None
    return f"办理流程的步骤序号依次为 {'、'.join(map(str, numbers))}，应从 1 开始连续编号并按顺序排列"


def code_key(code: str) -> str:
    """An item code as compared: folded, upper case, without characters nobody can see."""
    return fold(unhidden(code)).upper()


def code_prefix(code: str) -> str:
    """The department part of an item code: "JYJ" of "JYJ-001"; "" for a code without one."""
    return code_key(code).rpartition(CODE_SEPARATOR)[0]


def _same_name(a: str, b: str) -> bool:
    return fold(unhidden(a)) == fold(unhidden(b))


# --- the workbook as a whole -------------------------------------------------------------------


@dataclass(frozen=True)
class Simplification:
    """Per department, for the receipt: what writing the guides cut."""

    items: int
    items_cut: int
    legal_days: int
    promised_days: int
    days_cut: int
    materials_inventoried: int
    materials_listed: int
    materials_removed: tuple[str, ...]
    visits: Mapping[int, int]  # 到办事现场次数 -> number of items (0 = 零跑动)
    online: int  # items with 是否网办 = 是

    def lines(self) -> list[str]:
        lines = [f"共 {self.items} 个事项编制办事指南",
                 f"承诺时限比法定时限共压缩 {self.days_cut} 个工作日（{self.items_cut} 个事项）",
                 f"法定办结时限合计 {self.legal_days} 个工作日，承诺办结时限合计 {self.promised_days} 个工作日"]
        removed = len(self.materials_removed)
        line = (f"申请材料：清理自查时 {self.materials_inventoried} 项，办事指南列出 {self.materials_listed} 项，"
                f"减少 {removed} 项")
        lines.append(line + (f"（{'、'.join(self.materials_removed)}）" if removed else ""))
        if self.visits:
            counts = "，".join(f"{'零跑动' if n == 0 else f'跑 {n} 次'} {c} 个" for n, c in sorted(self.visits.items()))
            lines.append(f"到办事现场次数：{counts}")
        lines.append(f"可网上办理 {self.online} 个事项")
        return lines


@dataclass
class GuidesCheck:
    problems: list[Problem]
    guides: list[dict]  # normalised, one per approved item that has a guide row, in list order
    missing: dict[str, list[str]]  # item code -> ELEMENTS missing; every approved item has a key
    simplification: Simplification

    @property
    def problem_count(self) -> int:
        return len(self.problems)

    @property
    def accepted(self) -> bool:
        return not self.problems


_SHEET_ORDER = (COVER_SHEET, GUIDE_SHEET, MATERIAL_SHEET, STEP_SHEET, FEE_SHEET, FAQ_SHEET)


def check_guides(sheets: GuideSheets, approved: Sequence[Mapping], *, org_code: str,
                 attached: Collection[str] = (), max_rows: int = 5000) -> GuidesCheck:
    """Every problem with a department's guides workbook at once, against its approved list."""
    items = list(approved)
    all_missing = {str(i["code"]): list(ELEMENTS) for i in items}
    problems = list(sheets.problems)
    if problems and not sheets.guides:
        # An unreadable file or a missing 办事指南 sheet: naming every item as without a guide adds nothing.
        return GuidesCheck(_ordered(problems), [], all_missing, simplification(items, []))
    refused = _too_many_rows(sheets, max_rows) or _other_department(sheets, items, org_code)
    if refused:
        return GuidesCheck(_ordered(problems + refused), [], all_missing, simplification(items, []))
    matched, found = match_guide_rows(sheets.guides, items, org_code)
    problems += found
    children, found = attach_rows(sheets, matched, {str(i["code"]): str(i["name"]) for i in items})
    problems += found
    guides, missing = [], {}
    for item in items:
        code = str(item["code"])
        row = matched.get(code)
        if row is None:
            missing[code] = list(ELEMENTS)
            continue
        guide, found = normalise_guide(row, item, children[code])
        problems += found + check_guide(guide, attached)
        undecided = any(not r.get("is_form") for r in children[code]["materials"])
        missing[code] = missing_elements(guide, row, undecided)
        if missing[code]:
            problems.append(Problem(f"{_item(guide['name'], code)}缺少：{'、'.join(missing[code])}",
                                    "请在各工作表补齐这些内容（见「填报说明」中的示范文本）", sheet=GUIDE_SHEET,
                                    row=row.row, column=GUIDE_LABELS["code"]))
        guides.append(guide)
    return GuidesCheck(_ordered(problems), guides, missing, simplification(items, guides))


def _ordered(problems: list[Problem]) -> list[Problem]:
    def key(p: Problem) -> tuple:
        sheet = _SHEET_ORDER.index(p.sheet) + 1 if p.sheet in _SHEET_ORDER else 0
        return sheet, p.row or 0
    return sorted(problems, key=key)


def _item(name: str, code: str) -> str:
    return f"事项「{name}」（{code}）"


def _too_many_rows(sheets: GuideSheets, max_rows: int) -> list[Problem]:
    tables = ((GUIDE_SHEET, sheets.guides), (MATERIAL_SHEET, sheets.materials), (STEP_SHEET, sheets.steps),
              (FEE_SHEET, sheets.fees), (FAQ_SHEET, sheets.faqs))
    return [Problem(f"工作表「{sheet}」共有 {len(rows)} 行，超过 {max_rows} 行的上限",
                    "请检查是否误粘贴了大量数据或空白格式行；确有如此多内容的，请与市编委办联系", sheet=sheet)
            for sheet, rows in tables if len(rows) > max_rows]


def _other_department(sheets: GuideSheets, items: Sequence[Mapping], org_code: str) -> list[Problem]:
    """A guides workbook for another department: its cover says so, or every code on it is another's."""
    cover = fold(sheets.org_code)
    if cover and cover.lower() != fold(org_code).lower():
        return [Problem(refusal(sheets.org_code, f"，与报送单位（{org_code}）不符，这是其他部门的办事指南工作簿",
                                label="封面单位代码为"),
                        "请使用发给本单位的模板；其他部门的办事指南请由该部门自行报送", sheet=COVER_SHEET,
                        column="单位代码")]
    ours = _prefixes(items, org_code)
    codes = [code_prefix(r.get("code")) for r in sheets.guides if code_prefix(r.get("code"))]
    if codes and not any(c in ours for c in codes):
        return [Problem(f"「{GUIDE_SHEET}」中的事项编码（如 {sheets.guides[0].get('code')}）都不属于本单位，"
                        "这是其他部门的办事指南工作簿",
                        "请使用发给本单位的模板填写本单位的事项", sheet=GUIDE_SHEET, column=GUIDE_LABELS["code"])]
    return []


def _prefixes(items: Sequence[Mapping], org_code: str) -> set[str]:
    return {code_prefix(str(i["code"])) for i in items} | {fold(org_code).upper()}


def match_guide_rows(rows: Sequence[SheetRow], items: Sequence[Mapping],
                     org_code: str) -> tuple[dict[str, SheetRow], list[Problem]]:
    """Guide rows matched to approved items by 事项编码 and 事项名称; renamed, added, other departments'
    and missing items named."""
    by_code = {code_key(str(i["code"])): i for i in items}
    by_name = {fold(unhidden(i["name"])): i for i in items}
    ours = _prefixes(items, org_code)
    matched: dict[str, SheetRow] = {}
    problems = []
    code_column, name_column = GUIDE_LABELS["code"], GUIDE_LABELS["name"]
    for row in rows:
        code, name = row.get("code"), row.get("name")
        item = by_code.get(code_key(code))
        if item is None:
            named = by_name.get(fold(unhidden(name)))
            if not code:
                hint = f"，应为 {named['code']}" if named else ""
                problems.append(Problem(f"事项「{name}」未填写事项编码{hint}", "请按审定的清单填写事项编码",
                                        sheet=GUIDE_SHEET, row=row.row, column=code_column))
                if named and str(named["code"]) not in matched:
                    # Its name says which item it is: check the rest of it too, rather than call that item missing.
                    matched[str(named["code"])] = row
            elif code_prefix(code) and code_prefix(code) not in ours:
                problems.append(Problem(f"事项编码 {visible(code)}（「{name}」）属于其他部门的清单，不是本单位的事项",
                                        "请删除该行；其他部门的办事指南请由该部门自行报送", sheet=GUIDE_SHEET,
                                        row=row.row, column=code_column))
            else:
                problems.append(Problem(f"事项编码 {visible(code)}（「{name}」）不在本单位审定的清单中，是新增的事项",
                                        "办事指南只为审定清单中的事项编制；请删除该行，新增事项请另行报市编委办",
                                        sheet=GUIDE_SHEET, row=row.row, column=code_column))
            continue
        key = str(item["code"])
        if key in matched:
            problems.append(Problem(f"{_item(item['name'], key)}出现了两次（另见第 {matched[key].row} 行）",
                                    "每个事项只填一行", sheet=GUIDE_SHEET, row=row.row, column=code_column))
            continue
        if not _same_name(name, item["name"]):
            problems.append(Problem(f"事项编码 {key} 在审定的清单中名为「{item['name']}」，此处写作「{visible(name)}」",
                                    "事项名称须与审定的清单一致，请改回原名称；确需更名的，请另行报市编委办",
                                    sheet=GUIDE_SHEET, row=row.row, column=name_column))
        matched[key] = row
    for item in items:
        if str(item["code"]) not in matched:
            problems.append(Problem(f"{_item(item['name'], item['code'])}没有办事指南",
                                    f"请在「{GUIDE_SHEET}」为该事项填写一行（不要删除模板中预填的行）",
                                    sheet=GUIDE_SHEET, column=code_column))
    return matched, problems


_CHILD_TABLES = (("materials", MATERIAL_SHEET), ("steps", STEP_SHEET), ("fees", FEE_SHEET), ("faqs", FAQ_SHEET))


def attach_rows(sheets: GuideSheets, matched: Mapping[str, SheetRow],
                names: Mapping[str, str] | None = None) -> tuple[dict[str, dict], list[Problem]]:
    """The sub-sheets' rows by item; a row for an item with no guide row (or another name) is refused.
    ``names``: the approved name per code, which a sub-sheet row may give where its guide row was renamed."""
    names = names or {}
    codes = {code_key(code): code for code in matched}
    children = {code: {kind: [] for kind, _ in _CHILD_TABLES} for code in matched}
    problems = []
    for kind, sheet in _CHILD_TABLES:
        for row in getattr(sheets, kind):
            code, name = row.get("item_code"), row.get("item_name")
            key = codes.get(code_key(code))
            if key is None:
                problems.append(Problem(f"事项编码「{visible(code)}」（「{name}」）在「{GUIDE_SHEET}」中没有对应的事项",
                                        f"请填写「{GUIDE_SHEET}」中已有事项的编码和名称，或删除该行",
                                        sheet=sheet, row=row.row, column=ITEM_LABELS["item_code"]))
                continue
            guide_name = matched[key].get("name")
            if name and not _same_name(name, guide_name) and not _same_name(name, names.get(key, guide_name)):
                problems.append(Problem(f"事项编码 {code} 在「{GUIDE_SHEET}」中名为「{guide_name}」，此处写作「{visible(name)}」",
                                        "请填写与「办事指南」表一致的事项编码和名称", sheet=sheet, row=row.row,
                                        column=ITEM_LABELS["item_name"]))
                continue
            children[key][kind].append(row)
    return children, problems


# --- one guide ---------------------------------------------------------------------------------

_TEXT_FIELDS = ("basic_code", "implementation_code", "item_type", "implementer", "accepting_unit", "audience",
                "basis", "conditions", "fee_note", "online_url", "result", "consult_other", "supervise_other",
                "hours", "address", "downloads")


class _Values:
    """Reads typed values from one row, noting each value that cannot be read as a problem."""

    def __init__(self, row: SheetRow, sheet: str, labels: Mapping[str, str]) -> None:
        self.row, self.sheet, self.labels = row, sheet, labels
        self.problems: list[Problem] = []

    def number(self, name: str, minimum: int = 1) -> int | None:
        value = whole_number(self.row.get(name), minimum)
        if value == "bad":
            kind = "正整数" if minimum >= 1 else "0 或正整数"
            self._refuse(name, f"不是{kind}", f"请只填{kind}，例如 {max(minimum, 1)}")
            return None
        return value

    def flag(self, name: str) -> bool | None:
        value = yes_no(self.row.get(name))
        if value == "bad":
            self._refuse(name, "不是可选的值", "请从下拉列表中选择：是、否")
            return None
        return value

    def _refuse(self, name: str, reason: str, fix: str) -> None:
        label = self.labels[name]
        self.problems.append(Problem(refusal(self.row.get(name), reason, label=label), fix, sheet=self.sheet,
                                     row=self.row.row, column=label))


def normalise_guide(row: SheetRow, item: Mapping, children: Mapping[str, Sequence[SheetRow]]) -> tuple[dict, list[Problem]]:
    """The guide as the registry stores it, and the values that could not be read."""
    values = _Values(row, GUIDE_SHEET, GUIDE_LABELS)
    charged = values.flag("charged")
    # The approved list's code and name: a renamed row is refused, and hidden characters stay out.
    guide: dict = {"code": str(item["code"]), "name": str(item["name"])}
    guide.update({name: row.get(name) for name in _TEXT_FIELDS})
    guide.update(legal_days=values.number("legal_days"), promised_days=values.number("promised_days"),
                 immediate=bool(values.flag("immediate")),
                 charged=bool(item.get("charged")) if charged is None else charged,
                 visits=values.number("visits", minimum=0), online=bool(values.flag("online")))
    for name in ("consult_phone", "supervise_phone"):
        phones, bad = normalise_phones(row.get(name))
        guide[name] = phones
        if bad:
            label = GUIDE_LABELS[name]
            values.problems.append(Problem(f"{label}「{'、'.join(bad)}」不是规范的电话号码",
                                           "请写成「区号-号码」，如 024-22725001（也可填 12345），多个号码用顿号分隔",
                                           sheet=GUIDE_SHEET, row=row.row, column=label))
    guide["row"] = row.row
    problems = values.problems
    guide["materials"], found = _materials(children["materials"])
    problems += found
    guide["steps"], found = _steps(children["steps"])
    problems += found
    guide["fees"] = [{"name": r.get("name"), "standard": r.get("standard"), "basis": r.get("basis"),
                      "relief": r.get("relief"), "row": r.row} for r in children["fees"]]
    guide["faqs"] = [{"question": r.get("question"), "answer": r.get("answer"), "row": r.row}
                     for r in children["faqs"]]
    return guide, problems


def _materials(rows: Sequence[SheetRow]) -> tuple[list[dict], list[Problem]]:
    materials, problems = [], []
    for index, row in enumerate(rows, start=1):
        values = _Values(row, MATERIAL_SHEET, MATERIAL_LABELS)
        position = values.number("position")
        materials.append({
            "name": row.get("name"), "position": position if position is not None else index,
            "necessity": row.get("necessity"), "form": row.get("form"), "copies": values.number("copies"),
            "source": row.get("source"), "basis": row.get("basis"), "is_form": bool(values.flag("is_form")),
            "blank": row.get("blank"), "sample": row.get("sample"), "mistakes": row.get("mistakes"),
            "notes": row.get("notes"), "row": row.row,
        })
        problems += values.problems
        label = f"材料「{row.get('name')}」" if row.get("name") else "该材料"

        def problem(name: str, what: str, fix: str, row: SheetRow = row) -> Problem:
            return Problem(what, fix, sheet=MATERIAL_SHEET, row=row.row, column=MATERIAL_LABELS[name])

        if not row.get("name"):
            problems.append(problem("name", "材料名称未填写", "请填写材料名称，或删除该行"))
        if not row.get("copies"):
            problems.append(problem("copies", f"{label}未填写份数", "请填写份数（正整数），如 1"))
        if not row.get("is_form"):
            problems.append(problem("is_form", f"{label}未选择是否表格",
                                    "请选择「是」或「否」：需要申请人填写的表格选「是」，并提供空白表格和示范文本"))
    return materials, problems


def _steps(rows: Sequence[SheetRow]) -> tuple[list[dict], list[Problem]]:
    steps, problems = [], []
    for row in rows:
        values = _Values(row, STEP_SHEET, STEP_LABELS)
        steps.append({"number": values.number("number"), "name": row.get("name"), "actor": row.get("actor"),
                      "days": values.number("days", minimum=0), "detail": row.get("detail"), "row": row.row})
        problems += values.problems
        absent = [STEP_LABELS[n] for n in ("number", "name", "actor", "days") if not row.get(n)]
        if absent:
            problems.append(Problem(f"办理流程的这一步缺少：{'、'.join(absent)}",
                                    "每一步都要写明步骤序号、环节名称、办理人（岗位）和办理时限",
                                    sheet=STEP_SHEET, row=row.row, column=absent[0]))
    return steps, problems


def check_guide(guide: Mapping, attached: Collection[str] = ()) -> list[Problem]:
    """Every rule on one normalised guide other than its missing elements."""
    return [*_guide_fields(guide), *_material_rows(guide, attached), *_step_rows(guide), *_fee_rows(guide),
            *_faq_rows(guide)]


def _problem(guide: Mapping, name: str, what: str, fix: str) -> Problem:
    return Problem(what, fix, sheet=GUIDE_SHEET, row=guide["row"], column=GUIDE_LABELS[name])


def _guide_fields(guide: Mapping) -> list[Problem]:
    problems = []
    if guide["basis"] and not basis_cites_article(guide["basis"]):
        problems.append(_problem(guide, "basis", "办理依据没有写明文件名称和条款",
                                 "请写成「《文件名称》第 N 条」，如《中华人民共和国社会保险法》第二十条"))
    if clause := catch_all_clause(guide["conditions"]):
        problems.append(_problem(guide, "conditions", f"受理条件含有兜底条款「{clause}」",
                                 "请逐条列明全部受理条件，不要使用「其他条件」「等」之类的兜底表述"))
    if what := fee_note_problem(guide["charged"], guide["fee_note"]):
        problems.append(_problem(guide, "fee_note", what,
                                 f"不收费的填写「{NO_FEE}」；收费的在「{FEE_SHEET}」逐项填写收费标准和依据"))
    if not guide["charged"] and guide["fees"]:
        problems.append(_problem(guide, "charged", f"是否收费为「否」，但「{FEE_SHEET}」中有该事项的收费项目",
                                 "收费的请把是否收费改为「是」；不收费的请删除收费标准中的行"))
    if what := time_limit_problem(guide["legal_days"], guide["promised_days"]):
        problems.append(_problem(guide, "promised_days", what, "承诺办结时限不得长于法定办结时限"))
    for name, length in (("basic_code", BASIC_CODE_LENGTH), ("implementation_code", IMPLEMENTATION_CODE_LENGTH)):
        text = guide[name]
        if text and not re.fullmatch(rf"[0-9A-Za-z]{{{length}}}", fold(text)):
            label = GUIDE_LABELS[name]
            problems.append(_problem(guide, name, refusal(text, f"不是 {length} 位的编码", label=label),
                                     f"请照抄国家政务服务平台上的{label}（{length} 位数字和字母）；没有的留空"))
    if guide["online"] and not guide["online_url"]:
        problems.append(_problem(guide, "online_url", "是否网办为「是」，但未填写网办地址", "请填写网上办理的网址"))
    for name in ("online_url", "downloads"):
        if guide[name] and not is_link(guide[name]):
            problems.append(_problem(guide, name, refusal(guide[name], "不是网址", label=GUIDE_LABELS[name]),
                                     "请填写以 http:// 或 https:// 开头的完整网址"))
    return problems


_FILE_FIELDS = ("blank", "sample", "mistakes")


def _material_rows(guide: Mapping, attached: Collection[str]) -> list[Problem]:
    problems = []
    for m in guide["materials"]:
        def problem(name: str, what: str, fix: str, m: Mapping = m) -> Problem:
            return Problem(what, fix, sheet=MATERIAL_SHEET, row=m["row"], column=MATERIAL_LABELS[name])

        label = f"材料「{m['name']}」" if m["name"] else "该材料"
        if not m["source"] and not m["basis"]:
            problems.append(problem("source", f"{label}未填写来源渠道或依据",
                                    "请写明材料从哪里来（如「申请人自备」「公安机关核发」）或要求提交的依据"))
        absent = [n for n in _FILE_FIELDS if not m[n]] if m["is_form"] else []
        if absent:
            problems.append(problem(absent[0], f"{label}是表格，缺少{'、'.join(MATERIAL_LABELS[n] for n in absent)}",
                                    "表格类材料须提供空白表格、示范文本和常见错误示例（网址，或随邮件附上的文件名）"))
        for name in _FILE_FIELDS:
            for missing_file in unattached_files([m[name]], attached):
                problems.append(problem(name, f"{label}的{MATERIAL_LABELS[name]}「{missing_file}」没有随邮件附上",
                                        "请把该文件作为附件与本工作簿一同发送，文件名与此处一致；或改填网址"))
    return problems


def _step_rows(guide: Mapping) -> list[Problem]:
    problems = []
    numbers = [s["number"] for s in guide["steps"] if s["number"] is not None]
    if numbers and (what := step_numbering_problem(numbers)):
        first = guide["steps"][0]["row"]
        problems.append(Problem(f"{_item(guide['name'], guide['code'])}{what}",
                                "请按办理顺序排列各步骤，序号写 1、2、3……", sheet=STEP_SHEET, row=first,
                                column=STEP_LABELS["number"]))
    return problems


def _fee_rows(guide: Mapping) -> list[Problem]:
    problems = []
    for f in guide["fees"]:
        absent = [FEE_LABELS[n] for n in ("name", "standard", "basis") if not f[n]]
        if absent:
            problems.append(Problem(f"收费项目缺少：{'、'.join(absent)}",
                                    "每个收费项目都要写明名称、收费标准和收费依据（文件名称和文号）",
                                    sheet=FEE_SHEET, row=f["row"], column=absent[0]))
    return problems


def _faq_rows(guide: Mapping) -> list[Problem]:
    return [Problem("常见问题只写了问题或只写了答案", "问题和答案请成对填写", sheet=FAQ_SHEET, row=q["row"],
                    column=FAQ_LABELS["answer" if q["question"] else "question"])
            for q in guide["faqs"] if bool(q["question"]) != bool(q["answer"])]


def missing_elements(guide: Mapping, row: SheetRow | None = None, forms_undecided: bool = False) -> list[str]:
    """The ELEMENTS a guide lacks. ``row`` gives the typed text, so that a value that is present but
    unreadable (a refused number) is not also called missing. While some material's 是否表格 is not
    chosen (``forms_undecided``) it may be a form: its blank and sample cannot be taken as not needed."""
    def given(name: str) -> bool:
        return bool(row.get(name)) if row is not None else guide.get(name) not in (None, "")

    materials = guide["materials"]
    forms = [m for m in materials if m["is_form"]]
    undecided = forms_undecided
    present = {
        "办理依据": bool(guide["basis"]),
        "受理单位": bool(guide["accepting_unit"]),
        "服务对象": bool(guide["audience"]),
        "受理条件": bool(guide["conditions"]),
        "基本流程": bool(guide["steps"]),
        "申请材料": bool(materials),
        "示范文本及常见错误示例": not undecided and all(m["sample"] and m["mistakes"] for m in forms),
        "收费依据及标准": (any(f["standard"] and f["basis"] for f in guide["fees"]) if guide["charged"]
                      else bool(guide["fee_note"])),
        "办理时限": guide["immediate"] or (given("legal_days") and given("promised_days")),
        "到办事现场次数": given("visits"),
        "是否网办": given("online"),
        "办理结果": bool(guide["result"]),
        "表格下载": not undecided and all(m["blank"] for m in forms),
        "咨询渠道": bool(guide["consult_phone"] or guide["consult_other"]),
        "办公时间和地址": bool(guide["hours"] and guide["address"]),
        "监督途径": bool(guide["supervise_phone"] or guide["supervise_other"]),
    }
    return [e for e in ELEMENTS if not present[e]]


# --- the receipt's figures ---------------------------------------------------------------------


def simplification(approved: Sequence[Mapping], guides: Sequence[Mapping]) -> Simplification:
    """Promised against legal limits, materials against the inventory, visits and online handling."""
    by_code = {g["code"]: g for g in guides}
    legal = promised = cut = items_cut = 0
    inventoried = listed = 0
    removed: list[str] = []
    for item in approved:
        names = split_materials(item.get("materials") or "")
        inventoried += len(names)
        guide = by_code.get(str(item["code"]))
        if guide is None:
            continue
        listed += len(guide["materials"])
        kept = {fold(m["name"]) for m in guide["materials"]}
        removed += [n for n in names if fold(n) not in kept]
        promised_days = guide["promised_days"] if guide["promised_days"] is not None else (
            0 if guide["immediate"] else None)
        if guide["legal_days"] is not None and promised_days is not None:
            legal += guide["legal_days"]
            promised += promised_days
            if promised_days < guide["legal_days"]:
                cut += guide["legal_days"] - promised_days
                items_cut += 1
    visits = Counter(g["visits"] for g in guides if g["visits"] is not None)
    return Simplification(items=len(approved), items_cut=items_cut, legal_days=legal, promised_days=promised,
                          days_cut=cut, materials_inventoried=inventoried, materials_listed=listed,
                          materials_removed=tuple(removed), visits=dict(sorted(visits.items())),
                          online=sum(1 for g in guides if g["online"]))


# --- the reviewers' packet ---------------------------------------------------------------------


def review_columns(guide: Mapping) -> dict[str, str]:
    """The guide as the reviewers read it, one text per column, in order."""
    if guide.get("immediate"):
        limit = "即办"
    else:
        legal = guide.get("legal_days")
        promised = guide.get("promised_days")
        limit = f"法定 {_days(legal)} / 承诺 {_days(promised)} 个工作日"
    fees = guide.get("fees") or []
    fee = "；".join(f"{f['name']}：{f['standard']}（{f['basis']}）" for f in fees) if guide.get("charged") else NO_FEE
    materials = guide.get("materials") or []
    names = "、".join(m["name"] for m in sorted(materials, key=lambda m: m["position"] or 0))
    steps = "→".join(f"{s['number']}.{s['name']}（{s['actor']}，{_step_days(s['days'])}）"
                     for s in guide.get("steps") or [])
    visits = guide.get("visits")
    return {
        "受理单位": guide.get("accepting_unit") or "",
        "办理依据": guide.get("basis") or "",
        "受理条件": guide.get("conditions") or "",
        "办理时限": limit,
        "收费": fee or "",
        "申请材料": f"{len(materials)} 项：{names}" if materials else "0 项",
        "办理流程": steps,
        "到办事现场次数": "" if visits is None else f"{visits} 次" + ("（零跑动）" if visits == 0 else ""),
        "是否网办": "是" if guide.get("online") else "否",
        "咨询电话": guide.get("consult_phone") or "",
        "监督投诉电话": guide.get("supervise_phone") or "",
    }


def _days(days: int | None) -> str:
    return "—" if days is None else str(days)


def _step_days(days: int | None) -> str:
    return "即时" if days == 0 else f"{_days(days)}日"


class _Blanks(dict):
    """Leaves a placeholder neither the guide nor the check has as it was written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _flag(guide: Mapping, config: Mapping, default: str, **values: object) -> str:
    """The configured wording (or the default) with {placeholders} from the guide's fields and the check's
    own figures; a configured text with an unknown name or a stray brace is shown as written, not an error."""
    text = str(config.get("flag") or default)
    fields = _Blanks({k: v for k, v in guide.items() if isinstance(v, str | int)}, **values)
    try:
        return string.Formatter().vformat(text, (), fields)
    except (ValueError, IndexError, AttributeError):
        return text


def _no_time_cut(guide: Mapping, config: Mapping) -> str | None:
    legal, promised = guide.get("legal_days"), guide.get("promised_days")
    if guide.get("immediate") or legal is None or promised is None or promised < legal:
        return None
    return _flag(guide, config, "承诺办结时限与法定时限相同（{days} 个工作日），未压缩", days=legal)


def _visits_over(guide: Mapping, config: Mapping) -> str | None:
    limit = int(config.get("max", 1))
    visits = guide.get("visits")
    if visits is None or visits <= limit:
        return None
    return _flag(guide, config, "需到办事现场 {visits} 次，超过 {max} 次", visits=visits, max=limit)


def _offline(guide: Mapping, config: Mapping) -> str | None:
    return None if guide.get("online") else _flag(guide, config, "不能网上办理")


def _count_over(key: str, default: str) -> Callable[[Mapping, Mapping], str | None]:
    def check(guide: Mapping, config: Mapping) -> str | None:
        count = len(guide.get(key) or [])
        limit = config.get("max")
        if limit is None or count <= int(limit):
            return None
        return _flag(guide, config, default, count=count, max=int(limit))
    return check


REVIEW_CHECKS: dict[str, Callable[[Mapping, Mapping], str | None]] = {
    "no_time_cut": _no_time_cut,
    "visits_over": _visits_over,
    "offline": _offline,
    "steps_over": _count_over("steps", "办理流程有 {count} 个环节，超过 {max} 个"),
    "materials_over": _count_over("materials", "申请材料有 {count} 项，超过 {max} 项"),
}
