"""Everything a coordinator asks about one obligation, in one place: who owes whom, the deadline and
its source, the standing, the reply address and token, the audit history, the notices and the next step.

The deadline, the notices and the next step are ``explain``'s; this adds the parties, the reply
thread and the audit log around it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from registry.campaign.audit import obligation_history
from registry.campaign.obligations import obligation_by_id
from registry.directory.tables import Organisation
from registry.intake.reply_tokens import reply_address, subject_tag, token_for
from registry.supervision.explain import explain_obligation
from rules.obligations import STATE_NAMES, State

ACTION_NAMES = {"open": "开启", "transition": "状态变更", "waive": "免除", "reopen": "重新开启",
                "supersede": "被审定取代"}


def _state_name(value: str) -> str:
    return STATE_NAMES[State(value)] if value in State._value2member_map_ else value


def obligation_record(session: Session, obligation_id: int, as_of: date, intake_address: str,
                      now: datetime) -> dict:
    obligation = obligation_by_id(session, obligation_id)
    report = explain_obligation(session, obligation.id, as_of)
    creditor = session.get(Organisation, obligation.creditor_id) if obligation.creditor_id else None
    # Created on first use, as when a call goes out: the coordinator may forward the address.
    token = token_for(session, obligation.id, now)
    return {
        **report,
        "creditor": creditor.code if creditor else "",
        "creditor_name": creditor.name if creditor else obligation.phase.creditor,
        "reply": {"address": reply_address(intake_address, token), "token": token, "subject_tag": subject_tag(token)},
        "history": [
            {"at": e.at.isoformat(sep=" ", timespec="minutes"), "actor": e.actor,
             "action": ACTION_NAMES.get(e.action, e.action), "from": _state_name(e.from_state) if e.from_state else "",
             "to": _state_name(e.to_state) if e.to_state else "", "reason": e.reason}
            for e in obligation_history(session, obligation.id)
        ],
    }
