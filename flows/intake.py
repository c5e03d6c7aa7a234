"""Poll the intake mailbox: a task per batch of messages, receipts delivered, an event per accepted submission."""
from __future__ import annotations

from datetime import datetime

from prefect import flow
from prefect.artifacts import create_table_artifact

from flows.artifacts import intake_table
from flows.events import announce_taken_in, newly_accepted
from flows.spread import MAILBOX_BATCH, spread, spreading
from tasks.districts import campaigns_to_open, open_accepted_campaigns
from tasks.intake import batches, pending_messages, release_poll, take_in_messages
from tasks.mail_intake import opens_campaigns
from tasks.outbox import deliver_due
from tasks.review import route_submissions

# Messages per run a poll hands over: a run costs a worker a process start, so it takes hundreds.
SPREAD_BATCH_SIZE = 200


@flow(name="mailbox-intake")
async def intake_flow(now: datetime | None = None, deliver: bool = True, refs: list[str] | None = None) -> list[dict]:
    """Take in what the mailbox holds, or the batch ``refs`` a poll handed over. A deployment's poll
    hands each batch of the messages it listed to a run of its own (flows.spread), so that several
    workers share one mailbox: each message is claimed in the registry before it is taken in, and
    a run that loses the claim skips it. That poll itself returns no results: its batches do."""
    if refs is None:
        refs = await pending_messages()
        if refs and spreading():
            release_poll()
            await spread(MAILBOX_BATCH, {
                f"batch-{n}": {"refs": batch, "deliver": deliver, "now": now.isoformat() if now else None}
                for n, batch in enumerate(batches(refs, SPREAD_BATCH_SIZE), start=1)})
            return []
    results = [result for batch in batches(refs) for result in await take_in_messages(batch, now)]
    if spreading():
        # A batch of a deployment's poll routes its own accepted lists to the four agencies: an event
        # per list would start a routing run per list, thousands for one poll of a province.
        for result in newly_accepted(results):
            route_submissions(result["submission_id"], now or datetime.now())
        announce_taken_in(results, accepted=False)  # the merge starts from the opinions' events
    else:
        announce_taken_in(results)  # review routing and the merge start from these events
    if opens_campaigns(results) and campaigns_to_open():  # their calls go out below
        await open_accepted_campaigns(now or datetime.now())
    if deliver:
        await deliver_due(now)
    table = intake_table(results)
    await create_table_artifact(key="mailbox-intake", table=table.rows, description=table.description)
    return results
