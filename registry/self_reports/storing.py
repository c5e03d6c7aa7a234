"""Keeping an accepted self-report: its narrative and figures, in the transaction of its version."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.campaign.tables import Obligation
from registry.intake.tables import Submission
from registry.self_reports.tables import SelfReport, SelfReportValue
from rules.self_reports import ISSUES, NEXT_STEPS, PROGRESS, ReportCheck


def store_report(session: Session, submission: Submission, obligation: Obligation, task_number: int, period: str,
                 check: ReportCheck) -> SelfReport:
    report = SelfReport(submission_id=submission.id, obligation_id=obligation.id, org_id=obligation.debtor_id,
                        version=submission.version, task_number=task_number,
                        period=period, progress=check.narrative.get(PROGRESS, ""),
                        issues=check.narrative.get(ISSUES, ""), next_steps=check.narrative.get(NEXT_STEPS, ""))
    report.values = [SelfReportValue(position=n, key=v["key"], label=v["label"], unit=v["unit"],
                                     system_value=float(v["system"]), reported_value=float(v["reported"]),
                                     note=v["note"])
                     for n, v in enumerate(check.values, start=1)]
    session.add(report)
    session.flush()
    return report


def standing_reports(session: Session, obligation_ids: list[int]) -> dict[int, SelfReport]:
    """Each obligation's newest accepted report."""
    standing: dict[int, SelfReport] = {}
    for report in session.scalars(select(SelfReport).where(SelfReport.obligation_id.in_(obligation_ids))
                                  .order_by(SelfReport.version)):
        standing[report.obligation_id] = report
    return standing
