"""The coordinators' daily digest: new cards, what changed since the last working day, who is late.

Built from the registry after the sweep (bulk queries, pure rules), queued once per campaign and
day under the key ``digest:<campaign>:<day>``. New cards are listed as they were sent: one line
per message, with how many obligations it named.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.calendar.store import load_calendar
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Obligation, Phase
from registry.directory.queries import coordinator_addresses
from registry.directory.tables import Organisation
from registry.outbox.queue import queue_message
from registry.supervision.reports import Unopened
from registry.supervision.sweep import Undated
from registry.supervision.tables import RungTaken
from rules.calendar import WorkingCalendar, YearNotLoaded
from rules.escalation import policy_from_settings
from rules.obligations import (
    DEFAULT_NEAR_DUE_WORKING_DAYS,
    LATE,
    STANDING_NAMES,
    Standing,
    State,
    classify,
)

CARD_RUNGS = {"yellow": "黄牌", "red": "红牌", "supervision": "提请督查"}
LIST_LIMIT = 100  # lines per section: a province-sized digest must still be readable
# Next year's holiday notice comes out in November; from here on the coordinators are reminded to load it.
CALENDAR_WARNING_DAYS = 60
IMPORT_COMMAND = "reform calendar import <file>"


def calendar_warning(calendar: WorkingCalendar, as_of: date, *, needed: tuple[int, ...] = ()) -> str:
    """The line telling coordinators to import a year: in a year's last 60 days, or when a date needed one."""
    missing = set(needed)
    if as_of >= date(as_of.year, 12, 31) - timedelta(days=CALENDAR_WARNING_DAYS):
        missing.add(as_of.year + 1)
    missing -= set(calendar.years)
    if not missing:
        return ""
    years = "、".join(f"{y} 年" for y in sorted(missing))
    return (f"工作日历尚未载入 {years}：期限落在该年的事项暂不提醒、不亮牌。"
            f"请尽快用 `{IMPORT_COMMAND}` 导入该年度的节假日安排。")


class CardMessage(NamedTuple):
    """One card message sent today: to one organisation, at one rung, naming its obligations."""

    card: str  # 黄牌, 红牌, 提请督查
    org: str
    phases: tuple[str, ...]
    obligation_ids: tuple[int, ...]

    def line(self) -> str:
        phases = "、".join(f"「{p}」" for p in self.phases)
        ids = "、".join(map(str, self.obligation_ids[:10])) + (" 等" if len(self.obligation_ids) > 10 else "")
        return f"- {self.card}：{self.org}{phases} {len(self.obligation_ids)} 项（事项 {ids}）"


@dataclass
class Digest:
    campaign: str
    as_of: date
    since: date
    new_cards: list[CardMessage] = field(default_factory=list)  # one per card message sent today
    changes: Counter = field(default_factory=Counter)  # (from standing, to standing) -> count
    late_by_org: dict[str, list[tuple[str, str, str, int]]] = field(default_factory=dict)  # org -> standing, phase, due, id
    # Phases still open, or with something closed since the last working day: code -> name, done, total.
    # (A phase finished earlier keeps its last, 100%, progress artifact; no need to write it daily.)
    done_by_phase: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    undated: list[Undated] = field(default_factory=list)  # left out today: a date needs an unloaded year
    unopened: list[Unopened] = field(default_factory=list)  # self-reports waiting for their year's calendar
    calendar_warning: str = ""

    def summary(self) -> dict:
        """Plain counts, for the sweep's Prefect artifacts."""
        return {"new_cards": self.cards_given, "card_messages": len(self.new_cards), "late": sum(len(v) for v in self.late_by_org.values()),
                "late_orgs": len(self.late_by_org), "changes": sum(self.changes.values()),
                "done_by_phase": self.done_by_phase, "undated": [u._asdict() for u in self.undated],
                "unopened": [{"campaign": u.campaign, "task_number": u.task_number, "period": u.period,
                              "period_end": u.period_end, "missing_year": u.missing_year, "units": list(u.units)}
                             for u in self.unopened],
                "calendar_warning": self.calendar_warning}

    @property
    def cards_given(self) -> int:
        """Cards given today, one per obligation, however many messages told of them."""
        return sum(len(m.obligation_ids) for m in self.new_cards)

    def subject(self) -> str:
        late = sum(len(v) for v in self.late_by_org.values())
        waiting = len(self.undated) + len(self.unopened)
        return (f"【督办日报】{self.as_of.isoformat()}：新增黄红牌 {self.cards_given} 张，"
                f"逾期 {late} 项，涉及 {len(self.late_by_org)} 个单位"
                + (f"；{waiting} 项因工作日历未载入暂未处理" if waiting else ""))

    def text(self) -> str:
        lines = [f"截至 {self.as_of.isoformat()}（与上一个工作日 {self.since.isoformat()} 相比）", ""]
        if self.calendar_warning:
            lines += [f"【注意】{self.calendar_warning}", ""]
        lines += [f"一、今日新增黄牌、红牌（{self.cards_given} 项，督办通知 {len(self.new_cards)} 封）"
                  if self.new_cards else "一、今日新增黄牌、红牌"]
        lines += [m.line() for m in self.new_cards[:LIST_LIMIT]]
        lines += _more(len(self.new_cards)) or (["- 无"] if not self.new_cards else [])
        lines += ["", "二、与上一个工作日相比的变化"]
        lines += [f"- {STANDING_NAMES[a] if a else '新开启'} → {STANDING_NAMES[b]}：{n} 项"
                  for (a, b), n in sorted(self.changes.items(), key=lambda kv: -kv[1])] or ["- 无变化"]
        lines += ["", "三、逾期事项（按单位）"]
        for org, items in sorted(self.late_by_org.items(), key=lambda kv: -len(kv[1]))[:LIST_LIMIT]:
            cards = Counter(s for s, *_ in items)
            lines.append(f"- {org}：{'，'.join(f'{STANDING_NAMES[Standing(s)]} {n} 项' for s, n in cards.items())}")
            lines += [f"    {phase}（期限 {due}，事项 {oid}）" for _, phase, due, oid in items[:10]]
        lines += _more(len(self.late_by_org)) or (["- 无"] if not self.late_by_org else [])
        if self.undated or self.unopened:
            lines += ["", "四、因工作日历未载入而暂未处理的事项（导入该年度日历后的下一次扫描自动补上）"]
            lines += [f"- 事项 {u.obligation_id}：{u.org_name}（{u.org_code}）「{u.phase_name}」（{u.phase_code}），"
                      f"期限 {u.due.isoformat()}，需要 {u.missing_year} 年日历" for u in self.undated[:LIST_LIMIT]]
            lines += _more(len(self.undated))
            lines += [f"- 第{u.task_number}项「{u.task_title}」{u.period} 自查报告（期末 {u.period_end.isoformat()}）"
                      f"尚未开启，需要 {u.missing_year} 年日历；报送单位：{'、'.join(u.units)}" for u in self.unopened]
        return "\n".join(lines)


def _more(n: int) -> list[str]:
    return [f"（以上仅列 {LIST_LIMIT} 条，共 {n} 条，完整情况见 reform status）"] if n > LIST_LIMIT else []


def build_digest(session: Session, as_of: date, campaign_code: str | None = None, *,
                 undated: list[Undated] = (), unopened: list[Unopened] = ()) -> Digest:
    """``undated`` and ``unopened`` are what the day's sweep left out; the digest adds any it cannot classify."""
    campaign = find_campaign(session, campaign_code)
    calendar = load_calendar(session)
    since = calendar.add_working_days(as_of, -1)
    settings = campaign.settings or {}
    near = int(settings.get("near_due_working_days", DEFAULT_NEAR_DUE_WORKING_DAYS))
    policy = policy_from_settings(settings)
    org_rows = session.execute(select(Organisation.id, Organisation.code, Organisation.name,
                                      Organisation.short_name)).all()
    orgs = {oid: short or name for oid, _, name, short in org_rows}
    phase_rows = session.execute(select(Phase.id, Phase.code, Phase.name).where(Phase.campaign_id == campaign.id)
                                 .order_by(Phase.position)).all()
    phases = {pid: name for pid, _, name in phase_rows}
    digest = Digest(campaign.code, as_of, since, undated=[u for u in undated if u.campaign == campaign.code],
                    unopened=[u for u in unopened if u.campaign == campaign.code])
    listed = {u.obligation_id for u in digest.undated}
    done: Counter = Counter()
    total: Counter = Counter()
    moved: set[int] = set()

    late: dict[str, list] = defaultdict(list)
    for oid, phase_id, debtor, due, state, priority, opened_on, closed_on in session.execute(
            select(Obligation.id, Obligation.phase_id, Obligation.debtor_id, Obligation.due, Obligation.state,
                   Obligation.priority, Obligation.opened_on, Obligation.closed_on)
            .where(Obligation.campaign_id == campaign.id).order_by(Obligation.id)):
        red_after = policy.for_priority(priority).red_after_working_days
        try:  # free in Python 3.11 while nothing is raised
            today = classify(state, due, as_of, calendar, near, red_after)
            if opened_on > since:
                before = None
            else:
                # Closed since the last working day: it was still open then.
                state_then = State.OPEN if closed_on and closed_on > since else state
                before = classify(state_then, due, since, calendar, near, red_after)
        except YearNotLoaded as gap:
            if oid not in listed:
                code, name, phase_code = _names(org_rows, phase_rows, debtor, phase_id)
                digest.undated.append(Undated(oid, code, name, phase_code, phases[phase_id], due, gap.year,
                                             campaign.code))
                listed.add(oid)
            total[phase_id] += 1
            continue
        if before != today:
            digest.changes[(before, today)] += 1
        if today in LATE:
            late[orgs[debtor]].append((str(today), phases[phase_id], due.isoformat(), oid))
        total[phase_id] += 1
        done[phase_id] += today is Standing.DONE
        if closed_on and closed_on > since:
            moved.add(phase_id)
    digest.late_by_org = dict(late)
    digest.calendar_warning = calendar_warning(
        calendar, as_of, needed=tuple({u.missing_year for u in digest.undated} | {u.missing_year for u in digest.unopened}))
    digest.done_by_phase = {code: (name, done[pid], total[pid]) for pid, code, name in phase_rows
                            if done[pid] < total[pid] or pid in moved}

    cards: dict[str, tuple[str, str, dict, list]] = {}  # notice key -> card, org, phases, ids
    for key, rung, oid, debtor, phase_id in session.execute(
            select(RungTaken.notice_key, RungTaken.rung, Obligation.id, Obligation.debtor_id, Obligation.phase_id)
            .join(Obligation, Obligation.id == RungTaken.obligation_id)
            .where(RungTaken.taken_on == as_of, RungTaken.rung.in_(CARD_RUNGS), Obligation.campaign_id == campaign.id)
            .order_by(RungTaken.id)):
        _, _, listed_phases, ids = cards.setdefault(key, (CARD_RUNGS[rung], orgs[debtor], {}, []))
        listed_phases[phases[phase_id]] = None
        ids.append(oid)
    digest.new_cards = [CardMessage(card, org, tuple(listed), tuple(ids)) for card, org, listed, ids in cards.values()]
    return digest


def _names(org_rows: list, phase_rows: list, debtor: int, phase_id: int) -> tuple[str, str, str]:
    # Only for the few obligations that cannot be dated: a scan is cheaper than another dict per digest.
    code, name = next((c, n) for oid, c, n, _ in org_rows if oid == debtor)
    return code, name, next(c for pid, c, _ in phase_rows if pid == phase_id)


def queue_digest(session: Session, as_of: date, campaign_code: str | None = None,
                 mail_domain: str = "reform.shenyang.example.org", *,
                 undated: list[Undated] = (), unopened: list[Unopened] = ()) -> Digest:
    campaign = find_campaign(session, campaign_code)
    digest = build_digest(session, as_of, campaign.code, undated=undated, unopened=unopened)
    # Each campaign's digest goes to its own coordinator: a district's to its 区编委办.
    recipients = coordinator_addresses(session, campaign.district)
    if recipients:
        queue_message(session, key=f"digest:{digest.campaign}:{as_of.isoformat()}", to=recipients,
                      subject=digest.subject(), text=digest.text(), kind="digest",
                      now=datetime.combine(as_of, time(9, 5)), mail_domain=mail_domain, district=campaign.district)
    return digest
