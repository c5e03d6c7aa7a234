"""The period's supervision report (督导检查通报): every self-report due in the period, the figures of
those accepted beside the registry's, and the units that have not reported."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign import green_channel
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Phase
from registry.directory.tables import Organisation
from registry.self_reports.storing import standing_reports
from rules.obligations import STATE_NAMES, State
from rules.periods import months_of
from workbooks.supervision_report import BulletinFacts, BulletinRow, Narrative, Unreported

PHASE = "supervision"


class UnknownPeriod(UserError, LookupError):
    pass


def bulletin_facts(session: Session, period: str, as_of: date, campaign_code: str | None = None) -> BulletinFacts:
    campaign = find_campaign(session, campaign_code)
    phase = session.scalar(select(Phase).where(Phase.campaign_id == campaign.id, Phase.code == PHASE))
    obligations = [] if phase is None else list(session.scalars(
        select(Obligation).join(Organisation, Organisation.id == Obligation.debtor_id)
        .where(Obligation.phase_id == phase.id, Obligation.ref.like(f"{period}/task-%"))
        .order_by(Organisation.id)))
    if not obligations:
        opened = [] if phase is None else sorted({ref.split("/")[0] for ref in session.scalars(
            select(Obligation.ref).where(Obligation.phase_id == phase.id))})
        raise UnknownPeriod(f"报告期 {period} 没有开启自查报告任务"
                            + (f"；已开启的报告期：{'、'.join(opened)}" if opened else "；尚未开启任何报告期"))
    obligations.sort(key=lambda o: int((o.scope or {}).get("task") or o.ref.rsplit("-", 1)[-1]))
    standing = standing_reports(session, [o.id for o in obligations])
    tasks: dict[int, str] = {}
    rows, unreported, narratives = [], [], []
    for obligation in obligations:
        scope = obligation.scope or {}
        number = int(scope.get("task") or obligation.ref.rsplit("-", 1)[-1])
        tasks.setdefault(number, str(scope.get("task_title", "")))
        org = obligation.debtor
        report = standing.get(obligation.id)
        values = {v.key: v for v in report.values} if report else {}
        for indicator in scope.get("indicators") or ():
            value = values.get(indicator["key"])
            rows.append(BulletinRow(number, org.name, org.code, indicator["label"], indicator["unit"],
                                    float(value.system_value if value else indicator["value"]),
                                    value.reported_value if value else None, value.note if value else ""))
        if report is None:
            state = "逾期未报送" if obligation.state != State.WAIVED and as_of > obligation.due else (
                STATE_NAMES.get(State(obligation.state), obligation.state))
            unreported.append(Unreported(number, org.name, org.code, obligation.due.isoformat(), state))
        else:
            narratives.append(Narrative(number, org.name, report.progress, report.issues, report.next_steps))
    green = tuple(green_channel.share(session, month, campaign_code) for month in months_of(period))
    return BulletinFacts(period, campaign.name, as_of.isoformat(), tuple(tasks.items()), tuple(rows),
                         tuple(unreported), tuple(narratives), green)
