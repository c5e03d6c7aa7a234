"""Thin tasks for calls and intake: plain values in (ids, refs, times), plain values out."""
from __future__ import annotations

import asyncio
import threading
from dataclasses import asdict
from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from core.settings import get_settings
from notifications.mailbox import FetchedMessage, MailboxPoll
from registry.inbound import service as inbound
from registry.intake import service as intake
from registry.intake.service import IntakeResult


@task(name="obligations-to-call")
def phase_obligations_to_call(phase_code: str, campaign: str | None = None) -> list[int]:
    return intake.obligations_to_call(get_settings().database_url, phase_code, campaign)


@task(name="queue-call", cache_policy=NONE)
async def queue_phase_call(obligation_id: int, now: datetime) -> int:
    """Async: a sync task called from an async flow pays a hand-off to a worker thread and back."""
    return intake.queue_call(get_settings().database_url, obligation_id, now)


# One poll, one login: the listing task leaves its open mailbox here, under the poll's flow run,
# for the batches that follow; the batch that takes in the last listed message closes it. A batch
# that finds no open poll for its messages (run on its own, or after a restart) opens its own.
_open_polls: dict[str | None, MailboxPoll] = {}
_open_polls_lock = threading.Lock()
# A poll whose flow run died between its batches leaves its mailbox here; beyond a few, the oldest
# is closed (the server would log it out anyway).
MAX_OPEN_POLLS = 4


@task(name="pending-messages")
def pending_messages() -> list[str]:
    poll = MailboxPoll(get_settings())
    refs = poll.pending()
    with _open_polls_lock:
        superseded = [_open_polls.pop(flow_run.id, None)]  # a retry of this poll's listing
        if refs:
            _open_polls[flow_run.id] = poll
        while len(_open_polls) > MAX_OPEN_POLLS:
            superseded.append(_open_polls.pop(next(iter(_open_polls))))
    for old in filter(None, superseded):
        old.close()
    return refs


@task(name="release-poll")
def release_poll() -> None:
    """Close the mailbox this poll listed, when other runs take in its messages over their own."""
    with _open_polls_lock:
        poll = _open_polls.pop(flow_run.id, None)
    if poll is not None:
        poll.close()


# Messages per task run. A task run costs milliseconds of orchestration on the Prefect server;
# at a thousand replies in one poll that would outweigh the work itself, so a run takes a batch.
# Each message still commits on its own and is marked done only after its commit.
BATCH_SIZE = 25


def batches(refs: list[str], size: int = BATCH_SIZE) -> list[list[str]]:
    return [refs[i:i + size] for i in range(0, len(refs), size)]


# No cache policy: whether a message was taken in is the registry's to say (mailbox_messages), never a
# cached task result, and skipping the input hashing keeps a task near the cost of a function call.
@task(name="take-in-messages", cache_policy=NONE)
async def take_in_messages(refs: list[str], now: datetime | None = None) -> list[dict]:
    """A batch of messages, one after another in a worker thread, so that Prefect's bookkeeping on
    the flow's event loop overlaps the work instead of queuing behind it."""
    return await asyncio.to_thread(_take_in_each, refs, now, flow_run.id)


def _take_in_each(refs: list[str], now: datetime | None, poll_key: str | None) -> list[dict]:
    with _open_polls_lock:
        poll = _open_polls.get(poll_key)
    if poll is None or not poll.remaining.issuperset(refs):
        poll = MailboxPoll(get_settings(), refs)
    results = []
    try:
        for ref in refs:
            try:
                results.append(_take_in(poll, ref, now))
            except Exception:  # noqa: BLE001 - one broken message must not hold back the rest
                # The mailbox or the database failed, not the message (a message's own failures are
                # counted in the registry): left unmarked, it is tried again on the next poll.
                get_run_logger().exception("邮件 %s 处理失败，已留在收件箱待下次重试", ref)
                results.append(_plain(ref, IntakeResult(outcome="error")))
    finally:
        if poll.finished:
            with _open_polls_lock:
                if _open_polls.get(poll_key) is poll:
                    del _open_polls[poll_key]
    for result in results:
        if result["outcome"] in ("failed", "quarantined") and result["error"]:
            get_run_logger().warning("邮件 %s（%s）处理失败：%s", result["ref"], result["sender"] or "无发件人",
                                     result["error"])
    return results


def take_in_message_now(ref: str, now: datetime | None = None) -> dict:
    """One message over its own mailbox connection, without Prefect (the benchmark's plain loop, the
    crash tests)."""
    return _take_in(MailboxPoll(get_settings()), ref, now)


def _take_in(poll: MailboxPoll, ref: str, now: datetime | None) -> dict:
    settings = get_settings()

    def commit(message: FetchedMessage) -> IntakeResult:
        return inbound.take_in_mail(settings.database_url, message, now or datetime.now(), settings)

    result = poll.take(ref, commit, settings.limits.max_message_bytes, inbound.settled)
    # None: another worker took the message in and moved it away since it was listed.
    return _plain(ref, result or IntakeResult(outcome="busy", already_seen=True))


def _plain(ref: str, result: IntakeResult) -> dict:
    return {"ref": ref, **{k: v for k, v in asdict(result).items() if k != "receipt"}}
