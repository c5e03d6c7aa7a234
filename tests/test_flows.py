"""The campaign flows run on a real (temporary) Prefect server and leave artifacts behind."""
from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import func, select

from registry.campaign.obligations import fulfil
from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.directory.store import upsert_directory
from rules.organisations import OrgKind, OrgRecord


def test_daily_standing_counts_each_phase_and_leaves_an_artifact(initialised, prefect_server):
    from prefect.client.orchestration import get_client

    from flows.campaign import daily_standing_flow

    with transaction(initialised) as session:
        fulfil(session, "inventory", "jyj", date(2016, 7, 25), actor="jyj", reason="报送")
        owing = session.scalar(select(func.count()).select_from(Obligation).join(Phase)
                               .where(Phase.code == "inventory", Obligation.ref == ""))
    counts = asyncio.run(daily_standing_flow(date(2016, 8, 2)))
    assert counts["inventory"]["done"] == 1
    # The day after the deadline every other department is late, however lateness is graded.
    assert set(counts["inventory"]) - {"done"} <= {"yellow", "red"}
    late = counts["inventory"].get("yellow", 0) + counts["inventory"].get("red", 0)
    assert owing > 40 and late == owing - 1

    async def latest_table():
        async with get_client() as client:
            return await client.read_latest_artifacts()

    keys = {a.key for a in asyncio.run(latest_table())}
    assert {"campaign-standing", "campaign-overdue"} <= keys


def test_opening_a_phase_opens_what_is_missing_and_again_opens_nothing(initialised, prefect_server):
    from flows.campaign import open_phase_flow

    # A department added to the directory after the phase opened owes its inventory too.
    with transaction(initialised) as session:
        upsert_directory(session, [OrgRecord(code="xzj", name="沈阳市新设局", short_name="新设局",
                                             kind=OrgKind.DEPARTMENT)])
    assert asyncio.run(open_phase_flow("inventory", date(2016, 6, 12))) == 1
    assert asyncio.run(open_phase_flow("inventory", date(2016, 6, 12))) == 0
