"""Where every reviewed submission stands (a list, a department's guides, its certificate ledger): each
reviewing agency with its state, and what follows."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Phase
from registry.directory.queries import reviewers
from registry.directory.tables import Organisation
from registry.intake.tables import Submission
from registry.review.approval import review_stages
from registry.review.subjects import INVENTORY, REVIEW_PHASES, SUBJECTS
from registry.review.tables import ConsolidatedOpinion, ReviewReply
from rules.obligations import CLOSED

AGENCY_STATE_NAMES = {"open": "待审核", "returned": "已退回待重报", "fulfilled": "已提交意见", "waived": "已撤回"}


def review_status(session: Session, as_of: date, campaign_code: str | None = None) -> list[dict]:
    """One row per reviewed submission: department, version, each agency's state, the stage after."""
    campaign = find_campaign(session, campaign_code)
    agencies = {o.id: o.short_name or o.name for o in reviewers(session, campaign.district)}
    rows = session.execute(
        select(Obligation.ref, Obligation.debtor_id, Obligation.state, Obligation.due)
        .join(Phase, Phase.id == Obligation.phase_id)
        .where(Obligation.campaign_id == campaign.id, Phase.code.in_(REVIEW_PHASES))).all()
    by_submission: dict[int, dict[int, str]] = {}
    for ref, debtor_id, state, due in rows:
        late = "（逾期）" if state not in CLOSED and due < as_of else ""
        by_submission.setdefault(int(ref), {})[debtor_id] = AGENCY_STATE_NAMES.get(state, state) + late
    late_replies = set(session.scalars(select(ReviewReply.submission_id).where(ReviewReply.after_merge.is_(True))))
    merged = dict(session.execute(select(ConsolidatedOpinion.submission_id, ConsolidatedOpinion.conflicts)).all())
    issued = set(session.scalars(select(ConsolidatedOpinion.submission_id)
                                 .where(ConsolidatedOpinion.state == "issued")))
    ids = sorted(by_submission)
    # Loaded together, not one by one: the status is read on every routing and merge run.
    submissions = {s.id: s for s in session.scalars(select(Submission).where(Submission.id.in_(ids)))}
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(
        Organisation.id.in_({s.org_id for s in submissions.values()})))}
    phase_codes = dict(session.execute(select(Obligation.id, Phase.code).join(Phase, Phase.id == Obligation.phase_id)
                                       .where(Obligation.id.in_({s.obligation_id for s in submissions.values()}))).all())
    stages = review_stages(session, campaign, [s.obligation_id for s in submissions.values()
                                               if SUBJECTS.get(phase_codes[s.obligation_id]) is INVENTORY])
    report = []
    for submission_id in ids:
        submission = submissions[submission_id]
        org = orgs[submission.org_id]
        subject = SUBJECTS.get(phase_codes[submission.obligation_id])
        withdrawn = all(v == AGENCY_STATE_NAMES["waived"] for v in by_submission[submission_id].values())
        if withdrawn:
            stage = "已被新版本取代"
        elif subject is INVENTORY:
            stage = stages[submission.obligation_id]
        else:
            stage = "已审定" if submission_id in issued else "待协调" if submission_id in merged else "审核中"
        report.append({
            "submission_id": submission_id, "org": org.code, "org_name": org.name, "version": submission.version,
            "subject": subject.title,
            "agencies": {name: by_submission[submission_id].get(agency_id, "—") for agency_id, name in agencies.items()},
            "conflicts": merged.get(submission_id, 0),
            "stage": stage,
            "late_opinion": submission_id in late_replies,
        })
    return report
