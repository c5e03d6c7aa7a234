"""Two small cases of a coordinator's first weeks: a mistyped department, an obligation due next year."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select, update
from typer.testing import CliRunner

from reform.app import app
from registry.campaign.obligations import find_obligation
from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.supervision.tables import Complaint

runner = CliRunner()


def test_complaint_add_refuses_an_unknown_department_and_records_nothing(initialised):
    result = runner.invoke(app, ["complaint", "add", "办理时间过长", "-d", "nosuch", "--on", "2016-09-01"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "错误：组织目录中没有单位“nosuch”；单位代码见 reform directory export"
    with transaction(initialised) as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_complaint_add_suggests_the_code_meant(initialised):
    result = runner.invoke(app, ["complaint", "add", "办理时间过长", "-d", "gaJ", "--on", "2016-09-01"])
    assert result.exit_code == 2 and "是否指 gaj（市公安局）" in result.stderr


def test_complaint_add_to_a_known_department_still_assigns_it(initialised):
    result = runner.invoke(app, ["complaint", "add", "办理时间过长", "-d", "gaj", "--on", "2016-09-01"])
    assert result.exit_code == 0 and "分派给沈阳市公安局" in result.stdout


def _due_in_2027(url: str) -> int:
    with transaction(url) as session:
        oid = find_obligation(session, "inventory", "jyj").id
        session.execute(update(Obligation).where(Obligation.id == oid).values(due=date(2027, 1, 8)))
    return oid


def test_explain_of_an_obligation_due_in_an_unloaded_year_says_what_it_can(initialised):
    oid = _due_in_2027(initialised)
    result = runner.invoke(app, ["explain", str(oid), "--as-of", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "截止日期：2027-01-08" in result.stdout and "待导入 2027 年工作日历" in result.stdout
    assert "reform calendar import 2027.yaml" in result.stdout


def test_explain_json_names_the_missing_year(initialised):
    oid = _due_in_2027(initialised)
    result = runner.invoke(app, ["explain", str(oid), "--as-of", "2026-12-01", "--format", "json"])
    report = json.loads(result.stdout)
    assert (report["standing"], report["missing_year"], report["ladder"], report["next"]) == ("undated", 2027, [], None)
    assert report["deadline"]["due"] == "2027-01-08"
