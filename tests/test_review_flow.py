"""Routing, agency replies, the merge, conflicts and the department's response, on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.settings import get_settings
from demo.samples import filled_workbook, reply_mail
from registry.db import transaction
from registry.directory.tables import Organisation
from registry.review.merge import decide_conflict
from registry.review.obligations import ReviewError
from registry.review.tables import ConsolidatedOpinion, ReviewReply, ReviewResponse
from tests.intake_helpers import (
    call,
    edited,
    good_workbook,
    items_sheet,
    outbox,
    reply,
    take_in,
)
from tests.review_helpers import (
    AGENCIES,
    MERGED,
    REPLIED,
    accepted_list,
    agency_reply,
    all_agencies_reply,
    filled_packet,
    merge,
    obligations,
    packets,
    route,
)
from workbooks.review_packet import AGENCY, FLAGS, HEADERS, SHEET

CANCEL_BY_LEGAL_OFFICE = {"fzb": {0: ("取消", "无法律法规依据", "")}}


def decide(url: str, submission_id: int, seq: str, opinion: str, reason: str = ""):
    with transaction(url) as session:
        return decide_conflict(session, submission_id, seq, opinion, reason, "coordinator", get_settings(), MERGED)


def test_routing_opens_one_review_per_agency_due_by_the_review_deadline(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    assert obligations(initialised, "review") == [(a, str(submission_id), "open", date(2016, 9, 30)) for a in AGENCIES]


def test_routing_again_opens_and_sends_nothing_more(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    again = route(initialised, submission_id)
    assert again.route == "skip"
    assert len(obligations(initialised, "review")) == 4 and len(outbox(initialised, "review_packet")) == 4


def test_each_packet_names_its_agency_and_shows_its_pre_flags(initialised):
    c = call(initialised, "jyj")
    rows = [[1, "=HYPERLINK(\"http://x\")", "主动服务", "社会保障", "自然人", "本单位", "", 5, "否", "", "", ""]]
    submission_id = take_in(initialised, reply(c, [("清单.xlsx", filled_workbook(c.template, rows))])).submission_id
    route(initialised, submission_id)
    sheet = load_workbook(io.BytesIO(packets(initialised)["fzb"].workbook))[SHEET]
    row = {h: sheet.cell(row=2, column=n + 1) for n, h in enumerate(HEADERS)}
    assert "法制" in row[AGENCY].value
    assert "未填写设定依据" in row[FLAGS].value
    assert row["事项名称"].data_type == "s"  # the department's "=…" stays text, never a live formula


def test_four_agreeing_opinions_issue_the_written_opinion_and_open_the_response(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    assert set(all_agencies_reply(initialised, submission_id).values()) == {"opinion"}
    result = merge(initialised, submission_id)
    assert (result.created, result.issued) == (True, True)
    [letter] = outbox(initialised, "consolidated_opinion")
    assert letter.to_addrs == ["jyj.contact@shenyang.example.org"] and letter.attachments
    # Ten working days from 28 September cross the National Day holidays and their two make-up days.
    assert obligations(initialised, "response") == [("jyj", str(submission_id), "open", date(2016, 10, 17))]


def test_merging_twice_builds_one_opinion(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    all_agencies_reply(initialised, submission_id)
    merge(initialised, submission_id)
    assert merge(initialised, submission_id).created is False
    assert len(outbox(initialised, "consolidated_opinion")) == 1


def test_nothing_is_merged_while_an_agency_has_not_replied(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    packet = packets(initialised)["fzb"]
    take_in(initialised, agency_reply(packet, filled_packet(packet.workbook)), REPLIED)
    assert merge(initialised, submission_id).created is False


def test_a_conflict_waits_for_the_coordinator_who_is_told(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    all_agencies_reply(initialised, submission_id, CANCEL_BY_LEGAL_OFFICE)
    result = merge(initialised, submission_id)
    assert (result.conflicts, result.issued) == (1, False)
    [notice] = outbox(initialised, "review_notice")
    assert notice.to_addrs == ["bwb.contact@shenyang.example.org"] and "不一致" in notice.subject
    assert outbox(initialised, "consolidated_opinion") == []


def test_the_coordinators_decision_issues_the_written_opinion(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    all_agencies_reply(initialised, submission_id, CANCEL_BY_LEGAL_OFFICE)
    merge(initialised, submission_id)
    _, issued = decide(initialised, submission_id, "1", "取消", "无法律法规依据，同意法制办意见")
    assert issued
    [letter] = outbox(initialised, "consolidated_opinion")
    sheet = load_workbook(io.BytesIO(letter.attachments[0].content)).active
    decided = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == "1"][0]
    assert "取消" in decided[-1] and decided[6] == "取消"


def test_deciding_an_item_the_agencies_agreed_on_is_refused(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    all_agencies_reply(initialised, submission_id, CANCEL_BY_LEGAL_OFFICE)
    merge(initialised, submission_id)
    with pytest.raises(ReviewError, match="需要协调的序号：1"):
        decide(initialised, submission_id, "2", "保留")


def test_the_departments_revised_list_is_diffed_and_opens_the_recheck(initialised):
    c = call(initialised, "jyj")
    first = good_workbook(c, 3)
    submission_id = take_in(initialised, reply(c, [("清单.xlsx", first)])).submission_id
    route(initialised, submission_id)
    all_agencies_reply(initialised, submission_id)
    merge(initialised, submission_id)

    def revise(book):
        sheet = items_sheet(book)
        sheet.delete_rows(2)  # the first item goes, as the opinion asked
        sheet.cell(row=2, column=8, value=2)  # the next one is faster now

    revised = take_in(initialised, reply(c, [("修改后清单.xlsx", edited(first, revise))]), datetime(2016, 10, 10, 9))
    routed = route(initialised, revised.submission_id, datetime(2016, 10, 10, 9, 5))
    assert routed.route == "response"
    with transaction(initialised) as session:
        response = session.scalar(select(ReviewResponse))
        assert (response.added, response.removed, response.changed) == (0, 1, 1)
    assert [s for _, _, s, _ in obligations(initialised, "response")] == ["fulfilled"]
    assert obligations(initialised, "approval") == [("bwb", f"recheck:{submission_id}", "open", date(2016, 10, 31))]
    assert "删除 1 项，修改 1 项" in outbox(initialised, "response_receipt")[0].text


def test_a_list_replaced_during_review_withdraws_the_old_reviews(initialised):
    c = call(initialised, "jyj")
    first = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 3))])).submission_id
    route(initialised, first)
    second = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 4))])).submission_id
    assert route(initialised, second).route == "review"
    states = {(ref, s) for _, ref, s, _ in obligations(initialised, "review")}
    assert states == {(str(first), "waived"), (str(second), "open")}


def test_an_agency_not_asked_to_review_gets_a_clear_refusal(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    packet = packets(initialised)["fzb"]
    own_thread = call(initialised, "mzw")  # a department that is no reviewer, on its own inventory thread
    result = take_in(initialised, reply(own_thread, [("审核意见表.xlsx", filled_packet(packet.workbook))]))
    assert result.outcome == "rejected" and "没有被要求审核" in result.receipt


def test_added_rows_are_refused_and_the_review_returned(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    packet = packets(initialised)["czj"]
    workbook = filled_packet(packet.workbook, edit=lambda sheet: sheet.append([9, "自行新增的事项"] + [""] * 12 + ["保留"]))
    result = take_in(initialised, agency_reply(packet, workbook))
    assert result.outcome == "rejected" and "新增的行" in result.receipt
    assert ("czj", str(submission_id), "returned") in [o[:3] for o in obligations(initialised, "review")]


def test_every_problem_in_a_review_workbook_is_told_at_once(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    packet = packets(initialised)["zwfwb"]
    workbook = filled_packet(packet.workbook, {0: ("取消", "", ""), 1: ("同意", "", "")})
    result = take_in(initialised, agency_reply(packet, workbook))
    assert result.problems == 2
    assert "没有写理由" in result.receipt and "「同意」不是可选的值" in result.receipt


def test_the_same_opinion_twice_is_recognised_not_stored_twice(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    packet = packets(initialised)["bwb"]
    workbook = filled_packet(packet.workbook)
    take_in(initialised, agency_reply(packet, workbook))
    again = take_in(initialised, agency_reply(packet, workbook))
    assert again.outcome == "opinion_duplicate" and "未重复登记" in again.receipt
    with transaction(initialised) as session:
        assert session.scalar(select(func.count()).select_from(ReviewReply)) == 1


def test_a_changed_opinion_before_the_merge_replaces_the_earlier_one(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    packet = packets(initialised)["bwb"]
    take_in(initialised, agency_reply(packet, filled_packet(packet.workbook)))
    take_in(initialised, agency_reply(packet, filled_packet(packet.workbook, {2: ("合并", "并入第1项", "")})))
    with transaction(initialised) as session:
        assert session.scalars(select(ReviewReply.state).order_by(ReviewReply.id)).all() == ["superseded", "accepted"]


def test_an_opinion_after_the_merge_is_kept_flagged_and_brought_to_the_coordinator(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    all_agencies_reply(initialised, submission_id)
    merge(initialised, submission_id)
    packet = packets(initialised)["fzb"]
    late = take_in(initialised, agency_reply(packet, filled_packet(packet.workbook, CANCEL_BY_LEGAL_OFFICE["fzb"])),
                   datetime(2016, 10, 8, 9))
    assert late.outcome == "opinion_late"
    with transaction(initialised) as session:
        assert session.scalar(select(ReviewReply.after_merge).where(ReviewReply.state == "accepted",
                                                                    ReviewReply.agency_id == packet_agency(session)))
        assert session.scalar(select(func.count()).select_from(ConsolidatedOpinion)) == 1
    assert any("汇总后" in m.subject for m in outbox(initialised, "review_notice"))


def packet_agency(session) -> int:
    return session.scalar(select(Organisation.id).where(Organisation.code == "fzb"))


def test_the_flows_route_merge_and_leave_the_review_status(initialised, prefect_server):
    from prefect.client.orchestration import get_client

    from flows.review import review_merge_flow, review_routing_flow

    submission_id = accepted_list(initialised)
    routed = asyncio.run(review_routing_flow(now=datetime(2016, 8, 1, 9), deliver=False))
    assert [r["route"] for r in routed] == ["review"]
    all_agencies_reply(initialised, submission_id)
    merged = asyncio.run(review_merge_flow(now=MERGED, deliver=False))
    assert merged == [{"submission_id": submission_id, "created": True, "conflicts": 0, "issued": True}]

    async def latest():
        async with get_client() as client:
            return {a.key: a for a in await client.read_latest_artifacts()}

    [row] = json.loads(asyncio.run(latest())["review-status"].data)
    assert (row["市法制办"], row["进展"]) == ("已提交意见", "待部门回复")


def test_an_opinion_on_a_list_already_replaced_is_refused(initialised):
    c = call(initialised, "jyj")
    first = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 3))])).submission_id
    route(initialised, first)
    old_packet = packets(initialised, first)["fzb"]
    second = take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 4))])).submission_id
    route(initialised, second)
    result = take_in(initialised, agency_reply(old_packet, filled_packet(old_packet.workbook)))
    assert result.outcome == "rejected" and "已被该部门的新版本取代" in result.receipt


def test_the_routing_deployment_listens_for_the_acceptance_event():
    from deployments.review import routing_deployment

    [trigger] = routing_deployment().triggers
    assert trigger.expect == {"reform.submission.accepted"}
    assert trigger.parameters == {"submission_id": "{{ event.payload.submission_id }}"}


def test_a_review_reply_without_its_workbook_returns_that_review(initialised):
    submission_id = accepted_list(initialised)
    route(initialised, submission_id)
    packet = packets(initialised)["fzb"]
    result = take_in(initialised, reply_mail(sender=packet.to, sender_name="审核人", to=packet.reply_to,
                                             subject="回复：" + packet.subject))
    assert result.outcome == "rejected" and "没有 Excel 工作簿附件" in result.receipt
    assert ("fzb", str(submission_id), "returned") in [o[:3] for o in obligations(initialised, "review")]
