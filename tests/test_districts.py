"""The districts' own campaigns: opened from the template or a district's plan file, run by the same
flows as the city's with the district's own agencies and contacts, and rolled up for the city."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.settings import get_settings
from demo.documents import work_plan_docx
from registry.campaign import service as campaign_service
from registry.campaign.plan import PlanError
from registry.campaign.tables import AuditEntry, Campaign, Obligation, Phase
from registry.db import transaction
from registry.directory.tables import Organisation
from registry.districts import service as districts
from registry.districts.opening import AlreadyOpen, UnknownDistrict
from registry.intake import service as intake
from registry.outbox.tables import OutboxMessage
from registry.publication import service as publication
from registry.review import service as review
from registry.supervision import service as supervision
from tests.intake_helpers import Call, good_workbook, reply, take_in
from tests.review_helpers import filled_packet, packets, route

HEPING, SHENHE = "210102", "210103"
OPENED = datetime(2016, 12, 20, 9, 0)


def _open(url: str, code: str = HEPING, plan: Path | None = None) -> dict:
    return districts.open_campaign(url, code, OPENED.date(), OPENED, plan)


def _campaign(url: str, code: str = HEPING) -> Campaign:
    with transaction(url) as session:
        return session.scalar(select(Campaign).where(Campaign.level == "district", Campaign.district == code))


def _obligations(url: str, campaign_id: int, phase: str) -> list[tuple[str, str, str]]:
    with transaction(url) as session:
        return session.execute(select(Organisation.code, Organisation.district, Obligation.state)
                               .join(Obligation, Obligation.debtor_id == Organisation.id)
                               .join(Phase, Phase.id == Obligation.phase_id)
                               .where(Obligation.campaign_id == campaign_id, Phase.code == phase)).all()


def test_opening_a_district_makes_its_campaign_from_the_city_plan_with_its_own_departments(initialised):
    opened = _open(initialised)
    campaign = _campaign(initialised)
    assert opened["campaign"] == campaign.code == "shenyang-2016-210102"
    assert opened["directory_loaded"] >= 20  # its sample directory, since the registry had none of it
    with transaction(initialised) as session:
        city = session.scalar(select(Campaign).where(Campaign.level == "city"))
        deadlines = dict(session.execute(select(Phase.code, Phase.deadline).where(Phase.campaign_id == campaign.id)).all())
    assert campaign.parent_id == city.id and campaign.district == HEPING
    assert deadlines["publication"] == date(2017, 3, 31) and deadlines["inventory"] == date(2017, 1, 20)
    owed = _obligations(initialised, campaign.id, "inventory")
    assert len(owed) == opened["obligations"] - 1 - len(_obligations(initialised, campaign.id, "publication"))
    assert {district for _, district, _ in owed} == {HEPING}
    assert all(code.startswith(f"{HEPING}-") for code, _, _ in owed)
    assert [code for code, _, _ in _obligations(initialised, campaign.id, "approval")] == [f"{HEPING}-bwb"]
    # Its calls go to its own departments' contacts, and the opening is recorded on what it owes the city.
    with transaction(initialised) as session:
        calls = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "call",
                                                            OutboxMessage.district == HEPING)).all()
        cascade = session.scalars(select(AuditEntry).where(AuditEntry.action == "cascade")).all()
    assert len(calls) == opened["called"] == len(owed)
    assert all(m.to_addrs[0].endswith(f"@{HEPING}.shenyang.example.org") for m in calls)
    assert len(cascade) == 1 and "shenyang-2016-210102" in cascade[0].reason


def test_an_unknown_district_or_one_already_open_is_refused(initialised):
    with pytest.raises(UnknownDistrict, match="210102 和平区"):
        _open(initialised, "999999")
    _open(initialised)
    with pytest.raises(AlreadyOpen, match="和平区"):
        _open(initialised)
    with pytest.raises(AlreadyOpen):
        _open(initialised, "和平区")


def test_a_plan_file_past_the_city_milestone_or_before_an_earlier_phase_is_refused_all_at_once(initialised,
                                                                                              tmp_path):
    text = districts.plan_template(initialised, HEPING)
    bad = (text.replace("source_phrase: 2017年2月底前", "source_phrase: 2017年4月中旬前")
               .replace("source_phrase: 2017年2月中旬前", "source_phrase: 2016年12月底前"))
    plan = tmp_path / "heping.yaml"
    plan.write_text(bad, encoding="utf-8")
    with pytest.raises(PlanError) as refused:
        _open(initialised, plan=plan)
    problems = [p.what for p in refused.value.problems]
    assert any("approval" in p and "晚于市级方案的区县节点 2017-03-31" in p for p in problems)
    assert any("review" in p and "早于前一阶段 inventory" in p for p in problems)
    assert _campaign(initialised) is None  # nothing written


def test_a_district_coordinator_may_bring_its_own_deadlines_forward(initialised, tmp_path):
    plan = tmp_path / "heping.yaml"
    plan.write_text(districts.plan_template(initialised, HEPING).replace("2017年1月20日前", "2017年1月10日前"),
                    encoding="utf-8")
    _open(initialised, plan=plan)
    with transaction(initialised) as session:
        due = session.scalar(select(Phase.deadline).where(Phase.campaign_id == _campaign(initialised).id,
                                                          Phase.code == "inventory"))
    assert due == date(2017, 1, 10)


def _accept_work_plan(url: str, code: str, tmp_path: Path) -> None:
    path = tmp_path / f"{code}-工作方案.docx"
    path.write_bytes(work_plan_docx())
    result = intake.submit_file(url, code, path, datetime(2016, 12, 15, 10, 0), phase_code="district_plans")
    assert result.outcome == "accepted", result.receipt


def test_an_accepted_work_plan_opens_the_districts_campaign_once(initialised, tmp_path):
    _accept_work_plan(initialised, HEPING, tmp_path)
    opened = districts.open_accepted(initialised, OPENED.date(), OPENED)
    assert [o["code"] for o in opened] == [HEPING]
    assert districts.open_accepted(initialised, OPENED.date(), OPENED) == []
    assert _campaign(initialised, SHENHE) is None


def test_a_regulators_accepted_work_plan_opens_its_campaign_for_the_enterprises_it_supervises(initialised,
                                                                                              tmp_path):
    with transaction(initialised) as session:
        regulator = next(o for o in session.scalars(select(Organisation).order_by(Organisation.id))
                         if "regulator" in o.roles)
        enterprises = {o.code for o in session.scalars(select(Organisation).where(
            Organisation.kind == "enterprise", Organisation.parent_id == regulator.id))}
        code = regulator.code
    assert enterprises
    _accept_work_plan(initialised, code, tmp_path)
    [opened] = districts.open_accepted(initialised, OPENED.date(), OPENED)
    with transaction(initialised) as session:
        campaign = session.scalar(select(Campaign).where(Campaign.code == opened["campaign"]))
    assert campaign.level == "regulator"
    assert {c for c, _, _ in _obligations(initialised, campaign.id, "enterprise_plans")} == enterprises


def _district_call(url: str, org_code: str) -> Call:
    with transaction(url) as session:
        org = session.scalar(select(Organisation).where(Organisation.code == org_code))
        message = session.scalar(select(OutboxMessage).join(Obligation, Obligation.id == OutboxMessage.obligation_id)
                                 .where(OutboxMessage.kind == "call", Obligation.debtor_id == org.id))
        return Call(message.obligation_id, message.to_addrs[0], message.reply_to, message.subject,
                    message.attachments[0].content)


def _a_department(url: str) -> str:
    with transaction(url) as session:
        return next(o.code for o in session.scalars(select(Organisation).where(Organisation.district == HEPING)
                                                    .order_by(Organisation.id))
                    if o.kind == "department" and not o.roles)


def test_a_district_departments_list_is_reviewed_by_the_districts_own_four_agencies(initialised):
    _open(initialised)
    department = _a_department(initialised)
    c = _district_call(initialised, department)
    taken = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 2))]), datetime(2017, 1, 5, 10, 0))
    assert taken.outcome == "accepted", taken.receipt
    routed = route(initialised, taken.submission_id, datetime(2017, 1, 5, 11, 0))
    assert routed.opened == 4
    sent = packets(initialised, taken.submission_id)
    assert set(sent) == {f"{HEPING}-bwb", f"{HEPING}-fzb", f"{HEPING}-czj", f"{HEPING}-zwfwb"}
    assert all(p.to.endswith(f"@{HEPING}.shenyang.example.org") for p in sent.values())
    for p in sent.values():
        answered = take_in(initialised, reply(Call(p.obligation_id, p.to, p.reply_to, p.subject, b""),
                                              [("审核意见.xlsx", filled_packet(p.workbook))]),
                           datetime(2017, 2, 1, 10, 0))
        assert answered.outcome == "opinion", answered.receipt
    merged = review.merge_submission(initialised, taken.submission_id, datetime(2017, 2, 2, 10, 0))
    assert merged["issued"]
    statuses = review.review_status(initialised, date(2017, 2, 2), campaign=_campaign(initialised).code)
    assert [s["org"] for s in statuses] == [department]


def test_a_districts_publication_fulfils_what_it_owes_the_city_and_the_rollup_shows_it(initialised, tmp_path,
                                                                                       monkeypatch):
    _open(initialised)
    campaign = _campaign(initialised).code
    department = _a_department(initialised)
    c = _district_call(initialised, department)
    taken = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 2))]), datetime(2017, 1, 5, 10, 0))
    assert taken.outcome == "accepted"
    frozen = review.approve(initialised, date(2017, 2, 27), "和平区政府常务会议", "沈和政发〔2017〕5号",
                            datetime(2017, 2, 27, 17, 0), force_reason="测试：只审定一个部门", campaign=campaign)
    assert frozen.items == 2 and frozen.called == 2  # the department's guides and certificates
    published = publication.publish(initialised, datetime(2017, 3, 28, 10, 0), campaign=campaign)
    assert published.path == get_settings().site_dir / HEPING / "v1"
    assert (get_settings().site_dir / HEPING / "current" / "index.html").is_file()
    with transaction(initialised) as session:
        owed = session.scalar(select(Obligation).join(Phase, Phase.id == Obligation.phase_id)
                              .join(Organisation, Organisation.id == Obligation.debtor_id)
                              .where(Phase.code == "district_publication", Organisation.code == HEPING))
    assert owed.state == "fulfilled"
    entries = {e["code"]: e for e in districts.district_list(initialised, date(2017, 3, 28))}
    assert len(entries) == 13
    assert entries[HEPING]["published"] == 1 and entries[HEPING]["campaign"] == campaign
    assert entries[SHENHE]["published"] is None and "未开启" in entries[SHENHE]["why_not_published"]
    phases = {p["code"]: p for p in entries[HEPING]["phases"]}
    assert phases["inventory"]["done"] == 1 and phases["inventory"]["total"] > 1
    assert set(phases["inventory"]["standings"]) <= {"on_track", "near_due", "due", "yellow", "red", "done"}
    # The city's status of the district now reads its own campaign.
    report = campaign_service.campaign_status(initialised, date(2017, 3, 28), None,
                                              campaign_service.StatusFilter(district="和平区"))
    assert report["campaign"]["code"] == campaign


def test_a_districts_late_departments_are_carded_to_its_own_contacts_and_its_digest_goes_to_its_coordinator(
        initialised):
    _open(initialised)
    day = supervision.sweep_day(initialised, date(2017, 1, 23))  # the first working day after 1月20日
    with transaction(initialised) as session:
        cards = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "escalation",
                                                            OutboxMessage.district == HEPING)).all()
        digest = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"digest:shenyang-2016-{HEPING}:2017-01-23"))
        coordinator = session.scalar(select(Organisation).where(Organisation.code == f"{HEPING}-bwb"))
        coordinator_address = coordinator.contacts[0].email
    assert cards and all(a.endswith(f"@{HEPING}.shenyang.example.org") for m in cards for a in m.to_addrs)
    assert all("黄牌" in m.subject for m in cards)
    assert digest is not None and digest.to_addrs == [coordinator_address]
    assert day.working_day


def test_the_weekly_bulletin_has_every_district_its_chart_and_traffic_lights(initialised, tmp_path):
    _open(initialised)
    # Obligations in every phase of the city plan, the standing self-reports among them, which the
    # bulletin leaves out.
    campaign_service.add_synthetic_obligations(initialised, 40, date(2017, 1, 23))
    out = tmp_path / "通报.xlsx"
    written = districts.weekly_report(initialised, date(2017, 1, 23), out)
    assert written["districts"] == 13 and written["departments"] > 30
    heping = next(r for r in written["rows"] if r["code"] == HEPING)
    assert heping["phases"]["inventory"]["light"] == "yellow"  # due 1月20日, nobody has handed in
    assert heping["phases"]["district_plans"]["total"] == 1
    with zipfile.ZipFile(out) as book:
        assert any(name.startswith("xl/charts/chart") for name in book.namelist())
    sheet = load_workbook(io.BytesIO(out.read_bytes()))["进展通报"]
    assert sheet.conditional_formatting and sheet.freeze_panes
    assert sheet.page_setup.orientation == "landscape"
