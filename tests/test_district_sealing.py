"""Districts sealed: a district's user sees and changes its own rows only, and on PostgreSQL the server
enforces it (row-level security, the role reform_district) whatever the query.

Two registries, each built once for the module: on PostgreSQL one whose every scoped table holds rows
of the city and of the districts A and B (a real city path, its rows then shared out, and a plain row
where the path leaves a table empty), read and written as the district role; on both databases one
where A and B have campaigns of their own, driven through the service functions and the CLI.
"""
from __future__ import annotations

import itertools
import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import psycopg.errors
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, Connection, Table, create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from reform.app import app
from registry.campaign import service as campaign
from registry.campaign.obligations import UnknownObligation, obligation_by_id
from registry.campaign.queries import UnknownCampaign
from registry.campaign.tables import Obligation
from registry.db import MIGRATIONS, engine_for, migrate, transaction
from registry.districts import service as districts_service
from registry.evaluations import service as evaluations
from registry.inspections import service as inspections
from registry.publication import service as publication
from registry.schema import Base
from registry.scope import EVERY_DISTRICT, OutOfScope, acting_for, current_scope, scoped_tables
from registry.supervision import service as supervision
from tests.conftest import PG_ADMIN_URL, postgres_database
from tests.second_half_helpers import approved_department

A, B, CITY = "210102", "210103", ""
ROLE = "reform_district"
AS_OF = date(2016, 7, 20)
NOW = datetime(2016, 7, 20, 10, 0)
POLICIES = {"district_rows": [ROLE], "city_rows": ["public"]}
REFERENCE = ("calendar_years", "calendar_days")  # read by districts, written by the city alone


# --- the registry with rows of A, B and the city in every scoped table (PostgreSQL) -----------------

def _city_path(url: str) -> None:
    """What the city's coordinators do in the first months: a list approved, its guides and ledger
    called, a complaint answered and rated, an inspection, the site published, a sweep."""
    approved_department(url)
    complaint = supervision.record_complaint(url, text="窗口要求开具无谓的证明", received_on=date(2016, 9, 1),
                                             department="jyj", complainant="张三")
    supervision.answer_complaint(url, complaint.id, "已取消该证明", date(2016, 9, 5))
    evaluations.evaluate_complaint(url, complaint.id, "不满意", date(2016, 9, 6))
    inspections.open_inspection(url, "2016年第三季度督导检查", date(2016, 9, 30), date(2016, 9, 1), ["jyj"])
    inspections.record_finding(url, "2016年第三季度督导检查", "jyj", "清单执行情况", "窗口未公示清单", date(2016, 9, 2))
    publication.publish(url, datetime(2016, 11, 1, 9, 0))
    supervision.sweep_day(url, date(2016, 8, 3))


def _share_out(connection: Connection, table: str) -> None:
    """Give the table's rows in turn to the city, A and B."""
    connection.execute(text(
        f"UPDATE {table} SET district = CASE numbered.n % 3 WHEN 0 THEN '{CITY}' WHEN 1 THEN '{A}' ELSE '{B}' END"
        f" FROM (SELECT ctid, row_number() OVER () AS n FROM {table}) AS numbered"
        f" WHERE {table}.ctid = numbered.ctid"))


_numbers = itertools.count(1_000_000)  # unique: a unique column or pair of columns takes any of them


def _value(column):
    if isinstance(column.type, JSON):
        return {}
    kind = column.type.python_type
    if kind is str:
        return f"s{next(_numbers)}"[: column.type.length or 40]
    return {int: next(_numbers), bool: False, float: 0.0, bytes: b"", date: date(2016, 7, 1),
            datetime: datetime(2016, 7, 1, 9, 0)}[kind]


def plain_row(connection: Connection, table: Table, district: str) -> dict:
    """A row of the table that its constraints accept, for ``district``; a parent it needs that no
    other row of the table uses yet is inserted first (as the owner)."""
    row = {}
    for column in table.columns:
        if column.name == "district":
            row["district"] = district
        elif column.foreign_keys:
            if column.nullable:
                continue
            target = next(iter(column.foreign_keys)).column
            unused = connection.execute(
                select(target).where(target.not_in(select(column).where(column.is_not(None))))
                .order_by(target).limit(1)).scalar()
            if unused is None:
                parent = target.table
                unused = connection.execute(parent.insert().values(plain_row(connection, parent, district))
                                            .returning(target)).scalar()
            row[column.name] = unused
        elif column is table.autoincrement_column or column.nullable or column.default is not None \
                or column.server_default is not None:
            continue
        else:
            row[column.name] = _value(column)
    return row


def _fill_in(connection: Connection, table: str) -> None:
    """A plain row for each of the city, A and B that the table has none of."""
    present = set(connection.scalars(text(f"SELECT DISTINCT district FROM {table}")))
    for district in (CITY, A, B):
        if district not in present:
            connection.execute(Base.metadata.tables[table].insert().values(
                plain_row(connection, Base.metadata.tables[table], district)))


@dataclass(frozen=True)
class Sealed:
    url: str
    counts: dict[str, dict[str, int]]  # table -> district -> rows, as the owner counts them
    candidates: dict[str, dict[str, dict]]  # table -> A or B -> a row to try to insert as A


@pytest.fixture(scope="module")
def sealed(seeded_templates, tmp_path_factory) -> Sealed:
    template = seeded_templates("postgresql").rsplit("/", 1)[1]
    url, drop = postgres_database(template)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("REFORM_HOME", str(tmp_path_factory.mktemp("sealed-home")))
        env.setenv("REFORM_DATABASE_URL", url)
        _city_path(url)
    # The tests connect as the superuser postgres, whom row-level security never binds.
    with engine_for(url).begin() as connection:
        for table in scoped_tables():
            _share_out(connection, table)
            _fill_in(connection, table)
        # Made now, since a parent a candidate needs is inserted with it: the counts include it.
        candidates = {t: {d: plain_row(connection, Base.metadata.tables[t], d) for d in (A, B)}
                      for t in scoped_tables()}
    with engine_for(url).connect() as connection:
        counts = {table: _by_district(connection, table) for table in scoped_tables()}
    yield Sealed(url, counts, candidates)
    drop()


def _by_district(connection: Connection, table: str) -> dict[str, int]:
    return dict(connection.execute(text(f"SELECT district, count(*) FROM {table} GROUP BY district")).all())


@pytest.fixture(scope="module")
def as_district(sealed) -> Callable[[str | None], Connection]:
    """Connections of the district role, each new (a setting made on one stays with it)."""
    engine = create_engine(sealed.url, poolclass=NullPool)
    opened: list[Connection] = []

    def connect(district: str | None) -> Connection:
        connection = engine.connect()
        opened.append(connection)
        connection.execute(text(f"SET ROLE {ROLE}"))
        if district is not None:
            connection.execute(text("SELECT set_config('reform.district', :d, false)"), {"d": district})
        connection.commit()  # the settings stay with the connection, not with a transaction
        return connection

    yield connect
    for connection in opened:
        connection.close()
    engine.dispose()


def _count(connection: Connection, table: str, where: str = "true") -> int:
    return connection.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar()


@pytest.mark.postgres
def test_every_scoped_table_holds_rows_of_both_districts_and_the_city(sealed):
    thin = {t: c for t, c in sealed.counts.items() if min(c.get(A, 0), c.get(B, 0), c.get(CITY, 0)) < 1}
    assert not thin, thin
    assert set(sealed.counts) == set(scoped_tables()) and len(sealed.counts) >= 41


@pytest.mark.postgres
def test_a_district_reads_exactly_its_own_rows_of_every_scoped_table(sealed, as_district):
    connection = as_district(A)
    seen = {table: (_count(connection, table), _count(connection, table, f"district <> '{A}'"))
            for table in scoped_tables()}
    assert seen == {table: (sealed.counts[table][A], 0) for table in scoped_tables()}


@pytest.mark.postgres
def test_without_a_district_the_role_reads_nothing(sealed, as_district):
    fresh = as_district(None)
    assert {t: _count(fresh, t) for t in scoped_tables()} == dict.fromkeys(scoped_tables(), 0)
    # Once a transaction's own setting has ended the server reads it as '', which is no scope either.
    expired = as_district(None)
    with expired.begin():
        expired.execute(text("SELECT set_config('reform.district', :d, true)"), {"d": A})
        assert _count(expired, "obligations") == sealed.counts["obligations"][A]
    assert expired.execute(text("SELECT current_setting('reform.district', true)")).scalar() == ""
    assert {t: _count(expired, t) for t in scoped_tables()} == dict.fromkeys(scoped_tables(), 0)


@pytest.mark.postgres
def test_the_district_role_cannot_act_for_every_district(sealed, as_district):
    connection = as_district(EVERY_DISTRICT)
    assert {t: _count(connection, t) for t in scoped_tables()} == dict.fromkeys(scoped_tables(), 0)
    connection.execute(text("SELECT set_config('reform.district', :d, false)"), {"d": A})
    assert {t: _count(connection, t, f"district = '{B}'") for t in scoped_tables()} == dict.fromkeys(scoped_tables(), 0)


@pytest.mark.postgres
def test_the_district_reads_the_calendar_but_not_the_people_or_the_mail_outages(as_district):
    connection = as_district(A)
    assert _count(connection, "calendar_days") > 300
    for table in ("mail_outages", "complaint_people", "evaluation_people"):
        with pytest.raises(DBAPIError) as refused, connection.begin_nested():
            _count(connection, table)
        assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)


@pytest.mark.postgres
def test_a_row_of_another_district_is_refused_in_every_scoped_table(sealed, as_district):
    rows = sealed.candidates
    connection = as_district(A)
    refused = {}
    for table in scoped_tables():
        insert = Base.metadata.tables[table].insert()
        with connection.begin() as own:  # the district's own row goes in: the refusal below is the policy's
            connection.execute(insert.values(rows[table][A]))
            own.rollback()
        try:
            with connection.begin():
                connection.execute(insert.values(rows[table][B]))
        except DBAPIError as error:
            refused[table] = isinstance(error.orig, psycopg.errors.InsufficientPrivilege) and \
                "row-level security" in str(error.orig)
    assert refused == dict.fromkeys(scoped_tables(), True)


@pytest.mark.postgres
def test_another_districts_rows_are_neither_changed_nor_deleted(sealed, as_district):
    connection = as_district(A)
    with connection.begin() as trial:
        for table in scoped_tables():
            assert connection.execute(text(f"UPDATE {table} SET district = district WHERE district = '{B}'")).rowcount == 0
            assert connection.execute(text(f"DELETE FROM {table} WHERE district <> '{A}'")).rowcount == 0
        trial.rollback()
    with pytest.raises(DBAPIError) as moved, connection.begin():
        connection.execute(text(f"UPDATE obligations SET district = '{B}'"))
    assert isinstance(moved.value.orig, psycopg.errors.InsufficientPrivilege)
    with engine_for(sealed.url).connect() as owner:
        assert {t: _by_district(owner, t) for t in scoped_tables()} == sealed.counts


# --- every table with a district column is sealed: the meta-test ----------------------------------

def unsealed(connection: Connection) -> list[str]:
    """What the server lacks to seal each table with a district column: row-level security enabled and
    forced, the two policies (no other), the same conditions as every other table's, the district
    role's privileges."""
    tables = connection.execute(text(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid"
        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attname = 'district'"
        " AND NOT a.attisdropped ORDER BY c.relname")).all()
    policies: dict[str, dict[str, tuple]] = {}
    for table, name, roles, cmd, qual, check in connection.execute(text(
            "SELECT tablename, policyname, roles, cmd, qual, with_check FROM pg_policies"
            " WHERE schemaname = current_schema()")):
        policies.setdefault(table, {})[name] = (sorted(roles), cmd, qual, check)
    # Every table's conditions read as the first sealed table's: one differing is reported.
    reference = next((p for p in policies.values() if set(p) == set(POLICIES)), {})
    problems = []
    for table, enabled, forced in tables:
        if not enabled:
            problems.append(f"{table}: row-level security not enabled")
        if not forced:
            problems.append(f"{table}: row-level security not forced on the owner")
        own = policies.get(table, {})
        problems += [f"{table}: policy {name} other than district_rows and city_rows" for name in set(own) - set(POLICIES)]
        for name, roles in POLICIES.items():
            if name not in own:
                problems.append(f"{table}: no policy {name}")
            elif own[name][:2] != (roles, "ALL") or own[name] != reference.get(name):
                problems.append(f"{table}: policy {name} is not the others' ({own[name]})")
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            if not connection.execute(text("SELECT has_table_privilege(:r, :t, :p)"),
                                      {"r": ROLE, "t": table, "p": privilege}).scalar():
                problems.append(f"{table}: {ROLE} lacks {privilege}")
    return problems


@pytest.mark.postgres
def test_every_scoped_table_is_sealed_and_every_table_with_a_district_is_scoped(sealed):
    with engine_for(sealed.url).connect() as connection:
        assert unsealed(connection) == []
        with_district = set(connection.scalars(text(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'district'")))
        for table in REFERENCE:
            assert connection.execute(text("SELECT has_table_privilege(:r, :t, 'SELECT'),"
                                           " has_table_privilege(:r, :t, 'INSERT')"),
                                      {"r": ROLE, "t": table}).one() == (True, False)
    assert with_district == set(scoped_tables())


@pytest.mark.postgres
def test_the_meta_test_reports_a_table_with_a_district_and_no_policy(sealed):
    with engine_for(sealed.url).connect() as connection, connection.begin() as trial:
        connection.execute(text("CREATE TABLE seal_probe (id serial PRIMARY KEY, district varchar(6) NOT NULL)"))
        assert unsealed(connection) == ["seal_probe: row-level security not enabled",
                                        "seal_probe: row-level security not forced on the owner",
                                        "seal_probe: no policy district_rows", "seal_probe: no policy city_rows",
                                        *(f"seal_probe: {ROLE} lacks {p}" for p in ("SELECT", "INSERT", "UPDATE",
                                                                                     "DELETE"))]
        connection.execute(text("ALTER TABLE seal_probe ENABLE ROW LEVEL SECURITY"))
        connection.execute(text("ALTER TABLE seal_probe FORCE ROW LEVEL SECURITY"))
        connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON seal_probe TO {ROLE}"))
        connection.execute(text(f"CREATE POLICY district_rows ON seal_probe FOR ALL TO {ROLE} USING (true)"))
        connection.execute(text("CREATE POLICY city_rows ON seal_probe FOR ALL TO PUBLIC USING (true)"))
        assert [p.split(" (")[0] for p in unsealed(connection)] == [
            "seal_probe: policy district_rows is not the others'", "seal_probe: policy city_rows is not the others'"]
        trial.rollback()


def _upgrade_or_downgrade(url: str, step, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    step(config, revision)


@pytest.mark.postgres
def test_downgrading_lifts_the_seal_and_upgrading_puts_it_back():
    url, drop = postgres_database()
    try:
        migrate(url)
        _upgrade_or_downgrade(url, command.downgrade, "0016")
        with engine_for(url).connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM pg_policies")).scalar() == 0
            assert connection.execute(text("SELECT count(*) FROM pg_class WHERE relrowsecurity")).scalar() == 0
            assert len(unsealed(connection)) >= 41
        _upgrade_or_downgrade(url, command.upgrade, "head")
        with engine_for(url).connect() as connection:
            assert unsealed(connection) == []
    finally:
        drop()


# --- the application on an owner that is not a superuser (PostgreSQL) ----------------------------

@pytest.fixture
def owned_by_an_ordinary_role():
    """A scratch database owned by a role with CREATEROLE and nothing more, and its URL as that role."""
    url, drop = postgres_database()  # fails or skips, as REFORM_REQUIRE_POSTGRES says, without a server
    role = f"reform_owner_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN CREATEROLE NOSUPERUSER"))
        connection.execute(text(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" OWNER TO {role}'))
    owned = url.replace("postgres@", f"{role}@", 1)
    yield owned
    engine_for(owned).dispose()
    drop()
    with admin.connect() as connection:
        connection.execute(text(f"DROP ROLE {role}"))
    admin.dispose()


@pytest.mark.postgres
def test_the_app_works_through_an_owner_that_is_not_a_superuser(owned_by_an_ordinary_role):
    url = owned_by_an_ordinary_role
    report = campaign.initialise(url)
    assert report.obligations_opened > 40
    status = campaign.campaign_status(url, AS_OF)
    assert len(status["obligations"]) == report.obligations_opened
    with engine_for(url).connect() as connection:
        assert connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar() is False
        # No pooled connection acts for every district outside a transaction, the migrations' included.
        assert connection.execute(text("SELECT current_setting('reform.district', true)")).scalar() in (None, "")
        # Forced on the owner: a bare connection that declares no scope reads nothing.
        assert _count(connection, "obligations") == 0
        connection.execute(text("SELECT set_config('reform.district', '*', true)"))
        assert _count(connection, "obligations") == report.obligations_opened
        connection.rollback()
    with acting_for(A):
        with pytest.raises(UnknownCampaign):
            campaign.campaign_status(url, AS_OF)
        with transaction(url) as session:
            assert session.execute(text("SELECT current_user")).scalar() == ROLE


# --- through the service functions and the CLI, on both databases ---------------------------------

@dataclass(frozen=True)
class Districts:
    url: str
    own: dict[str, list[int]]  # district -> the obligations of its campaign
    campaigns: dict[str, str]  # district -> its campaign's code
    city: list[int]  # some obligations of the city's campaign
    missing: int  # an obligation id that does not exist


def _district_campaigns(url: str) -> Districts:
    """Two districts' own campaigns, opened the way a district's is (its directory, its template)."""
    opened = datetime(2016, 6, 12, 9, 0)
    campaigns = {district: districts_service.open_campaign(url, district, opened.date(), opened)["campaign"]
                 for district in (A, B)}
    own = {}
    with transaction(url) as session:
        for district in campaigns:
            own[district] = list(session.scalars(
                select(Obligation.id).where(Obligation.district == district).order_by(Obligation.id)))
        city = list(session.scalars(select(Obligation.id).where(Obligation.district == CITY).order_by(Obligation.id)))
    return Districts(url, own, campaigns, city, max(own[B]) + 1000)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def districts(request, seeded_templates, tmp_path_factory) -> Districts:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("districts") / "registry.db"
        shutil.copyfile(seeded_templates("sqlite").split("///", 1)[1], path)
        yield _district_campaigns(f"sqlite:///{path}")
        return
    url, drop = postgres_database(seeded_templates("postgresql").rsplit("/", 1)[1])
    yield _district_campaigns(url)
    drop()


def _same_words(error: Exception, other: Exception, id_one: int, id_other: int) -> bool:
    return str(error).replace(str(id_one), "N") == str(other).replace(str(id_other), "N")


def test_each_district_campaign_holds_obligations_of_its_own_district(districts):
    # Each district's departments owe their inventory and publication, its 编委办 the approval.
    assert all(len(districts.own[d]) > 40 for d in (A, B)) and len(districts.city) > 40
    assert not set(districts.own[A]) & set(districts.own[B])


def test_a_district_reads_its_own_campaign_and_no_other(districts):
    with acting_for(A):
        status = campaign.campaign_status(districts.url, AS_OF, districts.campaigns[A])
        with pytest.raises(UnknownCampaign) as other:
            campaign.campaign_status(districts.url, AS_OF, districts.campaigns[B])
        with pytest.raises(UnknownCampaign) as missing:
            campaign.campaign_status(districts.url, AS_OF, "nonesuch")
        with pytest.raises(UnknownCampaign):
            campaign.campaign_status(districts.url, AS_OF, "shenyang-2016")  # the city's
        default = campaign.campaign_status(districts.url, AS_OF)  # a district user's own, unnamed
    assert [o["id"] for o in status["obligations"]] == districts.own[A]
    assert default["campaign"]["code"] == districts.campaigns[A]
    assert all(o["org"].startswith(f"{A}-") for o in status["obligations"])
    assert str(other.value).replace(districts.campaigns[B], "X") == str(missing.value).replace("nonesuch", "X")


def test_a_districts_open_obligations_are_its_own(districts):
    with acting_for(A):
        listed = [o.id for o in campaign.open_obligations(districts.url, "inventory")]
    everyone = [o.id for o in campaign.open_obligations(districts.url, "inventory")]
    assert listed == [i for i in districts.own[A] if i in everyone]
    assert set(listed) < set(everyone) and set(districts.own[B]) & set(everyone)


def test_explaining_another_districts_obligation_says_not_found_as_for_a_missing_one(districts):
    b, missing = districts.own[B][0], districts.missing
    with acting_for(A):
        own = supervision.explain_obligation(districts.url, districts.own[A][0], AS_OF)
        with pytest.raises(UnknownObligation) as other:
            supervision.explain_obligation(districts.url, b, AS_OF)
        with pytest.raises(UnknownObligation) as absent:
            supervision.explain_obligation(districts.url, missing, AS_OF)
        with pytest.raises(UnknownObligation) as shown:
            supervision.show_obligation(districts.url, b, AS_OF, NOW)
        with pytest.raises(UnknownObligation):
            supervision.explain_obligation(districts.url, districts.city[0], AS_OF)
    assert own["org"].startswith(f"{A}-")
    assert _same_words(other.value, absent.value, b, missing) and _same_words(shown.value, absent.value, b, missing)


def test_another_districts_obligation_is_not_found_for_waiving_reopening_or_completing(districts):
    b = districts.own[B][0]
    with acting_for(A):
        for change in (lambda: campaign.waive_obligation(districts.url, b, "撤并", NOW),
                       lambda: campaign.reopen_obligation(districts.url, b, "重办", NOW),
                       lambda: campaign.prioritise_obligation(districts.url, b, "急办", NOW),
                       lambda: campaign.complete_obligation(districts.url, b, AS_OF, "coordinator", "完成")):
            with pytest.raises(UnknownObligation):
                change()
    record = supervision.show_obligation(districts.url, b, AS_OF, NOW)
    assert (record["state"], record["priority"], [e["action"] for e in record["history"]]) == ("待报送", False, ["开启"])


def test_a_row_already_in_the_session_is_still_not_found_for_another_district(districts):
    b = districts.own[B][0]
    with transaction(districts.url) as session:
        loaded = obligation_by_id(session, b)  # held: the identity map, where Session.get looks first, is weak
        with acting_for(A), pytest.raises(UnknownObligation):
            obligation_by_id(session, b)
        assert loaded.district == B


def test_a_district_may_change_its_own_obligation_and_not_write_another_districts_row(districts):
    own = districts.own[A][1]
    with acting_for(A):
        changed = campaign.prioritise_obligation(districts.url, own, "群众急需", NOW)
        with pytest.raises(OutOfScope), transaction(districts.url) as session:
            session.add(Obligation(campaign_id=1, phase_id=1, debtor_id=1, due=AS_OF, state="open",
                                   opened_on=AS_OF, district=B))
    assert changed.priority is True
    with transaction(districts.url) as session:
        assert session.scalar(select(Obligation.district).where(Obligation.id == own)) == A


def test_acting_for_every_district_sees_every_campaign(districts):
    with acting_for(EVERY_DISTRICT):
        b = supervision.explain_obligation(districts.url, districts.own[B][0], AS_OF)
        shenhe = campaign.campaign_status(districts.url, AS_OF, districts.campaigns[B])
    assert b["org"].startswith(f"{B}-") and [o["id"] for o in shenhe["obligations"]] == districts.own[B]


def test_a_districts_transaction_reads_its_rows_only_and_on_postgresql_even_by_plain_sql(districts):
    every_row = select(Obligation.district).distinct()
    with acting_for(A), transaction(districts.url) as session:
        seen = set(session.scalars(every_row))
        if districts.url.startswith("postgresql"):
            # SQLite has no roles: there the session's criteria above are the whole seal.
            who = session.execute(text("SELECT current_user, current_setting('reform.district')")).one()
            plain = set(session.scalars(text("SELECT DISTINCT district FROM obligations")))
            assert (tuple(who), plain) == ((ROLE, A), {A})
    with transaction(districts.url) as session:
        everyone = set(session.scalars(every_row))
        if districts.url.startswith("postgresql"):
            assert session.execute(text("SELECT current_setting('reform.district')")).scalar() == EVERY_DISTRICT
    assert (seen, everyone) == ({A}, {A, B, CITY})


runner = CliRunner()


@pytest.fixture
def district_user(districts, tmp_path, monkeypatch):
    monkeypatch.setenv("REFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REFORM_DATABASE_URL", districts.url)
    monkeypatch.setenv("REFORM_DISTRICT", A)
    return districts


def _error_line(result) -> str:
    assert result.exit_code == 2, result.output
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    return line


def test_a_district_users_commands_see_its_own_obligations_only(district_user):
    d = district_user
    status = runner.invoke(app, ["status", "--campaign", d.campaigns[A], "--as-of", "2016-07-20", "--format", "json"])
    assert status.exit_code == 0, status.output
    assert [o["id"] for o in json.loads(status.stdout)["obligations"]] == d.own[A]
    assert current_scope() == EVERY_DISTRICT  # the command's scope ended with it


def test_a_district_user_explaining_another_districts_obligation_is_told_it_does_not_exist(district_user):
    d = district_user
    b, missing = d.own[B][0], d.missing
    other = _error_line(runner.invoke(app, ["explain", str(b), "--as-of", "2016-07-20"]))
    absent = _error_line(runner.invoke(app, ["explain", str(missing), "--as-of", "2016-07-20"]))
    assert other.replace(str(b), "N") == absent.replace(str(missing), "N") and "没有编号为" in other
    waived = _error_line(runner.invoke(app, ["obligation", "waive", str(b), "--reason", "撤并"]))
    assert waived == other
    assert runner.invoke(app, ["explain", str(d.own[A][0]), "--as-of", "2016-07-20"]).exit_code == 0


def test_a_district_code_that_is_not_six_digits_is_refused_in_one_line(district_user, monkeypatch):
    monkeypatch.setenv("REFORM_DISTRICT", "和平区")
    line = _error_line(runner.invoke(app, ["status", "--as-of", "2016-07-20"]))
    assert "REFORM_DISTRICT" in line and "6 位行政区划代码" in line


def test_without_a_district_the_cli_acts_for_the_city(district_user, monkeypatch):
    monkeypatch.delenv("REFORM_DISTRICT")
    result = runner.invoke(app, ["explain", str(district_user.own[B][0]), "--as-of", "2016-07-20", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["org"].startswith(f"{B}-")
