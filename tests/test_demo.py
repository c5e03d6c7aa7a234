"""`reform demo`, the main job, runs from nothing to the end of the plan in its own process."""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta

import frictionless
from openpyxl import load_workbook
from sqlalchemy import select

from registry.campaign.tables import AuditEntry, Obligation, Phase
from registry.db import transaction
from registry.directory.tables import Organisation
from registry.review.tables import ApprovedListVersion

DEMO_ENDS = date(2017, 4, 5)
# Red comes a few working days after the due date; a month past that is "months without a cause".
LONG_LATE = timedelta(days=30 + 7)


def long_late_obligations(url: str) -> set[tuple[str, str]]:
    """(organisation, phase) of every obligation late by more than a month, closed since or not."""
    with transaction(url) as session:
        rows = session.execute(select(Organisation.name, Phase.name, Obligation.due, Obligation.closed_on)
                               .join(Organisation, Organisation.id == Obligation.debtor_id)
                               .join(Phase, Phase.id == Obligation.phase_id)).all()
    return {(org, phase) for org, phase, due, closed_on in rows if (closed_on or DEMO_ENDS) - due > LONG_LATE}


def test_demo_runs_the_campaign_and_says_where_to_look(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFORM_", "PREFECT_"))}
    workspace = tmp_path / "demo"
    # A guard against a hung demo, not a speed target (bench/ has those): a few minutes on a quiet
    # 2-core machine, several times that beside the suite's other workers.
    result = subprocess.run([sys.executable, "-m", "reform", "demo", "--workspace", str(workspace)],
                            env=env, capture_output=True, text=True, timeout=2400)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "清理自查" in result.stdout and "逾期" in result.stdout
    assert f"REFORM_HOME={workspace}" in result.stdout
    assert re.search(r"演示用时 \d+ 分 \d+ 秒", result.stdout.splitlines()[-1]), result.stdout[-300:]

    status = subprocess.run([sys.executable, "-m", "reform", "status", "--as-of", "2017-04-10", "--format", "json"],
                            env={**env, "REFORM_HOME": str(workspace)}, capture_output=True, text=True, timeout=120)
    report = json.loads(status.stdout)
    inventory = [o for o in report["obligations"] if o["phase"] == "inventory"]
    assert inventory and all(o["state"] == "fulfilled" for o in inventory)
    # The districts' work plans come by mail too: a few send the workbook first, intake refuses it by its kind.
    plans = [o for o in report["obligations"] if o["phase"] == "district_plans"]
    assert plans and all(o["state"] == "fulfilled" for o in plans)
    assert "发出报送工作方案的通知" in result.stdout and "收到回执后改发工作方案" in result.stdout

    # Nobody stays red for months unless the demo itself says it is a deliberate case.
    url = f"sqlite:///{workspace / 'reform.db'}"
    deliberate = "".join(line for line in result.stdout.splitlines() if "有意逾期" in line)
    unexplained = {(org, phase) for org, phase in long_late_obligations(url)
                   if org.removeprefix("沈阳市") not in deliberate}
    assert not unexplained, sorted(unexplained)

    # The second half: a guides and a certificates obligation for every department with approved items.
    with transaction(url) as session:
        approved = session.scalars(select(ApprovedListVersion).order_by(ApprovedListVersion.version.desc())).first()
        with_items = {code for code, items in approved.snapshot.items() if items}
    for phase in ("guides", "certificates"):
        owed = {o["org"]: o["state"] for o in report["obligations"] if o["phase"] == phase}
        assert set(owed) == with_items and set(owed.values()) == {"fulfilled"}, (phase, owed)
    guides = json.loads(subprocess.run([sys.executable, "-m", "reform", "guides", "status", "--format", "json"],
                                       env={**env, "REFORM_HOME": str(workspace)}, capture_output=True, text=True,
                                       timeout=120).stdout)
    assert len(guides) == sum(len(items) for items in approved.snapshot.values())
    assert {g["state"] for g in guides} == {"agreed"} and all(g["complete"] for g in guides)
    assert "编制办事指南期限" in result.stdout and "个工作日" in result.stdout and "申请材料减少" in result.stdout
    assert "只有预填内容" in result.stdout and "无规章以上依据的证明列为保留" in result.stdout
    certificates = json.loads(subprocess.run(
        [sys.executable, "-m", "reform", "certificates", "list", "--format", "json"],
        env={**env, "REFORM_HOME": str(workspace)}, capture_output=True, text=True, timeout=120).stdout)
    assert certificates and {c["state"] for c in certificates} == {"decided"}
    assert all(c["basis_level"] in ("法律", "行政法规", "地方性法规", "规章") for c in certificates
               if c["disposition"] == "保留")
    assert {c["disposition"] for c in certificates} >= {"保留", "取消", "告知承诺", "信息共享替代"}
    assert list(workspace.glob("保留证明事项清单-*.xlsx")) and list(workspace.glob("取消证明事项清单-*.xlsx"))
    assert list(workspace.glob("告知承诺书-*.docx"))

    # Publication: version 1 at the end of November, version 2 after the March adjustment.
    site = workspace / "site" / "current"
    assert (site / "index.html").is_file() and os.readlink(site) == "v2"
    assert frictionless.validate(str(site / "data" / "datapackage.json")).valid
    with open(site / "data" / "items.csv", encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == approved.item_count
    assert "困难群众临时救助申请" in (site / "changes.html").read_text(encoding="utf-8")
    assert "变更记录：第 2 版与上一版相比" in result.stdout and "file://" in result.stdout
    publication = {o["org"]: o["state"] for o in report["obligations"] if o["phase"] == "publication"}
    assert set(publication.values()) <= {"fulfilled", "waived"} and "fulfilled" in publication.values()

    # The long-term tasks: the quarter's bulletin names who did not report; every 差评 is settled;
    # nothing personal is published.
    bulletin = load_workbook(workspace / "督导检查通报-2016Q4.xlsx")
    charts = [sheet for sheet in bulletin.worksheets if sheet._charts]
    assert len(charts) >= 5 and "未报送单位" in bulletin.sheetnames
    silent = [row[1] for row in bulletin["未报送单位"].iter_rows(min_row=2, values_only=True) if row[1]]
    assert silent and any(name.removeprefix("沈阳市") in deliberate for name in silent)
    cases = json.loads(subprocess.run([sys.executable, "-m", "reform", "evaluations", "list", "--format", "json"],
                                      env={**env, "REFORM_HOME": str(workspace)}, capture_output=True, text=True,
                                      timeout=120).stdout)
    assert len(cases) == 3 and {c["state"] for c in cases} <= {"closed", "unfounded"}
    published = "".join(p.read_text(encoding="utf-8-sig") for p in (site / "data").glob("*.*"))
    published += (site / "evaluations.html").read_text(encoding="utf-8")
    assert "2017-01" in published
    assert not any(f"评价人{n}" in published or f"139{n:08d}" in published for n in range(1, 13))
    assert "督导检查问题整改" in result.stdout and "绿色通道" in result.stdout

    # Approved without --force: every list through review, response and recheck, nothing overtaken.
    assert "审定取代的未办结审核、回复、复核事项：无" in result.stdout
    with transaction(url) as session:
        assert not session.scalars(select(AuditEntry).where(AuditEntry.entity == "approval")).all()
    book = load_workbook(workspace / "全市公共服务事项清单-第1版.xlsx")
    assert "未完成审核" not in book.sheetnames
    header = next(i for i, row in enumerate(book["汇总"].iter_rows(values_only=True)) if row[0] == "部门代码")
    stages = {row[4] for row in book["汇总"].iter_rows(min_row=header + 2, values_only=True) if row[0] != "合计"}
    assert stages <= {"已复核", "零报告"}, stages
    for sheet in book.sheetnames[1:]:
        assert book[sheet].cell(row=1, column=book[sheet].max_column).value != "审核状态"
