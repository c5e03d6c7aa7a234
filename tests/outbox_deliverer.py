"""A deliverer in its own process, for the tests that run several at once or kill one mid-delivery.

    python -m tests.outbox_deliverer DATABASE_URL

Reads REFORM_SMTP_* like any deliverer; delivers until nothing is due and prints the counts.
"""
from __future__ import annotations

import asyncio
import json
import sys

from core.settings import get_settings
from registry.outbox.service import deliver


def main(url: str) -> None:
    totals = {"sent": 0, "deferred": 0, "failed": 0}
    while True:
        counts = asyncio.run(deliver(url, settings=get_settings()))
        for name, n in counts.items():
            totals[name] += n
        if not any(counts.values()):
            break
    print(json.dumps(totals))


if __name__ == "__main__":
    main(sys.argv[1])
