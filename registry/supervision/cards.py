"""The cards each organisation has received: the yellow, red and 督查 rungs its obligations took."""
from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation
from registry.directory.tables import Organisation
from registry.supervision.tables import RungTaken

CARD_RUNGS = ("yellow", "red", "supervision")


def cards_by_organisation(session: Session, campaign_code: str | None) -> dict[str, dict[str, int]]:
    """Organisation code -> rung -> how many of its obligations in the campaign took it."""
    campaign = find_campaign(session, campaign_code)
    rows = session.execute(
        select(Organisation.code, RungTaken.rung)
        .join(Obligation, Obligation.id == RungTaken.obligation_id)
        .join(Organisation, Organisation.id == Obligation.debtor_id)
        .where(Obligation.campaign_id == campaign.id, RungTaken.rung.in_(CARD_RUNGS)))
    counted: dict[str, Counter] = defaultdict(Counter)
    for org, rung in rows:
        counted[org][rung] += 1
    return {org: dict(c) for org, c in counted.items()}
