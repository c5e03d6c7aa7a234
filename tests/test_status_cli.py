"""`reform status` as a coordinator acts on it: ids, unit names, cards, filters, 80 columns."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

from rich.cells import cell_len
from sqlalchemy import update
from typer.testing import CliRunner

from reform.app import app
from registry.campaign.obligations import find_obligation
from registry.campaign.tables import Obligation
from registry.db import transaction

runner = CliRunner()


def status(*args: str) -> dict:
    result = runner.invoke(app, ["status", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_tasks_name_their_units_and_item_15_its_regulators(initialised):
    tasks = {t["number"]: t for t in status("--as-of", "2016-07-20")["tasks"]}
    assert tasks[1]["units"] == ["市编委办", "市法制办", "市财政局", "市政务服务办"]
    assert tasks[13]["units"] == ["市直各有关部门"]
    assert "各部门" not in "、".join(tasks[15]["units"]) and "市国资委" in tasks[15]["units"]
    assert tasks[5]["cadence_name"] == "每季度"


def test_obligations_carry_their_unit_name_and_card(initialised):
    yellow = {o["org"]: o for o in status("--as-of", "2016-08-02")["obligations"] if o["phase"] == "inventory"}
    assert (yellow["jyj"]["org_short_name"], yellow["jyj"]["card"], yellow["jyj"]["card_colour"]) \
        == ("市教育局", "黄牌", "yellow")
    red = {o["org"]: o for o in status("--as-of", "2016-08-09")["obligations"] if o["phase"] == "inventory"}
    assert (red["jyj"]["card"], red["jyj"]["card_colour"], red["jyj"]["standing_name"]) == ("红牌", "red", "红牌督办")
    assert red["jyj"]["phase_name"] == "清理自查"


def test_filters_by_organisation_phase_and_standing(initialised):
    mine = status("--as-of", "2016-08-09", "--org", "jyj")
    assert {o["org"] for o in mine["obligations"]} == {"jyj"} and mine["filters"] == {"org": "jyj"}
    late = status("--as-of", "2016-08-09", "--standing", "late")["obligations"]
    assert late and {o["standing"] for o in late} == {"red"} and {o["phase"] for o in late} == {"inventory"}
    phase = status("--as-of", "2016-08-09", "--phase", "district_plans")
    assert {o["phase"] for o in phase["obligations"]} == {"district_plans"}
    assert [p["code"] for p in phase["phases"]] == ["district_plans"]


def test_filter_by_district(initialised):
    heping = status("--as-of", "2016-08-09", "--district", "210102")["obligations"]
    assert heping and {o["org"] for o in heping} == {"210102"} and {o["district"] for o in heping} == {"210102"}
    assert status("--as-of", "2016-08-09", "--district", "和平区")["obligations"] == heping


def test_an_organisation_may_be_named_by_its_short_name(initialised):
    assert status("--as-of", "2016-08-09", "--org", "市教育局")["obligations"] \
        == status("--as-of", "2016-08-09", "--org", "jyj")["obligations"]


def test_unknown_filter_codes_are_refused_all_at_once(initialised):
    result = runner.invoke(app, ["status", "--org", "nosuch", "--phase", "nophase", "--district", "999999",
                                 "--standing", "sleepy", "--as-of", "2016-08-09"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    for fragment in ("没有单位代码 'nosuch'", "没有阶段 'nophase'，可用的阶段代码：inventory",
                     "没有区县代码 '999999'，可用的区县代码：210102（和平区）", "没有进展状态 'sleepy'"):
        assert fragment in line
    assert "\n" not in line


def test_an_obligation_due_in_an_unloaded_year_is_undated_not_a_failure(initialised):
    with transaction(initialised) as session:
        oid = find_obligation(session, "inventory", "jyj").id
        session.execute(update(Obligation).where(Obligation.id == oid).values(due=date(2027, 1, 8)))
    [jyj] = status("--as-of", "2026-12-01", "--org", "jyj", "--phase", "inventory")["obligations"]
    assert (jyj["standing"], jyj["missing_year"], jyj["standing_name"]) == ("undated", 2027, "待导入 2027 年日历")


def test_the_table_fits_80_columns_and_cuts_no_id(initialised, tmp_path):
    env = {**os.environ, "COLUMNS": "80", "REFORM_DATABASE_URL": initialised, "REFORM_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "reform", "status", "--as-of", "2016-08-09"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert "…" not in out
    for code in ("district_publication", "certificates", "2016-11-21"):
        assert code in out
    listed = status("--as-of", "2016-08-09", "--standing", "red")["obligations"]
    rows = {line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")}
    assert {str(o["id"]) for o in listed} <= rows
    assert "市教育局" in out and "红牌督办" in out and "市编委办、市法制办" in out.replace("\n", "")
