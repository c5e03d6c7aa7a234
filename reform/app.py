"""The `reform` command: what a coordinator at the city 编委办 types, assembled from each capability."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reform import (
    calendar,
    campaign,
    cluster,
    dashboard,
    directory,
    districts,
    documents,
    evaluations,
    inspection,
    intake,
    obligation,
    province,
    publication,
    review,
    self_reports,
    supervision,
    users,
)
from reform.common import EXIT_CODES_EPILOG, ReformGroup, console

# Plain Chinese pages and one-line errors (reform.usage), never Typer's boxes or a traceback.
app = typer.Typer(cls=ReformGroup, help="沈阳市简化优化公共服务流程工作方案：任务、期限与督办。", no_args_is_help=True,
                  epilog=EXIT_CODES_EPILOG, rich_markup_mode=None, pretty_exceptions_enable=False,
                  add_completion=False)


@app.callback()
def _act_for_the_district(ctx: typer.Context) -> None:
    # A district user's commands see and change that district's rows only (REFORM_DISTRICT); the scope
    # ends with the command, so a test running several commands in one process starts each afresh.
    from core.settings import get_settings  # noqa: PLC0415 - slow import, see reform.common

    district = get_settings().district
    if district:
        from registry.users import service as users  # noqa: PLC0415 - only a district's commands pay the import

        ctx.with_resource(users.acting_for_district(district))


def demo(
    workspace: Annotated[Path | None, typer.Option(help="演示工作目录，默认新建临时目录")] = None,
) -> None:
    """在模拟时钟上从头运行一遍工作方案（嵌入式 SQLite 和本地 Prefect，无需其他服务）。"""
    from demo.run import run_demo  # noqa: PLC0415 - loaded only when the demo runs

    run_demo(console, workspace)


# `reform --help` lists them in this order: setting up and watching, the demo, the long-running
# server, supervision, intake, approval; then the groups.
for command in (campaign.init, campaign.status, demo, campaign.serve, supervision.sweep, supervision.explain,
                intake.template, intake.submit, intake.kickoff, intake.intake, review.approve, review.adjust,
                publication.publish, dashboard.dashboard, cluster.deploy):
    app.command()(command)
for name, group in (("directory", directory.app), ("calendar", calendar.app), ("complaint", supervision.complaint_app),
                    ("review", review.review_app), ("obligation", obligation.app), ("guides", documents.guides_app),
                    ("certificates", documents.certificates_app), ("publication", publication.app),
                    ("inspection", inspection.app), ("evaluations", evaluations.app),
                    ("supervision", self_reports.supervision_app), ("district", districts.app),
                    ("report", districts.report_app), ("user", users.app),
                    ("province", province.app), ("cluster", cluster.app)):
    app.add_typer(group, name=name)
