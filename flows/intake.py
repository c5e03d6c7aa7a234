"""Poll the intake mailbox: one task per message, receipts delivered, an event per accepted submission."""
from __future__ import annotations

from datetime import datetime

from prefect import flow
from prefect.artifacts import create_table_artifact

from flows.artifacts import intake_table
from flows.events import announce_taken_in
from tasks.districts import open_accepted_campaigns
from tasks.intake import batches, pending_messages, take_in_messages
from tasks.outbox import deliver_outbox


@flow(name="mailbox-intake")
async def intake_flow(now: datetime | None = None, deliver: bool = True) -> list[dict]:
    results = [result for batch in batches(pending_messages()) for result in await take_in_messages(batch, now)]
    announce_taken_in(results)  # review routing and the merge start from these events
    if any(r["outcome"] == "accepted" and not r["already_seen"] for r in results):
        # A district's or regulator's accepted work plan opens its campaign, whose calls go out below.
        open_accepted_campaigns(now or datetime.now())
    if deliver:
        await deliver_outbox(now)
    table = intake_table(results)
    await create_table_artifact(key="mailbox-intake", table=table.rows, description=table.description)
    return results
