"""Review's use cases: route lists to the four agencies, merge their opinions, the coordinator's
decisions, recheck, approval and later adjustments.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from core.settings import Settings, get_settings
from registry.db import transaction
from registry.review import approval, merge, routing, status


@dataclass(frozen=True)
class FrozenVersion:
    """A frozen version of the city list: its number, item count, change log and workbook."""

    number: int
    items: int
    changes: dict
    content: bytes


def review_status(url: str, as_of: date, submission_id: int | None = None) -> list[dict]:
    """One row per reviewed submission (or only the one named)."""
    with transaction(url) as session:
        rows = status.review_status(session, as_of)
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


def approve(url: str, on: date, meeting: str, document: str, now: datetime,
            actor: str = "coordinator") -> FrozenVersion:
    """Record the government's approval and freeze version 1 (the same document again: the same version)."""
    with transaction(url) as session:
        return _plain(approval.approve(session, on, meeting, document, actor, now))


def adjust(url: str, on: date, reason: str, document: str, now: datetime, actor: str = "coordinator") -> FrozenVersion:
    """A later adjustment (动态调整): the lists as they stand now, frozen as the next version."""
    with transaction(url) as session:
        return _plain(approval.adjust(session, on, reason, document, actor, now))


def _plain(version) -> FrozenVersion:
    return FrozenVersion(version.version, version.item_count, version.change_log, version.content)
