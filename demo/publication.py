"""Publication in `reform demo`: the city list published at the end of November and again after the
March adjustment, through the real publication flow; each department puts its part on its own
website and replies with the address. Seeded: every run tells the same story."""
from __future__ import annotations

import random
from datetime import date, datetime, time

from core.settings import get_settings
from demo.mail_server import file_in_intake
from demo.samples import reply_mail
from flows.intake import intake_flow
from flows.publication import publication_flow
from registry.campaign.service import open_obligations
from registry.outbox.service import queued_message
from rules.calendar import WorkingCalendar

# A week before the 11月底前 deadline, once the guides are agreed; the day after the March adjustment.
PUBLISHED_ON = (date(2016, 11, 24), date(2017, 3, 7))
PUBLISHED_AT, REPLIED_AT, POLLED_AT = time(9, 30), time(10), time(16, 30)


class PublicationByMail:
    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self.url = get_settings().database_url
        self.replies: dict[date, list[tuple[int, str, int]]] = {}  # day -> (obligation, org, version)

    async def day(self, day: date) -> list[str]:
        lines = []
        if day in PUBLISHED_ON:
            lines += await self._publish(day)
        replies = self.replies.pop(day, [])
        for obligation_id, org_code, version in replies:
            file_in_intake(self._reply(obligation_id, org_code, version, day))
        if replies:
            results = await intake_flow(now=datetime.combine(day, POLLED_AT))
            told = sum(1 for r in results if r["outcome"] == "address")
            lines.append(f"{len(replies)} 个部门在本单位网站公布后回复公布网址；[cyan]mailbox-intake[/] 登记公布网址 {told} 个")
        return lines

    async def _publish(self, day: date) -> list[str]:
        [published] = await publication_flow(now=datetime.combine(day, PUBLISHED_AT))
        lines = [f"[cyan]publication[/] 公布全市清单第 {published['version']} 版：事项 {published['items']} 个"
                 f"（附审核同意的办事指南 {published['guides']} 个），证明 {published['certificates']} 项；"
                 f"打开 file://{published['index']}",
                 f"向 {published['bundles']} 个部门发出本部门页面包（解压即可放到本单位网站）"
                 + (f"，{published['released']} 个部门无审定事项，无需公布" if published["released"] else "")]
        if published["changes"]:
            lines.append(f"变更记录：第 {published['version']} 版与上一版相比，{published['changes']}")
        rng = random.Random(published["version"])
        for owed in (o for o in open_obligations(self.url, "publication") if not o.district):
            when = self.calendar.add_working_days(day, rng.randint(1, 4))
            self.replies.setdefault(when, []).append((owed.id, owed.org_code, published["version"]))
        return lines

    def _reply(self, obligation_id: int, org_code: str, version: int, day: date) -> bytes:
        """The department opens the mail with its part, puts it on its website and replies with the address."""
        bundle = queued_message(self.url, f"bundle:{obligation_id}:v{version}")
        address = f"https://{org_code}.shenyang.example.gov.cn/gkml/ggfwsx/v{version}/"
        return reply_mail(sender=bundle.to[0], sender_name="联系人", to=bundle.reply_to, subject="回复：" + bundle.subject,
                          text=f"已在本单位网站公布，网址：{address}", when=datetime.combine(day, REPLIED_AT))
