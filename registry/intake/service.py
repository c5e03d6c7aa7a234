"""Intake's use cases: a debtor's template, a file handed in some other way than mail, a phase's calls.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
Settings other than the URL (the intake address, the limits on untrusted files) default to the
environment's.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import MissingFile, UserError
from core.settings import Settings, get_settings
from notifications.inbound import InboundAttachment
from registry.campaign.obligations import UnknownObligation, find_obligation
from registry.campaign.plan import open_phase
from registry.campaign.queries import find_phase, home_campaign
from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.directory.store import upsert_directory
from registry.directory.tables import Contact, Organisation
from registry.intake import calls, listing
from registry.intake.reply_tokens import reply_address, token_for
from registry.intake.workbooks import IntakeResult, UnknownDepartment, check_and_validate, take_in_file
from rules.documents import DOCUMENTS
from rules.obligations import CLOSED
from rules.organisations import OrgRecord
from workbooks.inventory_rules import Validation


@dataclass(frozen=True)
class TemplateFile:
    filename: str
    content: bytes


def template_for(url: str, org_code: str, now: datetime, phase_code: str = "inventory",
                 settings: Settings | None = None) -> TemplateFile:
    """The debtor's own template for the phase, its cover filled in (unit, deadline, reply address);
    refused, naming the phases that have one, for a phase without a template."""
    with transaction(url) as session:
        calls.require_template(session, find_phase(session, phase_code, home_campaign(session, org_code).code))
        obligation = _obligation(session, phase_code, org_code)
        filename, content = calls.template_for(session, obligation, settings or get_settings(), now)
    return TemplateFile(filename, content)


def submit_file(url: str, org_code: str, path: Path, now: datetime, settings: Settings | None = None,
                phase_code: str | None = None, attached: Sequence[Path] = ()) -> IntakeResult:
    """A file that came some other way than mail: the same checks, the same receipt. Without a phase,
    the organisation's inventory, or the one phase it owes a file in. ``attached`` are the files a
    guides workbook names (blank forms, samples), as they would come attached to its email."""
    missing = [p for p in (path, *attached) if not p.is_file()]
    if missing:
        raise MissingFile("文件不存在：" + "、".join(str(p) for p in missing))
    content = path.read_bytes()
    others = [InboundAttachment(p.name, p.read_bytes()) for p in attached]
    with transaction(url) as session:
        if phase_code is not None:
            find_phase(session, phase_code, home_campaign(session, org_code).code)
        obligation = _obligation(session, phase_code or _submitted_phase(session, org_code), org_code)
        return take_in_file(session, obligation, path.name, content, settings or get_settings(), now, others)


class AmbiguousPhase(UserError, LookupError):
    pass


def _obligation(session: Session, phase_code: str, org_code: str) -> Obligation:
    try:
        return find_obligation(session, phase_code, org_code)
    except UnknownObligation as error:
        raise UnknownDepartment(str(error)) from error


def _submitted_phase(session: Session, org_code: str) -> str:
    """The inventory for a department; for a district, the phase whose document it sends in today."""
    owed = session.execute(
        select(Phase.code, Phase.document).join(Obligation, Obligation.phase_id == Phase.id)
        .join(Organisation, Organisation.id == Obligation.debtor_id)
        .where(Organisation.code == org_code, Obligation.ref == "").order_by(Phase.position)).all()
    if any(code == "inventory" for code, _ in owed):
        return "inventory"
    # Files only: a publication address is written in a mail, never handed in as a file.
    taken = [code for code, kind in owed if kind in DOCUMENTS and DOCUMENTS[kind].taken_in and DOCUMENTS[kind].formats]
    if len(taken) > 1:
        raise AmbiguousPhase(f"单位 {org_code} 在多个阶段有待报送的材料（{'、'.join(taken)}），请用 --phase 指明阶段")
    return taken[0] if taken else "inventory"


def call_message_key(phase_code: str, obligation_id: int, version: int = 1) -> str:
    """The outbox key of an obligation's call (for version ``version`` of what it covers)."""
    return calls.call_key(phase_code, obligation_id, version)


def require_called_phase(url: str, phase_code: str, campaign: str | None = None) -> None:
    """Refuse, before a flow starts, a kickoff for a phase whose document its own flow asks for."""
    with transaction(url) as session:
        calls.require_called(session, phase_code, campaign)


def obligations_to_call(url: str, phase_code: str, campaign: str | None = None) -> list[int]:
    """The phase's obligations still owed in the campaign (the city's unless named), by id."""
    with transaction(url) as session:
        return calls.obligations_to_call(session, phase_code, campaign)


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


def reply_addresses(url: str, phase_code: str, now: datetime,
                    intake_address: str | None = None) -> dict[str, tuple[str, str]]:
    """Every organisation with an open obligation of ``phase_code``, in any campaign of the scope:
    organisation code -> (its working contact's address, the obligation's reply address, its token
    made on first use as a call makes it). What a province's replies are written from."""
    intake_address = intake_address or get_settings().mailbox.intake_address
    with transaction(url) as session:
        rows = session.execute(
            select(Obligation.id, Organisation.code, Contact.email)
            .join(Organisation, Organisation.id == Obligation.debtor_id)
            .join(Contact, (Contact.org_id == Organisation.id) & (Contact.role == "contact"))
            .join(Phase, Phase.id == Obligation.phase_id)
            .where(Phase.code == phase_code, Obligation.state.not_in([str(s) for s in CLOSED]))
            .order_by(Obligation.id)).all()
        return {code: (email, reply_address(intake_address, token_for(session, oid, now))) for oid, code, email in rows}


def validate_workbook(filename: str, content: bytes, org_code: str | None = None,
                      settings: Settings | None = None) -> Validation:
    """The checks every returned workbook goes through (safety, then the inventory's rules), storing nothing."""
    return check_and_validate(filename, content, settings or get_settings(), org_code)


def submissions_of(url: str, org_code: str) -> list[dict]:
    """Every version an organisation handed in, newest first: phase, state, file, receipt."""
    with transaction(url) as session:
        return listing.submissions_of(session, org_code)


def stored_file(url: str, submission_id: int) -> TemplateFile | None:
    """The file of a submission as it was received (None: unknown, out of scope or not kept)."""
    with transaction(url) as session:
        found = listing.stored_file(session, submission_id)
    return None if found is None else TemplateFile(found[0], found[1])
