"""What a one-shot command runs when no Prefect server is configured: its flow's steps, each the
same service call the flow's task makes, in order and in this process, without Prefect.

For a single run Prefect's bookkeeping adds nothing a coordinator reads (the command prints its
outcome), while importing Prefect and starting a temporary server for it cost seconds to tens of
seconds. What a flow leaves for a server only is left out: its artifacts, and the events that no
deployment is there to hear (an accepted list is routed by the sweep's safety net, or by `reform
review route`). Scheduled work (`reform serve`, the deployments, the cluster) always runs the flows.
Importing this module imports no Prefect.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from core.settings import get_settings
from notifications.mailbox import MailboxPoll
from registry.outbox import service as outbox

# Each command imports the service modules of its own steps only, in its function: the registry's
# taking-in and review bring workbook parsing (pandas), seconds an empty mailbox has no use for.

# Without Prefect's run logger, a message that fails is told on stderr by Python's own last resort.
log = logging.getLogger("reform.intake")


def take_in_mailbox(now: datetime | None = None, deliver: bool = True) -> list[dict]:
    """flows.intake.intake_flow for one poll: every message listed, taken in over one connection,
    the campaigns that accepted work plans open, then the outbox delivered (the receipts)."""
    settings = get_settings()
    poll = MailboxPoll(settings)
    refs = poll.pending()  # an empty mailbox (or a failed listing) leaves the poll closed
    results = _take_in_listed(poll, refs, now) if refs else []
    if deliver:
        _deliver(now)
    return results


def _take_in_listed(poll: MailboxPoll, refs: list[str], now: datetime | None) -> list[dict]:
    from registry.districts import service as districts  # noqa: PLC0415 - slow import, see above
    from tasks.mail_intake import opens_campaigns, take_in_each  # noqa: PLC0415 - slow import, see above

    try:
        results = take_in_each(poll, refs, now, log)
    finally:
        poll.close()
    if opens_campaigns(results):
        districts.open_accepted(get_settings().database_url, (now or datetime.now()).date(), now or datetime.now())
    return results


def kick_off(phase_code: str, campaign: str | None = None, now: datetime | None = None) -> dict:
    """flows.kickoff.kickoff_flow: one call queued per obligated organisation, then delivered."""
    from registry.intake import service as intake  # noqa: PLC0415 - slow import, see above

    now = now or datetime.now()
    url = get_settings().database_url
    outbox_ids = [intake.queue_call(url, obligation_id, now)
                  for obligation_id in intake.obligations_to_call(url, phase_code, campaign)]
    return {"calls": len(outbox_ids), **_deliver(now)}


def route_submissions(now: datetime | None = None) -> list[dict]:
    """flows.review.review_routing_flow for every list not yet routed."""
    from registry.review import service as review  # noqa: PLC0415 - slow import, see above

    now = now or datetime.now()
    routed = review.route_submissions(get_settings().database_url, None, now)
    _deliver(now)
    return routed


def merge_opinions(now: datetime | None = None) -> list[dict]:
    """flows.review.review_merge_flow for every submission whose opinions are all in."""
    from registry.review import service as review  # noqa: PLC0415 - slow import, see above

    now = now or datetime.now()
    url = get_settings().database_url
    merged = [review.merge_submission(url, submission_id, now) for submission_id in review.submissions_ready(url)]
    _deliver(now)
    return merged


def _deliver(now: datetime | None) -> dict[str, int]:
    return asyncio.run(outbox.deliver(get_settings().database_url, now))
