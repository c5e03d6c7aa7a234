"""What the registry knows of the reform's results, city-wide or for one unit: the figures a
self-report comes pre-filled with (rules.self_reports.Figures).

The approved items are those the guides obligations cover (registry.campaign.scoped keeps them in
step with the newest approved version); the guides counted are those both reviewers agreed
(同意), the certificates those whose disposition the review decided. Read here, below the
self-report room, because a report's figures are fixed when the sweep opens it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.campaign.tables import Obligation, Phase
from registry.certificates.listing import certificates_list
from registry.directory.tables import Organisation
from registry.guides.tables import Guide, GuideCheck
from rules.certificates import Disposition
from rules.review import GuideOpinion
from rules.self_reports import Figures


def report_figures(session: Session, campaign_id: int, org_code: str | None = None) -> Figures:
    """City-wide with ``org_code`` None; otherwise that unit's own."""
    items = guides = days_cut = online = zero_visits = 0
    query = (select(Obligation).join(Phase, Phase.id == Obligation.phase_id)
             .join(Organisation, Organisation.id == Obligation.debtor_id)
             .where(Obligation.campaign_id == campaign_id, Phase.code == "guides", Obligation.ref == ""))
    if org_code is not None:
        query = query.where(Organisation.code == org_code)
    for obligation in session.scalars(query):
        covered = {str(i["code"]) for i in (obligation.scope or {}).get("items") or []}
        items += len(covered)
        check = session.scalar(select(GuideCheck).where(GuideCheck.obligation_id == obligation.id,
                                                        GuideCheck.accepted.is_(True))
                               .order_by(GuideCheck.version.desc()).limit(1))
        if check is None:
            continue
        for guide in session.scalars(select(Guide).where(Guide.submission_id == check.submission_id,
                                                         Guide.review_outcome == GuideOpinion.AGREE)):
            if guide.code not in covered:
                continue
            guides += 1
            promised = guide.promised_days if guide.promised_days is not None else (0 if guide.immediate else None)
            if guide.legal_days is not None and promised is not None and promised < guide.legal_days:
                days_cut += guide.legal_days - promised
            online += bool(guide.online)
            zero_visits += guide.visits == 0
    decided = [c for c in certificates_list(session, org_code) if c["state"] == "decided"]
    count = lambda d: sum(c["disposition"] == d for c in decided)  # noqa: E731
    return Figures(items=items, guides=guides, cancelled=count(Disposition.CANCEL), shared=count(Disposition.SHARE),
                   committed=count(Disposition.COMMIT), days_cut=days_cut, online=online, zero_visits=zero_visits)
