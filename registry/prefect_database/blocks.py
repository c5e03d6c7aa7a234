"""Prefect's block types written into its database once, before its API servers start.

Each API server process registers them at its start; M processes starting together on an empty
database race on the same unique keys, and uvicorn stops every process when one fails to start.
So the servers start with PREFECT_SERVER_REGISTER_BLOCKS_ON_START=false and this runs first, alone,
as each server would (PREFECT_* settings from the environment):

    python -m registry.prefect_database.blocks
"""
from __future__ import annotations

import asyncio

from prefect.server.database import provide_database_interface
from prefect.server.models.block_registration import run_block_auto_registration


async def register_blocks() -> None:
    db = provide_database_interface()
    session = await db.session()
    async with session:
        await run_block_auto_registration(session=session)


if __name__ == "__main__":
    asyncio.run(register_blocks())
