"""Intake's use cases. Each takes plain values (the database URL where it needs the registry),
opens the one transaction and returns plain values."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.settings import Settings, get_settings
from registry.campaign.plan import open_phase
from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.directory.store import upsert_directory
from registry.directory.tables import Organisation
from registry.intake.reply_tokens import reply_address, token_for
from registry.intake.workbooks import check_and_validate
from rules.organisations import OrgRecord
from workbooks.inventory_rules import Validation


def enrol_respondents(url: str, records: list[OrgRecord], phase_code: str, on: date, now: datetime,
                      intake_address: str | None = None) -> dict[str, str]:
    """Add (or update) organisations, open the city campaign's phase for them on ``on``, and give
    each obligation of theirs in it a reply token; returns organisation code -> reply address."""
    intake_address = intake_address or get_settings().mailbox.intake_address
    codes = [r.code for r in records]
    with transaction(url) as session:
        upsert_directory(session, records)
        open_phase(session, None, phase_code, on)
        rows = session.execute(
            select(Obligation.id, Organisation.code)
            .join(Organisation, Organisation.id == Obligation.debtor_id)
            .join(Phase, Phase.id == Obligation.phase_id)
            .where(Phase.code == phase_code, Organisation.code.in_(codes))).all()
        return {code: reply_address(intake_address, token_for(session, oid, now)) for oid, code in rows}


def validate_workbook(filename: str, content: bytes, org_code: str | None = None,
                      settings: Settings | None = None) -> Validation:
    """The checks every returned workbook goes through (safety, then the inventory's rules), storing nothing."""
    return check_and_validate(filename, content, settings or get_settings(), org_code)
