"""Thin tasks of the review phase over review's use cases: ids and times in, plain dicts out.

Reads are plain functions beside the tasks (tasks/__init__.py says why).
"""
from __future__ import annotations

from datetime import date, datetime

from prefect import task

from core.settings import get_settings
from registry.review import service as review


def _url() -> str:
    return get_settings().database_url


@task(name="route-submissions")
def route_submissions(submission_id: int | None, now: datetime) -> list[dict]:
    """Route one accepted list (from its event) or every one not yet routed (the safety net)."""
    return review.route_submissions(_url(), submission_id, now)


def submissions_ready() -> list[int]:
    return review.submissions_ready(_url())


def unrouted_submissions() -> list[int]:
    return review.unrouted_submissions(_url())


@task(name="merge-opinions")
def merge_opinions(submission_ids: list[int], now: datetime) -> list[dict]:
    """Merge each submission's four opinions, each in its own transaction: a concurrent merge that
    won leaves that one a no-op, and a retry redoes only the merges still undone."""
    url = _url()
    return [review.merge_submission(url, submission_id, now) for submission_id in submission_ids]


def review_status_rows(as_of: date) -> list[dict]:
    return review.review_status(_url(), as_of)
