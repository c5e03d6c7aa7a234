"""The review part of `reform demo`: parallel review, the written opinions, responses, recheck, approval.

Accepted lists are routed by the real review-routing flow; the four agencies read their packets (the
outbox rows the flow queued) and reply by email into the intake Maildir, where the real intake flow
takes them in; the review-merge flow builds the written opinions. Most agencies reply on time, some
late; 法制办 and the other agencies disagree on one item, which the coordinator decides; one reply
is faulty at first. Departments answer with revised lists, 编委办 rechecks, the city government
approves, and in March 2017 an adjustment makes version 2. Seeded: every run tells the same story.
"""
from __future__ import annotations

import io
import mailbox
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from rules.review import Opinion

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
        from core.settings import get_settings

        self.workspace = workspace
        self.calendar = calendar
        self.deadline = review_deadline
        self.url = get_settings().database_url
        self.replies: dict[date, list[tuple[int, str]]] = {}  # day -> (review obligation, kind)
        self.decisions: dict[date, list[int]] = {}  # day -> submissions with conflicts to decide
        self.responses: dict[date, list[int]] = {}  # day -> reviewed submissions answered that day
        self.conflict_planned = self.adjusted_planned = self.faulty_planned = False
        self.late_left = LATE_REPLIES

    async def day(self, day: date) -> list[str]:
        if day < date(2016, 8, 1) or not self.calendar.is_working_day(day):
            return []
        lines: list[str] = []
        if day <= date(2016, 10, 31) and self._unrouted():
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
        return lines

    # --- routing and the agencies' replies ------------------------------------------------------

    def _unrouted(self) -> bool:
        from registry.campaign.tables import Obligation, Phase
        from registry.db import transaction
        from registry.intake.tables import Submission
        from registry.review.obligations import REVIEW
        from registry.review.tables import ReviewResponse

        with transaction(self.url) as session:
            routed = set(session.scalars(select(Obligation.ref).join(Phase, Phase.id == Obligation.phase_id)
                                         .where(Phase.code == REVIEW)))
            routed |= {str(i) for i in session.scalars(select(ReviewResponse.submission_id))}
            current = session.scalars(select(Submission.id).where(Submission.state == "accepted",
                                                                  Submission.zero_report.is_(False))).all()
        return any(str(i) not in routed for i in current)

    async def _route(self, day: date) -> list[str]:
        from flows.review import review_routing_flow

        routed = await review_routing_flow(now=datetime.combine(day, ROUTED_AT))
        reviews = [r["submission_id"] for r in routed if r["route"] == "review"]
        responses = [r for r in routed if r["route"] == "response"]
        for submission_id in reviews:
            self._plan_replies(submission_id, day)
        lines = []
        if reviews:
            lines.append(f"[cyan]review-routing[/] {len(reviews)} 份清单送编委办、法制办、财政局、政务服务办并联审核，"
                         f"发出审核意见表 {4 * len(reviews)} 份（附预审提示）")
        if responses:
            changed = [r for r in responses if r["changed"]]
            lines.append(f"[cyan]review-routing[/] 比对 {len(responses)} 个部门修改后的清单（{len(changed)} 份有变化"
                         + "".join(f"：{r['detail']}" for r in changed[:1]) + "），市编委办复核开启")
        return lines

    def _plan_replies(self, submission_id: int, day: date) -> None:
        """Each agency answers in batches, as an office works through its pile; 政务服务办 is late on a few."""
        ready = self.calendar.add_working_days(day, 5)
        for obligation_id, agency in self._review_obligations(submission_id):
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

    def _review_obligations(self, submission_id: int) -> list[tuple[int, str]]:
        from registry.campaign.tables import Obligation, Phase
        from registry.db import transaction
        from registry.directory.tables import Organisation

        with transaction(self.url) as session:
            return [tuple(r) for r in session.execute(
                select(Obligation.id, Organisation.code).join(Organisation, Organisation.id == Obligation.debtor_id)
                .join(Phase, Phase.id == Obligation.phase_id)
                .where(Phase.code == "review", Obligation.ref == str(submission_id)))]

    def _write_replies(self, day: date) -> list[str]:
        """Agencies and departments reply; their MTA files the mail in the intake Maildir."""
        from core.settings import get_settings

        intake = mailbox.Maildir(str(get_settings().maildir), create=True)
        kinds = Counter()
        late = 0
        for obligation_id, kind in self.replies.pop(day, []):
            intake.add(self._agency_reply(obligation_id, kind, day))
            kinds[kind] += 1
            late += day > self.deadline
        for submission_id in self.responses.pop(day, []):
            intake.add(self._revised_list(submission_id, day))
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
        from reform.sample_submissions import reply_mail
        from registry.db import transaction
        from registry.outbox.tables import OutboxMessage
        from workbooks.review_packet import HEADERS, OPINION, SHEET

        with transaction(self.url) as session:
            packet = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"review-packet:{obligation_id}"))
            to, reply_to, subject = packet.to_addrs[0], packet.reply_to, packet.subject
            content = packet.attachments[0].content
        book = load_workbook(io.BytesIO(content))
        sheet = book[SHEET]
        column = HEADERS.index(OPINION) + 1
        for row in range(2, sheet.max_row + 1):
            opinion, reason, adjusted = Opinion.KEEP, "", ""
            if row == 2 and kind == "cancel":
                opinion, reason = Opinion.CANCEL, "无法律法规依据，属于可以取消的证明事项"
            elif row == 2 and kind == "faulty":
                opinion = Opinion.CANCEL
            elif row == 3 and kind == "adjust":
                opinion, adjusted = Opinion.ADJUST, "办理时限压缩为 3 个工作日"
            sheet.cell(row=row, column=column, value=str(opinion))
            sheet.cell(row=row, column=column + 1, value=reason or None)
            sheet.cell(row=row, column=column + 2, value=adjusted or None)
        out = io.BytesIO()
        book.save(out)
        return reply_mail(sender=to, sender_name="审核人", to=reply_to, subject="回复：" + subject,
                          attachments=[("审核意见表.xlsx", out.getvalue())], when=datetime.combine(day, REPLIED_AT))

    async def _poll_and_merge(self, day: date) -> list[str]:
        from flows.intake import intake_flow
        from flows.review import review_merge_flow

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
            if self._ready_to_merge() else []
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

    def _ready_to_merge(self) -> bool:
        """Whether the hourly merge deployment would find anything; the demo skips its idle runs."""
        from registry.db import transaction
        from registry.review.merge import submissions_ready_to_merge

        with transaction(self.url) as session:
            return bool(submissions_ready_to_merge(session))

    async def _decide(self, submission_id: int, day: date) -> list[str]:
        from core.settings import get_settings
        from registry.db import transaction
        from registry.outbox.delivery import deliver_pending
        from registry.review.merge import decide_conflict
        from registry.review.tables import ConsolidatedItem, ConsolidatedOpinion

        with transaction(self.url) as session:
            seqs = session.scalars(select(ConsolidatedItem.seq).join(
                ConsolidatedOpinion, ConsolidatedOpinion.id == ConsolidatedItem.consolidated_id)
                .where(ConsolidatedOpinion.submission_id == submission_id, ConsolidatedItem.conflict.is_(True))).all()
            for seq in seqs:
                decide_conflict(session, submission_id, seq, Opinion.CANCEL, "无法律法规依据，采纳法制办意见",
                                "coordinator", get_settings(), datetime.combine(day, time(11)))
        await deliver_pending(self.url, get_settings(), datetime.combine(day, time(11)))
        self._plan_response(submission_id, day)
        return [f"[cyan]reform review decide[/] {submission_id} {'、'.join(seqs)} --opinion 取消：协调决定后，"
                "书面审核意见发给部门，部门回复期限开始计算"]

    # --- the department's response, recheck, approval, adjustment ------------------------------

    def _plan_response(self, submission_id: int, day: date) -> None:
        self.responses.setdefault(self.calendar.add_working_days(day, RESPONSE_AFTER_WORKING_DAYS), []).append(
            submission_id)

    def _revised_list(self, reviewed_id: int, day: date, extra: list | None = None) -> bytes:
        """The department's list with the written opinion applied: cancelled items gone, time limits cut."""
        from core.settings import get_settings
        from reform.sample_submissions import filled_workbook, reply_mail
        from registry.campaign.tables import Obligation
        from registry.db import transaction
        from registry.directory.tables import Contact
        from registry.intake.calls import template_for
        from registry.intake.reply_tokens import reply_address, subject_tag, token_for
        from registry.intake.tables import Submission
        from registry.review.routing import items_of
        from registry.review.tables import ConsolidatedItem, ConsolidatedOpinion
        from workbooks.review_packet import ITEM_FIELDS

        now = datetime.combine(day, REPLIED_AT)
        with transaction(self.url) as session:
            submission = session.get(Submission, reviewed_id)
            obligation = session.get(Obligation, submission.obligation_id)
            outcomes = dict(session.execute(select(ConsolidatedItem.name, ConsolidatedItem.outcome).join(
                ConsolidatedOpinion, ConsolidatedOpinion.id == ConsolidatedItem.consolidated_id)
                .where(ConsolidatedOpinion.submission_id == reviewed_id)).all())
            current = session.scalar(select(Submission.id).where(Submission.obligation_id == obligation.id,
                                                                 Submission.state == "accepted"))
            items = items_of(session, current)
            _, template = template_for(session, obligation, get_settings(), now)
            token = token_for(session, obligation.id, now)
            sender = session.scalar(select(Contact.email).where(Contact.org_id == obligation.debtor_id,
                                                                Contact.role == "contact"))
        rows = []
        for item in items:
            if outcomes.get(item["name"]) == Opinion.CANCEL:
                continue
            if outcomes.get(item["name"]) == Opinion.ADJUST:
                item["time_limit_days"] = min(item["time_limit_days"], 3)
            rows.append(["是" if f == "charged" and item[f] else "否" if f == "charged" else item[f]
                         for f in ITEM_FIELDS])
        rows += extra or []
        settings = get_settings()
        return reply_mail(sender=sender, sender_name="联系人", to=reply_address(settings.mailbox.intake_address, token),
                          subject=f"回复：修改后的公共服务事项清单 {subject_tag(token)}",
                          attachments=[("公共服务事项清单（修改后）.xlsx", filled_workbook(template, rows))], when=now)

    def _recheck(self, day: date) -> list[str]:
        from registry.campaign.tables import Obligation, Phase
        from registry.db import transaction
        from registry.review.approval import finish_recheck
        from rules.obligations import CLOSED

        with transaction(self.url) as session:
            refs = session.scalars(select(Obligation.ref).join(Phase, Phase.id == Obligation.phase_id).where(
                Phase.code == "approval", Obligation.ref.like("recheck:%"),
                Obligation.state.not_in([str(s) for s in CLOSED]))).all()
            for ref in refs:
                finish_recheck(session, int(ref.split(":")[1]), "coordinator", "已按审核意见修改",
                               datetime.combine(day, time(16)))
        return [f"[cyan]reform review recheck[/] 市编委办复核部门修改后的清单 {len(refs)} 份，报市政府审定"] if refs else []

    def _approve(self, day: date) -> list[str]:
        from registry.db import transaction
        from registry.review.approval import approve

        on, meeting, document = APPROVAL
        with transaction(self.url) as session:
            version = approve(session, on, meeting, document, "coordinator", datetime.combine(day, time(17)))
            number, items, content = version.version, version.item_count, version.content
        path = self.workspace / f"全市公共服务事项清单-第{number}版.xlsx"
        path.write_bytes(content)
        return [f"[cyan]reform approve[/] --date {on} --meeting {meeting} --document {document}：全市清单第 {number} 版"
                f"共 {items} 个事项，已冻结保存（{path.name}，汇总表加每部门一张工作表）"]

    async def _department_adds_an_item(self, day: date) -> list[str]:
        from core.settings import get_settings
        from registry.db import transaction
        from registry.review.tables import ReviewResponse

        with transaction(self.url) as session:
            reviewed = session.scalar(select(ReviewResponse.reviewed_submission_id).order_by(ReviewResponse.id)
                                      .limit(1))
        if reviewed is None:
            return []
        extra = [[99, "困难群众临时救助申请", "主动服务", "社会保障", "自然人", "本单位", "《社会救助暂行办法》第四十七条", 5,
                  "否", "", "申请书、身份证明", "2017年新增"]]
        mailbox.Maildir(str(get_settings().maildir), create=True).add(self._revised_list(reviewed, day, extra))
        lines = await self._poll_and_merge(day)
        return ["一个部门报送新增事项（动态调整）", *lines]

    def _adjust(self, day: date) -> list[str]:
        from registry.db import transaction
        from registry.review.approval import adjust, finish_recheck
        from registry.review.tables import ReviewResponse

        _, on, reason, document = ADJUSTMENT
        with transaction(self.url) as session:
            latest = session.scalar(select(ReviewResponse.submission_id).order_by(ReviewResponse.id.desc()).limit(1))
            if latest is None:
                return []
            finish_recheck(session, latest, "coordinator", "新增事项有法规依据", datetime.combine(day, time(10)))
            version = adjust(session, on, reason, document, "coordinator", datetime.combine(day, time(11)))
            number, changes, content = version.version, version.change_log, version.content
        path = self.workspace / f"全市公共服务事项清单-第{number}版.xlsx"
        path.write_bytes(content)
        told = "；".join(f"{code} 新增 {len(d['added'])} 项" for code, d in changes.items())
        return [f"[cyan]reform adjust[/] --date {on} --reason {reason}：全市清单第 {number} 版（{told}），变化记录在案"]
