"""One phase, one document: each call asks for its phase's own document, and intake takes only that.

A district owes a 工作方案 (PDF, DOCX or OFD) and gets no inventory template; a service-item
workbook never closes its obligation; a phase without a template has none to make.
"""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from core.settings import get_settings
from demo.documents import work_plan_docx, work_plan_ofd, work_plan_pdf
from reform.app import app
from registry.calendar.store import load_calendar
from registry.campaign.obligations import find_obligation
from registry.campaign.plan import PlanError, load_plan, read_plan
from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.intake.calls import queue_call
from registry.intake.tables import MailboxMessage, Submission
from registry.outbox.tables import OutboxMessage
from registry.review import service as review
from registry.review.routing import route_submission
from tests.intake_helpers import NOW, call, good_workbook, outbox, reply, take_in
from tests.second_half_helpers import approved_department, call_for, send
from workbooks.certificates_parse import is_certificates_workbook

runner = CliRunner()
HEPING = "210102"


@dataclass(frozen=True)
class PhaseCall:
    obligation_id: int
    sender: str
    reply_to: str
    subject: str
    text: str
    attachments: list[str]


def phase_call(url: str, phase: str, org: str) -> PhaseCall:
    with transaction(url) as session:
        obligation = find_obligation(session, phase, org)
        outbox_id, _ = queue_call(session, obligation.id, get_settings(), NOW)
        row = session.get(OutboxMessage, outbox_id)
        return PhaseCall(obligation.id, row.to_addrs[0], row.reply_to, row.subject, row.text,
                         [a.filename for a in row.attachments])


def _state(url: str, obligation_id: int) -> str:
    with transaction(url) as session:
        return session.get(Obligation, obligation_id).state


def _submissions(url: str, obligation_id: int) -> list[tuple]:
    with transaction(url) as session:
        return [tuple(r) for r in session.execute(
            select(Submission.version, Submission.state, Submission.filename, Submission.sha256)
            .where(Submission.obligation_id == obligation_id).order_by(Submission.version))]


def reform(*args: str):
    return runner.invoke(app, list(args))


# The calls


def test_a_district_call_asks_for_its_work_plan_with_no_template(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    assert c.attachments == []
    assert "工作方案" in c.subject and "工作方案" in c.text and "PDF" in c.text and "OFD" in c.text
    assert "公共服务事项清单" not in c.subject + c.text and "零报告" not in c.text


def test_kickoff_of_district_plans_sends_every_district_its_call_without_the_inventory_template(
        initialised, prefect_server, smtp_server):
    from flows.kickoff import kickoff_flow

    result = asyncio.run(kickoff_flow("district_plans", NOW))
    assert result["calls"] == result["sent"] == len(smtp_server.messages) >= 13
    heping = next(m for m in smtp_server.messages if m["To"] == "210102.contact@shenyang.example.org")
    assert "工作方案" in heping.get_body(("plain",)).get_content()
    for message in smtp_server.messages:
        assert list(message.iter_attachments()) == []
        assert "零报告" not in message.get_body(("plain",)).get_content()


def test_a_certificates_call_carries_the_ledger_made_for_the_department_and_no_inventory_template(initialised):
    approved_department(initialised)
    c = call_for(initialised, "certificates")
    assert c.filename.startswith("证明事项清理表-") and "证明" in c.subject
    assert "公共服务事项清单" not in c.subject and is_certificates_workbook(c.template)


def test_a_publication_call_asks_for_the_published_address(initialised):
    c = phase_call(initialised, "publication", "jyj")
    assert c.attachments == [] and "公布网址" in c.text and "零报告" not in c.text


def test_kickoff_of_a_phase_that_its_own_flow_calls_is_refused(initialised):
    result = reform("kickoff", "approval")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "不由 reform kickoff 发通知" in result.stderr and "district_plans" in result.stderr


def test_kickoff_of_an_unknown_phase_lists_the_valid_phases(initialised):
    result = reform("kickoff", "nosuchphase")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("错误：没有阶段 'nosuchphase'，可用的阶段代码：inventory")
    assert "district_plans" in result.stderr


# Templates


def test_template_for_a_phase_without_one_is_refused_naming_the_phases_that_have_one(initialised, tmp_path):
    out = tmp_path / "和平区.xlsx"
    result = reform("template", "district_plans", "--org", HEPING, "--out", str(out))
    assert result.exit_code == 2 and not out.exists()
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert "district_plans" in line and "没有报送模板" in line
    assert line.endswith("有模板的阶段：inventory、guides、certificates、supervision")


def test_template_for_an_unknown_phase_lists_the_phases(initialised, tmp_path):
    result = reform("template", "nosuch", "--org", "jyj", "--out", str(tmp_path / "t.xlsx"))
    assert result.exit_code == 2 and "可用的阶段代码：inventory" in result.stderr


def test_template_for_the_inventory_still_writes_the_workbook(initialised, tmp_path):
    out = tmp_path / "教育局.xlsx"
    assert reform("template", "inventory", "--org", "jyj", "--out", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"PK")


# A district's work plan by mail


def test_a_pdf_work_plan_by_mail_closes_the_district_obligation(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    pdf = work_plan_pdf()
    result = take_in(initialised, reply(c, [("和平区工作方案.pdf", pdf)]))
    assert (result.outcome, result.version, result.items) == ("accepted", 1, 0)
    assert _state(initialised, c.obligation_id) == "fulfilled"
    assert _submissions(initialised, c.obligation_id) == [
        (1, "accepted", "和平区工作方案.pdf", hashlib.sha256(pdf).hexdigest())]
    [receipt] = outbox(initialised, "receipt")
    assert "工作方案已收到" in receipt.subject and hashlib.sha256(pdf).hexdigest() in receipt.text


def test_the_stored_work_plan_is_the_file_as_sent(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    docx = work_plan_docx()
    take_in(initialised, reply(c, [("方案.docx", docx)]))
    with transaction(initialised) as session:
        assert session.scalar(select(Submission.content)) == docx


def test_an_ofd_work_plan_closes_the_district_obligation(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    assert take_in(initialised, reply(c, [("工作方案.ofd", work_plan_ofd())])).outcome == "accepted"
    assert _state(initialised, c.obligation_id) == "fulfilled"


def test_an_inventory_workbook_against_a_district_obligation_is_refused_and_it_stays_owed(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    inventory = good_workbook(call(initialised, "jyj"))
    result = take_in(initialised, reply(c, [("公共服务事项清单.xlsx", inventory)]))
    assert result.outcome == "rejected"
    assert _state(initialised, c.obligation_id) not in ("fulfilled", "waived")
    assert [s[:2] for s in _submissions(initialised, c.obligation_id)] == [(1, "rejected")]
    [receipt] = outbox(initialised, "receipt")
    assert receipt.to_addrs == [c.sender] and "工作方案未通过校验" in receipt.subject
    assert "「公共服务事项清单.xlsx」是Excel 工作簿（表格），本项任务要求报送的是工作方案" in receipt.text
    with transaction(initialised) as session:
        assert session.scalar(select(MailboxMessage.outcome)) == "rejected"


def test_a_file_named_pdf_that_is_no_pdf_is_refused(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    take_in(initialised, reply(c, [("方案.pdf", b"this is not a pdf")]))
    assert _state(initialised, c.obligation_id) == "returned"
    assert "扩展名是 .pdf，但内容不是有效的PDF 文件" in outbox(initialised, "receipt")[0].text


def test_a_work_plan_beside_a_signature_image_is_taken(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    result = take_in(initialised, reply(c, [("签名.png", b"\x89PNG\r\n\x1a\n"), ("方案.pdf", work_plan_pdf())]))
    assert result.outcome == "accepted" and _submissions(initialised, c.obligation_id)[0][2] == "方案.pdf"


def test_two_work_plans_in_one_mail_are_refused_naming_both(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    take_in(initialised, reply(c, [("a.pdf", work_plan_pdf()), ("b.docx", work_plan_docx())]))
    assert "2 个文档附件：「a.pdf」、「b.docx」" in outbox(initialised, "receipt")[0].text
    assert _state(initialised, c.obligation_id) == "returned"


def test_an_accepted_work_plan_is_not_sent_to_the_four_agencies(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    submission_id = take_in(initialised, reply(c, [("方案.pdf", work_plan_pdf())])).submission_id
    with transaction(initialised) as session:
        routed = route_submission(session, submission_id, get_settings(), NOW)
    assert routed.route == "skip" and outbox(initialised, "review_packet") == []


def test_an_accepted_work_plan_is_not_counted_as_a_list_waiting_for_review(initialised):
    c = phase_call(initialised, "district_plans", HEPING)
    take_in(initialised, reply(c, [("方案.pdf", work_plan_pdf())]))
    inventory = call(initialised, "jyj")
    listed = take_in(initialised, reply(inventory, [("清单.xlsx", good_workbook(inventory))])).submission_id
    assert review.unrouted_submissions(initialised) == [listed]


def test_a_pdf_against_an_inventory_obligation_is_refused(initialised):
    c = call(initialised, "jyj")
    take_in(initialised, reply(c, [("清单.pdf", work_plan_pdf())]))
    assert _state(initialised, c.obligation_id) == "returned"
    assert "「清单.pdf」是PDF 文件，本项任务要求报送的是公共服务事项清单" in outbox(initialised, "receipt")[0].text


def test_an_inventory_workbook_replying_to_the_certificates_call_is_refused_and_closes_nothing(initialised):
    approved_department(initialised)
    c = call_for(initialised, "certificates")
    result = send(initialised, c, good_workbook(call(initialised, "jyj")))
    assert result.outcome == "rejected" and _state(initialised, c.obligation_id) == "returned"
    assert [row[1] for row in _submissions(initialised, c.obligation_id)] == ["rejected"]
    assert "证明事项清理表" in result.receipt


# A district's work plan by `reform submit`


def test_a_docx_work_plan_by_reform_submit_closes_the_district_obligation(initialised, tmp_path):
    plan = tmp_path / "和平区工作方案.docx"
    plan.write_bytes(work_plan_docx())
    result = reform("submit", str(plan), "--org", HEPING)
    assert result.exit_code == 0, result.output
    assert "工作方案" in result.output and hashlib.sha256(plan.read_bytes()).hexdigest() in result.output
    with transaction(initialised) as session:
        assert find_obligation(session, "district_plans", HEPING).state == "fulfilled"


def test_a_pdf_work_plan_by_reform_submit_with_its_phase(initialised, tmp_path):
    plan = tmp_path / "方案.pdf"
    plan.write_bytes(work_plan_pdf())
    assert reform("submit", str(plan), "--org", HEPING, "--phase", "district_plans").exit_code == 0


def test_an_inventory_workbook_by_reform_submit_against_a_district_obligation_exits_1(initialised, tmp_path):
    workbook = tmp_path / "清单.xlsx"
    workbook.write_bytes(good_workbook(call(initialised, "jyj")))
    result = reform("submit", str(workbook), "--org", HEPING, "--phase", "district_plans")
    assert result.exit_code == 1 and "本项任务要求报送的是工作方案" in result.output
    with transaction(initialised) as session:
        assert find_obligation(session, "district_plans", HEPING).state == "returned"


def test_reform_submit_of_an_unknown_phase_lists_the_phases(initialised, tmp_path):
    plan = tmp_path / "方案.pdf"
    plan.write_bytes(work_plan_pdf())
    result = reform("submit", str(plan), "--org", HEPING, "--phase", "nosuch")
    assert result.exit_code == 2 and "可用的阶段代码：inventory" in result.stderr


# The plan as data


def test_every_phase_of_the_shipped_plan_keeps_its_document(initialised):
    with transaction(initialised) as session:
        documents = dict(session.execute(select(Phase.code, Phase.document)).all())
    assert documents["inventory"] == "inventory" and documents["district_plans"] == "work_plan"
    assert documents["publication"] == documents["district_publication"] == "publication_address"
    assert "" not in documents.values()


def test_a_plan_phase_without_a_document_or_with_an_unknown_one_is_refused(initialised):
    plan = read_plan()
    phases = (replace(plan.phases[0], document=""), replace(plan.phases[1], document="memo"), *plan.phases[2:])
    with transaction(initialised) as session, pytest.raises(PlanError) as info:
        load_plan(session, replace(plan, code="bad-2016", phases=phases), load_calendar(session))
    assert [p.place for p in info.value.problems] == ["阶段 inventory document", "阶段 review document"]
    assert "没有写明报送材料" in info.value.problems[0].what and "work_plan" in info.value.problems[0].fix


def test_an_older_registry_gets_the_shipped_phases_documents_on_upgrade(database_url):
    from alembic import command
    from alembic.config import Config

    from registry.db import MIGRATIONS, engine_for, migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = database_url
    command.upgrade(config, "0006")
    with engine_for(database_url).begin() as connection:
        connection.execute(text(
            "INSERT INTO organisations (code, name, short_name, kind, roles, division_code, address)"
            " VALUES ('bwb', '沈阳市编委办', '市编委办', 'department', '[\"coordinator\"]', '', '')"))
        connection.execute(text(
            "INSERT INTO campaigns (code, name, level, year, owner_org_id, issued_by, shift, settings)"
            " VALUES ('shenyang-2016', '工作方案', 'city', 2016, (SELECT id FROM organisations), '', 'next', '{}')"))
        for position, code in enumerate(("inventory", "district_plans", "own_phase")):
            connection.execute(text(
                "INSERT INTO phases (campaign_id, code, name, position, source_phrase, deadline_reason, debtors,"
                " creditor, debtor_selector, creditor_selector)"
                f" VALUES ((SELECT id FROM campaigns), '{code}', '{code}', {position}, '', '', '', '', '', '')"))
    migrate(database_url)
    with engine_for(database_url).connect() as connection:
        rows = dict(connection.execute(text("SELECT code, document FROM phases")).all())
    assert rows == {"inventory": "inventory", "district_plans": "work_plan", "own_phase": ""}
