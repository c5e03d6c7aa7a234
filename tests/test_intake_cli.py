"""`reform template inventory`, `reform submit`: the same checks from the command line, with exit codes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from demo.samples import filled_workbook, item_rows
from reform.app import app
from registry.db import transaction
from registry.intake.tables import Submission
from tests.intake_helpers import call, good_workbook, outbox, reply

runner = CliRunner()


def _template(tmp_path) -> bytes:
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["template", "inventory", "--org", "jyj", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_template_writes_the_departments_template(initialised, tmp_path):
    from workbooks.inventory_parse import parse_inventory

    parsed = parse_inventory(_template(tmp_path))
    assert parsed.cover["单位代码"] == "jyj" and parsed.problems == []


def test_submit_exits_0_and_prints_the_receipt_when_accepted(initialised, tmp_path):
    workbook = tmp_path / "清单.xlsx"
    workbook.write_bytes(filled_workbook(_template(tmp_path), item_rows(3)))
    result = runner.invoke(app, ["submit", str(workbook), "--org", "jyj"])
    assert result.exit_code == 0 and "已通过校验" in result.output


def test_submit_exits_1_and_prints_every_problem_when_rejected(initialised, tmp_path):
    rows = item_rows(2)
    rows[1][3] = "社保"
    workbook = tmp_path / "清单.xlsx"
    workbook.write_bytes(filled_workbook(_template(tmp_path), rows))
    result = runner.invoke(app, ["submit", str(workbook), "--org", "jyj"])
    assert result.exit_code == 1 and "第 3 行「事项类别」列" in result.output


def test_submit_for_an_unknown_department_is_a_clear_error(initialised, tmp_path):
    workbook = tmp_path / "清单.xlsx"
    workbook.write_bytes(b"x")
    result = runner.invoke(app, ["submit", str(workbook), "--org", "nosuch"])
    assert result.exit_code == 2 and "nosuch" in result.output


def _once(monkeypatch):
    # No Prefect server configured: the poll runs the flow's steps in this process (tasks.one_shot).
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = runner.invoke(app, ["intake", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def test_intake_once_without_a_prefect_server_takes_in_a_reply_and_sends_its_receipt(
        initialised, maildir, smtp_server, monkeypatch):
    c = call(initialised, "jyj")
    maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    output = _once(monkeypatch)
    assert "收取邮件 1 封。" in output and f"{c.sender}：通过" in output
    assert all("S" in maildir.get_message(key).get_flags() for key in maildir.keys())
    [receipt] = outbox(initialised, "receipt")
    assert receipt.sent_at is not None
    assert [m["To"] for m in smtp_server.messages if "【回执】" in m["Subject"]] == [c.sender]


def test_a_second_intake_once_takes_nothing_in_twice(initialised, maildir, smtp_server, monkeypatch):
    c = call(initialised, "jyj")
    maildir.add(reply(c, [("清单.xlsx", good_workbook(c))]))
    _once(monkeypatch)
    sent = len(smtp_server.messages)
    again = _once(monkeypatch)
    assert "收取邮件 0 封。" in again
    assert len(outbox(initialised, "receipt")) == 1 and len(smtp_server.messages) == sent
    with transaction(initialised) as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 1


def test_intake_once_on_an_empty_mailbox_imports_no_prefect_and_starts_no_server(initialised, maildir):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "reform", "intake", "--once"],
                          cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "收取邮件 0 封。" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "sqlalchemy" in imported  # the importtime listing is there to read
    assert not {"prefect", "uvicorn", "pandas", "openpyxl"} & imported
