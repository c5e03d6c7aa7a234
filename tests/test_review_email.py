"""The four-agency round trip on real servers: packets out through aiosmtpd, replies into Dovecot,
receipts and the written opinion back out."""
from __future__ import annotations

import asyncio
from datetime import datetime

from demo.samples import reply_mail
from tests.intake_helpers import NOW, call, good_workbook, reply
from tests.review_helpers import filled_packet
from tests.test_intake_imap import (
    imap_intake,  # noqa: F401 - the Dovecot intake fixture, shared
)

AGENCY_ADDRESSES = {f"{a}.contact@shenyang.example.org" for a in ("bwb", "fzb", "czj", "zwfwb")}
REVIEWED = datetime(2016, 9, 20, 10, 0)


def _department_list_accepted(url: str, mailbox) -> int:
    from flows.intake import intake_flow

    c = call(url, "jyj")
    mailbox.deliver(reply(c, [("清单.xlsx", good_workbook(c, 3))]))
    [result] = asyncio.run(intake_flow(NOW))
    assert result["outcome"] == "accepted"
    return result["submission_id"]


def _agencies_answer_their_packets(smtp_server, mailbox, opinions=None) -> None:
    for packet in [m for m in smtp_server.messages if m["Subject"].startswith("【审核】")]:
        [attachment] = list(packet.iter_attachments())
        agency = packet["To"].split(".")[0]
        workbook = filled_packet(attachment.get_content(), (opinions or {}).get(agency))
        mailbox.deliver(reply_mail(sender=packet["To"], sender_name="审核人", to=packet["Reply-To"],
                                   subject="回复：" + packet["Subject"], attachments=[("审核意见表.xlsx", workbook)]))


def test_four_agencies_review_by_email_and_the_department_receives_the_written_opinion(
        initialised, prefect_server, smtp_server, imap_intake):  # noqa: F811
    from flows.intake import intake_flow
    from flows.review import review_merge_flow, review_routing_flow

    submission_id = _department_list_accepted(initialised, imap_intake)
    asyncio.run(review_routing_flow(submission_id, NOW))
    assert {m["To"] for m in smtp_server.messages if m["Subject"].startswith("【审核】")} == AGENCY_ADDRESSES

    _agencies_answer_their_packets(smtp_server, imap_intake)
    results = asyncio.run(intake_flow(REVIEWED))
    assert sorted(r["outcome"] for r in results) == ["opinion"] * 4
    receipts = [m for m in smtp_server.messages if m["Subject"].startswith("【回执】审核意见已登记")]
    assert {m["To"] for m in receipts} == AGENCY_ADDRESSES

    asyncio.run(review_merge_flow(now=REVIEWED))
    [opinion] = [m for m in smtp_server.messages if m["Subject"].startswith("【书面审核意见】")]
    assert opinion["To"] == "jyj.contact@shenyang.example.org"
    assert [a.get_filename() for a in opinion.iter_attachments()] == ["书面审核意见-市教育局-第1版.xlsx"]


def test_a_faulty_review_reply_gets_every_problem_back_by_email(
        initialised, prefect_server, smtp_server, imap_intake):  # noqa: F811
    from flows.intake import intake_flow
    from flows.review import review_routing_flow

    submission_id = _department_list_accepted(initialised, imap_intake)
    asyncio.run(review_routing_flow(submission_id, NOW))
    _agencies_answer_their_packets(smtp_server, imap_intake, {"czj": {0: ("取消", "", ""), 2: ("删掉", "", "")}})
    results = asyncio.run(intake_flow(REVIEWED))
    assert sorted(r["outcome"] for r in results) == ["opinion"] * 3 + ["rejected"]
    [receipt] = [m for m in smtp_server.messages if "未能登记" in m["Subject"]]
    body = receipt.get_body(("plain",)).get_content()
    assert receipt["To"] == "czj.contact@shenyang.example.org"
    assert "共发现 2 处问题" in body and "没有写理由" in body and "「删掉」不是可选的值" in body
