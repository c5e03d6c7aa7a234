"""Review's use cases: route lists to the four agencies, merge their opinions, the coordinator's
decisions, recheck, approval and later adjustments.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.settings import Settings, get_settings
from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.directory.queries import contact_email
from registry.directory.tables import Organisation
from registry.intake.calls import template_for
from registry.intake.reply_tokens import reply_address, subject_tag, token_for
from registry.intake.tables import Submission
from registry.review import approval, merge, routing, status
from registry.review.approval import ApprovalRefused  # noqa: F401 - what a caller catches: lists not ready
from registry.review.obligations import APPROVAL
from registry.review.subjects import REVIEW_PHASES, items_of
from registry.review.tables import ConsolidatedItem, ConsolidatedOpinion, CoordinatorDecision, ReviewResponse
from rules.obligations import CLOSED


@dataclass(frozen=True)
class FrozenVersion:
    """A frozen version of the city list: its number, item count, change log and workbook; what the
    approval overtook, and the departments frozen before their list was through review (only when forced)."""

    number: int
    items: int
    changes: dict
    content: bytes
    overtaken: list[approval.Overtaken] = field(default_factory=list)  # phase: review | response | approval
    unfinished: str = ""  # the departments frozen unfinished, by stage: "审核中：市教育局；未提交：…"
    called: int = 0  # departments' guides and certificates obligations opened (or given new items) and called


def review_status(url: str, as_of: date, submission_id: int | None = None,
                  campaign: str | None = None) -> list[dict]:
    """One row per reviewed submission of the campaign (the city's unless named), or only the one named."""
    with transaction(url) as session:
        rows = status.review_status(session, as_of, campaign)
    return [r for r in rows if submission_id is None or r["submission_id"] == submission_id]


def route_submissions(url: str, submission_id: int | None, now: datetime,
                      settings: Settings | None = None) -> list[dict]:
    """Route one accepted list (from its event) or every one not yet routed (the safety net)."""
    settings = settings or get_settings()

    def attempt() -> list[dict]:
        with transaction(url) as session:
            if submission_id is None:
                return [asdict(r) for r in routing.route_pending_submissions(session, settings, now)]
            return [asdict(routing.route_submission(session, submission_id, settings, now))]

    try:
        return attempt()
    except IntegrityError:
        # The event and the sweep routed the same list at the same moment: the other run's
        # obligations are committed now, so a second pass finds them and changes nothing.
        return attempt()


def submissions_ready(url: str) -> list[int]:
    """Submissions whose four opinions are all in and not yet merged."""
    with transaction(url) as session:
        return merge.submissions_ready_to_merge(session)


def merge_submission(url: str, submission_id: int, now: datetime, settings: Settings | None = None) -> dict:
    """Merge one submission's four opinions. A concurrent merge that won leaves this one a no-op."""
    try:
        with transaction(url) as session:
            return asdict(merge.merge_submission(session, submission_id, settings or get_settings(), now))
    except IntegrityError:
        return asdict(merge.MergeResult(submission_id, created=False))


def decide_conflict(url: str, submission_id: int, item: str, opinion: str, reason: str, now: datetime, *,
                    adjusted: str = "", actor: str = "coordinator", settings: Settings | None = None) -> bool:
    """Record the coordinator's decision on one conflicting item; True when the opinion was issued now."""
    with transaction(url) as session:
        _, issued = merge.decide_conflict(session, submission_id, item, opinion, reason, actor,
                                          settings or get_settings(), now, adjusted)
    return issued


def finish_recheck(url: str, submission_id: int, note: str, now: datetime, actor: str = "coordinator") -> int:
    """Mark 编委办's recheck done (by the reviewed or the revised list's id); returns the recheck's id."""
    with transaction(url) as session:
        return approval.finish_recheck(session, submission_id, actor, note, now).id


def approve(url: str, on: date, meeting: str, document: str, now: datetime, actor: str = "coordinator",
            force_reason: str = "", campaign: str | None = None) -> FrozenVersion:
    """Record the government's approval and freeze version 1 (the same document again: the same version).

    Refused while no list has come in, or, unless ``force_reason`` says why, while any department's
    list is not through review, response and recheck; what is still open of those is closed as overtaken.
    """
    with transaction(url) as session:
        return _plain(approval.approve(session, on, meeting, document, actor, now, force_reason,
                                       campaign_code=campaign))


def adjust(url: str, on: date, reason: str, document: str, now: datetime, actor: str = "coordinator",
           force_reason: str = "", campaign: str | None = None) -> FrozenVersion:
    """A later adjustment (动态调整): the lists as they stand now, frozen as the next version (the same gate)."""
    with transaction(url) as session:
        return _plain(approval.adjust(session, on, reason, document, actor, now, force_reason,
                                      campaign_code=campaign))


def _plain(frozen: approval.Frozen) -> FrozenVersion:
    version = frozen.version
    return FrozenVersion(version.version, version.item_count, version.change_log, version.content,
                         frozen.overtaken, approval.by_stage(frozen.unfinished), frozen.called)


def unrouted_submissions(url: str) -> list[int]:
    """Current reviewed documents not yet sent to the agencies nor recorded as a response (routing.unrouted)."""
    with transaction(url) as session:
        return routing.unrouted(session)


@dataclass(frozen=True)
class OpenReview:
    obligation_id: int
    agency: str  # the reviewing agency's code
    submission_id: int
    phase: str = "review"  # review | guides_review | certificates_review
    district: str = ""  # whose campaign it is in: a district's code, "" the city's


def open_reviews(url: str) -> list[OpenReview]:
    """Every review obligation an agency still owes, whoever routed its packet (the event or the sweep)."""
    with transaction(url) as session:
        rows = session.execute(
            select(Obligation.id, Organisation.code, Obligation.ref, Phase.code, Obligation.district)
            .join(Organisation, Organisation.id == Obligation.debtor_id).join(Phase, Phase.id == Obligation.phase_id)
            .where(Phase.code.in_(REVIEW_PHASES), Obligation.state.not_in([str(s) for s in CLOSED]))
            .order_by(Obligation.id))
        return [OpenReview(obligation_id, agency, int(ref), phase, district)
                for obligation_id, agency, ref, phase, district in rows]


def conflicting_items(url: str, submission_id: int) -> list[str]:
    """The item numbers (序号) of a written opinion on which the agencies disagreed."""
    with transaction(url) as session:
        return list(session.scalars(
            select(ConsolidatedItem.seq).join(ConsolidatedOpinion,
                                              ConsolidatedOpinion.id == ConsolidatedItem.consolidated_id)
            .where(ConsolidatedOpinion.submission_id == submission_id, ConsolidatedItem.conflict.is_(True))
            .order_by(ConsolidatedItem.position)))


def open_rechecks(url: str, district: str | None = None) -> list[int]:
    """Reviewed submissions whose department answered and whose recheck by 编委办 is still open
    (in every campaign, or only in the district's when named; "" is the city's)."""
    with transaction(url) as session:
        query = select(Obligation.ref).join(Phase, Phase.id == Obligation.phase_id).where(
            Phase.code == APPROVAL, Obligation.ref.like("recheck:%"), Obligation.state.not_in([str(s) for s in CLOSED]))
        if district is not None:
            query = query.where(Obligation.district == district)
        refs = session.scalars(query.order_by(Obligation.id)).all()
    return [int(ref.split(":")[1]) for ref in refs]


@dataclass(frozen=True)
class ResponseRecord:
    reviewed_submission_id: int
    submission_id: int  # the revised list that answered it


def review_responses(url: str) -> list[ResponseRecord]:
    """Every department's response to its written opinion, in the order they came in."""
    with transaction(url) as session:
        rows = session.execute(select(ReviewResponse.reviewed_submission_id, ReviewResponse.submission_id)
                               .order_by(ReviewResponse.id))
        return [ResponseRecord(*row) for row in rows]


@dataclass(frozen=True)
class RevisionBasis:
    """What a department works from when it revises its list after the written opinion."""

    sender: str  # the department's contact address
    reply_to: str  # the intake address carrying its inventory obligation's token
    subject_tag: str
    template: bytes  # its inventory template, as in the call
    items: list[dict]  # its current list, item by item
    outcomes: dict[str, str]  # item name -> the written opinion's outcome (rules.review.Opinion)


def revision_basis(url: str, reviewed_submission_id: int, now: datetime,
                   settings: Settings | None = None) -> RevisionBasis:
    settings = settings or get_settings()
    with transaction(url) as session:
        obligation = session.get(Obligation, session.get(Submission, reviewed_submission_id).obligation_id)
        outcomes = dict(session.execute(select(ConsolidatedItem.name, ConsolidatedItem.outcome).join(
            ConsolidatedOpinion, ConsolidatedOpinion.id == ConsolidatedItem.consolidated_id)
            .where(ConsolidatedOpinion.submission_id == reviewed_submission_id)).all())
        current = session.scalar(select(Submission.id).where(Submission.obligation_id == obligation.id,
                                                             Submission.state == "accepted"))
        _, template = template_for(session, obligation, settings, now)
        token = token_for(session, obligation.id, now)
        return RevisionBasis(contact_email(session, obligation.debtor_id),
                             reply_address(settings.mailbox.intake_address, token), subject_tag(token), template,
                             items_of(session, current), outcomes)


def conflicts_of(url: str, submission_id: int) -> list[dict]:
    """The items of a written opinion on which the agencies disagreed: each agency's opinion, and the
    coordinator's decision once made (by whom)."""
    with transaction(url) as session:
        rows = session.execute(
            select(ConsolidatedItem, CoordinatorDecision)
            .join(ConsolidatedOpinion, ConsolidatedOpinion.id == ConsolidatedItem.consolidated_id)
            .outerjoin(CoordinatorDecision, CoordinatorDecision.item_id == ConsolidatedItem.id)
            .where(ConsolidatedOpinion.submission_id == submission_id, ConsolidatedItem.conflict.is_(True))
            .order_by(ConsolidatedItem.position)).all()
        return [{"seq": item.seq, "name": item.name,
                 "opinions": {agency: {"opinion": o[0], "reason": o[1] if len(o) > 1 else "",
                                       "adjusted": o[2] if len(o) > 2 else ""}
                              for agency, o in (item.opinions or {}).items()},
                 "outcome": item.outcome, "reason": item.reason,
                 "decided_by": decision.actor if decision else None,
                 "decided_at": decision.decided_at.isoformat(sep=" ", timespec="minutes") if decision else None}
                for item, decision in rows]
