"""Letters about mail that could not be taken in: one that failed again and again, a stranger's
mail beyond the day's quarantine."""
from __future__ import annotations

from datetime import datetime

from notifications.intake_letters import Letter, letter_html


def poison_notice(*, sender: str, sender_org: str, subject: str, error: str, attempts: int,
                  received: datetime) -> Letter:
    who = f"{sender_org}（{sender}）" if sender_org else (sender or "（无发件人）")
    lines = [f"收件邮箱中的一封邮件连续 {attempts} 次处理失败，系统已将其隔离，不再重试：",
             f"发件人：{who}\n主题：{subject or '（无）'}\n错误：{error}\n收到时间：{received:%Y-%m-%d %H:%M}",
             "邮件仍在收件邮箱中（已标为已读）。请技术人员查明原因；"
             + ("已回执告知发件单位。" if sender_org else "发件地址未登记，未回复发件人。")]
    return Letter(f"【隔离】邮件多次处理失败：{subject or sender or '（无主题）'}", "\n\n".join(lines) + "\n",
                  letter_html(lines))


def poison_receipt(*, org_name: str, subject: str, attempts: int, received: datetime) -> Letter:
    """What the sending department is told of its message that could not be processed."""
    lines = [f"{org_name}：",
             f"贵单位 {received:%Y-%m-%d %H:%M} 前发来的邮件「{subject or '（无主题）'}」在系统处理时连续 {attempts} 次出错，"
             "未能登记，已转市编委办人工核查。",
             "本邮件所报材料暂未登记。无需重复发送同一邮件；市编委办核查后会与贵单位联系，如有急事请直接电话联系市编委办。",
             "市编委办"]
    return Letter(f"【回执】邮件未能处理，已转人工核查（{org_name}）", "\n\n".join(lines) + "\n", letter_html(lines))


def quarantine_cap_line(cap: int) -> str:
    return f"该地址今天已被隔离 {cap} 封邮件，已达上限：今天此后来自该地址的邮件不再保存，也不再通知。"
