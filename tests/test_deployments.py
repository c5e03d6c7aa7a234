"""`reform serve` serves every deployment, each on the schedule or event the process needs."""
from __future__ import annotations

from datetime import timedelta

from deployments.all import all_deployments


def _by_name() -> dict:
    return {d.name: d for d in all_deployments()}


def test_reform_serve_has_the_eleven_deployments():
    assert set(_by_name()) == {"daily-standing", "campaign-standing", "mailbox-poll", "mailbox-batch", "daily-sweep",
                               "campaign-sweep", "review-routing", "review-merge", "publication",
                               "campaign-publication", "weekly-report"}


def test_the_weekly_report_is_written_every_monday_morning_in_shanghai():
    [schedule] = _by_name()["weekly-report"].schedules
    assert schedule.schedule.cron == "0 8 * * 1" and schedule.schedule.timezone == "Asia/Shanghai"


def test_publication_listens_for_each_approved_version_and_catches_up_every_morning():
    deployment = _by_name()["publication"]
    [trigger] = deployment.triggers
    assert trigger.expect == {"reform.list.approved"}
    assert trigger.parameters == {"version": "{{ event.payload.version }}", "campaign": "{{ event.payload.campaign }}"}
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "30 8 * * *" and schedule.parameters == {"only_new": True}


def test_the_mailbox_is_polled_every_five_minutes():
    [schedule] = _by_name()["mailbox-poll"].schedules
    assert schedule.schedule.interval == timedelta(minutes=5)


def test_review_routing_listens_for_each_accepted_submission():
    [trigger] = _by_name()["review-routing"].triggers
    assert trigger.expect == {"reform.submission.accepted"}
    assert trigger.parameters == {"submission_id": "{{ event.payload.submission_id }}"}


def test_the_standing_report_runs_every_morning_in_shanghai():
    [schedule] = _by_name()["daily-standing"].schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 8 * * *", "Asia/Shanghai")
