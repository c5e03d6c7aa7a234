"""Parallel review as flows: route accepted lists to the four agencies, merge their opinions.

Both are short and idempotent: routing runs on each acceptance event and again from the sweep; the
merge runs when an opinion arrives and on a schedule. Neither waits for anyone: the registry holds
the state between runs.
"""
from __future__ import annotations

from datetime import date, datetime

from prefect import flow
from prefect.artifacts import create_table_artifact

from flows.artifacts import review_status_table
from tasks.outbox import deliver_due
from tasks.review import (
    merge_opinions,
    review_status_rows,
    route_submissions,
    submissions_ready,
)


@flow(name="review-routing")
async def review_routing_flow(submission_id: int | None = None, now: datetime | None = None,
                              deliver: bool = True) -> list[dict]:
    """One accepted list (from its event), or every list not yet routed when no id is given."""
    now = now or datetime.now()
    routed = route_submissions(submission_id, now)
    if deliver:
        await deliver_due(now)
    await publish_review_status(now.date())
    return routed


@flow(name="review-merge")
async def review_merge_flow(submission_id: int | None = None, now: datetime | None = None,
                            deliver: bool = True) -> list[dict]:
    """Merge every submission whose four opinions are in (or the one named)."""
    now = now or datetime.now()
    ids = [submission_id] if submission_id is not None else submissions_ready()
    merged = merge_opinions(ids, now) if ids else []
    if deliver:
        await deliver_due(now)
    await publish_review_status(now.date())
    return merged


async def publish_review_status(as_of: date) -> None:
    table = review_status_table(review_status_rows(as_of), as_of)
    await create_table_artifact(key="review-status", table=table.rows, description=table.description)
