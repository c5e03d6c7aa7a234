"""`reform init` on a fresh database loads the 2016 plan as the coordinators expect to see it."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

import registry.campaign.plan as plan_module
from registry.calendar.store import load_calendar
from registry.calendar.tables import CalendarDay
from registry.campaign.plan import PlanError, load_plan, open_phase, read_plan
from registry.campaign.setup import initialise
from registry.campaign.status import campaign_status
from registry.campaign.tables import AuditEntry, Campaign, Obligation, Phase, Task
from registry.db import transaction
from registry.directory.tables import Organisation
from rules.organisations import OrgKind

AS_OF = date(2016, 7, 20)


def _status(url: str) -> dict:
    with transaction(url) as session:
        return campaign_status(session, AS_OF)


def test_status_lists_the_fifteen_tasks(initialised):
    tasks = _status(initialised)["tasks"]
    assert [t["number"] for t in tasks] == list(range(1, 16))
    assert [t["long_term"] for t in tasks] == [False] * 4 + [True] * 11


def test_phase_deadlines_follow_the_working_day_calendar(initialised):
    phases = {p["code"]: p for p in _status(initialised)["phases"]}
    assert {code: p["deadline"] for code, p in phases.items()} == {
        "inventory": "2016-08-01",
        "review": "2016-09-30",
        "response": None,
        "approval": "2016-10-31",
        "guides": "2016-11-21",
        # Reviews of the guides and the ledgers are due a few working days after each packet goes out.
        "guides_review": None,
        "publication": "2016-11-30",
        "certificates": "2016-11-30",
        "certificates_review": None,
        "district_plans": "2017-01-03",
        "district_publication": "2017-03-31",
        # Undated: periodic reports and complaint answers are due relative to when they open.
        "supervision": None,
        "rectification": None,
        "evaluation_cases": None,
        "complaints": None,
    }


def test_each_phase_keeps_its_source_phrase_beside_the_date(initialised):
    phases = {p["code"]: p for p in _status(initialised)["phases"]}
    assert phases["inventory"]["source_phrase"] == "7月底前"
    assert phases["district_plans"]["source_phrase"] == "2016年12月底前"
    assert "顺延" in phases["inventory"]["deadline_reason"]


def test_every_city_department_owes_one_inventory(initialised):
    with transaction(initialised) as session:
        departments = set(session.scalars(
            select(Organisation.code).where(Organisation.kind == OrgKind.DEPARTMENT, Organisation.parent_id.is_(None))
        ))
    inventory = [o for o in _status(initialised)["obligations"] if o["phase"] == "inventory"]
    assert sorted(o["org"] for o in inventory) == sorted(departments)
    assert len(departments) >= 40
    assert {(o["due"], o["state"], o["standing"]) for o in inventory} == {("2016-08-01", "open", "on_track")}


def test_district_plans_are_owed_by_the_thirteen_districts_and_the_regulators(initialised):
    owed = {o["org"] for o in _status(initialised)["obligations"] if o["phase"] == "district_plans"}
    districts = {"210102", "210103", "210104", "210105", "210106", "210111", "210112", "210113", "210114",
                 "210115", "210123", "210124", "210181"}
    assert districts < owed
    assert {"jtj", "jsw"} <= owed


def _counts(url: str) -> dict[str, int]:
    with transaction(url) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Organisation, Task, Phase, Obligation, AuditEntry, CalendarDay)
        }


def test_running_init_twice_changes_nothing(initialised):
    before = _counts(initialised)
    report = initialise(initialised)
    assert _counts(initialised) == before
    assert (report.calendar_years_added, report.organisations_added, report.obligations_opened) == ((), 0, 0)


def test_opening_an_obligation_is_in_the_audit_log(initialised):
    with transaction(initialised) as session:
        opened = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "open"))
        obligations = session.scalar(select(func.count()).select_from(Obligation))
    assert opened == obligations


def test_a_second_campaign_opens_its_phases_from_the_registry_alone(initialised, monkeypatch):
    second = replace(read_plan(), code="heping-2016", name="和平区简化优化公共服务流程工作", level="district")
    with transaction(initialised) as session:
        load_plan(session, second, load_calendar(session))

    def no_plan_file(*_args, **_kwargs):
        raise AssertionError("opening a phase read the plan file")

    # Opening takes only codes; no plan file is at hand, the shipped one included.
    monkeypatch.setattr(plan_module, "read_plan", no_plan_file)
    monkeypatch.setattr(plan_module.yaml, "safe_load", no_plan_file)
    with transaction(initialised) as session:
        opened = open_phase(session, "heping-2016", "inventory", date(2016, 6, 12))
        owed = session.execute(
            select(Organisation.code, Obligation.due, Obligation.creditor_id)
            .join(Obligation, Obligation.debtor_id == Organisation.id)
            .join(Campaign, Campaign.id == Obligation.campaign_id)
            .where(Campaign.code == "heping-2016")
        ).all()
        coordinator = session.scalar(select(Organisation.id).where(Organisation.code == "bwb"))
    city = [o for o in _status(initialised)["obligations"] if o["phase"] == "inventory"]
    assert opened == len(city) == len(owed)
    assert {o["org"] for o in city} == {code for code, _, _ in owed}
    assert {(due, creditor) for _, due, creditor in owed} == {(date(2016, 8, 1), coordinator)}


def test_opening_an_unknown_phase_names_it(initialised):
    with transaction(initialised) as session, pytest.raises(PlanError) as info:
        open_phase(session, "shenyang-2016", "nonesuch", AS_OF)
    assert str(info.value) == "工作方案中没有阶段 'nonesuch'"
    assert "inventory" in info.value.problems[0].fix


def test_every_problem_in_a_plan_is_reported_before_anything_is_written(initialised):
    plan = read_plan()
    phases = (replace(plan.phases[0], debtors="departments+agencies"), *plan.phases[1:])
    bad = replace(plan, code="bad-2016", owner="nonesuch", phases=phases)
    with transaction(initialised) as session, pytest.raises(PlanError) as info:
        load_plan(session, bad, load_calendar(session))
    assert [(p.file, p.place) for p in info.value.problems] == [
        ("shenyang_2016.yaml", ""), ("shenyang_2016.yaml", "阶段 inventory debtors")]
    assert str(info.value) == ("工作方案引用了目录中没有的单位代码：nonesuch (unknown organisation codes)"
                               "；无法识别的责任单位选择：'agencies'")
    with transaction(initialised) as session:
        assert session.scalar(select(Campaign).where(Campaign.code == "bad-2016")) is None
