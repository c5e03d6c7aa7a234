"""Intake's use cases: a department's template, a workbook handed in as a file, a phase's calls.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
Settings other than the URL (the intake address, the limits on untrusted files) default to the
environment's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from core.errors import UserError
from core.settings import Settings, get_settings
from registry.campaign.obligations import UnknownObligation, find_obligation
from registry.campaign.plan import open_phase
from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.directory.store import upsert_directory
from registry.directory.tables import Organisation
from registry.intake import calls
from registry.intake.reply_tokens import reply_address, token_for
from registry.intake.workbooks import IntakeResult, UnknownDepartment, check_and_validate, take_in_file
from rules.organisations import OrgRecord
from workbooks.inventory_rules import Validation


class MissingFile(UserError, FileNotFoundError):
    pass


@dataclass(frozen=True)
class TemplateFile:
    filename: str
    content: bytes


def template_for(url: str, org_code: str, now: datetime, phase_code: str = "inventory",
                 settings: Settings | None = None) -> TemplateFile:
    """The department's own template, its cover filled in (unit, deadline, reply address)."""
    with transaction(url) as session:
        try:
            obligation = find_obligation(session, phase_code, org_code)
        except UnknownObligation as error:
            raise UnknownDepartment(str(error)) from error
        filename, content = calls.template_for(session, obligation, settings or get_settings(), now)
    return TemplateFile(filename, content)


def submit_file(url: str, org_code: str, path: Path, now: datetime, settings: Settings | None = None) -> IntakeResult:
    """A workbook that came some other way than mail: the same checks, the same receipt."""
    if not path.is_file():
        raise MissingFile(f"文件不存在：{path}")
    content = path.read_bytes()
    with transaction(url) as session:
        return take_in_file(session, org_code, path.name, content, settings or get_settings(), now)


def obligations_to_call(url: str, phase_code: str) -> list[int]:
    """The phase's obligations still owed, by id."""
    with transaction(url) as session:
        return calls.obligations_to_call(session, phase_code)


def queue_call(url: str, obligation_id: int, now: datetime, settings: Settings | None = None) -> int:
    """Queue the obligation's call once (a rerun finds it queued); returns its outbox id."""
    with transaction(url) as session:
        outbox_id, _ = calls.queue_call(session, obligation_id, settings or get_settings(), now)
    return outbox_id


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
