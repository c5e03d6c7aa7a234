"""The daily sweep: decide every open obligation's rung and queue each new notice exactly once.

Built for a province-sized registry (100,000 open obligations in a few seconds): a handful of
bulk queries load obligations, contacts and the keys already queued; the pure rules decide in
Python; notices go into the outbox with one bulk insert. No query runs per obligation.

Exactly once: a notice's outbox key is ``rung:<obligation id>:<rung>``. The keys already queued are
read first and skipped, and the outbox's unique index refuses a concurrent duplicate, which rolls
the whole sweep back (one transaction), so a rerun, or a rerun after a crash, sends nothing twice.
"""
from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.compose import message_id_for
from notifications.escalation_notices import (
    NoticeFacts,
    compose_missing_contacts,
    rung_notice_template,
)
from registry.calendar.store import load_calendar
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.directory.queries import coordinator_addresses
from registry.directory.tables import Contact, Organisation
from registry.outbox.bulk import addresses_json, insert_outbox_rows
from registry.outbox.queue import queue_message
from registry.outbox.tables import OutboxMessage
from rules.calendar import WorkingCalendar, YearNotLoaded
from rules.escalation import (
    RECIPIENT_NAMES,
    Addressing,
    Step,
    address,
    current_step,
    policy_from_settings,
)
from rules.obligations import State
from rules.organisations import OrgRole

ESCALATION = "escalation"  # outbox kind of every rung notice
OPEN_STATES = (State.OPEN, State.RETURNED)


def rung_key(obligation_id: int, rung: str) -> str:
    return f"rung:{obligation_id}:{rung}"


def rung_of_key(key: str) -> str:
    return key.rsplit(":", 1)[-1]


class Notice(NamedTuple):
    """One notice the sweep queued (or would queue, on a dry run). Plain values only.

    A named tuple, not a dataclass: the sweep makes one per notice, up to 100,000 a day.
    """

    obligation_id: int
    org_code: str
    org_name: str
    phase_code: str
    phase_name: str
    rung: str
    level: int
    due: date
    to_role: str
    to: tuple[str, ...]
    skipped: tuple[str, ...] = ()

    def line(self) -> str:
        """What `reform sweep` prints: org code, obligation, rung."""
        moved = f"（{'、'.join(RECIPIENT_NAMES[r] for r in self.skipped)}无邮箱，改送{RECIPIENT_NAMES[self.to_role]}）" \
            if self.skipped else ""
        return f"{self.org_code}\t#{self.obligation_id}\t{self.rung}\t{self.phase_name}\t→ {RECIPIENT_NAMES[self.to_role]}{moved}"


class Undated(NamedTuple):
    """An open obligation left out of the day's rungs: dating it needs a year not loaded yet."""

    obligation_id: int
    org_code: str
    org_name: str
    phase_code: str
    phase_name: str
    due: date
    missing_year: int
    campaign: str = ""


@dataclass
class SweepResult:
    as_of: date
    examined: int = 0
    notices: list[Notice] = field(default_factory=list)
    already_sent: int = 0  # current rungs whose notice was queued on an earlier run
    dry_run: bool = False
    undated: list[Undated] = field(default_factory=list)


@dataclass(frozen=True)
class _Directory:
    """Everything about organisations the sweep needs, loaded in three queries."""

    orgs: dict[int, tuple[str, str, str]]  # id -> (code, name, short name)
    emails: dict[int, dict[str, str]]  # id -> role -> address
    supervision: str  # 市政府办公厅's working contact: 督查
    coordinator: tuple[str, ...]


def _load_directory(session: Session) -> _Directory:
    orgs: dict[int, tuple[str, str, str]] = {}
    general_office: list[int] = []
    for org_id, code, name, short, roles in session.execute(
            select(Organisation.id, Organisation.code, Organisation.name, Organisation.short_name, Organisation.roles)):
        orgs[org_id] = (code, name, short or name)
        if OrgRole.GENERAL_OFFICE in (roles or ()):
            general_office.append(org_id)
    emails: dict[int, dict[str, str]] = defaultdict(dict)
    for org_id, role, email in session.execute(select(Contact.org_id, Contact.role, Contact.email)):
        emails[org_id][role] = (email or "").strip()
    supervision = next((emails[o].get("contact", "") for o in sorted(general_office) if emails[o].get("contact")), "")
    return _Directory(orgs, dict(emails), supervision, tuple(coordinator_addresses(session)))


def _queued_keys(session: Session) -> set[str]:
    """Keys of rung notices already queued for obligations still open: one query."""
    open_ids = select(Obligation.id).where(Obligation.state.in_(OPEN_STATES))
    return set(session.connection().scalars(
        select(OutboxMessage.key).where(OutboxMessage.kind == ESCALATION, OutboxMessage.obligation_id.in_(open_ids))))


def sweep(session: Session, as_of: date, *, dry_run: bool = False, now: datetime | None = None,
          mail_domain: str = "reform.shenyang.example.org") -> SweepResult:
    """Sweep every open obligation of every campaign as of a day; queue what is new.

    Raises rules.calendar.YearNotLoaded for a day outside the loaded calendar. An obligation whose
    current rung needs a year not loaded (each December, until next year's notice is imported) is
    left out and listed in the result's ``undated``; every other rung is decided and queued as usual.
    """
    # Hundreds of thousands of tuples and no reference cycles: the cyclic collector would only
    # rescan them again and again (a third of the sweep's time at 100,000 obligations).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _sweep(session, as_of, dry_run, now, mail_domain)
    finally:
        if collecting:
            gc.enable()


def _sweep(session: Session, as_of: date, dry_run: bool, now: datetime | None, mail_domain: str) -> SweepResult:
    calendar = load_calendar(session)
    calendar.is_working_day(as_of)  # refuse an unloaded year before touching anything
    now = now or datetime.combine(as_of, time(9, 0))  # the sweep of as_of's 09:00
    campaigns = {c.id: c for c in session.scalars(select(Campaign))}
    policies = {cid: policy_from_settings(c.settings or {}) for cid, c in campaigns.items()}
    phases = {pid: (code, name) for pid, code, name in session.execute(select(Phase.id, Phase.code, Phase.name))}
    directory = _load_directory(session)
    taken = _queued_keys(session)
    # Core, not ORM, execution: the ORM's per-row bookkeeping costs more than the query here.
    rows = session.connection().execute(
        select(Obligation.id, Obligation.campaign_id, Obligation.phase_id, Obligation.debtor_id,
               Obligation.creditor_id, Obligation.ref, Obligation.due, Obligation.state, Obligation.priority)
        .where(Obligation.state.in_(OPEN_STATES))
        .order_by(Obligation.id)
    ).all()

    result = SweepResult(as_of, examined=len(rows), dry_run=dry_run)
    queued: list[tuple[str, int, str, tuple]] = []  # key, obligation id, ref, (template, to, cc)
    missing: list[tuple[str, str, str, str]] = []
    # Obligations share due dates and addressees by the thousand: decide each combination once.
    steps: dict[tuple, Step | None] = {}
    # Each December some rungs fall in next year: only those obligations wait, not the whole sweep.
    # Caught once per (campaign, priority, due) group, so the rows pay nothing for it.
    undatable: dict[tuple, int] = {}  # step key -> the year its rung needs
    addressings: dict[tuple, Addressing] = {}
    templates: dict[tuple, tuple] = {}
    for oid, cid, pid, debtor, creditor, ref, due, state, priority in rows:
        step_key = (cid, priority, due)
        if step_key not in steps:
            try:
                steps[step_key] = current_step(state, due, as_of, policies[cid].for_priority(priority), calendar)
            except YearNotLoaded as gap:
                steps[step_key] = None
                undatable[step_key] = gap.year
        step = steps[step_key]
        if step is None:
            if undatable and step_key in undatable:
                code, name, _ = directory.orgs[debtor]
                result.undated.append(Undated(oid, code, name, *phases[pid], due, undatable[step_key],
                                             campaigns[cid].code))
            continue
        key = rung_key(oid, step.rung)
        if key in taken:
            result.already_sent += 1
            continue
        code, name, short = directory.orgs[debtor]
        lead_org = creditor or campaigns[cid].owner_org_id
        address_key = (step.recipient, debtor, lead_org)
        if address_key not in addressings:
            emails = {**directory.emails.get(debtor, {}), "supervision": directory.supervision}
            lead = directory.emails.get(lead_org, {}).get("contact", "")
            addressings[address_key] = address(step.recipient, emails, (lead,) if lead else (), directory.coordinator)
        addressing = addressings[address_key]
        phase_code, phase_name = phases[pid]
        template_key = (step_key, pid, address_key)  # step_key fixes the step and the due date
        if template_key not in templates:
            facts = NoticeFacts(0, name, short, phase_name, "", due, directory.orgs[campaigns[cid].owner_org_id][2])
            templates[template_key] = (rung_notice_template(step, facts, addressing.to_role, addressing.skipped),
                                       *_json_of(addressing))
        queued.append((key, oid, ref, templates[template_key]))
        result.notices.append(Notice(oid, code, name, phase_code, phase_name, step.rung, int(step.level), due,
                                     addressing.to_role, addressing.to, addressing.skipped))
        if addressing.skipped:
            missing.append((code, name, "、".join(RECIPIENT_NAMES[r] for r in addressing.skipped),
                            f"事项 {oid}「{phase_name}」{step.title}"))
    if dry_run:
        return result

    # Worded while they are written: on PostgreSQL the server takes the COPY as Python fills it in.
    insert_outbox_rows(session, (
        (key, message_id_for(key, mail_domain), ESCALATION, oid, to_json, cc_json, *template.fill(oid, ref))
        for key, oid, ref, (template, to_json, cc_json) in queued), now)
    if missing and directory.coordinator:
        _tell_coordinator_of_missing_contacts(session, as_of, missing, [q[0] for q in queued],
                                              directory.coordinator, now, mail_domain)
    return result


@cache
def _json_of(addressing: Addressing) -> tuple[str, str]:
    return addresses_json(addressing.to), addresses_json(addressing.cc)


def _tell_coordinator_of_missing_contacts(session: Session, as_of: date, missing: list, keys: list[str],
                                          coordinator: tuple[str, ...], now: datetime, mail_domain: str) -> None:
    # Keyed by the notices queued: a rerun queues no notice, hence no second message.
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
    subject, text = compose_missing_contacts(as_of, missing)
    queue_message(session, key=f"missing-contacts:{as_of.isoformat()}:{digest}", to=list(coordinator),
                  subject=subject, text=text, kind="missing-contacts", now=now, mail_domain=mail_domain)


def is_sweep_day(calendar: WorkingCalendar, day: date) -> bool:
    """The deployment fires every day at 09:00; cron cannot know 调休, the calendar can."""
    return calendar.is_working_day(day)

