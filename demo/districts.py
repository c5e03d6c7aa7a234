"""The 13 districts and counties in `reform demo`: their own campaigns, side by side to the end of March 2017.

Nothing here opens a campaign: the city accepting a district's 工作方案 by mail (demo.mail) opens it,
through the real cascade, and calls its departments. Simulated departments answer by email: most
with a zero report, two per district with a short list; the district's own four agencies review
those lists, and later its guides and certificate ledgers; its government approves at the end of
February and the publication flow publishes its site before 2017年3月底. 康平县 and 法库县 are
slow, so their late departments are carded on their own ladder; 新民市's government has not
approved its list by the end of March, so it is not published, and the roll-up says why. The
city's account reads the roll-up every Monday. Seeded: every run tells the same story.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

from core.settings import get_settings
from demo.certificate_samples import filled_certificates_workbook
from demo.documents import work_plan_docx, work_plan_pdf
from demo.guide_samples import ATTACHMENTS, filled_guides_workbook
from demo.mail_server import file_in_intake
from demo.review import revised_list
from demo.samples import answered_packet, filled_workbook, item_rows, reply_mail
from flows.districts import weekly_report_flow
from flows.intake import intake_flow
from flows.publication import publication_flow
from flows.review import review_merge_flow, review_routing_flow
from registry.campaign.service import open_obligations
from registry.directory.service import organisation_names
from registry.districts.service import district_list
from registry.intake.service import call_message_key
from registry.outbox.service import queued_message
from registry.review.service import (
    ApprovalRefused,
    approve,
    finish_recheck,
    open_rechecks,
    open_reviews,
    submissions_ready,
)
from rules.calendar import WorkingCalendar

SLOW = ("210123", "210124")  # 康平县, 法库县: half their departments hand in after the deadline
UNAPPROVED = ("210181",)  # 新民市: its government has not approved the list by the end of March
ITEM_DEPARTMENTS = 2  # departments per district with public service items; the rest report zero
APPROVED_ON = date(2017, 2, 27)  # the working day before 2017年2月底前
RECHECKED_ON = date(2017, 2, 23)  # each district's 编委办 rechecks the revised lists
PUBLISHED_ON = date(2017, 3, 24)
SENT_AT, POLLED_AT, ANSWERED_AT, APPROVED_AT, PUBLISHED_AT = time(10), time(16), time(15), time(17), time(9, 30)
OPINION = {"review": "保留", "guides_review": "同意", "certificates_review": "同意"}
ENTERPRISE_PLANS = "enterprise_plans"  # a regulator's campaign: its enterprises' own work plans
PHASE_WORDS = {"inventory": "清单", "response": "修改后的清单", "guides": "办事指南", "certificates": "证明事项清理表",
               "publication": "公布网址", ENTERPRISE_PLANS: "国有企业工作方案"}


class DistrictsByMail:
    def __init__(self, workspace: Path, calendar: WorkingCalendar) -> None:
        self.workspace = workspace
        self.calendar = calendar
        self.url = get_settings().database_url
        self.planned: set[int] = set()  # obligations whose reply (or review answer) is planned
        self.replies: dict[date, list[tuple[str, int, str, int]]] = {}  # day -> (phase, obligation, org, version)
        self.answers: dict[date, list[tuple[int, str]]] = {}  # day -> (review obligation, phase)
        self.with_items: dict[str, int] = Counter()  # district -> departments given items so far
        self.itemised: set[str] = set()
        self.rng = random.Random(2017)

    async def day(self, day: date) -> list[str]:
        if day < date(2016, 11, 1) or not self.calendar.is_working_day(day):
            return []
        self._plan(day)
        lines = []
        sent = self._send(day)
        if sent:
            lines += await self._poll(day, sent)
        if day == RECHECKED_ON:
            lines += self._recheck(day)
        if day == APPROVED_ON:
            lines += self._approve(day)
        if day == PUBLISHED_ON:
            lines += await self._publish(day)
        if day.weekday() == 0 and day >= date(2016, 12, 5):
            lines += await self._weekly(day)
        return lines

    # --- who answers, and when ----------------------------------------------------------------------

    def _plan(self, day: date) -> None:
        # A department publishes its part once its district has published and sent it.
        phases = ("inventory", "response", "guides", "certificates") + (("publication",) if day > PUBLISHED_ON else ())
        for phase in (*phases, ENTERPRISE_PLANS):
            for owed in open_obligations(self.url, phase):
                # The regulators' campaigns are the city's rows; their enterprises answer here too.
                if (not owed.district and phase != ENTERPRISE_PLANS) or owed.id in self.planned:
                    continue
                if phase == "publication" and not queued_message(self.url, _bundle_key(owed.id, owed.scope_version)):
                    self.planned.add(owed.id)  # nothing to publish: released when its district published
                    continue
                self.planned.add(owed.id)
                soon = phase in ("response", "publication")
                when = self.calendar.add_working_days(day, self.rng.randint(1, 3) if soon else self.rng.randint(2, 8))
                if phase == "inventory":
                    if owed.district in SLOW and self.rng.random() < 0.5:
                        when = self.calendar.add_working_days(owed.due, self.rng.randint(1, 6))
                    if self.with_items[owed.district] < ITEM_DEPARTMENTS and not owed.org_code.endswith(_AGENCIES):
                        self.with_items[owed.district] += 1
                        self.itemised.add(owed.org_code)
                # A response answers the written opinion on one version of the list: its ref names it.
                version = int(owed.ref) if phase == "response" else owed.scope_version
                self.replies.setdefault(when, []).append((phase, owed.id, owed.org_code, version))
        for review in open_reviews(self.url):
            if review.district and review.obligation_id not in self.planned:
                self.planned.add(review.obligation_id)
                when = self.calendar.add_working_days(day, 2)
                self.answers.setdefault(when, []).append((review.obligation_id, review.phase))

    def _send(self, day: date) -> Counter:
        sent: Counter = Counter()
        for phase, obligation_id, org, version in self.replies.pop(day, []):
            file_in_intake(self._reply(phase, obligation_id, org, version, day))
            sent[phase] += 1
        for obligation_id, phase in self.answers.pop(day, []):
            packet = queued_message(self.url, f"review-packet:{obligation_id}")
            [(filename, content)] = packet.attachments
            file_in_intake(reply_mail(sender=packet.to[0], sender_name="审核人", to=packet.reply_to,
                                      subject="回复：" + packet.subject, when=datetime.combine(day, ANSWERED_AT),
                                      attachments=[(filename, answered_packet(content, OPINION[phase]))]))
            sent["opinion"] += 1
        return sent

    def _reply(self, phase: str, obligation_id: int, org: str, version: int, day: date) -> bytes:
        """The department opens the call it received, fills in what it asks for and replies."""
        when = datetime.combine(day, SENT_AT)
        if phase == "response":  # all kept: the department still shortens its own time limits
            return revised_list(self.url, version, when, cut_days=1)
        if phase == ENTERPRISE_PLANS:
            call = queued_message(self.url, call_message_key(phase, obligation_id))
            plan = (f"{organisation_names(self.url)[org]}工作方案.docx", work_plan_docx("国有企业简化优化服务流程工作方案"))
            return reply_mail(sender=call.to[0], sender_name="联系人", to=call.reply_to, subject="回复：" + call.subject,
                              attachments=[plan], when=when)
        if phase == "publication":
            bundle = queued_message(self.url, _bundle_key(obligation_id, version))
            address = f"https://{org}.shenyang.example.gov.cn/gkml/ggfwsx/v{version}/"
            return reply_mail(sender=bundle.to[0], sender_name="联系人", to=bundle.reply_to,
                              subject="回复：" + bundle.subject, text=f"已在本单位网站公布，网址：{address}", when=when)
        call = queued_message(self.url, call_message_key(phase, obligation_id, version))
        [(filename, template)] = call.attachments
        files: list[tuple[str, bytes]] = []
        if phase == "inventory":
            rows = item_rows(2, seed=obligation_id, implementer=org) if org in self.itemised else []
            workbook = filled_workbook(template, rows, zero_report=not rows)
        elif phase == "guides":
            workbook = filled_guides_workbook(template, org_name=organisation_names(self.url)[org])
            files = [(ATTACHMENTS[0], work_plan_docx("申请表（空白）")), (ATTACHMENTS[1], work_plan_pdf("sample")),
                     (ATTACHMENTS[2], work_plan_pdf("common mistakes"))]
        else:
            workbook = filled_certificates_workbook(template, {"申请表": "保留", "身份证明": "信息共享替代"})
        return reply_mail(sender=call.to[0], sender_name="联系人", to=call.reply_to, subject="回复：" + call.subject,
                          attachments=[(filename, workbook), *files], when=when)

    async def _poll(self, day: date, sent: Counter) -> list[str]:
        at = datetime.combine(day, POLLED_AT)
        results = await intake_flow(now=at)
        outcomes = Counter(r["outcome"] for r in results)
        words = "，".join(f"{PHASE_WORDS[p]} {n}" for p, n in sent.items() if p in PHASE_WORDS)
        lines = [f"[green]区县[/] 各区县部门回复邮件：{words or '无'}"
                 + (f"；区县审核机构发回审核意见 {sent['opinion']} 份" if sent["opinion"] else "")
                 + f"；[cyan]mailbox-intake[/] 通过 {outcomes['accepted']}、零报告 {outcomes['zero_report']}、"
                 f"登记意见 {outcomes['opinion']}、登记网址 {outcomes['address']}"]
        if outcomes["accepted"]:  # one routing run for the day's acceptances, as the safety net would
            await review_routing_flow(now=at)
        if submissions_ready(self.url):
            merged = [m for m in await review_merge_flow(now=at) if m["created"]]
            if merged:
                lines.append(f"[green]区县[/] [cyan]review-merge[/] 汇总审核意见 {len(merged)} 份，书面审核意见发给部门")
        return lines

    # --- the district governments -------------------------------------------------------------------

    def _recheck(self, day: date) -> list[str]:
        rechecked = 0
        for entry in district_list(self.url, day):
            for submission_id in open_rechecks(self.url, entry["code"]):
                finish_recheck(self.url, submission_id, "已按审核意见修改", datetime.combine(day, POLLED_AT))
                rechecked += 1
        return [f"[green]区县[/] 各区县编委办复核部门修改后的清单 {rechecked} 份，报区县政府审定"] if rechecked else []

    def _approve(self, day: date) -> list[str]:
        lines = []
        for entry in district_list(self.url, day):
            if entry["campaign"] is None or entry["code"] in UNAPPROVED:
                continue
            meeting, document = f"{entry['name']}政府常务会议", f"{entry['name']}政发〔2017〕{int(entry['code']) % 100}号"
            at = datetime.combine(day, APPROVED_AT)
            try:
                version = approve(self.url, day, meeting, document, at, campaign=entry["campaign"])
                how = ""
            except ApprovalRefused:
                # Departments that had no changes to make did not answer their written opinions.
                version = approve(self.url, day, meeting, document, at, campaign=entry["campaign"],
                                  force_reason="审核意见均为保留，未回复的部门清单按审核意见审定")
                how = "（未回复审核意见的部门按审核意见审定，理由记入审计日志）"
            lines.append(f"[green]区县[/] {meeting}审定本区县清单第 {version.number} 版：事项 {version.items} 个{how}；"
                         f"向 {version.called} 个部门发出编制办事指南、清理证明的通知")
        lines.append(f"[green]区县[/] {'、'.join(UNAPPROVED)}（新民市）政府尚未审定清单")
        return lines

    async def _publish(self, day: date) -> list[str]:
        published = await publication_flow(now=datetime.combine(day, PUBLISHED_AT), only_new=True)
        districts = [p for p in published if p["campaign"]]
        return [f"[green]区县[/] [cyan]publication[/] {len(districts)} 个区县公布清单和办事指南："
                f"事项共 {sum(p['items'] for p in districts)} 个（附办事指南 {sum(p['guides'] for p in districts)} 个）；"
                f"各区县网站在 {get_settings().site_dir}/<区县代码>/current/；市级方案中该区县的公布义务随之完成"]

    async def _weekly(self, day: date) -> list[str]:
        written = await weekly_report_flow(day, self.workspace / "reports" / f"进展通报-{day.isoformat()}.xlsx")
        late = written["late"]
        return [f"[cyan]weekly-report[/] 进展通报（报市政府）：区县方案已开启 {written['opened']}/13、"
                f"已公布 {written['published']}" + (f"；有黄牌红牌的区县：{'、'.join(late)}" if late else "")
                + f" → {written['path']}"]


_AGENCIES = ("-bwb", "-fzb", "-czj", "-zwfwb", "-zfb")


def _bundle_key(obligation_id: int, version: int) -> str:
    return f"bundle:{obligation_id}:v{version}"


def rollup_lines(url: str, day: date) -> list[str]:
    """The demo's last word on the districts: each one's list published, or why it is not."""
    lines = []
    for e in district_list(url, day):
        done = f"已公布第 {e['published']} 版" if e["published"] else f"未公布：{e['why_not_published']}"
        lines.append(f"{e['code']} {e['name']}：{done}")
    return lines
