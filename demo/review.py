"""The review part of `reform demo`: parallel review, the written opinions, responses, recheck, approval.

Accepted lists are routed by the real review-routing flow; the four agencies read their packets (the
outbox rows the flow queued) and reply by email into the intake Maildir, where the real intake flow
takes them in; the review-merge flow builds the written opinions. Most agencies reply on time, some
late; 法制办 and the other agencies disagree on one item, which the coordinator decides; one reply
is faulty at first. Departments answer with revised lists, 编委办 rechecks, the city government
approves, and in March 2017 an adjustment makes version 2. Seeded: every run tells the same story.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

from core.settings import get_settings
from demo.mail_server import file_in_intake
from demo.samples import answered_packet, filled_workbook, reply_mail
from flows.intake import intake_flow
from flows.review import review_merge_flow, review_routing_flow
from registry.outbox.service import deliver, queued_message
from registry.review.service import (
    adjust,
    approve,
    conflicting_items,
    decide_conflict,
    finish_recheck,
    open_rechecks,
    open_reviews,
    review_responses,
    revision_basis,
    submissions_ready,
    unrouted_submissions,
)
from rules.review import Opinion
from workbooks.review_packet import ITEM_FIELDS

ROUTED_AT, REPLIED_AT, MERGED_AT = time(10, 30), time(15), time(17)
APPROVAL = (date(2016, 10, 28), "市政府第 62 次常务会议", "沈政办发〔2016〕88号")
RECHECKED_ON = date(2016, 10, 26)
ADJUSTMENT = (date(2017, 3, 1), date(2017, 3, 6), "部门新增公共服务事项", "沈编发〔2017〕5号")
# The day each agency sends its opinions on everything routed to it by then; later lists, and the
# few 政务服务办 holds back, go in the late batches after the 30 September deadline.
BATCHES = {"bwb": date(2016, 9, 13), "fzb": date(2016, 9, 21), "czj": date(2016, 9, 26), "zwfwb": date(2016, 9, 28)}
LATE_BATCHES = (date(2016, 10, 12), date(2016, 10, 19))
LATE_REPLIES = 3
RESPONSE_AFTER_WORKING_DAYS = 5


class ReviewByMail:
    def __init__(self, workspace: Path, calendar, review_deadline: date) -> None:
        self.workspace = workspace
        self.calendar = calendar
        self.deadline = review_deadline
        self.url = get_settings().database_url
        self.replies: dict[date, list[tuple[int, str]]] = {}  # day -> (review obligation, kind)
        self.decisions: dict[date, list[int]] = {}  # day -> submissions with conflicts to decide
        self.responses: dict[date, list[int]] = {}  # day -> reviewed submissions answered that day
        self.conflict_planned = self.adjusted_planned = self.faulty_planned = False
        self.late_left = LATE_REPLIES
        self.planned: set[int] = set()  # review obligations whose agency has the packet in its pile
        self.routed_here: set[int] = set()  # submissions the demo's own routing sent to the agencies

    async def day(self, day: date) -> list[str]:
        if day < date(2016, 8, 1) or not self.calendar.is_working_day(day):
            return []
        lines: list[str] = []
        if day <= date(2016, 10, 31) and unrouted_submissions(self.url):
            lines += await self._route(day)
        if self.replies.get(day) or self.responses.get(day):
            lines += self._write_replies(day)
            lines += await self._poll_and_merge(day)
        for submission_id in self.decisions.pop(day, []):
            lines += await self._decide(submission_id, day)
        if day == RECHECKED_ON:
            lines += self._recheck(day)
        if day == APPROVAL[0]:
            lines += self._approve(day)
        if day == ADJUSTMENT[0]:
            lines += await self._department_adds_an_item(day)
        if day == ADJUSTMENT[1]:
            lines += self._adjust(day)
        return lines + self._plan_packets(day)

    # --- routing and the agencies' replies ------------------------------------------------------

    async def _route(self, day: date) -> list[str]:
        routed = await review_routing_flow(now=datetime.combine(day, ROUTED_AT))
        reviews = [r["submission_id"] for r in routed if r["route"] == "review"]
        responses = [r for r in routed if r["route"] == "response"]
        self.routed_here.update(reviews)
        lines = []
        if reviews:
            lines.append(f"[cyan]review-routing[/] {len(reviews)} 份清单送编委办、法制办、财政局、政务服务办并联审核，"
                         f"发出审核意见表 {4 * len(reviews)} 份（附预审提示）")
        if responses:
            changed = [r for r in responses if r["changed"]]
            lines.append(f"[cyan]review-routing[/] 比对 {len(responses)} 个部门修改后的清单（{len(changed)} 份有变化"
                         + "".join(f"：{r['detail']}" for r in changed[:1]) + "），市编委办复核开启")
        return lines

    def _plan_packets(self, day: date) -> list[str]:
        """The agencies answer every packet they receive, also those the 09:00 sweep's safety net routed."""
        planned = [r for r in self._plan_replies(day) if r.submission_id not in self.routed_here]
        if not planned:
            return []
        return [f"四家单位收到督办扫描补送的审核意见表 {len(planned)} 份（{len({r.submission_id for r in planned})} 份清单），"
                "列入各自的审核批次"]

    def _plan_replies(self, day: date) -> list:
        """Each agency answers every packet in batches, as an office works through its pile; 政务服务办 is
        late on a few. Returns the review obligations newly planned."""
        ready = self.calendar.add_working_days(day, 5)
        new = [r for r in open_reviews(self.url) if r.phase == "review" and not r.district
               and r.obligation_id not in self.planned]
        for review in new:
            obligation_id, agency = review.obligation_id, review.agency
            self.planned.add(obligation_id)
            batches = [d for d in (BATCHES[agency], *LATE_BATCHES) if d >= ready]
            when = batches[0] if batches else self.calendar.add_working_days(ready, 1)
            if agency == "zwfwb" and self.late_left and when == BATCHES[agency]:
                when, self.late_left = LATE_BATCHES[0], self.late_left - 1
            kind = "keep"
            if not self.conflict_planned and agency == "fzb":
                kind, self.conflict_planned = "cancel", True  # 法制办 alone wants item 1 gone: a conflict
            elif not self.adjusted_planned and agency == "zwfwb":
                kind, self.adjusted_planned = "adjust", True  # a shorter time limit, which the others accept
            elif not self.faulty_planned and agency == "czj":
                kind, self.faulty_planned = "faulty", True  # 取消 without a reason, fixed after the receipt
                self.replies.setdefault(self.calendar.add_working_days(when, 1), []).append((obligation_id, "keep"))
            self.replies.setdefault(when, []).append((obligation_id, kind))
        return new

    def _write_replies(self, day: date) -> list[str]:
        """Agencies and departments reply; their MTA files the mail in the intake Maildir."""
        kinds = Counter()
        late = 0
        for obligation_id, kind in self.replies.pop(day, []):
            file_in_intake(self._agency_reply(obligation_id, kind, day))
            kinds[kind] += 1
            late += day > self.deadline
        for submission_id in self.responses.pop(day, []):
            file_in_intake(self._revised_list(submission_id, day))
            kinds["response"] += 1
        lines = []
        opinions = sum(n for k, n in kinds.items() if k != "response")
        if opinions:
            lines.append(f"四家单位发回审核意见 {opinions} 份" + (f"（逾期 {late} 份）" if late else "")
                         + ("，其中 1 份「取消」未写理由" if kinds["faulty"] else ""))
        if kinds["response"]:
            lines.append(f"{kinds['response']} 个部门按书面审核意见修改清单后回复")
        return lines

    def _agency_reply(self, obligation_id: int, kind: str, day: date) -> bytes:
        """The agency opens the packet it was sent, writes its opinions into it and replies."""
        packet = queued_message(self.url, f"review-packet:{obligation_id}")
        [(_, content)] = packet.attachments
        exceptions = {"cancel": {2: (Opinion.CANCEL, "无法律法规依据，属于可以取消的证明事项", "")},
                      "faulty": {2: (Opinion.CANCEL, "", "")},
                      "adjust": {3: (Opinion.ADJUST, "", "办理时限压缩为 3 个工作日")}}.get(kind, {})
        return reply_mail(sender=packet.to[0], sender_name="审核人", to=packet.reply_to, subject="回复：" + packet.subject,
                          attachments=[("审核意见表.xlsx", answered_packet(content, str(Opinion.KEEP), exceptions))],
                          when=datetime.combine(day, REPLIED_AT))

    async def _poll_and_merge(self, day: date) -> list[str]:
        results = await intake_flow(now=datetime.combine(day, REPLIED_AT))
        outcomes = Counter(r["outcome"] for r in results)
        opinions = outcomes["opinion"] + outcomes["opinion_late"]
        parts = [f"登记审核意见 {opinions} 份" if opinions else "",
                 f"退回 {outcomes['rejected']} 份（回执一次性告知全部问题）" if outcomes["rejected"] else "",
                 f"收到修改后的清单 {outcomes['accepted']} 份" if outcomes["accepted"] else ""]
        lines = ["[cyan]mailbox-intake[/] " + "，".join(p for p in parts if p)]
        if outcomes["accepted"]:
            lines += await self._route(day)
        merged = [m for m in await review_merge_flow(now=datetime.combine(day, MERGED_AT)) if m["created"]] \
            if submissions_ready(self.url) else []  # the demo skips the hourly merge's idle runs
        if merged:
            conflicted = [m for m in merged if m["conflicts"]]
            lines.append(f"[cyan]review-merge[/] 汇总书面审核意见 {len(merged)} 份，发给部门 {len(merged) - len(conflicted)} 份"
                         + (f"；{len(conflicted)} 份有分歧，已提请市编委办协调" if conflicted else ""))
            for m in conflicted:
                self.decisions.setdefault(self.calendar.add_working_days(day, 2), []).append(m["submission_id"])
            for m in merged:
                if m["issued"]:
                    self._plan_response(m["submission_id"], day)
        return lines

    async def _decide(self, submission_id: int, day: date) -> list[str]:
        at = datetime.combine(day, time(11))
        seqs = conflicting_items(self.url, submission_id)
        for seq in seqs:
            decide_conflict(self.url, submission_id, seq, Opinion.CANCEL, "无法律法规依据，采纳法制办意见", at)
        await deliver(self.url, at)
        self._plan_response(submission_id, day)
        return [f"[cyan]reform review decide[/] {submission_id} {'、'.join(seqs)} --opinion 取消：协调决定后，"
                "书面审核意见发给部门，部门回复期限开始计算"]

    # --- the department's response, recheck, approval, adjustment ------------------------------

    def _plan_response(self, submission_id: int, day: date) -> None:
        self.responses.setdefault(self.calendar.add_working_days(day, RESPONSE_AFTER_WORKING_DAYS), []).append(
            submission_id)

    def _revised_list(self, reviewed_id: int, day: date, extra: list | None = None) -> bytes:
        return revised_list(self.url, reviewed_id, datetime.combine(day, REPLIED_AT), extra)

    def _recheck(self, day: date) -> list[str]:
        submissions = open_rechecks(self.url, "")
        for submission_id in submissions:
            finish_recheck(self.url, submission_id, "已按审核意见修改", datetime.combine(day, time(16)))
        return ([f"[cyan]reform review recheck[/] 市编委办复核部门修改后的清单 {len(submissions)} 份，报市政府审定"]
                if submissions else [])

    def _approve(self, day: date) -> list[str]:
        on, meeting, document = APPROVAL
        # Without --force: every department's list is through review, response and recheck by now.
        version = approve(self.url, on, meeting, document, datetime.combine(day, time(17)))
        path = self.workspace / f"全市公共服务事项清单-第{version.number}版.xlsx"
        path.write_bytes(version.content)
        overtaken = ("、".join(f"事项 {o.obligation_id}（{o.org_name}）" for o in version.overtaken)
                     if version.overtaken else "无")
        return [f"[cyan]reform approve[/] --date {on} --meeting {meeting} --document {document}：全市清单第 {version.number} 版"
                f"共 {version.items} 个事项，已冻结保存（{path.name}，汇总表加每部门一张工作表）",
                f"审定时各部门清单均已复核；审定取代的未办结审核、回复、复核事项：{overtaken}",
                f"向有审定事项的部门发出编制办事指南和清理证明的通知 {version.called} 份（附按审定清单预填的工作簿）"]

    async def _department_adds_an_item(self, day: date) -> list[str]:
        responses = review_responses(self.url)
        if not responses:
            return []
        extra = [[99, "困难群众临时救助申请", "主动服务", "社会保障", "自然人", "本单位", "《社会救助暂行办法》第四十七条", 5,
                  "否", "", "申请书、身份证明", "2017年新增"]]
        revised = self._revised_list(responses[0].reviewed_submission_id, day, extra)
        file_in_intake(revised)
        lines = await self._poll_and_merge(day)
        return ["一个部门报送新增事项（动态调整）", *lines]

    def _adjust(self, day: date) -> list[str]:
        _, on, reason, document = ADJUSTMENT
        responses = review_responses(self.url)
        if not responses:
            return []
        finish_recheck(self.url, responses[-1].submission_id, "新增事项有法规依据", datetime.combine(day, time(10)))
        version = adjust(self.url, on, reason, document, datetime.combine(day, time(11)))
        path = self.workspace / f"全市公共服务事项清单-第{version.number}版.xlsx"
        path.write_bytes(version.content)
        told = "；".join(f"{code} 新增 {len(d['added'])} 项" for code, d in version.changes.items())
        return [f"[cyan]reform adjust[/] --date {on} --reason {reason}：全市清单第 {version.number} 版（{told}），变化记录在案"]


def revised_list(url: str, reviewed_id: int, now: datetime, extra: list | None = None, cut_days: int = 0) -> bytes:
    """The department's list with the written opinion applied: cancelled items gone, time limits cut
    (every one by ``cut_days`` more, where the department studied its own)."""
    basis = revision_basis(url, reviewed_id, now)
    outcomes = basis.outcomes
    rows = []
    for item in basis.items:
        if outcomes.get(item["name"]) == Opinion.CANCEL:
            continue
        if outcomes.get(item["name"]) == Opinion.ADJUST:
            item["time_limit_days"] = min(item["time_limit_days"], 3)
        if cut_days:
            item["time_limit_days"] = max(1, item["time_limit_days"] - cut_days)
        rows.append(["是" if f == "charged" and item[f] else "否" if f == "charged" else item[f]
                     for f in ITEM_FIELDS])
    rows += extra or []
    return reply_mail(sender=basis.sender, sender_name="联系人", to=basis.reply_to,
                      subject=f"回复：修改后的公共服务事项清单 {basis.subject_tag}",
                      attachments=[("公共服务事项清单（修改后）.xlsx", filled_workbook(basis.template, rows))],
                      when=now)
