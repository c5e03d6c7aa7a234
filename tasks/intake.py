"""Thin tasks for calls and intake: plain values in (ids, refs, times), plain values out.

Reads are plain functions beside the tasks (tasks/__init__.py says why).
"""
from __future__ import annotations

import asyncio
import threading
from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from core.settings import get_settings
from notifications.mailbox import MailboxPoll
from registry.intake import service as intake
from tasks.mail_intake import batches, take_in_each, take_in_message_now

__all__ = ["batches", "take_in_message_now"]  # the flow's and the tests' names for them, kept here


def phase_obligations_to_call(phase_code: str, campaign: str | None = None) -> list[int]:
    return intake.obligations_to_call(get_settings().database_url, phase_code, campaign)


@task(name="queue-calls", cache_policy=NONE)
async def queue_phase_calls(obligation_ids: list[int], now: datetime) -> list[int]:
    """Every call of a kickoff in one task: each has its own outbox key, so a retry queues only those
    a failed attempt had not. Async: a sync task called from an async flow pays a hand-off to a
    worker thread and back."""
    url = get_settings().database_url
    return [intake.queue_call(url, obligation_id, now) for obligation_id in obligation_ids]


# One poll, one login: the listing task leaves its open mailbox here, under the poll's flow run,
# for the batches that follow; the batch that takes in the last listed message closes it. A batch
# that finds no open poll for its messages (run on its own, or after a restart) opens its own.
_open_polls: dict[str | None, MailboxPoll] = {}
_open_polls_lock = threading.Lock()
# A poll whose flow run died between its batches leaves its mailbox here; beyond a few, the oldest
# is closed (the server would log it out anyway).
MAX_OPEN_POLLS = 4


async def pending_messages() -> list[str]:
    """The mailbox's listing, in a worker thread: a login and a listing wait on the network."""
    return await asyncio.to_thread(_list_pending, flow_run.id)


def _list_pending(poll_key: str | None) -> list[str]:
    poll = MailboxPoll(get_settings())
    refs = poll.pending()
    with _open_polls_lock:
        superseded = [_open_polls.pop(poll_key, None)]  # a retry of this poll's listing
        if refs:
            _open_polls[poll_key] = poll
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
    try:
        return take_in_each(poll, refs, now, get_run_logger())
    finally:
        if poll.finished:
            with _open_polls_lock:
                if _open_polls.get(poll_key) is poll:
                    del _open_polls[poll_key]
