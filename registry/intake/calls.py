"""Queuing a phase's call to each obligated organisation: the letter that asks for the phase's own
document, its template when it has one, the reply address."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from core.settings import Settings
from notifications.intake_letters import call_letter
from registry.campaign.queries import find_phase
from registry.campaign.tables import Obligation, Phase
from registry.directory.tables import Contact
from registry.intake.documents import phase_document
from registry.intake.reply_tokens import reply_address, subject_tag, token_for
from registry.outbox.queue import XLSX, Attachment, queue_message
from registry.outbox.tables import OutboxMessage
from rules.certificates import certificates_from_items
from rules.documents import DOCUMENTS, Document, DocumentKind
from rules.obligations import CLOSED
from workbooks.certificates_template import build_certificates_template, certificates_template_filename
from workbooks.cover import TemplateFacts
from workbooks.guides_template import build_guides_template, guides_template_filename
from workbooks.inventory_template import build_inventory_template, template_filename
from workbooks.self_report_template import ReportFacts, build_self_report_template, self_report_filename


class NoTemplate(UserError, LookupError):
    pass


class NotCalled(UserError, LookupError):
    pass


def _phases_where(session: Session, campaign_id: int, wanted: Callable[[Document], bool]) -> list[str]:
    phases = session.scalars(select(Phase).where(Phase.campaign_id == campaign_id).order_by(Phase.position))
    return [p.code for p in phases if p.document in DOCUMENTS and wanted(DOCUMENTS[p.document])]


def require_called(session: Session, phase_code: str, campaign_code: str | None = None) -> None:
    """Refuse a kickoff for an unknown phase, or one whose document its own flow asks for (review, approval, …)."""
    phase = find_phase(session, phase_code, campaign_code)
    doc = phase_document(phase)
    if not doc.called:
        called = "、".join(_phases_where(session, phase.campaign_id, lambda d: d.called))
        raise NotCalled(f"阶段 {phase.code}（{phase.name}）不由 reform kickoff 发通知，其{doc.name}"
                        f"由本阶段自己的流程发出和登记；可以发通知的阶段：{called}")


def require_template(session: Session, phase: Phase) -> None:
    """Refuse a phase without a template, naming the phases of its campaign that have one."""
    doc = phase_document(phase)
    if not doc.template:
        having = "、".join(_phases_where(session, phase.campaign_id, lambda d: d.template))
        raise NoTemplate(f"阶段 {phase.code}（{phase.name}）没有报送模板，本阶段报送的是{doc.name}；"
                         f"有模板的阶段：{having}")


def obligations_to_call(session: Session, phase_code: str, campaign_code: str | None = None) -> list[int]:
    """The phase's obligations still owed: a kickoff rerun after some replied calls nobody twice anyway.
    None for a phase whose document its own flow asks for."""
    phase = find_phase(session, phase_code, campaign_code)
    if not phase_document(phase).called:
        return []
    return list(session.scalars(
        select(Obligation.id)
        .where(Obligation.phase_id == phase.id, Obligation.ref == "",
               Obligation.state.not_in([str(s) for s in CLOSED]))
        .order_by(Obligation.id)
    ))


def call_key(phase_code: str, obligation_id: int, version: int = 1) -> str:
    """One call per obligation; an obligation that follows the approved list is called again for
    each version that changes what it covers."""
    return f"call:{phase_code}:{obligation_id}" + (f":v{version}" if version > 1 else "")


def template_for(session: Session, obligation: Obligation, settings: Settings, now: datetime) -> tuple[str, bytes]:
    """The debtor's own template (cover filled in), and its file name; refused for a phase without one."""
    require_template(session, obligation.phase)
    return _template(obligation, _contact(session, obligation.debtor_id), token_for(session, obligation.id, now),
                     settings)


def _template(obligation: Obligation, contact: Contact | None, token: str, settings: Settings) -> tuple[str, bytes]:
    return template_with_address(obligation, contact, token, settings.mailbox.intake_address)


def template_with_address(obligation: Obligation, contact: Contact | None, token: str,
                          intake_address: str) -> tuple[str, bytes]:
    """The debtor's template for a caller that knows the intake address but holds no settings (the sweep)."""
    return _TEMPLATES[phase_document(obligation.phase).kind](obligation,
                                                            _facts(obligation, contact, token, intake_address))


def _facts(obligation: Obligation, contact: Contact | None, token: str, intake_address: str) -> TemplateFacts:
    org = obligation.debtor
    return TemplateFacts(org_name=org.name, org_code=org.code, campaign_name=obligation.phase.campaign.name,
                         deadline=obligation.due, reply_address=reply_address(intake_address, token),
                         contact_name=contact.name if contact else "", contact_phone=contact.phone if contact else "")


def _scope_items(obligation: Obligation) -> list[dict]:
    return list((obligation.scope or {}).get("items") or [])


def _inventory_template(obligation: Obligation, facts: TemplateFacts) -> tuple[str, bytes]:
    return template_filename(obligation.debtor.short_name or obligation.debtor.code), build_inventory_template(facts)


def _guides_template(obligation: Obligation, facts: TemplateFacts) -> tuple[str, bytes]:
    return (guides_template_filename(obligation.debtor.short_name or obligation.debtor.code),
            build_guides_template(facts, _scope_items(obligation)))


def _certificates_template(obligation: Obligation, facts: TemplateFacts) -> tuple[str, bytes]:
    prefilled = certificates_from_items(_scope_items(obligation))
    return (certificates_template_filename(obligation.debtor.short_name or obligation.debtor.code),
            build_certificates_template(facts, prefilled))


def report_facts(obligation: Obligation) -> ReportFacts:
    """A self-report's task, period and pre-filled indicators, as fixed on its obligation when the
    sweep opened it (registry.supervision.reports)."""
    scope = obligation.scope or {}
    # A report opened before its obligations kept a scope still says its period and task in its ref.
    period, _, task = obligation.ref.partition("/task-")
    return ReportFacts(int(scope.get("task") or task or 0), str(scope.get("task_title", "")),
                       str(scope.get("period") or period), tuple(scope.get("indicators") or ()))


def _self_report_template(obligation: Obligation, facts: TemplateFacts) -> tuple[str, bytes]:
    report = report_facts(obligation)
    return (self_report_filename(report, obligation.debtor.short_name or obligation.debtor.code),
            build_self_report_template(facts, report))


# Every document rules.documents marks as having a template. The guides and the certificates are
# made for the department from the approved items its obligation covers; a self-report from the
# task, period and figures its obligation keeps.
_TEMPLATES = {DocumentKind.INVENTORY: _inventory_template, DocumentKind.GUIDES: _guides_template,
              DocumentKind.CERTIFICATES: _certificates_template, DocumentKind.SELF_REPORT: _self_report_template}


def queue_call(session: Session, obligation_id: int, settings: Settings, now: datetime) -> tuple[int, bool]:
    """Queue the call once per obligation (outbox key call:<phase>:<id>, and once more for each
    approved version that changes what it covers); returns (outbox id, created)."""
    obligation = session.get(Obligation, obligation_id)
    phase = obligation.phase
    key = call_key(phase.code, obligation.id, (obligation.scope or {}).get("version", 1))
    queued = session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
    if queued is not None:
        return queued, False  # a rerun: the template is not built again only to be thrown away
    contact = _contact(session, obligation.debtor_id)
    token = token_for(session, obligation.id, now)
    doc = phase_document(phase)
    attachments = [Attachment(*_template(obligation, contact, token, settings), XLSX)] if doc.template else []
    address = reply_address(settings.mailbox.intake_address, token)
    letter = call_letter(org_name=obligation.debtor.name, campaign_name=phase.campaign.name, phase_name=phase.name,
                         document=doc, deadline=obligation.due, source_phrase=phase.source_phrase,
                         reply_address=address, tag=subject_tag(token),
                         filename=attachments[0].filename if attachments else "")
    row, created = queue_message(
        session, key=key, to=[contact.email] if contact else [], subject=letter.subject, text=letter.text,
        html=letter.html, reply_to=address, kind="call", obligation_id=obligation.id,
        attachments=attachments, now=now, mail_domain=settings.smtp.mail_domain)
    return row.id, created


def contact_of(session: Session, org_id: int) -> Contact | None:
    """The organisation's contact with an address: who a call and its template are for."""
    return _contact(session, org_id)


def _contact(session: Session, org_id: int) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.org_id == org_id, Contact.role == "contact",
                                                Contact.email != ""))
