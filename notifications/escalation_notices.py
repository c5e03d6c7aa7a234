"""The wording of reminders, cards and 督查 notices. Plain values in, plain strings out.

Officials read these, so they are in Chinese and say what is owed, by when, how late it is and
why this person is the one being written to. One message tells an organisation of all its
obligations at one rung on one day (rules.notice_groups); a message about a single obligation
reads as it always has.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from rules.escalation import RECIPIENT_NAMES, Level, Step

WEEKDAYS = "一二三四五六日"
EXPLAIN_HINT = "期限如何计算、已发过哪些通知，可请牵头单位运行 reform explain {} 查询。"


class NoticeEntry(NamedTuple):
    """One obligation as a rung notice lists it. A named tuple: the sweep makes one per notice."""

    obligation_id: int
    phase_name: str
    ref: str
    owed_to: str  # whom it is owed to (a name), "" when nobody in particular
    due: date
    due_basis: str  # where the date comes from: 原文「7月底前」, or how its own date was set
    working_days_left: int  # negative once working days have passed since the due date
    reply_address: str = ""  # where a reply is read as this obligation's, "" without a token
    reply_tag: str = ""  # the same token for the subject line, [RF-…]


@dataclass(frozen=True)
class RungLetter:
    """Who writes to whom about which rung: what every entry of one message shares."""

    step: Step  # the rung (any member's: its level and name are the group's)
    org_name: str
    org_short: str
    sender: str  # the campaign owner's name, e.g. 沈阳市编委办
    addressee_role: str
    skipped: tuple[str, ...] = ()  # roles passed over for want of an address


def compose_rung_notice(letter: RungLetter, entries: Sequence[NoticeEntry]) -> tuple[str, str]:
    """(subject, text) of the message telling one organisation of its obligations at one rung."""
    if len(entries) == 1:
        return _single_subject(letter, entries[0]), _single_text(letter, entries[0])
    return _group_subject(letter, entries), _group_text(letter, entries)


def _ref(entry: NoticeEntry) -> str:
    return f"（{entry.ref}）" if entry.ref else ""


def _due(entry: NoticeEntry) -> str:
    basis = f"；{entry.due_basis}" if entry.due_basis else ""
    return f"{entry.due.isoformat()}（星期{WEEKDAYS[entry.due.weekday()]}{basis}）"


def _standing(entry: NoticeEntry) -> str:
    left = entry.working_days_left
    if left > 0:
        return f"还有 {left} 个工作日"
    return "今天到期" if left == 0 else f"已逾期 {-left} 个工作日"


def _reply(entry: NoticeEntry) -> str:
    if not entry.reply_address:
        return ""
    return f"报送或回复请发至 {entry.reply_address}（或在邮件主题中保留 {entry.reply_tag}）。"


def _footer(letter: RungLetter, explain: str) -> list[str]:
    lines = []
    if letter.skipped:
        missing = "、".join(RECIPIENT_NAMES[r] for r in letter.skipped)
        lines.append(f"因{missing}未登记电子邮箱，本通知改送您，并已告知牵头单位补登。")
    return lines + ["", f"如已办结，请忽略本通知。{EXPLAIN_HINT.format(explain)}", "", letter.sender]


# --- one obligation: today's wording -----------------------------------------------------------

_TAGS = {Level.YELLOW: "黄牌警示", Level.RED: "红牌督办", Level.SUPERVISION: "提请督查"}


def _single_subject(letter: RungLetter, entry: NoticeEntry) -> str:
    step = letter.step
    what = f"{letter.org_short}「{entry.phase_name}」"
    if step.level is Level.REMINDED:
        return f"【提醒】{what}距截止日期 {entry.due.isoformat()} 还有 {step.working_days} 个工作日"
    late = {Level.YELLOW: "已逾期", Level.RED: "逾期未完成", Level.SUPERVISION: "逾期仍未完成"}[step.level]
    return f"【{_TAGS[step.level]}】{what}{late}（截止日期 {entry.due.isoformat()}）"


def _single_body(step: Step) -> str:
    if step.level is Level.REMINDED:
        return f"距截止日期还有 {step.working_days} 个工作日，请按时完成。"
    if step.level is Level.YELLOW:
        return "截止日期已过仍未完成，现予黄牌警示。请分管领导督促，尽快办结。"
    if step.level is Level.RED:
        return (f"截止日期后已超过 {step.working_days - 1} 个工作日仍未完成，现予红牌督办。"
                "请主要负责同志（第一责任人）亲自过问，限期办结并说明原因。")
    return (f"截止日期后已超过 {step.working_days - 1} 个工作日，经黄牌、红牌仍未完成，"
            "提请市政府办公厅督查，抄送牵头单位。")


def _single_text(letter: RungLetter, entry: NoticeEntry) -> str:
    owed = f"，报送{entry.owed_to}" if entry.owed_to else ""
    lines = [
        f"{RECIPIENT_NAMES[letter.addressee_role]}：",
        "",
        f"{letter.org_name}承担的「{entry.phase_name}」{_ref(entry)}（事项编号 {entry.obligation_id}）{owed}，"
        f"截止日期为 {_due(entry)}，目前尚未完成。",
        _single_body(letter.step),
    ]
    if entry.reply_address:
        lines.append(_reply(entry))
    return "\n".join(lines + _footer(letter, str(entry.obligation_id)))


# --- several obligations: one message listing them all -----------------------------------------

_GROUP_SUBJECTS = {Level.REMINDED: ("催办提醒", "即将到期"), Level.YELLOW: ("黄牌警示", "已逾期"),
                   Level.RED: ("红牌督办", "逾期未完成"), Level.SUPERVISION: ("提请督查", "逾期仍未完成")}

_GROUP_BODIES = {
    Level.REMINDED: "请在各自的截止日期前完成。",
    Level.YELLOW: "以上事项截止日期已过仍未完成，现予黄牌警示。请分管领导督促，尽快办结。",
    Level.RED: "以上事项截止日期后已超过规定期限仍未完成，现予红牌督办。"
               "请主要负责同志（第一责任人）亲自过问，限期办结并说明原因。",
    Level.SUPERVISION: "以上事项经黄牌、红牌仍未完成，提请市政府办公厅督查，抄送牵头单位。",
}


def _group_subject(letter: RungLetter, entries: Sequence[NoticeEntry]) -> str:
    tag, state = _GROUP_SUBJECTS[letter.step.level]
    earliest = min(e.due for e in entries).isoformat()
    return f"【{tag}】{letter.org_short}：{len(entries)}项事项{state}（最早截止日期 {earliest}）"


def _group_text(letter: RungLetter, entries: Sequence[NoticeEntry]) -> str:
    state = "即将到期" if letter.step.level is Level.REMINDED else "截止日期已过"
    lines = [f"{RECIPIENT_NAMES[letter.addressee_role]}：", "",
             f"{letter.org_name}承担的以下 {len(entries)} 项事项{state}，目前尚未完成：", ""]
    # Entries share due dates by the thousand on a province-sized day: each date's words once.
    dates: dict[tuple, str] = {}
    add = lines.append
    for number, entry in enumerate(entries, 1):
        when = (entry.due, entry.due_basis, entry.working_days_left)
        if when not in dates:
            dates[when] = f"   截止日期 {_due(entry)}，{_standing(entry)}"
        ref = f"（{entry.ref}）" if entry.ref else ""  # _ref's words, without a call per entry
        owed = f"，报送{entry.owed_to}" if entry.owed_to else ""
        add(f"{number}. 事项编号 {entry.obligation_id}：「{entry.phase_name}」{ref}{owed}")
        add(dates[when])
        if entry.reply_address:
            add(f"   {_reply(entry)}")
    lines += ["", _GROUP_BODIES[letter.step.level]]
    return "\n".join(lines + _footer(letter, "<事项编号>"))


def compose_missing_contacts(as_of: date, rows: list[tuple[str, str, str, str]]) -> tuple[str, str]:
    """To the coordinator: rung notices that climbed because someone had no address.

    ``rows`` are (org code, org name, roles missing, what the notice was about).
    """
    lines = [f"{as_of.isoformat()} 督办通知中，以下单位的联系人未登记电子邮箱，通知已改送上一级：", ""]
    lines += [f"- {name}（{code}）：缺少{missing}；{what}" for code, name, missing, what in rows]
    lines += ["", "请在组织目录中补登后用 reform directory import 导入。"]
    return f"【请补登联系人】{as_of.isoformat()} 有 {len(rows)} 条督办通知改送上一级", "\n".join(lines)
