"""The month's public summary of 好差评: counts by level, unit and item, and how each 差评 was dealt
with. Built from a fixed set of columns that holds nothing personal: no names, phones, addresses
or free text (evaluation texts, reasons and notes stay in the registry)."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.directory.tables import Organisation
from registry.evaluations.tables import Evaluation, EvaluationCase
from rules.complaints import Evaluation as Level
from rules.evaluations import BAD_LEVELS, CASE_STATE_NAMES, CaseState, Source, next_month

LEVELS = [e.value for e in Level]
SOURCE_NAMES = {Source.TERMINAL: "评价器", Source.COMPLAINT: "投诉评价", Source.VISIT: "回访"}


def on_time(case: EvaluationCase) -> bool | None:
    """Whether the rectification was recorded by its deadline; None while none is owed or recorded."""
    if case.rectified_on is None or case.obligation is None or case.state not in (CaseState.RECTIFIED,
                                                                                  CaseState.CLOSED):
        return None
    return case.rectified_on <= case.obligation.due


def timeliness(case: EvaluationCase, as_of: date) -> str:
    """是 / 否 for a recorded rectification; 逾期未整改 or 未到期 while one is owed; "" otherwise."""
    timely = on_time(case)
    if timely is not None:
        return "是" if timely else "否"
    if case.state == CaseState.RECTIFYING and case.obligation is not None:
        return "逾期未整改" if case.obligation.due < as_of else "未到期"
    return ""


def monthly_summary(session: Session, first: date, as_of: date) -> dict:
    start, end = datetime.combine(first, datetime.min.time()), datetime.combine(next_month(first), datetime.min.time())
    evaluations = list(session.scalars(select(Evaluation).where(Evaluation.evaluated_at >= start,
                                                                 Evaluation.evaluated_at < end)
                                       .order_by(Evaluation.evaluated_at, Evaluation.id)))
    orgs = {o.id: o for o in session.scalars(select(Organisation))}
    by_level: Counter = Counter((e.level, e.source) for e in evaluations)
    units: dict[int | None, Counter] = defaultdict(Counter)
    items: dict[tuple[str, int | None], Counter] = defaultdict(Counter)
    names = {}
    for e in evaluations:
        units[e.org_id][e.level] += 1
        if e.item_code:
            items[(e.item_code, e.org_id)][e.level] += 1
            names[e.item_code] = e.item_name

    def counts(c: Counter) -> list:
        total = sum(c.values())
        return [c[level] for level in LEVELS] + [total, sum(c[b] for b in BAD_LEVELS)]

    def unit_name(org_id: int | None) -> str:
        return orgs[org_id].name if org_id in orgs else "（未分派）"

    ids = [e.id for e in evaluations]
    cases = list(session.scalars(select(EvaluationCase).where(EvaluationCase.evaluation_id.in_(ids))
                                 .order_by(EvaluationCase.id))) if ids else []
    first_of = {e.id: e for e in evaluations}
    case_rows, figures = [], Counter()
    for case in cases:
        e = first_of[case.evaluation_id]
        timely = timeliness(case, as_of)
        figures["cases"] += 1
        figures[{"是": "rectified_on_time", "否": "rectified_late", "逾期未整改": "overdue"}.get(timely, "other")] += 1
        figures[str(case.state)] += 1
        case_rows.append([case.id, unit_name(case.org_id), e.item_code, e.item_name, e.level,
                          CASE_STATE_NAMES[CaseState(case.state)],
                          case.obligation.due.isoformat() if case.obligation else "",
                          case.rectified_on.isoformat() if case.rectified_on else "", timely,
                          "是" if case.appealed_on else "否"])
    sources = list(SOURCE_NAMES)
    return {
        "month": first.strftime("%Y-%m"), "as_of": as_of.isoformat(),
        "totals": {"evaluations": len(evaluations), "bad": sum(1 for e in evaluations if e.level in BAD_LEVELS),
                   "cases": figures["cases"], "rectified_on_time": figures["rectified_on_time"],
                   "rectified_late": figures["rectified_late"], "overdue": figures["overdue"],
                   "unfounded": figures[CaseState.UNFOUNDED], "closed": figures[CaseState.CLOSED],
                   "open": figures["cases"] - figures[CaseState.UNFOUNDED] - figures[CaseState.CLOSED]},
        "by_level": {"headers": ["评价等级", *(SOURCE_NAMES[s] for s in sources), "合计"],
                     "rows": [[level, *(by_level[(level, s)] for s in sources),
                               sum(by_level[(level, s)] for s in sources)] for level in LEVELS]},
        "by_unit": {"headers": ["单位", *LEVELS, "合计", "差评"],
                    "rows": [[unit_name(org_id), *counts(c)]
                             for org_id, c in sorted(units.items(), key=lambda kv: unit_name(kv[0]))]},
        "by_item": {"headers": ["事项编码", "事项名称", "单位", *LEVELS, "合计", "差评"],
                    "rows": [[code, names[code], unit_name(org_id), *counts(c)]
                             for (code, org_id), c in sorted(items.items(), key=lambda kv: kv[0][0])]},
        "cases": {"headers": ["案件编号", "单位", "事项编码", "事项名称", "评价等级", "办理状态", "整改期限", "整改日期",
                              "按期整改", "申诉复核"],
                  "rows": case_rows},
    }


def summaries_until(session: Session, as_of: date) -> list[dict]:
    """Every month's summary from the first evaluation to the last full month before ``as_of``: what
    the public site publishes."""
    first = session.scalar(select(Evaluation.evaluated_at).order_by(Evaluation.evaluated_at).limit(1))
    if first is None:
        return []
    month, months = first.date().replace(day=1), []
    while next_month(month) <= as_of:
        months.append(monthly_summary(session, month, as_of))
        month = next_month(month)
    return months
