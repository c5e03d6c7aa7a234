"""The letters of publication (公布), in Chinese: a department's part of the site, and the receipt of
the address where it published it."""
from __future__ import annotations

from datetime import date, datetime

from notifications.intake_letters import Letter, letter_html

SIGNATURE = "市编委办"


def _letter(subject: str, lines: list[str]) -> Letter:
    return Letter(subject, "\n\n".join(lines) + "\n", letter_html(lines))


def bundle_letter(*, org_name: str, version: int, items: int, filename: str, deadline: date | None,
                  reply_address: str, tag: str) -> Letter:
    by = f"于 {deadline:%Y年%-m月%-d日} 前" if deadline else "尽快"
    return _letter(f"【公布】{org_name}公共服务事项清单和办事指南（第 {version} 版）请在本单位网站公布 {tag}", [
        f"{org_name}：",
        f"全市公共服务事项清单第 {version} 版已在市政府网站公布。附件「{filename}」是贵单位的部分（{items} 个事项的"
        "清单、办事指南和证明事项清理结果），解压后即可直接放到贵单位网站上，页面之间的链接均为相对链接。",
        f"请{by}在本单位网站公布，然后直接回复本邮件（{reply_address}），在正文中写明公布网址（以 https:// 开头），"
        f"不要修改主题中的编号 {tag}。", SIGNATURE])


def address_receipt(*, org_name: str, address: str, tag: str, received: datetime) -> Letter:
    return _letter(f"【回执】公布网址已登记（{org_name}）{tag}", [
        f"{org_name}：",
        f"贵单位 {received:%Y-%m-%d %H:%M} 告知的公布网址已登记：{address}。公布清单和办事指南的任务已完成。",
        "清单今后动态调整时，将把新版页面包发给贵单位，请及时更新。", SIGNATURE])


def address_refused(*, org_name: str, what: str, tag: str) -> Letter:
    return _letter(f"【回执】未能登记公布网址，请重新回复（{org_name}）{tag}", [
        f"{org_name}：", f"{what}。",
        "请在回复正文中写明贵单位网站上公布清单和办事指南的网址（以 https:// 或 http:// 开头），不需要附件。",
        SIGNATURE])
