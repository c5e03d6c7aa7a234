"""A department's guides: opened on approval, the pre-filled workbook in the call, checked at once,
stored item by item, reviewed by 市编委办 and 市政务服务办, revised until both agree."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from demo.guide_samples import filled_guides_workbook
from registry.campaign.audit import obligation_history
from registry.campaign.tables import Obligation
from registry.db import transaction
from registry.guides.service import guides_status, simplification_totals
from registry.guides.tables import Guide, GuideFile, GuideMaterial, GuideStep
from rules.guides import ELEMENTS
from tests.intake_helpers import outbox
from tests.review_helpers import agency_reply, filled_packet, merge, packets, route
from tests.second_half_helpers import FORMS, approved_department, call_for, send

REVIEWED = datetime(2016, 11, 14, 10, 0)


def test_approval_opens_one_guides_obligation_per_department_covering_its_items(initialised):
    approved_department(initialised, rows=3)
    with transaction(initialised) as session:
        guides = session.get(Obligation, call_for(initialised, "guides").obligation_id)
        assert guides.due == date(2016, 11, 21)
        assert [i["code"] for i in guides.scope["items"]] == ["JYJ-001", "JYJ-002", "JYJ-003"]
    status = guides_status(initialised)
    assert [(s["org"], s["state"], s["complete"]) for s in status] == [("jyj", "missing", False)] * 3
    assert status[0]["missing"] == list(ELEMENTS)


def test_the_call_carries_a_workbook_pre_filled_from_the_approved_list(initialised):
    approved_department(initialised)
    c = call_for(initialised, "guides")
    assert c.filename.startswith("办事指南-") and "编制办事指南" in c.subject
    from workbooks.guides_parse import parse_guides

    sheets = parse_guides(c.template)
    assert sheets.org_code == "jyj" and len(sheets.guides) == 3


def test_a_workbook_returned_as_generated_is_rejected_naming_every_missing_element_of_every_item(initialised):
    approved_department(initialised)
    c = call_for(initialised, "guides")
    result = send(initialised, c, c.template)
    assert result.outcome == "rejected"
    for code in ("JYJ-001", "JYJ-002", "JYJ-003"):
        assert code in result.receipt
    status = guides_status(initialised)
    assert all(s["state"] == "rejected" and not s["complete"] and "受理单位" in s["missing"] for s in status)
    with transaction(initialised) as session:
        assert session.scalar(select(func.count()).select_from(Guide)) == 0  # nothing half-stored


def test_a_complete_workbook_is_stored_item_by_item_with_its_forms(initialised):
    approved_department(initialised)
    c = call_for(initialised, "guides")
    result = send(initialised, c, filled_guides_workbook(c.template, org_name="沈阳市教育局"), FORMS)
    assert result.outcome == "accepted", result.receipt
    assert "已通过校验，共 3 个事项的办事指南" in result.receipt and "个工作日" in result.receipt
    with transaction(initialised) as session:
        assert session.scalar(select(func.count()).select_from(Guide)) == 3
        assert session.scalar(select(func.count()).select_from(GuideStep)) == 9
        assert session.scalar(select(func.count()).select_from(GuideMaterial)) >= 3
        assert sorted(session.scalars(select(GuideFile.filename))) == sorted(name for name, _ in FORMS)
    assert all(s["state"] == "under_review" and s["complete"] for s in guides_status(initialised))
    assert simplification_totals(initialised)["days_cut"] > 0


def test_files_named_but_not_attached_are_each_told(initialised):
    approved_department(initialised)
    c = call_for(initialised, "guides")
    result = send(initialised, c, filled_guides_workbook(c.template), FORMS[:1])
    assert result.outcome == "rejected"
    assert FORMS[1][0] in result.receipt and FORMS[2][0] in result.receipt


def _accepted_guides(url: str) -> int:
    approved_department(url)
    c = call_for(url, "guides")
    result = send(url, c, filled_guides_workbook(c.template), FORMS)
    assert result.outcome == "accepted", result.receipt
    return result.submission_id


def test_the_guides_go_to_the_two_leads_of_task_2_only(initialised):
    submission_id = _accepted_guides(initialised)
    routed = route(initialised, submission_id, REVIEWED)
    assert routed.route == "review" and routed.opened == 2
    assert sorted(packets(initialised, submission_id)) == ["bwb", "zwfwb"]


def test_both_reviewers_agreeing_completes_the_guides(initialised):
    submission_id = _accepted_guides(initialised)
    route(initialised, submission_id, REVIEWED)
    for packet in packets(initialised, submission_id).values():
        result = _answer(initialised, packet, default=("同意", "", ""))
        assert result.outcome == "opinion", result.receipt
    assert merge(initialised, submission_id, REVIEWED).issued
    assert [s["state"] for s in guides_status(initialised)] == ["agreed"] * 3
    with transaction(initialised) as session:
        guides = session.get(Obligation, call_for(initialised, "guides").obligation_id)
        assert guides.state == "fulfilled"
        assert any(e.action == "agreed" for e in obligation_history(session, guides.id))
    assert any("审核通过" in m.subject for m in outbox(initialised, "consolidated_opinion"))


def test_a_revision_asked_by_one_reviewer_opens_the_guides_again_until_both_agree(initialised):
    submission_id = _accepted_guides(initialised)
    route(initialised, submission_id, REVIEWED)
    found = packets(initialised, submission_id)
    _answer(initialised, found["bwb"], default=("同意", "", ""))
    _answer(initialised, found["zwfwb"], {0: ("修改", "承诺时限可压缩为 2 个工作日", "")}, ("同意", "", ""))
    merge(initialised, submission_id, REVIEWED)
    c = call_for(initialised, "guides")
    with transaction(initialised) as session:
        guides = session.get(Obligation, c.obligation_id)
        assert guides.state == "open" and guides.due > date(2016, 11, 14)
    assert [s["state"] for s in guides_status(initialised)] == ["revise", "agreed", "agreed"]

    revised = send(initialised, c, filled_guides_workbook(c.template), FORMS, datetime(2016, 11, 18, 10))
    assert revised.outcome == "accepted"
    route(initialised, revised.submission_id, datetime(2016, 11, 18, 11))
    for packet in packets(initialised, revised.submission_id).values():
        _answer(initialised, packet, default=("同意", "", ""))
    assert merge(initialised, revised.submission_id, datetime(2016, 11, 21, 10)).issued
    assert [s["state"] for s in guides_status(initialised)] == ["agreed"] * 3


def test_a_revision_without_a_reason_is_refused_in_the_agency_receipt(initialised):
    submission_id = _accepted_guides(initialised)
    route(initialised, submission_id, REVIEWED)
    result = _answer(initialised, packets(initialised, submission_id)["zwfwb"], {0: ("修改", "", "")},
                     ("同意", "", ""))
    assert result.outcome == "rejected" and "没有写理由" in result.receipt


def test_an_adjustment_that_adds_items_reopens_the_guides_with_the_new_items(initialised):
    from registry.campaign.queries import find_campaign
    from registry.campaign.scoped import open_scoped

    submission_id = _accepted_guides(initialised)
    route(initialised, submission_id, REVIEWED)
    for packet in packets(initialised, submission_id).values():
        _answer(initialised, packet, default=("同意", "", ""))
    merge(initialised, submission_id, REVIEWED)
    c = call_for(initialised, "guides")
    with transaction(initialised) as session:
        guides = session.get(Obligation, c.obligation_id)
        items = [*guides.scope["items"], {**guides.scope["items"][0], "name": "新增事项", "code": "JYJ-004"}]
        scoped = open_scoped(session, find_campaign(session, None), "guides", guides.debtor_id, guides.creditor_id,
                             items, 2, "全市清单第 2 版", datetime(2017, 3, 6, 11))
        assert scoped.event == "rescoped"
        assert guides.state == "open" and guides.due > date(2017, 3, 6)
    assert len(guides_status(initialised)) == 4


def _answer(url, packet, opinions=None, default=("同意", "", "")):
    from tests.intake_helpers import take_in

    return take_in(url, agency_reply(packet, filled_packet(packet.workbook, opinions, default)), REVIEWED)
