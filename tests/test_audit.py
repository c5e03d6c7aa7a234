"""Every state change is logged, and the log cannot be rewritten."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.campaign.obligations import fulfil
from registry.campaign.tables import AuditEntry, AuditLogIsAppendOnly
from registry.db import transaction
from rules.obligations import IllegalTransition


def test_fulfilling_records_who_when_and_why(initialised):
    with transaction(initialised) as session:
        obligation = fulfil(session, "inventory", "jyj", date(2016, 7, 25), actor="jyj", reason="报送清理结果")
        obligation_id = obligation.id
    with transaction(initialised) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == obligation_id)
                                .order_by(AuditEntry.id)).all()[-1]
    assert (entry.actor, entry.from_state, entry.to_state, entry.reason) == ("jyj", "open", "fulfilled", "报送清理结果")
    assert entry.at.date() == date(2016, 7, 25)


def test_an_audit_entry_cannot_be_changed(initialised):
    with pytest.raises(AuditLogIsAppendOnly), transaction(initialised) as session:
        session.scalars(select(AuditEntry)).first().reason = "改写"


def test_an_audit_entry_cannot_be_deleted(initialised):
    with pytest.raises(AuditLogIsAppendOnly), transaction(initialised) as session:
        session.delete(session.scalars(select(AuditEntry)).first())


def test_an_illegal_transition_is_refused_and_not_logged(initialised):
    from registry.campaign.audit import move_obligation

    with transaction(initialised) as session:
        obligation = fulfil(session, "inventory", "mzj", date(2016, 7, 25), actor="mzj", reason="报送")
        obligation_id = obligation.id
    with pytest.raises(IllegalTransition), transaction(initialised) as session:
        move_obligation(session, session.get(type(obligation), obligation_id), "returned", "bwb", "退回", date(2016, 7, 26))
    with transaction(initialised) as session:
        states = session.scalars(select(AuditEntry.to_state).where(AuditEntry.entity_id == obligation_id)).all()
    assert states == ["open", "fulfilled"]
