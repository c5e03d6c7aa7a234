"""One API client for many flow runs in one process.

Each flow run and each task run otherwise builds its own Prefect client, and each client loads the
certificate store for a TLS context it never uses on a loopback http:// API: most of a flow run's
own CPU time in the demo, which runs hundreds of them one after the other.

Only the sync client is shared. Sharing the async one too made each sync task of an async flow wait
about a quarter of a second for the flow's event loop: slower on the clock, though cheaper in CPU.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prefect.context import SyncClientContext


@asynccontextmanager
async def shared_api_clients() -> AsyncIterator[None]:
    """Flow runs started inside this block, and their tasks, use one sync client."""
    with SyncClientContext.get_or_create():
        yield
