"""Thin tasks for calls and intake: plain values in (ids, refs, times), plain values out."""
from __future__ import annotations

import asyncio
import os
from dataclasses import asdict
from datetime import datetime
from functools import lru_cache

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from core.settings import Settings, get_settings
from notifications.mailbox import open_mailbox
from registry.db import transaction
from registry.inbound.sorting import take_in_mail
from registry.intake.calls import obligations_to_call, queue_call
from registry.intake.workbooks import IntakeResult
from registry.outbox.delivery import deliver_pending


def _settings() -> Settings:
    """Settings as the REFORM_* environment says now. Reading them costs milliseconds, which counts
    once per message; the same environment gives the same settings, so they are kept per environment."""
    return _settings_for(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("REFORM_"))))


@lru_cache(maxsize=8)
def _settings_for(_environment: tuple) -> Settings:
    return get_settings()


@task(name="obligations-to-call")
def phase_obligations_to_call(phase_code: str) -> list[int]:
    with transaction(get_settings().database_url) as session:
        return obligations_to_call(session, phase_code)


@task(name="queue-call", cache_policy=NONE)
async def queue_phase_call(obligation_id: int, now: datetime) -> int:
    """Async: a sync task called from an async flow pays a hand-off to a worker thread and back."""
    settings = get_settings()
    with transaction(settings.database_url) as session:
        outbox_id, _ = queue_call(session, obligation_id, settings, now)
    return outbox_id


@task(name="deliver-outbox")
async def deliver_outbox(now: datetime | None = None) -> dict[str, int]:
    settings = get_settings()
    report = await deliver_pending(settings.database_url, settings, now)
    return {"sent": len(report.sent), "deferred": len(report.deferred), "failed": len(report.failed)}


@task(name="pending-messages")
def pending_messages() -> list[str]:
    mailbox = open_mailbox(get_settings())
    try:
        return mailbox.pending()
    finally:
        mailbox.close()


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
    return await asyncio.to_thread(_take_in_each, refs, now)


def _take_in_each(refs: list[str], now: datetime | None) -> list[dict]:
    results = []
    for ref in refs:
        try:
            results.append(take_in_message_now(ref, now))
        except Exception:  # noqa: BLE001 - one broken message must not hold back the rest
            # Left unmarked in the mailbox, it is tried again on the next poll; the coordinator
            # sees it in the run's artifact and the traceback in the task's log.
            get_run_logger().exception("邮件 %s 处理失败，已留在收件箱待下次重试", ref)
            results.append(_plain(ref, IntakeResult(outcome="error")))
    return results


def take_in_message_now(ref: str, now: datetime | None = None) -> dict:
    """The task's body, callable without Prefect (the benchmark's plain loop, the crash test)."""
    settings = _settings()
    mailbox = open_mailbox(settings)
    try:
        raw = mailbox.read(ref)
        with transaction(settings.database_url) as session:
            result = take_in_mail(session, raw, settings, now or datetime.now())
        mailbox.mark_done(ref)
    finally:
        mailbox.close()
    return _plain(ref, result)


def _plain(ref: str, result: IntakeResult) -> dict:
    return {"ref": ref, **{k: v for k, v in asdict(result).items() if k != "receipt"}}
