"""What the outbox tells people about its own mail, in Chinese: a bounce (退信) to the coordinator,
a bounced notice passed up to the next person, and the start and end of an outage.

Pure text: plain values in, subject and bodies out.
"""
from __future__ import annotations

from datetime import datetime
from html import escape

from notifications.intake_letters import Letter, letter_html


def _letter(subject: str, lines: list[str]) -> Letter:
    return Letter(subject, "\n".join(lines) + "\n", letter_html(lines))


def bounce_notice(*, subject: str, to: list[str], cc: list[str], refused: dict[str, str], attempts: int,
                  gave_up: bool, passed_to: dict[str, str]) -> Letter:
    """``refused`` maps each address that will not get the message to the server's answer;
    ``passed_to`` maps a refused address to the next person the notice went to instead."""
    reason = "多次重试仍无法投递，系统已停止重试" if gave_up else "邮件服务器拒收（永久性错误），系统不再重试"
    lines = [f"以下邮件有收件人无法送达（{reason}），请核实收件地址后处理：", "",
             f"主题：{subject}", f"收件人：{'、'.join(to)}"]
    if cc:
        lines.append(f"抄送：{'、'.join(cc)}")
    lines.append(f"尝试次数：{attempts}")
    for address, answer in refused.items():
        line = f"无法送达：{address}（{answer}）"
        if address in passed_to:
            line += f"，已按督办层级转送 {passed_to[address]}"
        lines.append(line)
    return _letter(f"【退信】{subject}", lines)


def passed_up_notice(*, subject: str, text: str, html: str, refused: str, answer: str) -> Letter:
    """The notice itself, for the next person up when the one it was for cannot receive it."""
    preface = f"原收件人 {refused} 的邮箱拒收本通知（{answer}），按督办层级转送给您，请督促办理。"
    if "<body" in html:
        start = html.index(">", html.index("<body")) + 1
        html = f"{html[:start]}<p>{escape(preface)}</p>{html[start:]}"
    elif html:
        html = f"<p>{escape(preface)}</p>{html}"
    return Letter(f"【转送】{subject}", f"{preface}\n\n{text}", html)


def delay_notice(*, since: datetime, server: str, error: str, waiting: int, keep_for_hours: float) -> Letter:
    return _letter("【邮件延误】邮件服务器暂时无法投递，系统正在重试", [
        f"自 {since:%Y-%m-%d %H:%M} 起，邮件服务器 {server} 无法投递本系统的邮件（{error}）。",
        f"目前有 {waiting} 封通知等待发出。系统会自动重试，每封邮件最长重试 {keep_for_hours:g} 小时，不会丢失；"
        "恢复后将另行通知。",
        "如延误持续，请联系邮件服务器管理员。",
    ])


def resumed_notice(*, since: datetime, resumed: datetime) -> Letter:
    return _letter("【邮件恢复】邮件投递已恢复", [
        f"自 {since:%Y-%m-%d %H:%M} 起的邮件延误已于 {resumed:%Y-%m-%d %H:%M} 结束，积压的通知正在依次发出。",
    ])
