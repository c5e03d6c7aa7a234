"""The green channel's (绿色通道, task 9) share of a month's work, as the supervision report gives it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation
from rules.obligations import State


class BadMonth(UserError, ValueError):
    pass


def month_bounds(month: str) -> tuple[date, date]:
    """The first day of the month ``YYYY-MM`` and the first day of the next."""
    try:
        first = date.fromisoformat(f"{month.strip()}-01")
    except ValueError:
        raise BadMonth(f"月份 {month!r} 格式不对，应为 YYYY-MM，例如 2016-09") from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following


def share(session: Session, month: str, campaign_code: str | None = None) -> dict:
    first, following = month_bounds(month)
    campaign = find_campaign(session, campaign_code)
    rows = session.execute(
        select(Obligation.priority, Obligation.state, Obligation.due, Obligation.closed_on)
        .where(Obligation.campaign_id == campaign.id, Obligation.opened_on >= first,
               Obligation.opened_on < following)).all()

    def on_time(chosen) -> int:
        # Fulfilled by its due date; a waived obligation was released, not done.
        return sum(1 for _, state, due, closed in chosen if state == State.FULFILLED and closed and closed <= due)

    green = [r for r in rows if r.priority]
    return {
        "month": first.strftime("%Y-%m"),
        "opened": len(rows),
        "priority": len(green),
        "share": round(len(green) / len(rows), 4) if rows else 0.0,
        "on_time": on_time(rows),
        "priority_on_time": on_time(green),
        "priority_open": sum(1 for r in green if r.state in (State.OPEN, State.RETURNED)),
    }
