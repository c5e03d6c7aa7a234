"""A province to try the project on: generated as files, loaded whole, one scope per city and district."""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from email_validator import validate_email
from sqlalchemy import select, text
from typer.testing import CliRunner

from registry.campaign import service as campaign
from registry.campaign.queries import UnknownCampaign
from registry.campaign.tables import Campaign, Obligation
from registry.db import transaction
from registry.directory.tables import Organisation
from registry.outbox.tables import OutboxMessage
from registry.province import service as province
from registry.province.manifest import MANIFEST
from registry.scope import CITY, EVERY_DISTRICT, acting_for
from registry.supervision import service as supervision
from registry.supervision.sweep import ESCALATION
from registry.users import service as users
from rules.organisations import OrgKind, OrgRole
from tests.conftest import postgres_database
from workbooks.directory import read_directory

SMALL = province.Sizes(cities=3, districts_per_city=2, departments=8, district_departments=5, townships=3)
AFTER_INVENTORY = date(2016, 8, 2)  # the inventory was due 2016-08-01 (7月底前, a Sunday)


def _generate(folder: Path, sizes: province.Sizes = SMALL, seed: int = 2016) -> dict:
    return province.generate_province(folder, sizes, seed)


def _manifest(folder: Path) -> dict:
    return yaml.safe_load((folder / MANIFEST).read_text(encoding="utf-8"))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _directories(folder: Path) -> list[tuple[str, str, list]]:
    """(city scope or district code, file, records) of every directory the manifest lists."""
    found = []
    for city in _manifest(folder)["cities"]:
        scope = CITY if city.get("home") else city["code"]
        found.append((scope, city["directory"], read_directory(folder / city["directory"])))
        found += [(d["code"], d["directory"], read_directory(folder / d["directory"], district=d["code"]))
                  for d in city["districts"]]
    return found


def _expected_obligations(folder: Path) -> int:
    """What opening every dated phase owes, counted from the files: each department its inventory and
    its publication, the 编委办 the approval; a city's districts and regulators their work plans, its
    districts their publication."""
    total = 0
    manifest = {c["directory"]: c for c in _manifest(folder)["cities"]}
    for _, file, records in _directories(folder):
        departments = sum(r.kind == OrgKind.DEPARTMENT for r in records)
        total += 2 * departments + 1
        if file in manifest:
            districts = sum(r.kind == OrgKind.DISTRICT for r in records)
            regulators = sum(OrgRole.REGULATOR in r.roles for r in records)
            total += districts + regulators + districts
    return total


def test_the_same_seed_writes_the_same_province_byte_for_byte(tmp_path):
    _generate(tmp_path / "a")
    _generate(tmp_path / "b")
    _generate(tmp_path / "c", seed=7)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a == b
    assert a.keys() == c.keys() and a["dalian/directory.yaml"] != c["dalian/directory.yaml"]
    # The home city is the shipped sample whatever the seed.
    assert a["shenyang/directory.yaml"] == c["shenyang/directory.yaml"]


def test_a_smaller_province_is_part_of_the_larger_one(tmp_path):
    _generate(tmp_path / "small", province.Sizes(cities=2))
    _generate(tmp_path / "large", province.Sizes(cities=4))
    small, large = _files(tmp_path / "small"), _files(tmp_path / "large")
    assert all(large[name] == content for name, content in small.items() if name != MANIFEST)


def test_generated_codes_are_unique_addresses_valid_and_every_district_under_its_city(tmp_path):
    _generate(tmp_path)
    codes, emails = [], []
    for scope, _, records in _directories(tmp_path):
        for record in records:
            codes.append(record.code)
            for person in (record.contact, record.leader, record.head):
                validate_email(person.email, check_deliverability=False)
                emails.append(person.email)
    assert len(codes) == len(set(codes)) and len(emails) == len(set(emails))
    assert all(e.rsplit("@", 1)[1].endswith(".example.org") for e in emails)
    for city in _manifest(tmp_path)["cities"]:
        governments = {r.division_code for r in read_directory(tmp_path / city["directory"])
                       if r.kind == OrgKind.DISTRICT}
        for district in city["districts"]:
            assert district["code"][:4] == city["code"][:4] and district["code"] in governments
            assert all(r.division_code == district["code"] and r.parent_code == district["code"]
                       for r in read_directory(tmp_path / district["directory"], district=district["code"]))
    dalian = yaml.safe_load((tmp_path / "dalian/plan.yaml").read_text(encoding="utf-8"))["campaign"]
    assert (dalian["code"], dalian["owner"], dalian["district"], dalian["level"]) == \
        ("dalian-2016", "210200-bwb", "210200", "city")


def test_the_default_province_is_liaoning_with_its_hundred_districts_and_counties(tmp_path):
    made = _generate(tmp_path, province.Sizes())
    assert (made["cities"], made["districts"], made["campaigns"]) == (14, 100, 114)
    # About 9,000 submitting organisations: each district's departments, agencies and townships.
    assert made["organisations"] == 8727
    assert made["by_kind"] == {"department": 8616, "district": 100, "enterprise": 11}
    assert _expected_obligations(tmp_path) == 17616


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def loaded(request, tmp_path_factory):
    """A small province (three cities of two districts each) loaded once per backend."""
    folder = tmp_path_factory.mktemp("province")
    made = _generate(folder)
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.db'}", lambda: None
    else:
        url, drop = postgres_database()
    load = province.load_province(url, folder)
    yield url, folder, made, load
    drop()


def test_a_small_province_loads_every_city_and_district_with_its_obligations(loaded):
    url, folder, made, load = loaded
    counts = province.province_counts(url)
    assert (load.cities, load.districts, load.campaigns_added) == (3, 6, 9)
    assert load.organisations_added == counts["organisations"] == made["organisations"] == 214
    assert counts["campaigns_by_level"] == {"city": 3, "district": 6}
    assert load.obligations_opened == counts["open_obligations"] == _expected_obligations(folder) == 430
    with transaction(url) as session:
        scopes = dict(session.execute(select(Campaign.code, Campaign.district)).all())
        owed = set(session.execute(select(Campaign.code, Obligation.district)
                                   .join(Obligation, Obligation.campaign_id == Campaign.id)).all())
    assert scopes["shenyang-2016"] == CITY and scopes["dalian-2016"] == "210200"
    assert scopes["dalian-2016-210202"] == "210202"
    assert all(district == scopes[code] for code, district in owed)


def test_loading_twice_adds_nothing(loaded):
    url, folder, _, _ = loaded
    before = province.province_counts(url)
    again = province.load_province(url, folder)
    assert (again.organisations_added, again.campaigns_added, again.obligations_opened) == (0, 0, 0)
    assert province.province_counts(url) == before


def test_the_home_city_is_loaded_as_reform_init_loads_it(loaded, seeded_templates):
    url, *_ = loaded
    home = campaign.campaign_status(url, AFTER_INVENTORY)
    reference = campaign.campaign_status(seeded_templates("sqlite"), AFTER_INVENTORY)
    assert home["campaign"]["code"] == "shenyang-2016"
    assert [(o["phase"], o["org"], o["due"]) for o in home["obligations"]] == \
        [(o["phase"], o["org"], o["due"]) for o in reference["obligations"]]


def test_each_scope_sees_its_own_campaign_and_rows_only(loaded):
    url, *_ = loaded
    with acting_for("210200"):
        dalian = campaign.campaign_status(url, AFTER_INVENTORY)
        with pytest.raises(UnknownCampaign):
            campaign.campaign_status(url, AFTER_INVENTORY, "shenyang-2016")
    with acting_for("210202"):
        zhongshan = campaign.campaign_status(url, AFTER_INVENTORY)
    everyone = campaign.campaign_status(url, AFTER_INVENTORY, "dalian-2016")
    assert dalian["campaign"]["code"] == "dalian-2016" and zhongshan["campaign"]["code"] == "dalian-2016-210202"
    assert [o["id"] for o in dalian["obligations"]] == [o["id"] for o in everyone["obligations"]]
    assert all(o["org"].startswith("210200-") or o["org"] in ("210202", "210203") for o in dalian["obligations"])
    assert all(o["org"].startswith("210202-") for o in zhongshan["obligations"])
    with acting_for("210200"), transaction(url) as session:
        seen = set(session.scalars(select(Obligation.district).distinct()))
        if url.startswith("postgresql"):
            # Row-level security, in the server: plain SQL sees the city's rows alone too.
            assert set(session.scalars(text("SELECT DISTINCT district FROM obligations"))) == {"210200"}
    assert seen == {"210200"}


def test_another_citys_units_answer_to_their_own_city(loaded):
    url, *_ = loaded
    done = campaign.fulfil_obligation(url, "publication", "210200-jsw", AFTER_INVENTORY, "coordinator", "已报送")
    plans = campaign.fulfil_obligation(url, "district_plans", "210202", AFTER_INVENTORY, "coordinator", "已报送")
    with transaction(url) as session:
        owed = dict(session.execute(select(Obligation.id, Campaign.code).join(Campaign)
                                    .where(Obligation.id.in_((done, plans)))).all())
        district = session.get(Obligation, done).district
    assert (owed[done], owed[plans], district) == ("dalian-2016", "dalian-2016", "210200")


def test_a_citys_coordinator_is_a_user_of_its_own_scope(loaded):
    url, *_ = loaded
    user = users.add_user(url, "大连市编委办", "district", datetime(2016, 8, 2, 9), district="210200").user
    assert user.scope == "210200"
    with pytest.raises(users.BadUser, match="各市的代码：210200、210300"):
        users.add_user(url, "无此市", "district", datetime(2016, 8, 2, 9), district="219900")


def test_a_sweep_after_the_inventory_deadline_tells_each_unit_once_and_each_city_its_own_digest(loaded):
    url, folder, *_ = loaded
    day = supervision.sweep_day(url, AFTER_INVENTORY)
    pairs = [(m.org_code, m.rung) for m in day.messages]
    assert pairs and len(pairs) == len(set(pairs))
    with transaction(url) as session:
        departments = {code for code, kind, district in session.execute(
            select(Organisation.code, Organisation.kind, Organisation.district))
            if kind == OrgKind.DEPARTMENT and district in (CITY, "210200", "210300")}
        digests = {key: (to, district) for key, to, district in session.execute(
            select(OutboxMessage.key, OutboxMessage.to_addrs, OutboxMessage.district)
            .where(OutboxMessage.kind == "digest"))}
        cards = session.execute(select(OutboxMessage.district).where(OutboxMessage.kind == ESCALATION)).scalars().all()
    # Every city department's inventory is late (a yellow card); the districts' plans are due in 2017.
    assert {code for code, rung in pairs} == departments and {rung for _, rung in pairs} == {"yellow"}
    assert set(cards) == {CITY, "210200", "210300"}
    day_key = AFTER_INVENTORY.isoformat()
    assert digests[f"digest:shenyang-2016:{day_key}"] == (["bwb.contact@shenyang.example.org"], CITY)
    assert digests[f"digest:dalian-2016:{day_key}"] == (["bwb.contact@dalian.example.org"], "210200")
    assert digests[f"digest:anshan-2016:{day_key}"] == (["bwb.contact@anshan.example.org"], "210300")
    assert digests[f"digest:dalian-2016-210202:{day_key}"] == (["bwb.contact@210202.dalian.example.org"], "210202")
    again = supervision.sweep_day(url, AFTER_INVENTORY)
    assert not again.messages


def _break(folder: Path) -> None:
    """Three problems in three files: a missing district directory, a code used twice, a bad plan."""
    (folder / "dalian/districts/210203.yaml").unlink()
    anshan = folder / "anshan/directory.yaml"
    anshan.write_text(anshan.read_text(encoding="utf-8").replace("code: 210300-jsw", "code: 210200-jsw", 1),
                      encoding="utf-8")
    plan = folder / "anshan/districts/210302-plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("2017年1月20日前", "来年春天"), encoding="utf-8")


def test_bad_files_are_refused_with_every_problem_and_nothing_written(tmp_path):
    folder = tmp_path / "province"
    _generate(folder)
    _break(folder)
    path = tmp_path / "registry.db"
    with pytest.raises(province.ProvinceError) as refused:
        province.load_province(f"sqlite:///{path}", folder)
    message = str(refused.value)
    assert "dalian/districts/210203.yaml：找不到目录文件" in message
    assert "单位代码 210200-jsw" in message and "anshan/directory.yaml" in message
    assert "anshan/districts/210302-plan.yaml" in message and "来年春天" in message
    assert len(refused.value.problems) == 3
    assert not path.exists()


def test_a_plan_that_names_a_unit_its_directory_lacks_is_refused(tmp_path):
    folder = tmp_path / "province"
    _generate(folder)
    plan = folder / "dalian/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("owner: 210200-bwb", "owner: 210200-nobody"),
                    encoding="utf-8")
    with pytest.raises(province.ProvinceError, match="210200-nobody"):
        province.load_province(f"sqlite:///{tmp_path / 'registry.db'}", folder)


runner = CliRunner()


def test_the_commands_generate_and_load_a_province(tmp_path, monkeypatch):
    from reform.app import app

    monkeypatch.setenv("REFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REFORM_DATABASE_URL", f"sqlite:///{tmp_path / 'registry.db'}")
    made = runner.invoke(app, ["province", "generate", "--out", str(tmp_path / "p"), "--cities", "2",
                               "--districts-per-city", "1", "--departments", "5", "--district-departments", "3"])
    assert made.exit_code == 0, made.output
    assert "2 个市、2 个区县、4 个工作方案" in made.output
    first = runner.invoke(app, ["init", "--plans", str(tmp_path / "p")])
    second = runner.invoke(app, ["init", "--plans", str(tmp_path / "p")])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert "新增单位 0、工作方案 0、事项 0" in second.output
    shutil.rmtree(tmp_path / "p" / "dalian")
    refused = runner.invoke(app, ["init", "--plans", str(tmp_path / "p")])
    assert refused.exit_code == 2 and "dalian/directory.yaml：找不到目录文件" in refused.stderr
    bad_sizes = runner.invoke(app, ["province", "generate", "--out", str(tmp_path / "q"), "--cities", "15"])
    assert bad_sizes.exit_code == 2 and "--cities 应在 1 到 14 之间" in bad_sizes.stderr


def test_every_scope_is_listed_for_acting_as_every_district(loaded):
    url, *_ = loaded
    with acting_for(EVERY_DISTRICT):
        codes = {c["code"] for c in campaign.campaigns(url)}
    assert {"shenyang-2016", "dalian-2016", "anshan-2016", "dalian-2016-210202"} <= codes and len(codes) == 9
