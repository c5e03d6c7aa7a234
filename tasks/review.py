"""Thin tasks of the review phase: ids and times in, plain dicts out. Each runs one transaction."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from prefect import task
from sqlalchemy.exc import IntegrityError

from core.settings import get_settings
from registry.db import transaction


def _url() -> str:
    return get_settings().database_url


@task(name="route-submissions")
def route_submissions(submission_id: int | None, now: datetime) -> list[dict]:
    """Route one accepted list (from its event) or every one not yet routed (the safety net)."""
    from registry.review.routing import route_pending_submissions, route_submission

    def attempt() -> list[dict]:
        settings = get_settings()
        with transaction(_url()) as session:
            if submission_id is None:
                return [asdict(r) for r in route_pending_submissions(session, settings, now)]
            return [asdict(route_submission(session, submission_id, settings, now))]

    try:
        return attempt()
    except IntegrityError:
        # The event and the sweep routed the same list at the same moment: the other run's
        # obligations are committed now, so a second pass finds them and changes nothing.
        return attempt()


@task(name="submissions-ready-to-merge")
def submissions_ready() -> list[int]:
    from registry.review.merge import submissions_ready_to_merge

    with transaction(_url()) as session:
        return submissions_ready_to_merge(session)


@task(name="merge-opinions")
def merge_opinions_of(submission_id: int, now: datetime) -> dict:
    """Merge one submission's four opinions. A concurrent merge that won leaves this one a no-op."""
    from registry.review.merge import merge_submission

    try:
        with transaction(_url()) as session:
            return asdict(merge_submission(session, submission_id, get_settings(), now))
    except IntegrityError:
        return {"submission_id": submission_id, "created": False, "conflicts": 0, "issued": False}


@task(name="review-status")
def review_status_rows(as_of: date) -> list[dict]:
    from registry.review.status import review_status

    with transaction(_url()) as session:
        return review_status(session, as_of)
