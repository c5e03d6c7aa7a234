"""The certificate clean-up (证明事项清理) as pure rules: a department's ledger checked, pre-flags for
the four reviewing agencies, and what each disposition leaves the applicant to do.

Under the State Council's practice a certificate without a basis in law, administrative regulation,
local regulation or rules is cancelled by default; one kept must name its document and article; a
written commitment (告知承诺) replaces it only outside national security, public safety, the
environment, life and health and finance. Plain values in, plain values out.
"""
from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from core.problems import Problem
from rules.cell_text import fold, refusal


class Disposition(StrEnum):
    KEEP = "保留"
    CANCEL = "取消"
    COMMIT = "告知承诺"
    SHARE = "信息共享替代"
    LICENCE = "其他证照替代"


DISPOSITIONS: tuple[str, ...] = tuple(d.value for d in Disposition)
# What the 取消 list holds: every certificate an applicant is no longer asked for, whatever replaces it.
NO_LONGER_DEMANDED = (Disposition.CANCEL, Disposition.COMMIT, Disposition.SHARE, Disposition.LICENCE)


class BasisLevel(StrEnum):
    LAW = "法律"
    ADMIN = "行政法规"
    LOCAL = "地方性法规"
    RULES = "规章"
    NORMATIVE = "规范性文件"
    NONE = "无"


BASIS_LEVELS: tuple[str, ...] = tuple(b.value for b in BasisLevel)
# 规章 level or above: the only bases on which a certificate may still be demanded.
KEEPABLE_LEVELS = frozenset({BasisLevel.LAW, BasisLevel.ADMIN, BasisLevel.LOCAL, BasisLevel.RULES})
# Fields where a written commitment may not replace a certificate (告知承诺, 2020).
EXCLUDED_FIELDS: tuple[str, ...] = ("国家安全", "公共安全", "生态环境", "生命健康", "金融")
GENERAL_FIELD = "一般事项"
FIELD_CHOICES: tuple[str, ...] = (GENERAL_FIELD, *EXCLUDED_FIELDS)

AGREE = "同意"
REVIEW_OPINIONS: tuple[str, ...] = (AGREE, *DISPOSITIONS)

# The ledger's sheet and columns, here because the rules name them in every problem they report.
COVER_SHEET = "封面"
COVER_ORG_CODE = "单位代码"
SHEET = "证明事项清理表"
SEQ = "序号"
NAME = "证明名称"
ITEMS = "所涉事项"
REQUESTER = "索要单位"
ISSUER = "开具单位"
BASIS = "设定依据"
BASIS_LEVEL = "依据层级"
DISPOSITION = "拟处理方式"
REPLACEMENT = "替代方式"
SHARE_SOURCE = "信息共享来源单位"
COMMITMENT = "承诺内容"
VERIFICATION = "事后核查方式"
FIELD = "涉及领域"
REMARKS = "备注"
HEADERS: tuple[str, ...] = (SEQ, NAME, ITEMS, REQUESTER, ISSUER, BASIS, BASIS_LEVEL, DISPOSITION, REPLACEMENT,
                            SHARE_SOURCE, COMMITMENT, VERIFICATION, FIELD, REMARKS)
# Header -> the key of SheetRow.values and of a normalised entry.
COLUMN_FIELDS: dict[str, str] = {
    SEQ: "seq", NAME: "name", ITEMS: "items", REQUESTER: "requester", ISSUER: "issuer", BASIS: "basis",
    BASIS_LEVEL: "basis_level", DISPOSITION: "disposition", REPLACEMENT: "replacement", SHARE_SOURCE: "share_source",
    COMMITMENT: "commitment", VERIFICATION: "verification", FIELD: "field", REMARKS: "remarks",
}
HEADER_OF: dict[str, str] = {key: header for header, key in COLUMN_FIELDS.items()}

ITEM_SEPARATOR = "、"
_MATERIAL_SPLIT = re.compile(r"[、，,；;]+")
# 《document》 and, after it, 第 N 条 in Chinese or Arabic numerals.
_CITED_ARTICLE = re.compile(r"《[^》]+》.*?第[0-9一二三四五六七八九十百千零〇两]+条")
_ARTICLE = re.compile(r"第[0-9一二三四五六七八九十百千零〇两]+条")
_LISTED_ITEMS = 5


def disposition_of(opinion: str, declared: str) -> str:
    """The disposition an agency's opinion stands for: 同意 keeps the department's own.
    Raises ValueError for anything outside REVIEW_OPINIONS, which the caller checks first."""
    chosen = fold(opinion)
    if chosen == AGREE:
        chosen = fold(declared)
    if chosen not in DISPOSITIONS:
        raise ValueError(f"审核意见「{opinion}」不是可选的值（可选：{'、'.join(REVIEW_OPINIONS)}）")
    return chosen


@dataclass(frozen=True)
class OrgRef:
    """A directory entry, plain values."""

    code: str
    name: str
    short_name: str = ""
    city_department: bool = True


@dataclass(frozen=True)
class SheetRow:
    row: int  # the row number Excel shows
    values: Mapping[str, str]  # field name (COLUMN_FIELDS) -> cell text ('' when blank)


@dataclass
class CertificateSheet:
    org_code: str = ""  # the cover's 单位代码
    rows: list[SheetRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # structural (sheet/header missing, unreadable)


@dataclass
class CertificatesCheck:
    problems: list[Problem]
    entries: list[dict]  # normalised, in sheet order; empty unless accepted
    notes: list[str]  # hints for the receipt that are not problems

    @property
    def problem_count(self) -> int:
        return len(self.problems)

    @property
    def accepted(self) -> bool:
        return not self.problems


def certificates_from_items(items: Sequence[Mapping]) -> list[dict]:
    """Every distinct certificate the items name in 所需证明材料, with the items that ask for it,
    in first-seen order: the rows a department's ledger starts from."""
    found: dict[str, dict] = {}
    for item in items:
        item_name = str(item.get("name") or "").strip()
        for part in _MATERIAL_SPLIT.split(str(item.get("materials") or "")):
            name = part.strip()
            if not fold(name):
                continue
            entry = found.setdefault(fold(name), {"name": name, "items": []})
            if item_name and item_name not in entry["items"]:
                entry["items"].append(item_name)
    return list(found.values())


# --- the directory -----------------------------------------------------------------------------


def index_directory(directory: Sequence[OrgRef]) -> dict[str, OrgRef]:
    """Each organisation under its full name, short name and code, folded and case-blind: built once
    per ledger, since every row may name a unit twice."""
    index: dict[str, OrgRef] = {}
    for key in ("name", "short_name", "code"):  # a full name wins over another's short name or code
        for org in directory:
            if text := fold(getattr(org, key)).lower():
                index.setdefault(text, org)
    return index


def find_org(orgs: Mapping[str, OrgRef], text: str) -> OrgRef | None:
    """The organisation a cell names, from index_directory()."""
    return orgs.get(fold(text).lower())


# --- one rule per function; each returns the problems it finds on one row -----------------------


def _problem(row: int, column: str, what: str, fix: str) -> Problem:
    return Problem(what, fix, sheet=SHEET, row=row, column=column)


def _choice(value: str, options: tuple[str, ...]) -> str | None:
    """The option a cell names after folding; '' for a blank cell, None for anything else."""
    canonical = {fold(o): o for o in options}
    return canonical.get(fold(value), "" if not fold(value) else None)


def check_name(row: SheetRow) -> list[Problem]:
    """A row with something in it but no 证明名称 cannot be told apart from the next."""
    if fold(row.values.get("name")):
        return []
    return [_problem(row.row, NAME, "这一行填写了内容，但没有填写证明名称",
                     "请填写证明的名称；不需要的行请整行删除")]


def check_repeats(rows: Sequence[SheetRow]) -> list[Problem]:
    """The same certificate twice (after folding) is refused on each later row."""
    first: dict[str, int] = {}
    problems = []
    for row in rows:
        name = fold(row.values.get("name"))
        if not name:
            continue
        if name in first:
            problems.append(_problem(row.row, NAME, f"与第 {first[name]} 行的证明名称重复",
                                     "同一证明只填一行，所涉多个事项在「所涉事项」中用顿号「、」分隔"))
        else:
            first[name] = row.row
    return problems


def _unfilled(row: SheetRow, header: str) -> str:
    name = str(row.values.get("name") or "").strip()
    return f"「{name}」未填写{header}" if name else f"未填写{header}"


def check_choice(row: SheetRow, key: str, options: tuple[str, ...], *, required: bool = True) -> list[Problem]:
    """A fixed-choice column: one of ``options`` (blank only when not required)."""
    value = row.values.get(key, "")
    header = HEADER_OF[key]
    chosen = _choice(value, options)
    fix = f"请从下拉列表中选择：{'、'.join(options)}"
    if chosen is None:
        return [_problem(row.row, header, refusal(value, "不是可选的值", lambda v: _choice(v, options) or None,
                                                  header), fix)]
    if chosen == "" and required:
        return [_problem(row.row, header, _unfilled(row, header), fix)]
    return []


def check_required(row: SheetRow, key: str, fix: str) -> list[Problem]:
    header = HEADER_OF[key]
    return [] if fold(row.values.get(key)) else [_problem(row.row, header, _unfilled(row, header), fix)]


def has_legal_basis(basis: str, level: str) -> bool:
    """A basis the certificate may be kept on: written down, and at 规章 level or above."""
    return bool(fold(basis)) and level in KEEPABLE_LEVELS


def cites_article(basis: str) -> bool:
    return bool(_CITED_ARTICLE.search(fold(basis)))


def check_keep(row: SheetRow) -> list[Problem]:
    """保留 needs a basis in 法律, 行政法规, 地方性法规 or 规章 that names its document and article."""
    values = row.values
    if _choice(values.get("disposition", ""), DISPOSITIONS) != Disposition.KEEP:
        return []
    level = _choice(values.get("basis_level", ""), BASIS_LEVELS)
    if not level:
        return []  # the level is missing or refused: whether it could be kept is told once it is put right
    basis = values.get("basis", "")
    if not has_legal_basis(basis, level):
        why = "未填写设定依据" if level in KEEPABLE_LEVELS else f"依据层级为「{level}」"
        return [_problem(row.row, DISPOSITION,
                         f"{why}：没有法律、行政法规、地方性法规或规章依据的证明不能保留",
                         "无法律法规依据的证明原则上应取消；也可改为告知承诺、信息共享替代或其他证照替代")]
    if not cites_article(basis):
        return [_problem(row.row, BASIS, "保留的证明，设定依据须写明文件名称和具体条款",
                         "请按「《文件名称》第 N 条」填写，例如「《中华人民共和国行政许可法》第三十一条」")]
    return []


def check_commitment(row: SheetRow) -> list[Problem]:
    """告知承诺 states what is promised and how it is checked afterwards, and is not for excluded fields."""
    values = row.values
    if _choice(values.get("disposition", ""), DISPOSITIONS) != Disposition.COMMIT:
        return []
    problems = check_required(row, "commitment", "请写明申请人承诺的内容，即原证明所证明的事实")
    problems += check_required(row, "verification", "请写明事后如何核查承诺是否属实（如信息系统比对、现场核查）")
    chosen = _choice(values.get("field", ""), FIELD_CHOICES)
    if chosen == "":
        problems.append(_problem(row.row, FIELD, "告知承诺的证明须填写涉及领域",
                                 f"请从下拉列表中选择：{'、'.join(FIELD_CHOICES)}"))
    elif chosen in EXCLUDED_FIELDS:
        problems.append(_problem(row.row, DISPOSITION, f"涉及{chosen}领域的证明不适用告知承诺",
                                 "请改为保留（须有法律法规依据）、取消、信息共享替代或其他证照替代"))
    return problems


def check_sharing(row: SheetRow, orgs: Mapping[str, OrgRef]) -> list[Problem]:
    """信息共享替代 names the unit whose data replaces the certificate, as the directory knows it."""
    values = row.values
    if _choice(values.get("disposition", ""), DISPOSITIONS) != Disposition.SHARE:
        return []
    source = values.get("share_source", "")
    if not fold(source):
        return [_problem(row.row, SHARE_SOURCE, "信息共享替代的证明须填写信息共享来源单位",
                         "请填写提供共享数据的单位全称，例如「沈阳市公安局」")]
    if find_org(orgs, source) is None:
        return [_problem(row.row, SHARE_SOURCE, refusal(source, "不在单位名录中", lambda v: v if find_org(orgs, v)
                                                          else None, SHARE_SOURCE),
                         "请填写单位全称或规范简称，例如「沈阳市公安局」或「市公安局」")]
    return []


def check_licence(row: SheetRow) -> list[Problem]:
    """其他证照替代 names the licence that replaces the certificate."""
    if _choice(row.values.get("disposition", ""), DISPOSITIONS) != Disposition.LICENCE:
        return []
    return check_required(row, "replacement", "请在「替代方式」中写明用哪一证照替代，例如「营业执照」")


def split_items(text: str) -> list[str]:
    return [p.strip() for p in _MATERIAL_SPLIT.split(text or "") if fold(p)]


def check_items(row: SheetRow, approved: Sequence[str]) -> list[Problem]:
    """所涉事项 names only this department's approved items."""
    names = split_items(row.values.get("items", ""))
    listed = "、".join(f"「{a}」" for a in list(approved)[:_LISTED_ITEMS]) + ("等" if len(approved) > _LISTED_ITEMS else "")
    hint = f"（本单位经审定的事项：{listed}）" if approved else ""
    if not names:
        return [_problem(row.row, ITEMS, _unfilled(row, ITEMS), f"请填写索要该证明的事项名称，多个用顿号「、」分隔{hint}")]
    known = {fold(a) for a in approved}
    return [_problem(row.row, ITEMS, refusal(name, "不是本单位经审定的公共服务事项",
                                             lambda v: v if fold(v) in known else None, ITEMS),
                     f"请按审定后的清单填写事项名称{hint}")
            for name in names if fold(name) not in known]


def check_cover(sheet: CertificateSheet, org_code: str) -> list[Problem]:
    """Another department's ledger, sent by mistake or on its behalf, is refused."""
    code = fold(sheet.org_code)
    if not code or not org_code or code.lower() == org_code.lower():
        return []
    return [Problem(refusal(sheet.org_code, f"与报送单位（{org_code}）不符",
                            lambda v: org_code if fold(v).lower() == org_code.lower() else None, "封面单位代码为"),
                    "请使用发给本单位的清理表；代为报送其他单位的，请由该单位自行报送",
                    sheet=COVER_SHEET, column=COVER_ORG_CODE)]


def sharing_candidate(issuer: str, org_code: str, orgs: Mapping[str, OrgRef]) -> OrgRef | None:
    """The other city department that issues the certificate: its data could replace it."""
    org = find_org(orgs, issuer)
    if org is None or not org.city_department or fold(org.code).lower() == fold(org_code).lower():
        return None
    return org


def _seq(text: str, ordinal: int) -> int:
    folded = fold(text)
    if re.fullmatch(r"\d+(\.0+)?", folded):
        return int(folded.split(".")[0])
    return ordinal


def _entry(row: SheetRow, ordinal: int, org_name: str, approved: Mapping[str, str], orgs: Mapping[str, OrgRef],
           org_code: str) -> dict:
    v = {key: str(row.values.get(key) or "") for key in COLUMN_FIELDS.values()}
    issuer = find_org(orgs, v["issuer"])
    source = find_org(orgs, v["share_source"])
    return {
        # Items as the approved list spells them, so that the registry can match them by name.
        "seq": _seq(v["seq"], ordinal), "name": v["name"],
        "items": [approved.get(fold(i), i) for i in split_items(v["items"])],
        "requester": v["requester"] or org_name, "issuer": v["issuer"], "issuer_code": issuer.code if issuer else "",
        "basis": v["basis"], "basis_level": _choice(v["basis_level"], BASIS_LEVELS) or "",
        "disposition": _choice(v["disposition"], DISPOSITIONS) or "", "replacement": v["replacement"],
        "share_source": v["share_source"], "share_source_code": source.code if source else "",
        "commitment": v["commitment"], "verification": v["verification"],
        "field": _choice(v["field"], FIELD_CHOICES) or "", "remarks": v["remarks"],
        "sharing_candidate": sharing_candidate(v["issuer"], org_code, orgs) is not None, "row": row.row,
    }


def check_row(row: SheetRow, items: Sequence[str], orgs: Mapping[str, OrgRef]) -> list[Problem]:
    """Every rule on one named row."""
    problems = check_items(row, items)
    problems += check_required(row, "issuer", "请填写开具该证明的单位，例如「沈阳市公安局」「所在地社区居民委员会」")
    problems += check_choice(row, "basis_level", BASIS_LEVELS)
    problems += check_choice(row, "disposition", DISPOSITIONS)
    problems += check_choice(row, "field", FIELD_CHOICES, required=False)
    for rule in (check_keep, check_commitment, check_licence):
        problems += rule(row)
    return problems + check_sharing(row, orgs)


def check_certificates(sheet: CertificateSheet, *, org_code: str, org_name: str, items: Sequence[str],
                       directory: Sequence[OrgRef], max_rows: int = 5000) -> CertificatesCheck:
    """Every problem with a department's ledger at once; the normalised entries when there are none.

    ``items`` are the department's approved item names; ``directory`` every organisation."""
    problems = list(sheet.problems) + check_cover(sheet, org_code)
    rows = [r for r in sheet.rows if any(fold(v) for k, v in r.values.items() if k != "seq")]
    if len(rows) > max_rows:
        problems.append(Problem(f"清理表共有 {len(rows)} 行，超过每份清理表 {max_rows} 行的上限",
                                "请检查是否误粘贴了大量数据；确有如此多证明的，请与市编委办联系分批报送", sheet=SHEET))
        return CertificatesCheck(problems, [], [])
    if not rows and not sheet.problems:
        problems.append(Problem("清理表中没有填写任何证明",
                                f"请在「{SHEET}」逐行填写本单位事项索要的证明；确实不索要任何证明的，请与市编委办联系",
                                sheet=SHEET))
    orgs = index_directory(directory)
    named = [r for r in rows if fold(r.values.get("name"))]
    for row in rows:
        problems += check_row(row, items, orgs) if fold(row.values.get("name")) else check_name(row)
    problems += check_repeats(named)
    problems.sort(key=lambda p: (p.sheet == SHEET, p.row or 0))
    approved = {fold(i): i for i in items}
    entries = [_entry(r, n, org_name, approved, orgs, org_code) for n, r in enumerate(named, start=1)]
    notes = [sharing_note(e) for e in entries if e["sharing_candidate"]
             and e["disposition"] not in (Disposition.SHARE, Disposition.CANCEL)]
    return CertificatesCheck(problems, [] if problems else entries, notes)


def sharing_note(entry: Mapping) -> str:
    return f"「{entry['name']}」由{entry['issuer']}开具，可考虑信息共享替代"


# --- after the clean-up: what the applicant does instead ------------------------------------------


def instead(entry: Mapping) -> str:
    """取消后的办理方式: what replaces a certificate no longer demanded, in the published list's words."""
    disposition = fold(entry.get("disposition"))
    replacement = str(entry.get("replacement") or "").strip()
    if disposition == Disposition.COMMIT:
        verification = str(entry.get("verification") or "").strip()
        return "申请人书面承诺，不再提交证明" + (f"；事后核查：{verification}" if verification else "")
    if disposition == Disposition.SHARE:
        source = str(entry.get("share_source") or "").strip()
        text = f"通过{source}信息共享核验，不再提交证明" if source else "通过信息共享核验，不再提交证明"
        return text + (f"（{replacement}）" if replacement else "")
    if disposition == Disposition.LICENCE:
        return f"以{replacement}替代" if replacement else "以其他证照替代"
    if disposition == Disposition.CANCEL:
        return replacement or "直接取消，不再索要"
    return ""


# --- pre-flags for the four reviewers --------------------------------------------------------------


class _Blanks(dict):
    """Leaves a placeholder the entry does not have as it was written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _flag(entry: Mapping, check: Mapping, default: str) -> str:
    values = _Blanks({k: ("、".join(v) if isinstance(v, list) else v) for k, v in entry.items()})
    try:
        return string.Formatter().vformat(str(check.get("flag") or default), (), values)
    except (ValueError, IndexError, AttributeError):
        return str(check.get("flag") or default)  # a configured text with a stray brace is shown as written


def _basis_below_rules(entry: Mapping, check: Mapping) -> str | None:
    if has_legal_basis(entry.get("basis", ""), entry.get("basis_level", "")):
        return None
    if not fold(entry.get("basis")):
        return _flag(entry, check, "未填写设定依据，原则上应取消")
    return _flag(entry, check, "设定依据为{basis_level}，低于规章，原则上应取消")


def _basis_without_article(entry: Mapping, check: Mapping) -> str | None:
    basis = fold(entry.get("basis"))
    if not basis or _ARTICLE.search(basis):
        return None
    return _flag(entry, check, "设定依据未写明具体条款（第…条）")


def _keep(entry: Mapping, check: Mapping) -> str | None:
    if fold(entry.get("disposition")) != Disposition.KEEP:
        return None
    return _flag(entry, check, "拟保留：请核实设定依据「{basis}」")


def _sharing_candidate(entry: Mapping, check: Mapping) -> str | None:
    if not entry.get("sharing_candidate") or fold(entry.get("disposition")) == Disposition.SHARE:
        return None
    return _flag(entry, check, "由{issuer}开具，可考虑信息共享替代")


def _commitment(entry: Mapping, check: Mapping) -> str | None:
    if fold(entry.get("disposition")) != Disposition.COMMIT:
        return None
    return _flag(entry, check, "告知承诺：请核实事后核查方式「{verification}」是否可行")


# The checks review configuration may name, per agency: (normalised entry, check config) -> flag or None.
REVIEW_CHECKS: dict[str, Callable[[Mapping, Mapping], str | None]] = {
    "basis_below_rules": _basis_below_rules,
    "basis_without_article": _basis_without_article,
    "keep": _keep,
    "sharing_candidate": _sharing_candidate,
    "commitment": _commitment,
}


def review_columns(entry: Mapping) -> dict[str, str]:
    """The entry as the reviewers' packet shows it, header by header in the packet's order."""
    return {
        ITEMS: ITEM_SEPARATOR.join(entry.get("items") or ()),
        ISSUER: str(entry.get("issuer") or ""),
        BASIS: str(entry.get("basis") or ""),
        BASIS_LEVEL: str(entry.get("basis_level") or ""),
        DISPOSITION: str(entry.get("disposition") or ""),
        REPLACEMENT: str(entry.get("replacement") or ""),
        SHARE_SOURCE: str(entry.get("share_source") or ""),
        COMMITMENT: str(entry.get("commitment") or ""),
        VERIFICATION: str(entry.get("verification") or ""),
    }
