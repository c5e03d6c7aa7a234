"""Poll the intake mailbox: one task per message, receipts delivered, an event per accepted submission."""
from __future__ import annotations

from datetime import datetime

from prefect import flow
from prefect.artifacts import create_table_artifact
from prefect.events import emit_event

from tasks.intake import batches, deliver_outbox, pending_messages, take_in_messages

ACCEPTED_EVENT = "reform.submission.accepted"
OUTCOME_NAMES = {"accepted": "通过", "zero_report": "零报告", "rejected": "退回", "quarantined": "隔离（未登记地址）",
                 "misrouted": "拒收（编号不属于发件单位）", "opinion": "审核意见已登记",
                 "opinion_duplicate": "审核意见重复（未重复登记）", "opinion_late": "汇总后收到的审核意见（已标注）",
                 "error": "处理出错（留在收件箱，下次重试）", "complaint": "投诉已登记"}


@flow(name="mailbox-intake")
async def intake_flow(now: datetime | None = None, deliver: bool = True) -> list[dict]:
    results = [result for batch in batches(pending_messages()) for result in await take_in_messages(batch, now)]
    for result in results:
        if result["outcome"] in ("accepted", "zero_report") and not result["already_seen"]:
            announce_accepted(result)
        elif result["outcome"] == "opinion" and not result["already_seen"]:
            from flows.review import (
                announce_opinion,  # an agency's review opinion (issue 4)
            )

            announce_opinion(result)
    if deliver:
        await deliver_outbox(now)
    await create_table_artifact(
        key="mailbox-intake",
        table=[{"发件人": r["sender"], "单位": r["org_code"], "结果": OUTCOME_NAMES.get(r["outcome"], r["outcome"]),
                "版本": r["version"] or "", "事项数": r["items"], "问题数": r["problems"],
                "重复邮件": "是" if r["already_seen"] else ""} for r in results],
        description=f"本次收取邮件 {len(results)} 封",
    )
    return results


def announce_accepted(result: dict) -> None:
    """The review work starts from this event (one per accepted submission)."""
    emit_event(
        event=ACCEPTED_EVENT,
        resource={"prefect.resource.id": f"reform.submission.{result['submission_id']}",
                  "reform.org": result["org_code"]},
        payload={"submission_id": result["submission_id"], "obligation_id": result["obligation_id"],
                 "org_code": result["org_code"], "version": result["version"], "items": result["items"],
                 "zero_report": result["outcome"] == "zero_report"},
    )
