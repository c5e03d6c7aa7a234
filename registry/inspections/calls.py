"""The round's call to each inspected unit: its own rows of the checklist, attached, once per unit.

The inspectors fill the checklist when they visit; the unit gets it beforehand to know what will
be looked at and what the registry already holds on it (its complaints). Nothing is asked back by
mail: the inspectors' filled checklist comes in through ``reform inspection import``.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.directory.tables import Contact
from registry.inspections.rounds import get_round
from registry.outbox.queue import XLSX, Attachment, queue_message
from rules.inspections import CHECKLIST
from workbooks.inspection_checklist import ChecklistUnit, write_checklist


def call_key(round_id: int, org_code: str) -> str:
    return f"call:inspection:{round_id}:{org_code}"


def call_units(session: Session, name: str, on: date, mail_domain: str) -> tuple[int, list[str]]:
    """Queue the call to every unit with a working contact; returns (queued now, units without a contact).

    Keyed by round and unit: calling again sends nothing twice.
    """
    inspection = get_round(session, name)
    queued, unreachable = 0, []
    for unit in inspection.units:
        org = unit.org
        contact = session.scalar(select(Contact.email).where(Contact.org_id == org.id, Contact.role == "contact"))
        if not contact:
            unreachable.append(org.name)
            continue
        workbook = write_checklist(inspection.name, inspection.due, [ChecklistUnit(org.code, org.name, unit.complaints)])
        _, created = queue_message(
            session, key=call_key(inspection.id, org.code), to=[contact], kind="call",
            subject=f"【督导检查】{inspection.name}：请做好迎检准备（检查截止 {inspection.due.isoformat()}）",
            text=(f"{org.name}：\n\n根据工作方案第13项「定期开展督导检查」，将于 {inspection.due.isoformat()} 前对你单位开展"
                  f"“{inspection.name}”。检查内容：{'；'.join(CHECKLIST)}。\n"
                  f"附件为你单位的检查清单，已填入登记在案的被投诉件数（{unit.complaints} 件），由检查人员现场填写发现的问题。\n"
                  "检查发现的问题将逐项通知你单位限期整改（一般为 15 个工作日）。本邮件无需回复。\n"),
            attachments=[Attachment(f"督导检查清单_{inspection.name}_{org.short_name or org.name}.xlsx", workbook, XLSX)],
            now=datetime.combine(on, time(9)), mail_domain=mail_domain)
        queued += created
    return queued, unreachable
