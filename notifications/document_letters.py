"""Receipts for the second half of the plan: an accepted guides workbook and an accepted certificate
ledger, each saying what was taken in and what it achieves (days and materials cut, certificates
cancelled), in Chinese. A rejected one gets the intake's rejected receipt, every problem at once."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from notifications.intake_letters import Letter, letter_html

SIGNATURE = "市编委办"


def guides_receipt(*, org_name: str, version: int, filename: str, tag: str, items: int, files: int,
                   simplification: Sequence[str], received: datetime) -> Letter:
    lines = [f"{org_name}：",
             f"贵单位 {received:%Y-%m-%d %H:%M} 报送的「{filename}」（第 {version} 版）已通过校验，"
             f"共 {items} 个事项的办事指南，各项要素齐全" + (f"，随附表格和示范文本 {files} 份" if files else "") + "。",
             "按工作方案要求，本次简化优化情况如下：", *(f"· {line}" for line in simplification),
             "办事指南已送市编委办、市政务服务办审核；审核同意后本项任务即告完成，需要修改的将另行告知。",
             "如需修改，请回复本邮件报送新版本，新版本将取代本版本。", SIGNATURE]
    return Letter(f"【回执】办事指南已通过校验（{org_name}）{tag}", "\n\n".join(lines) + "\n", letter_html(lines))


def certificates_receipt(*, org_name: str, version: int, filename: str, tag: str, dispositions: Mapping[str, int],
                         notes: Sequence[str], received: datetime) -> Letter:
    tally = "，".join(f"{d} {n} 项" for d, n in dispositions.items() if n) or "无"
    lines = [f"{org_name}：",
             f"贵单位 {received:%Y-%m-%d %H:%M} 报送的「{filename}」（第 {version} 版）已通过校验，"
             f"共 {sum(dispositions.values())} 项证明，拟处理方式：{tally}。"]
    if notes:
        lines += ["以下情况请在审核前予以关注：", *(f"· {note}" for note in notes)]
    lines += ["证明事项清理表已送市编委办、市法制办、市财政局、市政务服务办并联审核，审核结果将另行告知。",
              "如需修改，请回复本邮件报送新版本，新版本将取代本版本。", SIGNATURE]
    return Letter(f"【回执】证明事项清理表已通过校验（{org_name}）{tag}", "\n\n".join(lines) + "\n",
                  letter_html(lines))
