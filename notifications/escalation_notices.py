"""The wording of reminders, cards and 督查 notices. Plain strings in, plain strings out.

Officials read these, so they are in Chinese and say what is owed, by when, how late it is and
why this person is the one being written to.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.escalation import RECIPIENT_NAMES, Level, Step

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class NoticeFacts:
    obligation_id: int
    org_name: str
    org_short: str
    phase_name: str
    ref: str
    due: date
    sender: str  # the campaign owner's name, e.g. 沈阳市编委办


def _subject(step: Step, facts: NoticeFacts) -> str:
    what = f"{facts.org_short}「{facts.phase_name}」"
    if step.level is Level.REMINDED:
        return f"【提醒】{what}距截止日期 {facts.due.isoformat()} 还有 {step.working_days} 个工作日"
    late = {Level.YELLOW: "已逾期", Level.RED: "逾期未完成", Level.SUPERVISION: "逾期仍未完成"}[step.level]
    tag = {Level.YELLOW: "黄牌警示", Level.RED: "红牌督办", Level.SUPERVISION: "提请督查"}[step.level]
    return f"【{tag}】{what}{late}（截止日期 {facts.due.isoformat()}）"


def _body(step: Step, facts: NoticeFacts) -> str:
    if step.level is Level.REMINDED:
        return f"距截止日期还有 {step.working_days} 个工作日，请按时完成。"
    if step.level is Level.YELLOW:
        return "截止日期已过仍未完成，现予黄牌警示。请分管领导督促，尽快办结。"
    if step.level is Level.RED:
        return (f"截止日期后已超过 {step.working_days - 1} 个工作日仍未完成，现予红牌督办。"
                "请主要负责同志（第一责任人）亲自过问，限期办结并说明原因。")
    return (f"截止日期后已超过 {step.working_days - 1} 个工作日，经黄牌、红牌仍未完成，"
            "提请市政府办公厅督查，抄送牵头单位。")


_ID, _REF = "\x00id\x00", "\x00ref\x00"


@dataclass(frozen=True)
class NoticeTemplate:
    """A rung notice with the obligation's number and ref left blank.

    Thousands of obligations share an organisation, phase, due date and rung; the sweep words
    each combination once and fills in the two blanks per obligation.
    """

    subject: str
    text: str

    def fill(self, obligation_id: int, ref: str) -> tuple[str, str]:
        return self.subject, self.text.replace(_ID, str(obligation_id)).replace(_REF, f"（{ref}）" if ref else "")


def compose_rung_notice(step: Step, facts: NoticeFacts, addressee_role: str, skipped: tuple[str, ...]) -> tuple[str, str]:
    """(subject, text) of the notice for one rung of one obligation."""
    return rung_notice_template(step, facts, addressee_role, skipped).fill(facts.obligation_id, facts.ref)


def rung_notice_template(step: Step, facts: NoticeFacts, addressee_role: str,
                         skipped: tuple[str, ...]) -> NoticeTemplate:
    """The notice for a rung, blank where the obligation's number and ref go (facts' are ignored)."""
    lines = [
        f"{RECIPIENT_NAMES[addressee_role]}：",
        "",
        f"{facts.org_name}承担的「{facts.phase_name}」{_REF}（事项编号 {_ID}），"
        f"截止日期为 {facts.due.isoformat()}（星期{WEEKDAYS[facts.due.weekday()]}），目前尚未完成。",
        _body(step, facts),
    ]
    if skipped:
        missing = "、".join(RECIPIENT_NAMES[r] for r in skipped)
        lines.append(f"因{missing}未登记电子邮箱，本通知改送您，并已告知牵头单位补登。")
    lines += ["", "如已办结，请忽略本通知。期限如何计算、已发过哪些通知，可请牵头单位运行 "
              f"reform explain {_ID} 查询。", "", facts.sender]
    return NoticeTemplate(_subject(step, facts), "\n".join(lines))


def compose_missing_contacts(as_of: date, rows: list[tuple[str, str, str, str]]) -> tuple[str, str]:
    """To the coordinator: rungs that climbed because someone had no address.

    ``rows`` are (org code, org name, roles missing, obligation and rung).
    """
    lines = [f"{as_of.isoformat()} 督办通知中，以下单位的联系人未登记电子邮箱，通知已改送上一级：", ""]
    lines += [f"- {name}（{code}）：缺少{missing}；{what}" for code, name, missing, what in rows]
    lines += ["", "请在组织目录中补登后用 reform directory import 导入。"]
    return f"【请补登联系人】{as_of.isoformat()} 有 {len(rows)} 条督办通知改送上一级", "\n".join(lines)
