"""Taking mail in without Prefect: the plain functions the intake tasks wrap, which a one-shot
command (tasks.one_shot) calls directly. Importing this module imports no Prefect."""
from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime

from core.settings import get_settings
from notifications.mailbox import FetchedMessage, MailboxPoll
from registry.inbound import service as inbound
from registry.intake.service import IntakeResult

# Messages per task run. A task run costs milliseconds of orchestration on the Prefect server;
# at a thousand replies in one poll that would outweigh the work itself, so a run takes a batch,
# of a hundred: at 25 the runs of a thousand replies still cost a few per cent of the poll.
# Each message still commits on its own and is marked done only after its commit.
BATCH_SIZE = 100


def batches(refs: list[str], size: int = BATCH_SIZE) -> list[list[str]]:
    return [refs[i:i + size] for i in range(0, len(refs), size)]


def take_in_each(poll: MailboxPoll, refs: list[str], now: datetime | None,
                 log: logging.Logger | logging.LoggerAdapter) -> list[dict]:
    """The listed messages one after another over ``poll``; a message that fails does not hold back
    the rest, and is told to ``log`` (the task's run logger, or the command's)."""
    results = []
    for ref in refs:
        try:
            results.append(take_in_one(poll, ref, now))
        except Exception:  # noqa: BLE001 - one broken message must not hold back the rest
            # The mailbox or the database failed, not the message (a message's own failures are
            # counted in the registry): left unmarked, it is tried again on the next poll.
            log.exception("邮件 %s 处理失败，已留在收件箱待下次重试", ref)
            results.append(plain_result(ref, IntakeResult(outcome="error")))
    for result in results:
        if result["outcome"] in ("failed", "quarantined") and result["error"]:
            log.warning("邮件 %s（%s）处理失败：%s", result["ref"], result["sender"] or "无发件人", result["error"])
    return results


def opens_campaigns(results: list[dict]) -> bool:
    """A district's or regulator's accepted work plan opens its campaign: any new acceptance may."""
    return any(r["outcome"] == "accepted" and not r["already_seen"] for r in results)


def take_in_message_now(ref: str, now: datetime | None = None) -> dict:
    """One message over its own mailbox connection, without Prefect (the benchmark's plain loop, the
    crash tests)."""
    return take_in_one(MailboxPoll(get_settings()), ref, now)


def take_in_one(poll: MailboxPoll, ref: str, now: datetime | None) -> dict:
    settings = get_settings()

    def commit(message: FetchedMessage) -> IntakeResult:
        return inbound.take_in_mail(settings.database_url, message, now or datetime.now(), settings)

    result = poll.take(ref, commit, settings.limits.max_message_bytes, inbound.settled)
    # None: another worker took the message in and moved it away since it was listed.
    return plain_result(ref, result or IntakeResult(outcome="busy", already_seen=True))


def plain_result(ref: str, result: IntakeResult) -> dict:
    return {"ref": ref, **{k: v for k, v in asdict(result).items() if k != "receipt"}}
