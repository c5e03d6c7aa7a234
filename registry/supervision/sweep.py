"""The daily sweep: decide every open obligation's rung, record each rung once, and tell each
organisation of its new rungs in one message per rung.

Built for a province-sized registry (100,000 open obligations in a few seconds): a handful of
bulk queries load obligations, contacts, reply tokens and the rungs already taken; the pure rules
decide in Python; rungs and messages are written with bulk inserts. No query runs per obligation.

Exactly once: each obligation's rung is a ``rungs_taken`` row, unique per obligation and rung,
and the message telling of it is an outbox row keyed per organisation, rung and day
(``rungs:<org>:<rung>:<day>``, rules.notice_groups). The rungs already taken are read first and
skipped, and the unique indexes refuse a concurrent duplicate, which rolls the whole sweep back
(one transaction), so a rerun, or a rerun after a crash, sends nothing twice.

One sweep of a day at a time (``hold_the_day``): a second sweep started meanwhile waits until the
first has committed, then finds the day's work done, instead of failing on those unique indexes.
A province sweeps one campaign per transaction (and per flow run): sweeps of different campaigns
run side by side, two of the same campaign and day one after the other, and a sweep of every
campaign waits for them all.
"""
from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from typing import NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from notifications.compose import message_id_for
from notifications.escalation_notices import (
    NoticeEntry,
    RungLetter,
    compose_missing_contacts,
    compose_rung_notice,
)
from registry.calendar.store import load_calendar
from registry.campaign.tables import Campaign, Obligation, Phase
from registry.directory.tables import Contact, Organisation
from registry.intake.reply_tokens import reply_address, subject_tag
from registry.intake.tables import ReplyToken
from registry.outbox.bulk import addresses_json, insert_outbox_rows
from registry.outbox.queue import queue_message
from registry.supervision.rungs import keys_taken_on, notice_key, record_rungs, taken_rungs
from rules.calendar import WorkingCalendar, YearNotLoaded
from rules.escalation import (
    RECIPIENT_NAMES,
    Addressing,
    Step,
    address,
    current_step,
    policy_from_settings,
)
from rules.notice_groups import RungDecision, group_decisions
from rules.obligations import State
from rules.organisations import OrgRole

# A named tuple's own constructor is a Python function: called once per obligation, four times over,
# it cost a tenth of a province's first sweep. tuple.__new__ makes the same tuple without it (every
# field given, the defaults included).
_make = tuple.__new__

ESCALATION = "escalation"  # outbox kind of every rung message
OPEN_STATES = (State.OPEN, State.RETURNED)
DEFAULT_INTAKE_ADDRESS = "intake@shenyang.example.org"


class Notice(NamedTuple):
    """One obligation's new rung, as the sweep decided it (queued, or on a dry run would be).

    A named tuple, not a dataclass: the sweep makes one per obligation, up to 100,000 a day.
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


class Message(NamedTuple):
    """One message of the day: an organisation told of all its obligations at one rung."""

    key: str
    org_code: str
    org_name: str
    rung: str
    level: int
    to_role: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    obligation_ids: tuple[int, ...]
    phase_names: tuple[str, ...]  # each phase once, in the order the message lists them
    subject: str
    skipped: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.obligation_ids)

    def line(self) -> str:
        """What `reform sweep` prints: org code, obligations, rung, phases, addressee."""
        moved = f"（{'、'.join(RECIPIENT_NAMES[r] for r in self.skipped)}无邮箱，改送{RECIPIENT_NAMES[self.to_role]}）" \
            if self.skipped else ""
        listed = "、".join(f"#{oid}" for oid in self.obligation_ids[:3])
        if self.count > 3:
            listed += " 等"
        if self.count > 1:
            listed += f" {self.count} 项"
        return f"{self.org_code}\t{listed}\t{self.rung}\t{'、'.join(self.phase_names)}\t→ " \
               f"{RECIPIENT_NAMES[self.to_role]}{moved}"


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
    notices: list[Notice] = field(default_factory=list)  # one per obligation reaching a new rung
    messages: list[Message] = field(default_factory=list)  # one per organisation and rung
    already_sent: int = 0  # current rungs taken on an earlier run
    dry_run: bool = False
    undated: list[Undated] = field(default_factory=list)


@dataclass(frozen=True)
class _Directory:
    """Everything about organisations the sweep needs, loaded in three queries."""

    orgs: dict[int, tuple[str, str, str]]  # id -> (code, name, short name)
    emails: dict[int, dict[str, str]]  # id -> role -> address
    # By district ("" the city): a district campaign's 督查 goes to its own 区政府办公室, and its
    # coordinator is its own 区编委办.
    supervision: dict[str, str]  # 市政府办公厅's working contact: 督查
    coordinator: dict[str, tuple[str, ...]]


def _load_directory(session: Session) -> _Directory:
    orgs: dict[int, tuple[str, str, str]] = {}
    general_office: list[tuple[int, str]] = []
    coordinators: dict[str, list[int]] = defaultdict(list)
    for org_id, code, name, short, roles, district in session.execute(
            select(Organisation.id, Organisation.code, Organisation.name, Organisation.short_name, Organisation.roles,
                   Organisation.district)):
        orgs[org_id] = (code, name, short or name)
        if OrgRole.GENERAL_OFFICE in (roles or ()):
            general_office.append((org_id, district))
        if OrgRole.COORDINATOR in (roles or ()):
            coordinators[district].append(org_id)
    emails: dict[int, dict[str, str]] = defaultdict(dict)
    for org_id, role, email in session.execute(select(Contact.org_id, Contact.role, Contact.email)):
        emails[org_id][role] = (email or "").strip()
    supervision: dict[str, str] = {}
    for org_id, district in sorted(general_office):
        if emails[org_id].get("contact"):
            supervision.setdefault(district, emails[org_id]["contact"])
    coordinator = {district: tuple(emails[o]["contact"] for o in ids if emails[o].get("contact"))
                   for district, ids in coordinators.items()}
    return _Directory(orgs, dict(emails), supervision, coordinator)


def _reply_tokens(session: Session, campaign_id: int | None) -> dict[int, str]:
    """Tokens of open obligations (of one campaign, when named) that have one (a call or packet
    went out): one query."""
    open_ids = select(Obligation.id).where(Obligation.state.in_(OPEN_STATES))
    if campaign_id is not None:
        open_ids = open_ids.where(Obligation.campaign_id == campaign_id)
    return {oid: token for oid, token in session.connection().execute(
        select(ReplyToken.obligation_id, ReplyToken.token).where(ReplyToken.obligation_id.in_(open_ids)))}


class _Decided(NamedTuple):
    """What the wording needs of one obligation reaching a rung, kept until its message is written."""

    step: Step
    campaign_id: int
    phase_id: int
    debtor_id: int
    creditor_id: int | None
    ref: str
    due: date
    due_reason: str
    addressing: Addressing


def sweep(session: Session, as_of: date, *, dry_run: bool = False, now: datetime | None = None,
          mail_domain: str = "reform.shenyang.example.org",
          intake_address: str = DEFAULT_INTAKE_ADDRESS, campaign: str | None = None) -> SweepResult:
    """Sweep every open obligation of every campaign (or of the one named) as of a day; record and
    tell what is new.

    Raises rules.calendar.YearNotLoaded for a day outside the loaded calendar. An obligation whose
    current rung needs a year not loaded (each December, until next year's notice is imported) is
    left out and listed in the result's ``undated``; every other rung is decided and queued as usual.
    """
    # Hundreds of thousands of tuples and no reference cycles: the cyclic collector would only
    # rescan them again and again (a third of the sweep's time at 100,000 obligations).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _sweep(session, as_of, dry_run, now, mail_domain, intake_address, campaign)
    finally:
        if collecting:
            gc.enable()


# The first key of the sweep's PostgreSQL advisory locks; the second is the day.
SWEEP_LOCK = 20160731


def hold_the_day(session: Session, as_of: date, campaign: str | None = None) -> None:
    """Wait until no other transaction sweeps ``as_of`` (in ``campaign``, when named), and keep
    others waiting until this one ends.

    Call before the transaction reads what it will write: PostgreSQL takes a lock for the day
    (an advisory lock held to commit: shared by the sweeps of single campaigns, each of which also
    takes its campaign's day exclusively); SQLite takes its single writer's lock at once (BEGIN
    IMMEDIATE), so the reads that follow already see the other sweep's commit."""
    held = (as_of, campaign)
    if session.info.get("day_held") == held:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        day = {"what": SWEEP_LOCK, "day": as_of.toordinal()}
        if campaign is None:
            connection.execute(text("SELECT pg_advisory_xact_lock(:what, :day)"), day)
        else:
            connection.execute(text("SELECT pg_advisory_xact_lock_shared(:what, :day)"), day)
            # One bigint key (a key space apart from the two-key form's): the campaign's id and the day.
            campaign_id = session.scalar(select(Campaign.id).where(Campaign.code == campaign))
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": ((campaign_id or 0) << 32) | as_of.toordinal()})
    elif connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    session.info["day_held"] = held


def _sweep(session: Session, as_of: date, dry_run: bool, now: datetime | None, mail_domain: str,
           intake_address: str, campaign: str | None) -> SweepResult:
    if not dry_run:
        hold_the_day(session, as_of, campaign)
    calendar = load_calendar(session)
    calendar.is_working_day(as_of)  # refuse an unloaded year before touching anything
    now = now or datetime.combine(as_of, time(9, 0))  # the sweep of as_of's 09:00
    campaigns = {c.id: c for c in session.scalars(select(Campaign))}
    only = None if campaign is None else next((cid for cid, c in campaigns.items() if c.code == campaign), -1)
    policies = {cid: policy_from_settings(c.settings or {}) for cid, c in campaigns.items()}
    phases = {pid: (code, name, phrase, deadline) for pid, code, name, phrase, deadline in session.execute(
        select(Phase.id, Phase.code, Phase.name, Phase.source_phrase, Phase.deadline))}
    directory = _load_directory(session)
    taken = taken_rungs(session, OPEN_STATES, only)
    # Core, not ORM, execution: the ORM's per-row bookkeeping costs more than the query here.
    query = (select(Obligation.id, Obligation.campaign_id, Obligation.phase_id, Obligation.debtor_id,
                    Obligation.creditor_id, Obligation.ref, Obligation.due, Obligation.due_reason, Obligation.state,
                    Obligation.priority)
             .where(Obligation.state.in_(OPEN_STATES))
             .order_by(Obligation.id))
    if only is not None:
        query = query.where(Obligation.campaign_id == only)
    rows = session.connection().execute(query).all()

    result = SweepResult(as_of, examined=len(rows), dry_run=dry_run)
    decided: dict[int, _Decided] = {}
    decisions: list[RungDecision] = []
    notices = result.notices
    # Read once per campaign, not per row: an ORM attribute costs more than the row's decision.
    owners = {cid: c.owner_org_id for cid, c in campaigns.items()}
    districts = {cid: c.district for cid, c in campaigns.items()}
    # Obligations share due dates and addressees by the thousand: decide each combination once.
    steps: dict[tuple, Step | None] = {}
    # Each December some rungs fall in next year: only those obligations wait, not the whole sweep.
    # Caught once per (campaign, priority, due) group, so the rows pay nothing for it.
    undatable: dict[tuple, int] = {}  # step key -> the year its rung needs
    addressings: dict[tuple, Addressing] = {}
    # What a notice shares with every obligation of the same debtor, phase, rung and addressee.
    shared: dict[tuple, tuple] = {}
    for oid, cid, pid, debtor, creditor, ref, due, due_reason, state, priority in rows:
        step_key = (cid, priority, due)
        step = steps.get(step_key, steps)
        if step is steps:
            try:
                step = current_step(state, due, as_of, policies[cid].for_priority(priority), calendar)
            except YearNotLoaded as gap:
                step = None
                undatable[step_key] = gap.year
            steps[step_key] = step
        if step is None:
            if undatable and step_key in undatable:
                code, name, _ = directory.orgs[debtor]
                result.undated.append(Undated(oid, code, name, *phases[pid][:2], due, undatable[step_key],
                                             campaigns[cid].code))
            continue
        if taken and (oid, step.rung) in taken:
            result.already_sent += 1
            continue
        lead_org = creditor or owners[cid]
        district = districts[cid]
        address_key = (step.recipient, debtor, lead_org, district)
        addressing = addressings.get(address_key)
        if addressing is None:
            emails = {**directory.emails.get(debtor, {}), "supervision": directory.supervision.get(district, "")}
            lead = directory.emails.get(lead_org, {}).get("contact", "")
            addressing = addressings[address_key] = address(step.recipient, emails, (lead,) if lead else (),
                                                            directory.coordinator.get(district, ()))
        share_key = (debtor, pid, step.rung, id(addressing))  # addressings keeps each one alive
        parts = shared.get(share_key)
        if parts is None:
            code, name, _ = directory.orgs[debtor]
            parts = shared[share_key] = (code, (code, name, *phases[pid][:2], step.rung, int(step.level)),
                                           (addressing.to_role, addressing.to, addressing.skipped))
        code, head, tail = parts
        decided[oid] = _make(_Decided, (step, cid, pid, debtor, creditor, ref, due, due_reason, addressing))
        decisions.append(_make(RungDecision, (oid, code, step.rung, due)))
        notices.append(_make(Notice, (oid, *head, due, *tail)))

    groups = group_decisions(as_of, decisions)
    if not groups:
        return result
    taken_today = keys_taken_on(session, as_of)
    words = _Wording(directory, campaigns, phases, _reply_tokens(session, only), intake_address, calendar, as_of)
    for group in groups:
        key = notice_key(group, taken_today, campaign)
        taken_today.add(key)
        result.messages.append(words.message(key, group.obligation_ids, decided))
    if dry_run:
        return result

    # Rungs first: the unique index on (obligation, rung) is what refuses a concurrent sweep.
    district = {m.key: campaigns[decided[m.obligation_ids[0]].campaign_id].district for m in result.messages}
    record_rungs(session, as_of, [(m.key, m.rung, m.obligation_ids, district[m.key]) for m in result.messages])
    insert_outbox_rows(session, (
        (m.key, message_id_for(m.key, mail_domain), ESCALATION, None, *_json_of(m.to, m.cc), m.subject,
         words.texts[m.key], district[m.key]) for m in result.messages), now)
    missing: dict[str, list] = defaultdict(list)
    for m in result.messages:
        if m.skipped:
            missing[district[m.key]].append((m.org_code, m.org_name, "、".join(RECIPIENT_NAMES[r] for r in m.skipped),
                                             f"{_about(m)}{decided[m.obligation_ids[0]].step.title}"))
    for where, lines in missing.items():
        if directory.coordinator.get(where):
            _tell_coordinator_of_missing_contacts(session, as_of, lines,
                                                  [m.key for m in result.messages if district[m.key] == where],
                                                  directory.coordinator[where], now, mail_domain, where)
    return result


def _about(message: Message) -> str:
    phases = "、".join(f"「{p}」" for p in message.phase_names)
    if message.count == 1:
        return f"事项 {message.obligation_ids[0]}{phases}"
    return f"{message.count} 项事项（{'、'.join(map(str, message.obligation_ids))}）{phases}"


@dataclass
class _Wording:
    """Words each message from what was decided for its obligations; texts are kept apart from the
    result, which a dry run and the flow's artifacts carry without them."""

    directory: _Directory
    campaigns: dict[int, Campaign]
    phases: dict[int, tuple]
    tokens: dict[int, str]
    intake_address: str
    calendar: WorkingCalendar
    as_of: date
    texts: dict[str, str] = field(default_factory=dict)  # outbox key -> text
    # (phase, due, how it was set, creditor) -> (phase name, owed to, basis, working days left)
    _common: dict[tuple, tuple] = field(default_factory=dict)

    def message(self, key: str, obligation_ids: tuple[int, ...], decided: dict[int, _Decided]) -> Message:
        members = [decided[oid] for oid in obligation_ids]
        first = members[0]
        code, name, short = self.directory.orgs[first.debtor_id]
        # A province-sized day lists thousands per message: each distinct value is looked at once.
        campaigns = sorted({m.campaign_id for m in members})
        senders = dict.fromkeys(self.directory.orgs[self.campaigns[c].owner_org_id][1] for c in campaigns)
        to_role, to, skipped = first.addressing.to_role, first.addressing.to, first.addressing.skipped
        entries = [self._entry(oid, m) for oid, m in zip(obligation_ids, members)]
        subject, self.texts[key] = compose_rung_notice(
            RungLetter(first.step, name, short, "、".join(senders), to_role, skipped), entries)
        # The same people below the addressee for all; 督查 also copies each obligation's lead agency.
        addressings = {id(m.addressing): m.addressing for m in members}.values()
        cc = tuple(dict.fromkeys(a for addressing in addressings for a in addressing.cc))
        phase_names = tuple(dict.fromkeys(self.phases[p][1] for p in dict.fromkeys(m.phase_id for m in members)))
        return Message(key, code, name, first.step.rung, int(first.step.level), to_role, to, cc, obligation_ids,
                       phase_names, subject, skipped)

    def _entry(self, oid: int, decided: _Decided) -> NoticeEntry:
        # Obligations share phase, deadline and creditor by the thousand: their words are made once.
        common_key = (decided.phase_id, decided.due, decided.due_reason, decided.creditor_id)
        common = self._common.get(common_key)
        if common is None:
            _, phase_name, phrase, deadline = self.phases[decided.phase_id]
            # A phase's deadline comes from the plan's words; an obligation's own from how it was opened.
            own = bool(decided.due_reason) or decided.due != deadline
            basis = decided.due_reason if own else (f"原文「{phrase}」" if phrase else "")
            owed_to = self.directory.orgs[decided.creditor_id][1] if decided.creditor_id else ""
            common = self._common[common_key] = (
                phase_name, owed_to, basis, self.calendar.working_days_between(self.as_of, decided.due))
        phase_name, owed_to, basis, left = common
        token = self.tokens.get(oid)
        if token:
            return _make(NoticeEntry, (oid, phase_name, decided.ref, owed_to, decided.due, basis, left,
                                       reply_address(self.intake_address, token), subject_tag(token)))
        return _make(NoticeEntry, (oid, phase_name, decided.ref, owed_to, decided.due, basis, left, "", ""))


@cache
def _json_of(to: tuple[str, ...], cc: tuple[str, ...]) -> tuple[str, str]:
    return addresses_json(to), addresses_json(cc)


def _tell_coordinator_of_missing_contacts(session: Session, as_of: date, missing: list, keys: list[str],
                                          coordinator: tuple[str, ...], now: datetime, mail_domain: str,
                                          district: str) -> None:
    # Keyed by the messages queued: a rerun queues no message, hence no second one of these.
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
    subject, text = compose_missing_contacts(as_of, missing)
    queue_message(session, key=f"missing-contacts:{as_of.isoformat()}:{digest}", to=list(coordinator),
                  subject=subject, text=text, kind="missing-contacts", now=now, mail_domain=mail_domain,
                  district=district)


def is_sweep_day(calendar: WorkingCalendar, day: date) -> bool:
    """The deployment fires every day at 09:00; cron cannot know 调休, the calendar can."""
    return calendar.is_working_day(day)
