"""Queuing a phase's call to each obligated department: the letter, the template, the reply address."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from notifications.intake_letters import call_letter
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Phase
from registry.directory.tables import Contact
from registry.intake.reply_tokens import reply_address, subject_tag, token_for
from registry.outbox.queue import XLSX, Attachment, queue_message
from registry.outbox.tables import OutboxMessage
from rules.obligations import CLOSED
from workbooks.inventory_template import (
    TemplateFacts,
    build_inventory_template,
    template_filename,
)


def obligations_to_call(session: Session, phase_code: str, campaign_code: str | None = None) -> list[int]:
    """The phase's obligations still owed: a kickoff rerun after some replied calls nobody twice anyway."""
    campaign = find_campaign(session, campaign_code)
    return list(session.scalars(
        select(Obligation.id).join(Phase, Phase.id == Obligation.phase_id)
        .where(Obligation.campaign_id == campaign.id, Phase.code == phase_code, Obligation.ref == "",
               Obligation.state.not_in([str(s) for s in CLOSED]))
        .order_by(Obligation.id)
    ))


def call_key(phase_code: str, obligation_id: int) -> str:
    return f"call:{phase_code}:{obligation_id}"


def template_for(session: Session, obligation: Obligation, settings: Settings, now: datetime) -> tuple[str, bytes]:
    """The department's own template (cover filled in), and its file name."""
    return _template(obligation, _contact(session, obligation.debtor_id), token_for(session, obligation.id, now),
                     settings)


def _template(obligation: Obligation, contact: Contact | None, token: str, settings: Settings) -> tuple[str, bytes]:
    org = obligation.debtor
    facts = TemplateFacts(org_name=org.name, org_code=org.code, campaign_name=obligation.phase.campaign.name,
                          deadline=obligation.due, reply_address=reply_address(settings.mailbox.intake_address, token),
                          contact_name=contact.name if contact else "", contact_phone=contact.phone if contact else "")
    return template_filename(org.short_name or org.code), build_inventory_template(facts)


def queue_call(session: Session, obligation_id: int, settings: Settings, now: datetime) -> tuple[int, bool]:
    """Queue the call once per obligation (outbox key call:<phase>:<id>); returns (outbox id, created)."""
    obligation = session.get(Obligation, obligation_id)
    phase = obligation.phase
    key = call_key(phase.code, obligation.id)
    queued = session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
    if queued is not None:
        return queued, False  # a rerun: the template is not built again only to be thrown away
    contact = _contact(session, obligation.debtor_id)
    token = token_for(session, obligation.id, now)
    filename, template = _template(obligation, contact, token, settings)
    address = reply_address(settings.mailbox.intake_address, token)
    letter = call_letter(org_name=obligation.debtor.name, campaign_name=phase.campaign.name, phase_name=phase.name,
                         deadline=obligation.due, source_phrase=phase.source_phrase, reply_address=address,
                         tag=subject_tag(token), filename=filename)
    row, created = queue_message(
        session, key=key, to=[contact.email] if contact else [], subject=letter.subject, text=letter.text,
        html=letter.html, reply_to=address, kind="call", obligation_id=obligation.id,
        attachments=[Attachment(filename, template, XLSX)], now=now, mail_domain=settings.smtp.mail_domain)
    return row.id, created


def _contact(session: Session, org_id: int) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.org_id == org_id, Contact.role == "contact",
                                                Contact.email != ""))
