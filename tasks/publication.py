"""Thin Prefect tasks of publication over its use cases: version numbers and times in, plain dicts out.

Reads are plain functions beside the tasks (tasks/__init__.py says why).
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from prefect import task

from core.settings import get_settings
from registry.publication import service as publication


def _url() -> str:
    return get_settings().database_url


def unpublished_versions(campaign: str | None = None) -> list[int]:
    return publication.unpublished_versions(_url(), campaign)


def campaigns_to_publish() -> list[str]:
    return publication.campaigns_to_publish(_url())


@task(name="publish-version")
def publish_version(version: int | None, now: datetime, campaign: str | None = None) -> dict:
    """Render the version as the public site, move it into place, send the departments their parts."""
    published = asdict(publication.publish(_url(), now, version, campaign=campaign))
    return {**published, "path": str(published["path"]), "index": str(published["index"]), "campaign": campaign}
