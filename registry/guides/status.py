"""Where each approved item's guide stands: handed in, complete, reviewed.

Read from the guides obligations (which items each covers), the versions handed in, each version's
completeness check and the reviewers' verdict kept on each accepted guide.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Phase
from registry.directory.tables import Organisation
from registry.guides.checking import covered_items
from registry.guides.tables import Guide, GuideCheck
from rules.guides import ELEMENTS
from rules.obligations import State
from rules.review import GuideOpinion

GUIDES = "guides"
STATE_NAMES = {"missing": "未报送", "rejected": "未通过校验", "under_review": "审核中", "revise": "待修改",
               "agreed": "审核通过", "waived": "已免除"}


def guides_status(session: Session, org_code: str | None = None, campaign_code: str | None = None) -> list[dict]:
    """One entry per approved item a guides obligation covers, in department and list order."""
    campaign = find_campaign(session, campaign_code)
    query = (select(Obligation).join(Phase, Phase.id == Obligation.phase_id)
             .join(Organisation, Organisation.id == Obligation.debtor_id)
             .where(Obligation.campaign_id == campaign.id, Phase.code == GUIDES, Obligation.ref == "")
             .order_by(Organisation.id))
    if org_code is not None:
        query = query.where(Organisation.code == org_code)
    return [entry for obligation in session.scalars(query) for entry in _entries(session, obligation)]


def _entries(session: Session, obligation: Obligation) -> list[dict]:
    checks = session.scalars(select(GuideCheck).where(GuideCheck.obligation_id == obligation.id)
                             .order_by(GuideCheck.version.desc())).all()
    current = next((c for c in checks if c.accepted), None)
    check = current or (checks[0] if checks else None)
    verdicts = dict(session.execute(select(Guide.code, Guide.review_outcome)
                                    .where(Guide.submission_id == current.submission_id)).all()) if current else {}
    org = obligation.debtor
    entries = []
    for item in covered_items(obligation):
        code = item["code"]
        missing = list(check.missing.get(code, ELEMENTS)) if check else list(ELEMENTS)
        state = _state(obligation, bool(checks), current is not None, verdicts.get(code, ""))
        entries.append({"org": org.code, "org_name": org.name, "item": item["name"], "code": code, "state": state,
                        "state_name": STATE_NAMES[state], "complete": not missing, "missing": missing,
                        "version": current.version if current else None, "obligation_id": obligation.id})
    return entries


def _state(obligation: Obligation, handed_in: bool, accepted: bool, verdict: str) -> str:
    if obligation.state == State.WAIVED:
        return "waived"
    if not accepted:
        return "rejected" if handed_in else "missing"
    if verdict == GuideOpinion.REVISE:
        return "revise"
    return "agreed" if verdict == GuideOpinion.AGREE else "under_review"


def simplification_totals(session: Session) -> dict[str, int]:
    """What the standing guides achieve city-wide, summed over each department's newest accepted
    version: days cut from the legal limits, materials removed against the inventory, items needing
    no visit to the hall (零跑动)."""
    current: dict[int, GuideCheck] = {}
    for check in session.scalars(select(GuideCheck).where(GuideCheck.accepted.is_(True))
                                 .order_by(GuideCheck.version)):
        current[check.obligation_id] = check
    figures = [c.simplification for c in current.values()]
    return {"departments": len(figures), "items": sum(f.get("items", 0) for f in figures),
            "days_cut": sum(f.get("days_cut", 0) for f in figures),
            "items_cut": sum(f.get("items_cut", 0) for f in figures),
            "materials_removed": sum(len(f.get("materials_removed", ())) for f in figures),
            "zero_visits": sum(f.get("visits", {}).get("0", 0) for f in figures),
            "online": sum(f.get("online", 0) for f in figures)}
