"""One message per organisation, rung and day: an agency with 26 lists to review gets one reminder.

Through the real SMTP server (aiosmtpd) on both databases: the message lists every obligation,
a rerun sends nothing, a later obligation gets its own message on its own day, and each
obligation's rung is recorded once.
"""
from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from sqlalchemy import select, update

from core.settings import get_settings
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.db import transaction
from registry.directory.tables import Contact, Organisation
from registry.intake.reply_tokens import token_for
from registry.outbox.delivery import deliver_pending
from registry.supervision import service as supervision
from registry.supervision.rungs import rungs_of

D = date.fromisoformat
REVIEW_DUE = D("2016-09-30")  # 9月底前, a Friday; National Day follows, 10-08 and 10-09 are worked
FIRST_LATE = D("2016-10-08")  # the first working day after it: the yellow card
AGENCY = "fzb"
LEADER, CONTACT, HEAD = (f"fzb.{role}@shenyang.example.org" for role in ("leader", "contact", "head"))


def _review(session, agency_id: int, department_id: int, ref: str, due: date) -> int:
    campaign = session.scalar(select(Campaign).where(Campaign.level == "city"))
    phase = session.scalar(select(Phase).where(Phase.campaign_id == campaign.id, Phase.code == "review"))
    obligation = Obligation(campaign_id=campaign.id, phase_id=phase.id, debtor_id=agency_id,
                            creditor_id=department_id, ref=ref, due=due, state="open", opened_on=D("2016-08-01"))
    session.add(obligation)
    session.flush()
    return obligation.id


@pytest.fixture
def reviews(initialised) -> tuple[str, list[int], list[int]]:
    """法制办 owes 26 departments its written review opinion, all due 09-30; nothing else is open.

    Returns the URL, the 26 obligations in id order and the 26 departments they are owed to.
    """
    with transaction(initialised) as session:
        session.execute(update(Obligation).where(Obligation.state == "open").values(state="fulfilled"))
        agency = session.scalar(select(Organisation.id).where(Organisation.code == AGENCY))
        departments = list(session.scalars(select(Organisation.id).where(
            Organisation.kind == "department", Organisation.code != AGENCY).order_by(Organisation.id).limit(26)))
        ids = [_review(session, agency, dept, str(100 + n), REVIEW_DUE) for n, dept in enumerate(departments)]
        for oid in ids[:3]:  # their packets went out with a reply token
            token_for(session, oid, datetime(2016, 8, 1, 9))
    assert len(ids) == 26
    return initialised, ids, departments


def _sweep_and_deliver(url: str, day: date):
    outcome = supervision.sweep_day(url, day)
    asyncio.run(deliver_pending(url, get_settings(), datetime.combine(day, datetime.min.time()).replace(hour=9, minute=1)))
    return outcome


RUNG_TAGS = ("【提醒】", "【催办提醒】", "【黄牌警示】", "【红牌督办】", "【提请督查】")


def _to_agency(smtp_server) -> list:
    """The rung messages 法制办 received (the quarter's self-report call is another matter)."""
    return [m for m in smtp_server.messages if m["Subject"].startswith(RUNG_TAGS) and "市法制办" in m["Subject"]]


def test_an_agency_with_26_overdue_reviews_gets_one_message_listing_them_all(reviews, smtp_server):
    url, ids, _ = reviews
    outcome = _sweep_and_deliver(url, FIRST_LATE)
    [message] = _to_agency(smtp_server)
    assert message["Subject"] == "【黄牌警示】市法制办：26项事项已逾期（最早截止日期 2016-09-30）"
    assert (message["To"], message["Cc"]) == (LEADER, CONTACT)  # the yellow card's own ladder
    body = message.get_body(("plain",)).get_content()
    assert body.splitlines()[0] == "分管领导：" and "以下 26 项事项截止日期已过" in body
    for number, oid in enumerate(ids, 1):
        assert f"{number}. 事项编号 {oid}：「审核确认（书面审核意见）」（{100 + number - 1}），报送" in body
    assert body.count("截止日期 2016-09-30（星期五；原文「9月底前」），已逾期 1 个工作日") == 26
    assert body.count("报送或回复请发至 intake+") == 3 and body.count("[RF-") == 3
    assert "现予黄牌警示" in body
    [sent] = [m for m in outcome.messages if m.org_code == AGENCY]
    assert (sent.rung, sent.count, sent.obligation_ids) == ("yellow", 26, tuple(ids))
    assert sent.key == "rungs:fzb:yellow:2016-10-08"


def test_the_message_names_each_department_the_opinion_is_owed_to(reviews, smtp_server):
    url, ids, departments = reviews
    _sweep_and_deliver(url, FIRST_LATE)
    body = _to_agency(smtp_server)[0].get_body(("plain",)).get_content()
    with transaction(url) as session:
        names = session.scalars(select(Organisation.name).where(Organisation.id.in_(departments))).all()
    assert all(f"，报送{name}" in body for name in names)


def test_a_rerun_of_the_same_day_sends_nothing(reviews, smtp_server):
    url, ids, _ = reviews
    _sweep_and_deliver(url, FIRST_LATE)
    again = _sweep_and_deliver(url, FIRST_LATE)
    assert again.messages == [] and again.notices == [] and again.result.already_sent == 26
    assert len(_to_agency(smtp_server)) == 1


def test_an_obligation_reaching_the_rung_the_next_day_gets_its_own_message(reviews, smtp_server):
    url, ids, departments = reviews
    _sweep_and_deliver(url, FIRST_LATE)
    with transaction(url) as session:
        agency = session.scalar(select(Organisation.id).where(Organisation.code == AGENCY))
        later = _review(session, agency, departments[0], "200", FIRST_LATE)  # a list routed late
    outcome = _sweep_and_deliver(url, D("2016-10-09"))  # a Sunday worked for National Day
    first, second = _to_agency(smtp_server)
    assert second["Subject"] == "【黄牌警示】市法制办「审核确认（书面审核意见）」已逾期（截止日期 2016-10-08）"
    assert second["Message-ID"] != first["Message-ID"]
    assert [(m.key, m.obligation_ids) for m in outcome.messages if m.org_code == AGENCY] == [
        ("rungs:fzb:yellow:2016-10-09", (later,))]
    assert f"事项编号 {later}" in second.get_body(("plain",)).get_content()


def test_each_obligation_records_each_rung_once_and_explain_shows_the_shared_message(reviews, smtp_server):
    url, ids, _ = reviews
    for day in ("2016-10-08", "2016-10-09", "2016-10-11", "2016-10-11"):  # red on 10-11, swept twice
        _sweep_and_deliver(url, D(day))
    with transaction(url) as session:
        taken = {oid: [(r.rung, r.taken_on, r.notice_key) for r in rungs_of(session, oid)] for oid in ids}
    assert all(rungs == [("yellow", FIRST_LATE, "rungs:fzb:yellow:2016-10-08"),
                         ("red", D("2016-10-11"), "rungs:fzb:red:2016-10-11")] for rungs in taken.values())
    red = [m for m in _to_agency(smtp_server) if m["Subject"].startswith("【红牌督办】")]
    assert [m["Subject"] for m in red] == ["【红牌督办】市法制办：26项事项逾期未完成（最早截止日期 2016-09-30）"]
    assert red[0]["To"] == HEAD and red[0]["Cc"] == f"{LEADER}, {CONTACT}"

    report = supervision.explain_obligation(url, ids[7], D("2016-10-11"))
    assert {s["rung"] for s in report["ladder"] if s["taken"]} == {"yellow", "red"}
    assert [n["key"] for n in report["notices"]] == ["rungs:fzb:yellow:2016-10-08", "rungs:fzb:red:2016-10-11"]
    assert report["notices"][0]["subject"].startswith("【黄牌警示】市法制办：26项")


def test_the_supervision_message_copies_the_head_and_every_lead_unit_the_ladder_names(reviews, smtp_server):
    url, ids, departments = reviews
    outcome = _sweep_and_deliver(url, D("2016-10-14"))  # 督查: first sweep after the gap, current rung only
    [message] = [m for m in outcome.messages if m.org_code == AGENCY]
    with transaction(url) as session:
        leads = set(session.scalars(select(Contact.email).where(Contact.org_id.in_(departments),
                                                                Contact.role == "contact")))
    assert message.rung == "supervision" and message.count == 26
    assert message.to == ("szfbgt.contact@shenyang.example.org",)  # 市政府办公厅督查
    # 市政府办公厅 is one of the 26 departments: addressed, so not copied as well.
    assert message.cc[:3] == (HEAD, LEADER, CONTACT) and set(message.cc[3:]) == leads - set(message.to)
    [mail] = [m for m in smtp_server.messages if m["Subject"].startswith("【提请督查】市法制办：26项")]
    assert mail["Message-ID"]


def test_the_digest_and_the_dry_run_give_one_line_per_message_with_its_count(reviews):
    url, ids, _ = reviews
    dry = supervision.sweep_day(url, FIRST_LATE, dry_run=True)
    [line] = [m.line() for m in dry.messages]
    assert line == f"fzb\t#{ids[0]}、#{ids[1]}、#{ids[2]} 等 26 项\tyellow\t审核确认（书面审核意见）\t→ 分管领导"
    day = supervision.sweep_day(url, FIRST_LATE)
    [card] = day.digest.new_cards
    assert (card.card, card.org, len(card.obligation_ids)) == ("黄牌", "市法制办", 26)
    assert f"- 黄牌：市法制办「审核确认（书面审核意见）」 26 项（事项 {ids[0]}、" in day.digest.text()
    assert "新增黄红牌 26 张" in day.digest.subject()


def test_rungs_sent_before_the_upgrade_are_not_sent_again(initialised):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import insert, select

    from registry.campaign.tables import Obligation, Phase
    from registry.db import MIGRATIONS, migrate
    from registry.directory.tables import Organisation
    from registry.outbox.tables import OutboxMessage

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = initialised
    command.downgrade(config, "0007")
    with transaction(initialised) as session:  # what the 07-25 sweep queued before notices were grouped
        # Only the columns the obligations had then, too.
        jyj = session.scalar(select(Obligation.id).join(Phase, Phase.id == Obligation.phase_id)
                             .join(Organisation, Organisation.id == Obligation.debtor_id)
                             .where(Phase.code == "inventory", Organisation.code == "jyj"))
        # Only the columns the outbox had then: the models of today describe a later schema.
        session.execute(insert(OutboxMessage.__table__).values(
            key=f"rung:{jyj}:reminder-5", message_id=f"<rung-{jyj}-reminder-5@example.org>", kind="escalation",
            obligation_id=jyj, to_addrs=["jyj.contact@shenyang.example.org"], cc_addrs=[], reply_to="",
            subject="【提醒】", text="", html="", in_reply_to="", state="pending", attempts=0, last_error="",
            queued_at=datetime(2016, 7, 25, 9)))
    migrate(initialised)
    with transaction(initialised) as session:
        assert [(r.rung, r.taken_on, r.notice_key) for r in rungs_of(session, jyj)] == [
            ("reminder-5", D("2016-07-25"), f"rung:{jyj}:reminder-5")]
    day = supervision.sweep_day(initialised, D("2016-07-25"))
    assert jyj not in {n.obligation_id for n in day.notices} and day.result.already_sent == 1
    report = supervision.explain_obligation(initialised, jyj, D("2016-07-25"))
    assert [n["key"] for n in report["notices"] if n["kind"] == "escalation"] == [f"rung:{jyj}:reminder-5"]
