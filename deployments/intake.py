"""The mailbox poll as a deployment: every 5 minutes. Run `python -m deployments.intake` beside a Prefect server."""
from __future__ import annotations

from datetime import timedelta

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

from flows.intake import intake_flow
from flows.spread import MAILBOX_BATCH, deployment_name

POLL_EVERY = timedelta(minutes=5)


# One poll of a mailbox at a time: a poll still running when the next is due makes the next one
# pointless, and it is cancelled rather than queued behind it.
ONE_POLL_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)


def intake_deployment():
    return intake_flow.to_deployment(name="mailbox-poll", interval=POLL_EVERY, concurrency_limit=ONE_POLL_AT_A_TIME,
                                     description="每 5 分钟收取一次报送邮箱：校验、登记、回执。")


def batch_deployment():
    """A batch of claimed messages (parameter refs) handed over by the poll, so several workers share one mailbox."""
    return intake_flow.to_deployment(name=deployment_name(MAILBOX_BATCH),
                                     description="处理收取流程分派的一批已认领邮件：校验、登记、回执。")


if __name__ == "__main__":
    serve(intake_deployment(), batch_deployment())
