"""`reform publish` and the publication flow's use case: an approved version rendered as the public
site, moved into place whole, recorded, and each department sent its part to publish and answer."""
from __future__ import annotations

import csv
import io
import os
import zipfile
from datetime import datetime

import pytest
from sqlalchemy import select

from demo.samples import reply_mail
from registry.campaign.obligations import find_obligation
from registry.db import transaction
from registry.publication import service as publication
from registry.publication.assemble import NothingToPublish
from registry.publication.tables import Publication, PublishedAddress
from tests.intake_helpers import outbox, take_in
from tests.second_half_helpers import approved_department

PUBLISHED = datetime(2016, 11, 29, 9, 30)


def _published(url: str, **extra):
    approved_department(url)
    return publication.publish(url, PUBLISHED, **extra)


def test_publishing_before_any_approval_is_refused(initialised):
    with pytest.raises(NothingToPublish, match="尚未经市政府审定"):
        publication.publish(initialised, PUBLISHED)


def test_a_version_that_does_not_exist_is_refused_naming_those_that_do(initialised):
    approved_department(initialised)
    with pytest.raises(NothingToPublish, match="没有第 7 版.*已有的版本：1"):
        publication.publish(initialised, PUBLISHED, version=7)


def test_the_site_is_written_under_the_home_with_current_pointing_at_it(initialised, tmp_path):
    result = _published(initialised)
    site = tmp_path / "home" / "site"
    assert result.path == site / "v1" and (site / "v1" / "index.html").is_file()
    assert os.readlink(site / "current") == "v1" and (site / "current" / "index.html").is_file()
    assert not [p for p in site.iterdir() if p.name.startswith(".")]  # nothing half-written left behind


def test_items_csv_has_one_row_per_approved_item(initialised):
    result = _published(initialised)
    with open(result.path / "data" / "items.csv", encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == result.items == 3


def test_the_publication_is_recorded_and_the_general_office_obligation_fulfilled(initialised):
    _published(initialised)
    with transaction(initialised) as session:
        [row] = session.scalars(select(Publication)).all()
        assert row.version == 1 and row.items == 3
        assert find_obligation(session, "publication", "szfbgt").state == "fulfilled"


def test_each_department_with_items_gets_its_part_and_the_others_are_released(initialised):
    result = _published(initialised)
    assert result.bundles == 1 and result.released > 0
    [bundle] = [m for m in outbox(initialised, "call") if m.key.startswith("bundle:")]
    [attachment] = bundle.attachments
    names = zipfile.ZipFile(io.BytesIO(attachment.content)).namelist()
    assert any(n.endswith(".html") for n in names)
    with transaction(initialised) as session:
        assert find_obligation(session, "publication", "jyj").state == "open"
        assert find_obligation(session, "publication", "mzj").state == "waived"


def test_a_reply_with_the_address_fulfils_the_department_and_is_recorded(initialised):
    _published(initialised)
    [bundle] = [m for m in outbox(initialised, "call") if m.key.startswith("bundle:")]
    raw = reply_mail(sender=bundle.to_addrs[0], sender_name="联系人", to=bundle.reply_to, subject="回复：" + bundle.subject,
                     text="已公布，网址：https://jyj.shenyang.example.gov.cn/ggfw/。请查收")
    result = take_in(initialised, raw, datetime(2016, 11, 30, 10))
    assert result.outcome == "address"
    with transaction(initialised) as session:
        assert session.scalars(select(PublishedAddress.address)).all() == ["https://jyj.shenyang.example.gov.cn/ggfw/"]
        assert find_obligation(session, "publication", "jyj").state == "fulfilled"


def test_a_reply_without_an_address_is_answered_with_what_to_send(initialised):
    _published(initialised)
    [bundle] = [m for m in outbox(initialised, "call") if m.key.startswith("bundle:")]
    raw = reply_mail(sender=bundle.to_addrs[0], sender_name="联系人", to=bundle.reply_to, subject="回复：" + bundle.subject,
                     text="已经公布了。")
    result = take_in(initialised, raw, datetime(2016, 11, 30, 10))
    assert result.outcome == "rejected" and "https://" in result.receipt
    with transaction(initialised) as session:
        assert find_obligation(session, "publication", "jyj").state == "returned"


def test_an_address_given_by_hand_that_is_not_an_address_is_refused(initialised):
    _published(initialised)
    with pytest.raises(publication.addresses.BadAddress, match="不是一个网址"):
        publication.record_address_by_hand(initialised, "jyj", "javascript:alert(1)", PUBLISHED)


def test_a_rendering_that_fails_leaves_the_last_site_as_it_was(initialised, monkeypatch):
    first = _published(initialised)
    before = (first.path / "index.html").read_bytes()

    def broken(site, out):
        (out / "index.html").write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(publication, "render_site", broken)
    with pytest.raises(RuntimeError):
        publication.publish(initialised, PUBLISHED)
    assert (first.path / "index.html").read_bytes() == before
    assert not [p for p in first.path.parent.iterdir() if p.name.startswith(".v1-")]


def test_a_folder_holding_something_else_is_never_replaced(initialised, tmp_path):
    approved_department(initialised)
    www = tmp_path / "www"
    www.mkdir()
    (www / "其他网页.html").write_text("keep me")
    with pytest.raises(publication.UnwritableSite, match="已有其他内容"):
        publication.publish(initialised, PUBLISHED, out=www)
    assert (www / "其他网页.html").read_text() == "keep me"


def test_publishing_again_into_the_same_folder_replaces_the_site(initialised, tmp_path):
    approved_department(initialised)
    out = tmp_path / "www"
    publication.publish(initialised, PUBLISHED, out=out)
    (out / "stale.html").write_text("old")
    publication.publish(initialised, PUBLISHED, out=out)
    assert (out / "index.html").is_file() and not (out / "stale.html").exists()


def test_an_output_place_inside_a_file_is_refused_before_anything_is_written(initialised, tmp_path):
    approved_department(initialised)
    blocker = tmp_path / "清单.txt"
    blocker.write_text("not a folder")
    with pytest.raises(publication.UnwritableSite, match="不是目录"):
        publication.publish(initialised, PUBLISHED, out=blocker / "site")
    with transaction(initialised) as session:
        assert session.scalars(select(Publication)).all() == []


def test_the_publication_flow_publishes_what_is_new_once_and_leaves_its_summary(initialised, prefect_server):
    import asyncio

    from prefect.client.orchestration import get_client

    from flows.publication import publication_flow

    approved_department(initialised)
    [published] = asyncio.run(publication_flow(now=PUBLISHED, deliver=False, only_new=True))
    assert published["version"] == 1 and published["index"].endswith("v1/index.html")
    assert asyncio.run(publication_flow(now=PUBLISHED, deliver=False, only_new=True)) == []

    async def keys():
        async with get_client() as client:
            return {a.key for a in await client.read_latest_artifacts()}

    assert "publication" in asyncio.run(keys())


def test_reform_publish_prints_where_to_open_the_site(initialised):
    from typer.testing import CliRunner

    from reform.app import app

    approved_department(initialised)
    result = CliRunner().invoke(app, ["publish", "--no-deliver"])
    assert result.exit_code == 0, result.output
    assert "已公布全市清单第 1 版" in result.output and "file://" in result.output


def test_reform_publish_before_approval_exits_2_in_one_chinese_line(initialised):
    from typer.testing import CliRunner

    from reform.app import app

    result = CliRunner().invoke(app, ["publish"])
    assert result.exit_code == 2 and "尚未经市政府审定" in result.stderr


def test_a_department_whose_items_a_later_version_changed_publishes_again_in_a_new_period(initialised):
    from datetime import date

    from registry.campaign.tables import Obligation
    from registry.review.approval import adjust

    _published(initialised)
    [bundle] = [m for m in outbox(initialised, "call") if m.key.startswith("bundle:")]
    take_in(initialised, reply_mail(sender=bundle.to_addrs[0], sender_name="联系人", to=bundle.reply_to,
                                    subject="回复：" + bundle.subject, text="https://jyj.shenyang.example.gov.cn/ggfw/"),
            datetime(2016, 11, 30, 10))
    from tests.intake_helpers import call, good_workbook, reply

    c = call(initialised, "jyj")  # the department sends a longer list, and the city adjusts
    take_in(initialised, reply(c, [("清单.xlsx", good_workbook(c, 4))]), datetime(2017, 3, 1, 10))
    with transaction(initialised) as session:
        adjust(session, date(2017, 3, 6), "新增事项", "沈编发〔2017〕5号", "coordinator", datetime(2017, 3, 6, 11),
               force_reason="测试")
    result = publication.publish(initialised, datetime(2017, 3, 7, 9, 30))
    assert result.version == 2 and result.bundles == 1 and "jyj 新增 1 项" in result.changes
    with transaction(initialised) as session:
        jyj = session.get(Obligation, find_obligation(session, "publication", "jyj").id)
        assert jyj.state == "open" and jyj.due > date(2017, 3, 7)
