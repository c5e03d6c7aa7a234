"""The long-term tasks in `reform demo` (items 5-15, 长期推进): an inspection round with two findings
rectified, one of them on the green channel and late; the fourth quarter's self-reports by email (some
late, some with errors fixed after the receipt) and the quarter's 督导检查通报; a month of 好差评 with
three 差评 (one rectified on time, one unfounded, one appealed) and the month's public summary.
Seeded: every run tells the same story."""
from __future__ import annotations

import io
import random
from collections import Counter
from datetime import date, datetime, time

from openpyxl import load_workbook

from core.settings import get_settings
from demo.mail_server import file_in_intake
from demo.samples import reply_mail
from flows.intake import intake_flow
from flows.self_reports import supervision_report_flow
from registry.campaign.service import open_obligations, prioritise_obligation
from registry.directory.service import organisation_names
from registry.evaluations import service as evaluations
from registry.guides.service import guides_status
from registry.inspections.service import call_inspected_units, open_inspection, record_finding, rectify_finding
from registry.intake.service import call_message_key
from registry.outbox.service import queued_message

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
            lines.append(f"[cyan]reform inspection open[/] {ROUND}：检查 {opened.units} 个单位（清单执行情况、服务流程简化优化情况、"
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


# --- the fourth quarter's self-reports, by email ---------------------------------------------------

QUARTER = "2016Q4"
REPORTS_FROM, REPORTS_UNTIL = date(2017, 1, 3), date(2017, 1, 25)
BULLETIN_ON = date(2017, 1, 26)


class SelfReportsByMail:
    """Each lead unit fills in the quarter's self-report workbook its call carried and replies."""

    def __init__(self, workspace, calendar) -> None:
        self.workspace = workspace
        self.calendar = calendar
        self.url = get_settings().database_url
        self.seen: set[int] = set()
        self.replies: dict[date, list[tuple[int, bool]]] = {}  # day -> (obligation, with a mistake)

    def by_mail(self, obligation_id: int) -> bool:
        """Whether this self-report is the demo's by email (the others are completed as before)."""
        return obligation_id in self.seen

    async def day(self, day: date) -> list[str]:
        lines: list[str] = []
        if REPORTS_FROM <= day <= REPORTS_UNTIL and self.calendar.is_working_day(day):
            lines += self._plan(day)
        replies = self.replies.pop(day, [])
        for obligation_id, mistake in replies:
            file_in_intake(self._reply(obligation_id, mistake, day))
        if replies:
            results = await intake_flow(now=datetime.combine(day, time(16)))
            outcomes = Counter(r["outcome"] for r in results)
            lines.append(f"各牵头单位发回{QUARTER}自查报告 {len(replies)} 份（其中 {sum(m for _, m in replies)} 份指标填了文字）；"
                         f"[cyan]mailbox-intake[/] 通过 {outcomes['accepted']}，退回 {outcomes['rejected']}（回执一次性告知全部问题）")
        if day == BULLETIN_ON:
            report = await supervision_report_flow(QUARTER, out=str(self.workspace / f"督导检查通报-{QUARTER}.xlsx"))
            lines.append(f"[cyan]supervision-report[/] {QUARTER}督导检查通报：{report['rows']} 行指标，每项任务一张图表，"
                         f"未报送单位 {len(report['unreported'])} 个（{report['path']}）")
        return lines

    def _plan(self, day: date) -> list[str]:
        owed_now = [o for o in open_obligations(self.url, "supervision")
                    if o.ref.startswith(QUARTER) and o.id not in self.seen]
        lines = []
        if owed_now and not self.seen:
            # One unit never reports, so that the bulletin has someone to name under 未报送单位.
            silent = owed_now[-1]
            self.seen.add(silent.id)
            owed_now = owed_now[:-1]
            name = organisation_names(self.url)[silent.org_code].removeprefix("沈阳市")
            lines.append(f"（有意逾期：{name}不报送{QUARTER}自查报告，督导检查通报将其列为未报送单位，督办阶梯一路升级）")
        for owed in owed_now:
            self.seen.add(owed.id)
            roll = random.Random(owed.id).random()
            late = roll > 0.85
            when = self.calendar.add_working_days(owed.due, 2 if late else -int(roll * 6) - 1)
            when = max(when, self.calendar.add_working_days(day, 1))
            mistake = roll < 0.2
            self.replies.setdefault(when, []).append((owed.id, mistake))
            if mistake:
                self.replies.setdefault(self.calendar.add_working_days(when, 2), []).append((owed.id, False))
        return lines

    def _reply(self, obligation_id: int, mistake: bool, day: date) -> bytes:
        call = queued_message(self.url, call_message_key("supervision", obligation_id))
        [(filename, template)] = call.attachments
        book = load_workbook(io.BytesIO(template))
        indicators = book["指标填报"]
        for row in range(2, indicators.max_row + 1):
            system = indicators.cell(row, 4).value
            indicators.cell(row, 5).value = "若干" if mistake and row == 2 else system
        narrative = book["工作情况"]
        for row, text in zip(range(2, 5), ("按方案推进本项任务，按季度梳理进展。", "个别窗口仍要求提供已取消的证明。",
                                           "下季度开展专项检查。")):
            narrative.cell(row, 2).value = text
        out = io.BytesIO()
        book.save(out)
        return reply_mail(sender=call.to[0], sender_name="联系人", to=call.reply_to, subject="回复：" + call.subject,
                          attachments=[(filename, out.getvalue())], when=datetime.combine(day, time(10)))


# --- a month of 好差评 -----------------------------------------------------------------------------

EVALUATIONS_IMPORTED = date(2017, 2, 3)
CASE_STEPS = {
    date(2017, 2, 7): (("verify", 0, True, "窗口人员未一次性告知所需材料，情况属实"),
                       ("verify", 1, False, "经调阅录像，窗口按规定办理，评价与事实不符"),
                       ("verify", 2, False, "申请材料不全，依法不予受理")),
    date(2017, 2, 8): (("review", 1, True, "核实不属实的理由成立"), ("review", 2, True, "核实不属实的理由成立")),
    date(2017, 2, 9): (("appeal", 2, None, "评价人提供了补充材料"),),
    date(2017, 2, 10): (("verify", 2, True, "补充材料表明窗口未履行一次性告知"),),
    date(2017, 2, 16): (("rectified", 0, None, "已对窗口人员培训，实行一次性告知书"),),
    date(2017, 2, 17): (("visit", 0, "满意", "回访评价人，对整改满意"),),
    date(2017, 2, 24): (("rectified", 2, None, "已修订办事指南并公示"),),
    date(2017, 2, 27): (("visit", 2, "基本满意", "回访评价人"),),
}
SUMMARY_ON = date(2017, 3, 1)


class EvaluationsMonth:
    """January 2017's evaluations from the hall's terminals, three of them 差评, through their cases."""

    def __init__(self, workspace) -> None:
        self.workspace = workspace
        self.url = get_settings().database_url
        self.cases: list[int] = []

    def day(self, day: date) -> list[str]:
        if day == EVALUATIONS_IMPORTED:
            imported = evaluations.import_evaluations(self.url, self._export(), "2017年1月评价器导出.csv",
                                                      datetime.combine(day, time(9)))
            self.cases = imported["cases"]
            return [f"[cyan]reform evaluations import[/] 1 月办事大厅评价器导出 {imported['evaluations']} 条评价，"
                    f"差评 {len(self.cases)} 件，各开启核实（承办单位 5 个工作日内核实）"]
        lines = []
        for step, index, flag, note in CASE_STEPS.get(day, ()):
            case = self.cases[index]
            at = day
            if step == "verify":
                evaluations.verify(self.url, case, flag, note, at)
                lines.append(f"[cyan]reform evaluations verify[/] {case} {'--founded' if flag else '--unfounded'}：{note}"
                             + ("；整改期限 15 个工作日" if flag else "；提请市政府办公厅复核"))
            elif step == "review":
                evaluations.review(self.url, case, flag, note, at)
                lines.append(f"[cyan]reform evaluations review[/] {case} --agree：市政府办公厅同意核实结论")
            elif step == "appeal":
                evaluations.appeal(self.url, case, note, at)
                lines.append(f"[cyan]reform evaluations appeal[/] {case}：评价人申诉复核，案件重新核实")
            elif step == "rectified":
                evaluations.rectified(self.url, case, note, at)
                lines.append(f"[cyan]reform evaluations rectified[/] {case}：{note}")
            else:
                evaluations.visit(self.url, case, flag, note, at)
                lines.append(f"[cyan]reform evaluations visit[/] {case}：回访结果「{flag}」，案件办结")
        if day == SUMMARY_ON:
            summary = evaluations.monthly_summary(self.url, "2017-01", day)
            (self.workspace / "好差评月度公示-2017-01.xlsx").write_bytes(
                evaluations.monthly_summary_workbook(self.url, "2017-01", day))
            t = summary["totals"]
            lines.append(f"[cyan]reform evaluations summary[/] 2017-01：评价 {t['evaluations']} 件，差评 {t['bad']} 件，"
                         f"按期整改 {t['rectified_on_time']}，核实不属实 {t['unfounded']}，办结 {t['closed']}；"
                         "不含任何个人信息，随下一版清单在网站公示")
        return lines

    def _export(self) -> bytes:
        """The hall's terminals' export: a row per evaluation, with the evaluator, as the hall keeps it."""
        items = [(s["code"], s["org"]) for s in guides_status(self.url)][:12]
        levels = ["非常满意", "满意", "满意", "基本满意", "非常满意", "满意", "不满意", "满意", "非常不满意", "满意", "不满意",
                  "非常满意"]
        rows = ["评价时间,事项编码,办理单位,评价等级,评价内容,评价人,联系电话"]
        for n, ((code, org), level) in enumerate(zip(items, levels), start=1):
            rows.append(f"2017-01-{n + 4:02d} 10:30,{code},{org},{level},窗口办理情况,评价人{n},139{n:08d}")
        return ("\n".join(rows) + "\n").encode("utf-8")
