"""Upgrading a registry that already holds a campaign keeps every row (SQLite's foreign keys are on)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import func, inspect, select, text

from registry.campaign.setup import initialise
from registry.campaign.tables import Obligation, Phase
from registry.db import MIGRATIONS, engine_for, migrate, transaction
from registry.directory.store import upsert_directory
from registry.seed import sample_directory_path
from workbooks.directory import read_directory

# No explicit ids: PostgreSQL's sequences must stay ahead of the rows, as they would in use.
ORG = "(SELECT id FROM organisations WHERE code = 'bwb')"
CAMPAIGN = "(SELECT id FROM campaigns WHERE code = 'shenyang-2016')"
ROWS = [
    "INSERT INTO organisations (code, name, short_name, kind, roles, division_code, address)"
    " VALUES ('bwb', '沈阳市编委办', '市编委办', 'department', '[\"coordinator\"]', '', '')",
    "INSERT INTO campaigns (code, name, level, year, owner_org_id, issued_by, shift, settings)"
    f" VALUES ('shenyang-2016', '工作方案', 'city', 2016, {ORG}, '', 'next', '{{}}')",
    "INSERT INTO phases (campaign_id, code, name, position, source_phrase, deadline, deadline_reason, debtors,"
    f" creditor) VALUES ({CAMPAIGN}, 'inventory', '清理自查', 0, '7月底前', '2016-08-01', '', '市直各有关部门',"
    " '市编委办')",
    "INSERT INTO obligations (campaign_id, phase_id, debtor_id, ref, due, state, escalation_level, priority,"
    f" opened_on) VALUES ({CAMPAIGN}, (SELECT id FROM phases), {ORG}, '', '2016-08-01', 'open', 0, false,"
    " '2016-06-09')",
    "INSERT INTO complaints (campaign_id, received_on, channel, complainant, complainant_contact, subject, text,"
    f" named_department, obligation_id, state, answer) VALUES ({CAMPAIGN}, '2016-07-01', 'letter', '张三', '',"
    " '办事难', '', '市编委办', (SELECT id FROM obligations), 'open', '')",
]


def _upgrade_to(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    command.upgrade(config, revision)


def test_a_registry_holding_obligations_upgrades_and_keeps_them(database_url):
    _upgrade_to(database_url, "0005")
    with engine_for(database_url).begin() as connection:
        for row in ROWS:
            connection.execute(text(row))
    migrate(database_url)
    columns = inspect(engine_for(database_url))
    assert "escalation_level" not in {c["name"] for c in columns.get_columns("obligations")}
    assert {"debtor_selector", "creditor_selector"} <= {c["name"] for c in columns.get_columns("phases")}
    with engine_for(database_url).connect() as connection:
        assert connection.execute(text("SELECT obligation_id FROM complaints")).scalar() == connection.execute(
            text("SELECT id FROM obligations")).scalar()
        assert connection.execute(text("SELECT debtor_selector FROM phases")).scalar() == ""


def test_loading_the_plan_again_gives_older_phases_their_selectors(database_url):
    _upgrade_to(database_url, "0005")
    with engine_for(database_url).begin() as connection:
        for row in ROWS[:3]:
            connection.execute(text(row))
    migrate(database_url)
    with transaction(database_url) as session:
        upsert_directory(session, read_directory(sample_directory_path()))
    initialise(database_url)
    with transaction(database_url) as session:
        inventory = session.scalar(select(Phase).where(Phase.code == "inventory"))
        assert (inventory.debtor_selector, inventory.creditor_selector) == ("departments", "role:coordinator")
        assert session.scalar(select(func.count()).select_from(Phase).where(Phase.code == "inventory")) == 1
        owed = session.scalar(select(func.count()).select_from(Obligation).where(Obligation.phase_id == inventory.id))
    assert owed >= 40  # every city department, opened from the selectors the reload stored
