"""Parallel review (并联审核) as pure rules: opinions, checks on an agency's rows, pre-flags, merge, diff.

Plain values in (dicts with the columns of a submitted item, the agencies' angles as read from
configuration), plain values out. No database, no mail, no spreadsheet library.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rules.cell_text import fold, refusal
from rules.certificates import DISPOSITIONS, REVIEW_OPINIONS, disposition_of
from rules.certificates import REVIEW_CHECKS as CERTIFICATE_CHECKS
from rules.guides import REVIEW_CHECKS as GUIDE_CHECKS


class Opinion(StrEnum):
    KEEP = "保留"
    CANCEL = "取消"
    ADJUST = "调整"
    MERGE = "合并"


OPINIONS = tuple(o.value for o in Opinion)


class GuideOpinion(StrEnum):
    AGREE = "同意"
    REVISE = "修改"


@dataclass(frozen=True)
class OpinionScheme:
    """What an agency may answer on each row of one kind of packet, and what each answer needs.

    The inventory's list is kept, cancelled, adjusted or merged item by item; a guide is agreed or
    sent back for revision; a certificate's proposed disposition is agreed or another is named.
    """

    subject: str  # the phase whose document is reviewed: inventory | guides | certificates
    choices: tuple[str, ...]
    needs_reason: frozenset[str] = frozenset()  # answers that need 审核理由

    @property
    def choices_text(self) -> str:
        return "、".join(self.choices)


INVENTORY_SCHEME = OpinionScheme("inventory", OPINIONS)
GUIDES_SCHEME = OpinionScheme("guides", tuple(o.value for o in GuideOpinion), frozenset({GuideOpinion.REVISE}))
CERTIFICATES_SCHEME = OpinionScheme("certificates", REVIEW_OPINIONS, frozenset(DISPOSITIONS))
SCHEMES = {s.subject: s for s in (INVENTORY_SCHEME, GUIDES_SCHEME, CERTIFICATES_SCHEME)}


def item_key(seq: object, name: object) -> tuple[str, str]:
    """Rows of a review workbook are matched to the packet by 序号 and 事项名称 together."""
    text = fold(seq)
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]  # a spreadsheet may hand back 3 as 3.0
    return text, fold(name)


# --- checking an agency's rows -----------------------------------------------------------------


@dataclass(frozen=True)
class RowFinding:
    """One thing wrong with an agency's review rows; ``row`` is the spreadsheet row."""

    what: str
    fix: str
    row: int | None = None
    column: str = ""


@dataclass(frozen=True)
class ReviewRow:
    row: int  # the spreadsheet row it came from
    seq: str
    name: str
    opinion: str
    reason: str = ""
    adjusted: str = ""


def check_review_rows(packet: Sequence[tuple[object, object]], rows: Sequence[ReviewRow],
                      scheme: OpinionScheme = INVENTORY_SCHEME) -> list[RowFinding]:
    """Every problem with an agency's rows at once. ``packet`` is the (序号, 名称) sent, in order."""
    findings: list[RowFinding] = []
    expected = [item_key(s, n) for s, n in packet]
    expected_set = set(expected)
    seen: dict[tuple[str, str], int] = {}
    matched: list[tuple[tuple[str, str], ReviewRow]] = []
    for r in rows:
        key = item_key(r.seq, r.name)
        if key not in expected_set:
            findings.append(RowFinding(f"第 {r.row} 行（序号 {r.seq}「{r.name}」）不在送审清单中，是新增的行",
                                       "审核表只能填写意见，不能增加事项；请删除该行，新增事项请在意见中说明",
                                       r.row, "事项名称"))
            continue
        if key in seen:
            findings.append(RowFinding(f"序号 {r.seq}「{r.name}」出现了两次（另见第 {seen[key]} 行）",
                                       "每个事项只保留一行意见", r.row, "事项名称"))
            continue
        seen[key] = r.row
        matched.append((key, r))
        findings += check_opinion(r, scheme)
    missing = [k for k in expected if k not in seen]
    for seq, name in missing:
        findings.append(RowFinding(f"送审清单中的序号 {seq}「{name}」被删除了",
                                   "请恢复该行并填写审核意见；建议取消的事项请选「取消」并写明理由", None, "事项名称"))
    order = [k for k in expected if k in seen]
    for (key, r), want in zip(matched, order):
        if key != want:
            findings.append(RowFinding(f"第 {r.row} 行的顺序与送审清单不同（此处应为序号 {want[0]}「{want[1]}」）",
                                       "请按送审清单的原顺序排列，不要排序或移动行", r.row, "序号"))
            break  # one reordering shifts every row after it; naming the first is what helps
    return findings


def check_opinion(r: ReviewRow, scheme: OpinionScheme = INVENTORY_SCHEME) -> list[RowFinding]:
    opinion = fold(r.opinion)
    choose = f"请从下拉列表中选择：{scheme.choices_text}"
    if not opinion:
        return [RowFinding(f"序号 {r.seq}「{r.name}」未填写审核意见", choose, r.row, "审核意见")]
    if opinion not in scheme.choices:
        return [RowFinding(refusal(r.opinion, "不是可选的值", lambda t: fold(t) if fold(t) in scheme.choices else None,
                                   "审核意见"), choose, r.row, "审核意见")]
    if scheme is not INVENTORY_SCHEME:
        if opinion in scheme.needs_reason and not fold(r.reason):
            return [RowFinding(f"序号 {r.seq}「{r.name}」的审核意见为「{opinion}」，但没有写理由",
                               "请在「审核理由」中写明理由和需要修改的内容", r.row, "审核理由")]
        return []
    if opinion == Opinion.CANCEL and not fold(r.reason):
        return [RowFinding(f"序号 {r.seq}「{r.name}」建议取消，但没有写理由",
                           "取消事项必须在「审核理由」中写明理由（如无法律法规依据）", r.row, "审核理由")]
    if opinion == Opinion.ADJUST and not fold(r.adjusted):
        return [RowFinding(f"序号 {r.seq}「{r.name}」建议调整，但没有写调整后内容",
                           "请在「调整后内容」中写明调整后的名称、依据或时限", r.row, "调整后内容")]
    if opinion == Opinion.MERGE and not fold(r.reason) and not fold(r.adjusted):
        return [RowFinding(f"序号 {r.seq}「{r.name}」建议合并，但没有写与哪个事项合并",
                           "请在「审核理由」或「调整后内容」中写明合并到的事项", r.row, "审核理由")]
    return []


def canonical_opinions(rows: Iterable[ReviewRow]) -> list[tuple[str, str, str, str, str]]:
    """The rows as compared for "the same opinion twice": folded, in packet order."""
    return [(*item_key(r.seq, r.name), fold(r.opinion), fold(r.reason), fold(r.adjusted)) for r in rows]


# --- each agency's angle -----------------------------------------------------------------------


@dataclass(frozen=True)
class Angle:
    """What one agency looks at, and the checks that pre-flag items for it (from configuration)."""

    agency: str  # organisation code
    title: str  # e.g. 法律依据
    guidance: str
    checks: tuple[Mapping, ...] = ()


def angles_from_data(data: Mapping, subject: str = "inventory") -> dict[str, Angle]:
    """Read the angles configuration (registry/seed/review_angles.yaml, already parsed): the
    inventory's under ``agencies``, the guides' and certificates' under their own keys."""
    section = data.get("agencies") if subject == "inventory" else (data.get(subject) or {}).get("agencies")
    checks_of = subject_checks(subject)
    angles = {}
    for code, spec in (section or {}).items():
        checks = tuple(spec.get("checks") or ())
        unknown = [c.get("check") for c in checks if c.get("check") not in checks_of]
        if unknown:
            raise ValueError(f"审核角度配置中有未知的检查项：{'、'.join(map(str, unknown))}（可用：{'、'.join(checks_of)}）")
        angles[code] = Angle(code, spec.get("title", ""), spec.get("guidance", ""), checks)
    return angles


def _missing(item: Mapping, check: Mapping) -> str | None:
    return check["flag"] if not fold(item.get(check["field"])) else None


def _fee_without_basis(item: Mapping, check: Mapping) -> str | None:
    return check["flag"] if item.get("charged") and not fold(item.get("fee_basis")) else None


def _statutory_days(item: Mapping, check: Mapping) -> int | None:
    name = fold(item.get("name"))
    for rule in check.get("statutory") or ():
        if fold(rule["contains"]) in name:
            return int(rule["days"])
    default = check.get("default_days")
    return int(default) if default is not None else None


def _time_limit(item: Mapping, check: Mapping) -> str | None:
    days = item.get("time_limit_days")
    if days in (None, "", 0):
        return check.get("flag_missing", "未填写办理时限")
    limit = _statutory_days(item, check)
    if limit is not None and int(days) > limit:
        return check.get("flag_over", "办理时限 {days} 个工作日，超过法定时限 {limit} 个工作日").format(
            days=days, limit=limit)
    return None


def _words(item: Mapping, check: Mapping) -> str | None:
    text = fold(item.get(check.get("field", "name")))
    for word in check.get("words") or ():
        if fold(word) in text:
            return check["flag"].format(word=word)
    return None


def _basis_without_citation(item: Mapping, check: Mapping) -> str | None:
    basis = fold(item.get("legal_basis"))
    marks = check.get("marks") or ["《"]
    return check["flag"] if basis and not any(m in basis for m in marks) else None


# The kinds of check configuration may name; the angle file chooses, per agency, which apply.
CHECKS = {
    "missing": _missing,
    "fee_without_basis": _fee_without_basis,
    "time_limit": _time_limit,
    "words": _words,
    "basis_without_citation": _basis_without_citation,
}


def subject_checks(subject: str) -> Mapping[str, Callable[[Mapping, Mapping], str | None]]:
    """The kinds of pre-flag check each kind of packet knows."""
    if subject == "guides":
        return GUIDE_CHECKS
    if subject == "certificates":
        return CERTIFICATE_CHECKS
    return CHECKS


def pre_flags(item: Mapping, angle: Angle, subject: str = "inventory") -> list[str]:
    """What the agency should look at first on this item (a guide, a certificate), from its own angle."""
    checks = subject_checks(subject)
    flags = []
    for check in angle.checks:
        flag = checks[check["check"]](item, check)
        if flag:
            flags.append(flag)
    return flags


# --- merging four opinions ---------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyOpinion:
    opinion: str
    reason: str = ""
    adjusted: str = ""


@dataclass(frozen=True)
class MergedItem:
    seq: str
    name: str
    opinions: dict[str, AgencyOpinion]  # agency -> its opinion
    outcome: str | None  # None while agencies disagree and the coordinator has not decided
    reason: str
    adjusted: str
    conflict: bool


def merge_item(seq: str, name: str, opinions: Mapping[str, AgencyOpinion]) -> MergedItem:
    """The consolidated opinion on one item.

    Unanimous: that opinion. One kind of change asked by some agencies while the rest keep the item
    (保留 + 调整, 保留 + 合并): the change applies, since each agency speaks for its own angle.
    Anything else — 取消 against any other opinion, or two different changes — is a conflict
    the coordinator decides.
    """
    kinds = {o.opinion for o in opinions.values()}
    changes = kinds - {Opinion.KEEP}
    adjustments = {fold(o.adjusted) for o in opinions.values() if o.opinion == Opinion.ADJUST}
    reasons = "；".join(f"{agency}：{o.reason}" for agency, o in opinions.items() if o.reason)
    if len(kinds) == 1 and (kinds != {Opinion.ADJUST} or len(adjustments) == 1):
        only = next(iter(kinds))
        adjusted = next((o.adjusted for o in opinions.values() if o.adjusted), "")
        return MergedItem(seq, name, dict(opinions), only, reasons, adjusted, False)
    if len(changes) == 1 and Opinion.CANCEL not in changes and len(adjustments) <= 1:
        change = next(iter(changes))
        adjusted = next((o.adjusted for o in opinions.values() if o.opinion == change and o.adjusted), "")
        return MergedItem(seq, name, dict(opinions), change, reasons, adjusted, False)
    return MergedItem(seq, name, dict(opinions), None, reasons, "", True)


def merge_guide(seq: str, name: str, opinions: Mapping[str, AgencyOpinion]) -> MergedItem:
    """A guide goes back for revision when either reviewer asks for it: each speaks for its own
    angle (事项与要素, 流程与时限), so a 修改 never conflicts with a 同意."""
    reasons = "；".join(f"{agency}：{o.reason}" for agency, o in opinions.items() if o.reason)
    revise = any(fold(o.opinion) == GuideOpinion.REVISE for o in opinions.values())
    outcome = GuideOpinion.REVISE if revise else GuideOpinion.AGREE
    return MergedItem(seq, name, dict(opinions), str(outcome), reasons, "", False)


def merge_certificate(seq: str, name: str, opinions: Mapping[str, AgencyOpinion], declared: str) -> MergedItem:
    """The disposition every agency arrives at (同意 being the one proposed); any two different
    dispositions are a conflict the coordinator decides."""
    reasons = "；".join(f"{agency}：{o.reason}" for agency, o in opinions.items() if o.reason)
    dispositions = {disposition_of(o.opinion, declared) for o in opinions.values()}
    if len(dispositions) == 1:
        return MergedItem(seq, name, dict(opinions), next(iter(dispositions)), reasons, "", False)
    return MergedItem(seq, name, dict(opinions), None, reasons, "", True)


def merge_opinions(packet: Sequence[tuple[object, object]],
                   by_agency: Mapping[str, Mapping[tuple[str, str], AgencyOpinion]],
                   scheme: OpinionScheme = INVENTORY_SCHEME,
                   declared: Sequence[str] = ()) -> list[MergedItem]:
    """Merge the agencies' opinions item by item, in the packet's order; ``declared`` is each
    certificate's proposed disposition, in the same order."""
    merged = []
    for n, (seq, name) in enumerate(packet):
        key = item_key(seq, name)
        opinions = {agency: rows[key] for agency, rows in by_agency.items() if key in rows}
        if scheme is GUIDES_SCHEME:
            merged.append(merge_guide(key[0], str(name), opinions))
        elif scheme is CERTIFICATES_SCHEME:
            merged.append(merge_certificate(key[0], str(name), opinions, declared[n]))
        else:
            merged.append(merge_item(key[0], str(name), opinions))
    return merged


# --- a department's revised list against the one before ---------------------------------------

COMPARED_FIELDS = {
    "kind": "事项类型", "category": "事项类别", "audience": "服务对象", "implementer": "实施主体",
    "legal_basis": "设定依据", "time_limit_days": "办理时限（工作日）", "charged": "是否收费",
    "fee_basis": "收费依据及标准", "materials": "所需证明材料", "remarks": "备注",
}


@dataclass(frozen=True)
class FieldChange:
    field: str  # the column's Chinese header
    before: object
    after: object


@dataclass
class ListDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[FieldChange]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        return {"added": self.added, "removed": self.removed,
                "changed": {name: [[c.field, _plain(c.before), _plain(c.after)] for c in changes]
                            for name, changes in self.changed.items()}}

    def summary(self) -> str:
        return f"新增 {len(self.added)} 项，删除 {len(self.removed)} 项，修改 {len(self.changed)} 项"


def _plain(value: object) -> object:
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def diff_lists(before: Sequence[Mapping], after: Sequence[Mapping]) -> ListDiff:
    """Items are the same item when their names match (after folding); 序号 may be renumbered."""
    old = {fold(i["name"]): i for i in before}
    new = {fold(i["name"]): i for i in after}
    diff = ListDiff()
    diff.added = [new[k]["name"] for k in new if k not in old]
    diff.removed = [old[k]["name"] for k in old if k not in new]
    for k in new.keys() & old.keys():
        changes = [FieldChange(label, old[k].get(f), new[k].get(f)) for f, label in COMPARED_FIELDS.items()
                   if _comparable(old[k].get(f)) != _comparable(new[k].get(f))]
        if changes:
            diff.changed[new[k]["name"]] = changes
    diff.changed = dict(sorted(diff.changed.items()))
    return diff


def _comparable(value: object) -> object:
    return value if isinstance(value, bool | int) else fold(value)


# --- where an accepted submission goes ---------------------------------------------------------


class Route(StrEnum):
    REVIEW = "review"  # a first list, or one replacing a list still under review: the four agencies
    RESPONSE = "response"  # the department's revised list after its consolidated opinion
    SKIP = "skip"  # nothing to do: a zero report, or already routed


def route_for(*, zero_report: bool, already_routed: bool, reviewed_before: bool,
              opinion_issued_before: bool) -> Route:
    """Where an accepted inventory version goes. Pure, so the sweep and the event agree."""
    if zero_report or already_routed:
        return Route.SKIP
    if reviewed_before and opinion_issued_before:
        return Route.RESPONSE
    return Route.REVIEW
