"""Complaints (item 14): recorded, assigned with a deadline, escalated, answered and evaluated."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from reform.app import app
from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.outbox.tables import OutboxMessage
from registry.supervision.complaints import (
    answer_complaint,
    assign_complaint,
    evaluate_complaint,
    record_complaint,
)
from registry.supervision.sweep import sweep
from registry.supervision.tables import Complaint
from rules.complaints import ComplaintError, ComplaintState

D = date.fromisoformat
runner = CliRunner()


def _record(url: str, department: str = "jyj", **kwargs) -> int:
    with transaction(url) as session:
        return record_complaint(session, text="窗口要求开具无谓的证明，多次往返", received_on=D("2016-09-01"),
                                department=department, complainant="张三", **kwargs).id


def test_a_complaint_to_a_known_department_is_due_in_fifteen_working_days(initialised):
    complaint_id = _record(initialised)
    with transaction(initialised) as session:
        complaint = session.get(Complaint, complaint_id)
        obligation = session.get(Obligation, complaint.obligation_id)
        # 09-15..17 are the Mid-Autumn holiday and 09-18, a Sunday, is worked.
        assert (complaint.state, obligation.due) == (ComplaintState.ASSIGNED, D("2016-09-23"))
        assert obligation.due_reason == "2016-09-01 分派，限 15 个工作日内答复（限时办结），即 2016-09-23"


def test_a_complaint_without_a_department_goes_to_the_coordinator(initialised):
    complaint_id = _record(initialised, department="")
    with transaction(initialised) as session:
        assert session.get(Complaint, complaint_id).state == ComplaintState.UNASSIGNED
        told = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"complaint:{complaint_id}:unassigned"))
        assert told.to_addrs == ["bwb.contact@shenyang.example.org"] and "未指明被投诉单位" in told.text


def test_a_complaint_naming_an_unknown_department_keeps_the_name_and_waits(initialised):
    complaint_id = _record(initialised, department="市不存在局")
    with transaction(initialised) as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.state, complaint.named_department) == (ComplaintState.UNASSIGNED, "市不存在局")
        told = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"complaint:{complaint_id}:unassigned"))
        assert "“市不存在局”不在组织目录中" in told.text


def test_the_same_email_taken_in_twice_records_one_complaint(initialised):
    first = _record(initialised, channel="email", source_ref="<abc@mail.example.org>")
    again = _record(initialised, channel="email", source_ref="<abc@mail.example.org>")
    assert first == again


def test_an_unanswered_complaint_is_carded_like_any_obligation(initialised):
    complaint_id = _record(initialised)
    with transaction(initialised) as session:
        result = sweep(session, D("2016-09-26"))
        obligation_id = session.get(Complaint, complaint_id).obligation_id
    assert [n.rung for n in result.notices if n.obligation_id == obligation_id] == ["yellow"]


def test_answer_then_evaluation_closes_the_complaint(initialised):
    complaint_id = _record(initialised)
    with transaction(initialised) as session:
        answer_complaint(session, complaint_id, "已取消该证明，并向投诉人致歉", D("2016-09-10"))
        evaluate_complaint(session, complaint_id, "非常满意", D("2016-09-12"))
    with transaction(initialised) as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.state, complaint.evaluation) == (ComplaintState.EVALUATED, "非常满意")
        assert session.get(Obligation, complaint.obligation_id).state == "fulfilled"


def test_an_evaluation_outside_the_five_levels_is_refused(initialised):
    complaint_id = _record(initialised)
    with transaction(initialised) as session:
        answer_complaint(session, complaint_id, "已处理", D("2016-09-10"))
        with pytest.raises(ComplaintError, match="非常满意、满意、基本满意、不满意、非常不满意"):
            evaluate_complaint(session, complaint_id, "很好", D("2016-09-12"))


def test_an_unanswered_complaint_cannot_be_evaluated(initialised):
    complaint_id = _record(initialised)
    with transaction(initialised) as session, pytest.raises(ComplaintError, match="尚未答复"):
        evaluate_complaint(session, complaint_id, "满意", D("2016-09-12"))


def test_an_assigned_complaint_cannot_be_assigned_again(initialised):
    complaint_id = _record(initialised)
    with transaction(initialised) as session, pytest.raises(ComplaintError, match="不能重复分派"):
        assign_complaint(session, complaint_id, "mzj", D("2016-09-02"))


def test_the_cli_records_assigns_answers_and_evaluates(initialised):
    added = runner.invoke(app, ["complaint", "add", "不知道该找哪个部门", "--on", "2016-09-01"])
    assert "已登记投诉第 1 号" in added.stdout and "已通知市编委办分派" in added.stdout
    assigned = runner.invoke(app, ["complaint", "assign", "1", "mzj", "--on", "2016-09-02"])
    assert "投诉第 1 号已分派给沈阳市民政局，答复期限 2016-09-26" in assigned.stdout
    runner.invoke(app, ["complaint", "answer", "1", "已答复", "--on", "2016-09-20"])
    evaluated = runner.invoke(app, ["complaint", "evaluate", "1", "基本满意", "--on", "2016-09-21"])
    assert evaluated.exit_code == 0 and "基本满意" in evaluated.stdout


def test_the_cli_refuses_assigning_to_an_unknown_department(initialised):
    runner.invoke(app, ["complaint", "add", "无单位", "--on", "2016-09-01"])
    result = runner.invoke(app, ["complaint", "assign", "1", "nosuch", "--on", "2016-09-02"])
    assert result.exit_code == 2 and "组织目录中没有单位“nosuch”" in result.stderr


def _complaint_mail(subject: str, message_id: str = "<c1@public.example.org>") -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "李四 <lisi@public.example.org>"
    message["To"] = "complaints@shenyang.example.org"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content("办理居住证时窗口要求开具无谓的证明，往返三次仍未办成。")
    return message.as_bytes()


def _take_in(url: str, raw: bytes):
    from datetime import datetime

    from core.settings import get_settings
    from registry.inbound.sorting import take_in_mail

    with transaction(url) as session:
        return take_in_mail(session, raw, get_settings(), datetime(2016, 9, 1, 10))


def test_a_complaint_by_email_from_the_public_is_recorded_assigned_and_acknowledged(initialised):
    result = _take_in(initialised, _complaint_mail("投诉：公安局窗口要求无谓证明"))
    assert result.outcome == "complaint"
    with transaction(initialised) as session:
        complaint = session.scalars(select(Complaint)).one()
        assert (complaint.channel, complaint.complainant_contact, complaint.state) == \
            ("email", "lisi@public.example.org", ComplaintState.ASSIGNED)
        assert session.get(Obligation, complaint.obligation_id).debtor.code == "gaj"
        ack = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"complaint:{complaint.id}:received"))
        assert ack.to_addrs == ["lisi@public.example.org"] and f"第 {complaint.id} 号" in ack.text


def test_a_complaint_by_email_naming_no_department_waits_for_the_coordinator(initialised):
    _take_in(initialised, _complaint_mail("办事难"))
    with transaction(initialised) as session:
        assert session.scalars(select(Complaint)).one().state == ComplaintState.UNASSIGNED


def test_the_same_complaint_email_twice_is_one_complaint(initialised):
    _take_in(initialised, _complaint_mail("投诉：公安局"))
    assert _take_in(initialised, _complaint_mail("投诉：公安局")).already_seen
    with transaction(initialised) as session:
        assert len(session.scalars(select(Complaint)).all()) == 1
