"""The second half of the plan in `reform demo`: service guides and the certificate clean-up, by email.

The city's approval opens, for every department with approved items, a guides and a certificates
obligation, and queues the call with the workbook made for it. Simulated departments fill it in and
reply: most complete and on time, some first send the workbook back as they got it (the receipt names
every missing element at once) and fix it, a few are late; one is asked by 市政务服务办 to revise a
guide. Certificates are declared; some are kept without a basis at first and corrected after the
receipt; 法制办 disagrees on one, which the coordinator decides. Seeded: every run tells the same story.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from core.settings import get_settings
from demo.certificate_samples import KEEP_WITHOUT_BASIS, filled_certificates_workbook
from demo.documents import work_plan_docx, work_plan_pdf
from demo.guide_samples import ATTACHMENTS, filled_guides_workbook
from demo.mail_server import file_in_intake
from demo.samples import answered_packet, reply_mail
from flows.intake import intake_flow
from flows.review import review_merge_flow, review_routing_flow
from registry.campaign.service import open_obligations
from registry.certificates.service import certificate_documents
from registry.directory.service import organisation_names
from registry.guides.service import guides_status, simplification_totals
from registry.intake.service import call_message_key
from registry.outbox.service import queued_message
from registry.review.service import conflicting_items, decide_conflict, open_reviews, submissions_ready
from rules.calendar import WorkingCalendar

GUIDES, CERTIFICATES = "guides", "certificates"
SENT_AT, POLLED_AT, ANSWERED_AT, MERGED_AT = time(10), time(16), time(15), time(17)
FIX_AFTER_WORKING_DAYS = 2
REVIEW_AFTER_WORKING_DAYS = 2


@dataclass(frozen=True)
class Reply:
    phase: str
    obligation_id: int
    org_code: str
    kind: str  # good | as_sent (the template back unfilled) | keep_without_basis
    version: int = 1  # the approved list version whose call it answers


class GuidesAndCertificatesByMail:
    def __init__(self, workspace, calendar: WorkingCalendar, deadlines: dict[str, date]) -> None:
        self.workspace = workspace
        self.calendar = calendar
        self.deadlines = deadlines
        self.url = get_settings().database_url
        self.replies: dict[date, list[Reply]] = {}
        self.answers: dict[date, list[tuple[int, str, str]]] = {}  # day -> (review obligation, phase, kind)
        self.decisions: dict[date, list[int]] = {}
        self.planned: set[int] = set()
        self.called: set[tuple[int, int]] = set()  # (obligation, approved version) whose call is answered
        self.phase_of: dict[int, str] = {}  # obligation -> guides | certificates
        self.revise_planned = self.conflict_planned = False
        self.told_deadline = False

    async def day(self, day: date) -> list[str]:
        lines: list[str] = []
        if self.calendar.is_working_day(day):
            lines += self._schedule(day)
        sent = self.replies.pop(day, [])
        for reply in sent:
            file_in_intake(self._reply(reply, day))
        if sent:
            lines.append(self._sent_line(sent))
        answered = self.answers.pop(day, [])
        for obligation_id, phase, kind in answered:
            file_in_intake(self._review_reply(obligation_id, kind, day))
        if answered:
            lines.append(self._answered_line(answered))
        if sent or answered:
            lines += await self._poll(day)
        for submission_id in self.decisions.pop(day, []):
            lines += self._decide(submission_id, day)
        lines += self._plan_reviews(day)
        if day == self.deadlines[GUIDES] or (day == self.deadlines[CERTIFICATES] and not self.told_deadline):
            lines += self._deadline_line(day)
        return lines

    # --- departments ------------------------------------------------------------------------------

    def _schedule(self, day: date) -> list[str]:
        """Each department answers its calls: to the first, most on time, some with a first reply to fix,
        a few late; to a later one (an adjustment gave it new items), within three working days."""
        later = []
        for phase in (GUIDES, CERTIFICATES):
            for owed in (o for o in open_obligations(self.url, phase) if not o.district):
                if (owed.id, owed.scope_version) in self.called:
                    continue
                self.called.add((owed.id, owed.scope_version))
                self.phase_of[owed.id] = phase
                if owed.scope_version > 1:
                    when, first = self.calendar.add_working_days(day, 3), "good"
                    later.append(owed.org_code)
                else:
                    when, first = self._first_reply(phase, owed.org_code, day)
                self.replies.setdefault(when, []).append(Reply(phase, owed.id, owed.org_code, first,
                                                               owed.scope_version))
                if first != "good":
                    fixed = self.calendar.add_working_days(when, FIX_AFTER_WORKING_DAYS)
                    self.replies.setdefault(fixed, []).append(Reply(phase, owed.id, owed.org_code, "good",
                                                                    owed.scope_version))
        if not later:
            return []
        names = organisation_names(self.url)
        return [f"{'、'.join(sorted({names[code] for code in later}))}收到按新版清单补编办事指南、补充清理证明的通知"
                "（附新版预填工作簿）"]

    def _first_reply(self, phase: str, org_code: str, day: date) -> tuple[date, str]:
        roll = random.Random(f"{phase}:{org_code}").random()
        if roll < 0.8:
            when = self.calendar.add_working_days(self.deadlines[phase], -int(roll * 12) - 2)
        else:
            when = self.calendar.add_working_days(self.deadlines[phase], int(roll * 10) - 7)
        first = "as_sent" if phase == GUIDES and 0.55 <= roll < 0.8 else (
            "keep_without_basis" if phase == CERTIFICATES and 0.6 <= roll < 0.8 else "good")
        return max(when, self.calendar.add_working_days(day, 2)), first

    def _reply(self, reply: Reply, day: date) -> bytes:
        """The department opens the call it received, fills in the workbook attached to it and replies."""
        call = queued_message(self.url, call_message_key(reply.phase, reply.obligation_id, reply.version))
        [(filename, template)] = call.attachments
        files: list[tuple[str, bytes]] = []
        rng = random.Random(reply.org_code)
        if reply.phase == GUIDES:
            names = organisation_names(self.url)
            if reply.kind == "as_sent":
                workbook = template
            else:
                # A third of the departments no longer ask for the 身份证明 they inventoried: they check it themselves.
                dropped = ("身份证明",) if rng.random() < 0.35 else ()
                workbook = filled_guides_workbook(template, org_name=names[reply.org_code], remove_materials=dropped)
                files = [(ATTACHMENTS[0], work_plan_docx("申请表（空白）")), (ATTACHMENTS[1], work_plan_pdf("sample")),
                         (ATTACHMENTS[2], work_plan_pdf("common mistakes"))]
        else:
            identity = rng.choice(("信息共享替代", "信息共享替代", "告知承诺", "取消"))
            mistakes = {"申请表": KEEP_WITHOUT_BASIS} if reply.kind == "keep_without_basis" else {}
            workbook = filled_certificates_workbook(template, {"申请表": "保留", "身份证明": identity, **mistakes})
        return reply_mail(sender=call.to[0], sender_name="联系人", to=call.reply_to, subject="回复：" + call.subject,
                          attachments=[(filename, workbook), *files], when=datetime.combine(day, SENT_AT))

    def _sent_line(self, sent: list[Reply]) -> str:
        kinds = Counter((r.phase, r.kind) for r in sent)
        parts = []
        guides = sum(n for (phase, _), n in kinds.items() if phase == GUIDES)
        if guides:
            parts.append(f"办事指南 {guides} 份" + (f"（其中 {kinds[(GUIDES, 'as_sent')]} 份只有预填内容、未补全要素）"
                                                if kinds[(GUIDES, "as_sent")] else ""))
        ledgers = sum(n for (phase, _), n in kinds.items() if phase == CERTIFICATES)
        if ledgers:
            wrong = kinds[(CERTIFICATES, "keep_without_basis")]
            parts.append(f"证明事项清理表 {ledgers} 份" + (f"（其中 {wrong} 份把无规章以上依据的证明列为保留）" if wrong else ""))
        return "各部门回复邮件：" + "，".join(parts)

    # --- the reviewers ----------------------------------------------------------------------------

    def _plan_reviews(self, day: date) -> list[str]:
        """市编委办 and 市政务服务办 answer every guides packet, the four agencies every ledger packet,
        two working days after it arrives; 政务服务办 asks one department to revise a guide, and
        法制办 would cancel one certificate the others keep."""
        if not self.calendar.is_working_day(day):
            return []
        when = self.calendar.add_working_days(day, REVIEW_AFTER_WORKING_DAYS)
        for review in (r for r in open_reviews(self.url) if not r.district):
            if review.phase == "review" or review.obligation_id in self.planned:
                continue
            self.planned.add(review.obligation_id)
            kind = "agree"
            if review.phase == "guides_review" and review.agency == "zwfwb" and not self.revise_planned:
                kind, self.revise_planned = "revise", True
            elif review.phase == "certificates_review" and review.agency == "fzb" and not self.conflict_planned:
                kind, self.conflict_planned = "cancel", True
            self.answers.setdefault(when, []).append((review.obligation_id, review.phase, kind))
        return []

    def _review_reply(self, obligation_id: int, kind: str, day: date) -> bytes:
        packet = queued_message(self.url, f"review-packet:{obligation_id}")
        [(filename, content)] = packet.attachments
        exceptions = {"revise": {2: ("修改", "办理流程可合并受理和审核环节，承诺时限压缩为 2 个工作日", "")},
                      "cancel": {2: ("取消", "该证明可由申请人书面说明代替，建议取消", "")}}.get(kind, {})
        return reply_mail(sender=packet.to[0], sender_name="审核人", to=packet.reply_to, subject="回复：" + packet.subject,
                          attachments=[(filename, answered_packet(content, "同意", exceptions))],
                          when=datetime.combine(day, ANSWERED_AT))

    def _answered_line(self, answered: list[tuple[int, str, str]]) -> str:
        guides = sum(1 for _, phase, _ in answered if phase == "guides_review")
        ledgers = len(answered) - guides
        parts = [f"市编委办、市政务服务办发回办事指南审核意见 {guides} 份" if guides else "",
                 f"四家单位发回证明事项审核意见 {ledgers} 份" if ledgers else ""]
        return "，".join(p for p in parts if p)

    async def _poll(self, day: date) -> list[str]:
        results = await intake_flow(now=datetime.combine(day, POLLED_AT))
        outcomes = Counter(r["outcome"] for r in results)
        parts = [f"通过 {outcomes['accepted']}" if outcomes["accepted"] else "",
                 f"退回 {outcomes['rejected']}（回执一次性告知全部问题）" if outcomes["rejected"] else "",
                 f"登记审核意见 {outcomes['opinion']}" if outcomes["opinion"] else ""]
        lines = [f"[cyan]mailbox-intake[/] 收取 {len(results)} 封：" + "，".join(p for p in parts if p)]
        accepted = [r for r in results if r["outcome"] == "accepted"]
        if accepted:  # one routing run for the day's lists, as a deployment's batch routes its own
            await review_routing_flow(now=datetime.combine(day, POLLED_AT))
        kinds = Counter(self.phase_of.get(r["obligation_id"]) for r in accepted)
        if accepted:
            routed = [f"办事指南 {kinds[GUIDES]} 份送市编委办、市政务服务办" if kinds[GUIDES] else "",
                      f"证明事项清理表 {kinds[CERTIFICATES]} 份送四家单位并联审核" if kinds[CERTIFICATES] else ""]
            lines.append(f"[cyan]review-routing[/] {'，'.join(p for p in routed if p)}（附预审提示）")
        if submissions_ready(self.url):
            merged = [m for m in await review_merge_flow(now=datetime.combine(day, MERGED_AT)) if m["created"]]
            conflicted = [m for m in merged if m["conflicts"]]
            for m in conflicted:
                self.decisions.setdefault(self.calendar.add_working_days(day, 2), []).append(m["submission_id"])
            if merged:
                lines.append(f"[cyan]review-merge[/] 汇总审核意见 {len(merged)} 份，发给部门 {len(merged) - len(conflicted)} 份"
                             + (f"；{len(conflicted)} 份证明事项意见不一致，提请市编委办协调" if conflicted else ""))
        # A department asked to revise its guides does so once and sends them again.
        for entry in {r["org"]: r for r in guides_status(self.url) if r["state"] == "revise"}.values():
            if entry["obligation_id"] in self.planned:
                continue
            self.planned.add(entry["obligation_id"])
            when = self.calendar.add_working_days(day, FIX_AFTER_WORKING_DAYS)
            self.replies.setdefault(when, []).append(Reply(GUIDES, entry["obligation_id"], entry["org"], "good"))
            lines.append(f"市政务服务办要求修改 1 份办事指南，{entry['org_name']}将于 {when} 修改后重报")
        return lines

    def _decide(self, submission_id: int, day: date) -> list[str]:
        at = datetime.combine(day, time(11))
        seqs = conflicting_items(self.url, submission_id)
        for seq in seqs:
            decide_conflict(self.url, submission_id, seq, "取消", "无法律法规依据，采纳法制办意见", at)
        return [f"[cyan]reform review decide[/] {submission_id} {'、'.join(seqs)} --opinion 取消：证明事项处理方式协调决定，"
                "审核结果发给部门"]

    # --- what the deadlines show ------------------------------------------------------------------

    def _deadline_line(self, day: date) -> list[str]:
        if day == self.deadlines[GUIDES]:
            status = guides_status(self.url)
            totals = simplification_totals(self.url)
            handed = sum(1 for s in status if s["state"] not in ("missing", "rejected"))
            return [f"[bold]编制办事指南期限（{day}，方案要求：2016年11月中旬前）[/]：{len(status)} 个事项中"
                    f"已报送 {handed}、审核通过 {sum(1 for s in status if s['state'] == 'agreed')}；"
                    f"承诺时限比法定时限共压缩 {totals['days_cut']} 个工作日（{totals['items_cut']} 个事项），"
                    f"申请材料减少 {totals['materials_removed']} 份，零跑动事项 {totals['zero_visits']} 项"]
        self.told_deadline = True
        files = certificate_documents(self.url, day)
        for name, content in files:
            (self.workspace / name).write_bytes(content)
        commitments = sum(1 for name, _ in files if name.endswith(".docx"))
        return [f"[bold]清理证明期限（{day}）[/]：[cyan]reform certificates export[/] 写出保留证明事项清单、取消证明事项清单"
                f"和告知承诺书 {commitments} 份（{self.workspace}）"]
