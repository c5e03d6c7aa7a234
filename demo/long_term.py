"""The long-term tasks in `reform demo` (items 5-15, 长期推进): an inspection round with two findings
rectified, one of them on the green channel and late, and (where the registry has them) the
quarter's self-reports read and the month's 好差评. Seeded: every run tells the same story."""
from __future__ import annotations

from datetime import date, datetime, time

from core.settings import get_settings
from registry.campaign.service import prioritise_obligation
from registry.inspections.service import call_inspected_units, open_inspection, record_finding, rectify_finding

ROUND = "2016年第三季度督导检查"
OPENED, FOUND = date(2016, 9, 1), date(2016, 9, 12)
FINDINGS = (("jyj", "清单执行情况", "窗口仍要求申请人提供已取消的户籍证明", "on_time"),
            ("rsj", "服务流程简化优化情况", "就业失业登记仍需申请人往返窗口三次", "late"))


class LongTermSupervision:
    def __init__(self) -> None:
        self.url = get_settings().database_url
        self.findings: dict[date, list[tuple[int, str]]] = {}  # day -> (finding, unit) rectified that day

    async def day(self, day: date) -> list[str]:
        lines: list[str] = []
        if day == OPENED:
            opened = open_inspection(self.url, ROUND, date(2016, 9, 30), day, [org for org, *_ in FINDINGS])
            sent = call_inspected_units(self.url, ROUND, day)
            lines.append(f"[cyan]reform inspection open[/] {ROUND}：检查 {len(opened.units)} 个单位（清单执行情况、服务流程简化优化情况、"
                         f"庸懒散拖等问题），发出检查通知 {sent.queued} 份")
        if day == FOUND:
            for org, item, text, kind in FINDINGS:
                finding = record_finding(self.url, ROUND, org, item, text, day, days=5)
                when = date(2016, 9, 14) if kind == "on_time" else date(2016, 9, 26)
                self.findings.setdefault(when, []).append((finding.id, finding.org_name))
                lines.append(f"[cyan]reform inspection finding[/] {finding.org_name}「{item}」：{text}；"
                             f"整改期限 {finding.due}（5 个工作日）")
                if kind == "late":
                    prioritise_obligation(self.url, finding.obligation_id, "群众反映强烈，列入绿色通道督办",
                                          datetime.combine(day, time(11)))
                    lines.append(f"[cyan]reform obligation priority[/] {finding.obligation_id}：列入绿色通道，提醒和黄红牌提前")
        for finding_id, org_name in self.findings.pop(day, []):
            rectify_finding(self.url, finding_id, "已整改并向市政府办公厅报送整改报告", day)
            lines.append(f"[cyan]reform inspection rectified[/] {finding_id}：{org_name}整改完成")
        return lines
