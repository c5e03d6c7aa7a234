"""The mailbox poll as a deployment: every 5 minutes. Run `python -m deployments.intake` beside a Prefect server."""
from __future__ import annotations

from datetime import timedelta

from prefect import serve

from flows.intake import intake_flow

POLL_EVERY = timedelta(minutes=5)


def intake_deployment():
    return intake_flow.to_deployment(name="mailbox-poll", interval=POLL_EVERY,
                                     description="每 5 分钟收取一次报送邮箱：校验、登记、回执。")


if __name__ == "__main__":
    serve(intake_deployment())
