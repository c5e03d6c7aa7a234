"""The delivery's books: what became of each message, written as soon as the server has answered.

A message the server took is marked sent; one it deferred (connection refused, 4xx) is tried again
on the retry schedule for days; an address it refused for good (5xx), To or Cc, is reported to the
coordinator once, and the notice passes to the next person up the organisation's ladder where
there is one. Every transient failure and every success also moves the outage's state.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, selectinload

from core.settings import Settings
from notifications.delivery_letters import bounce_notice, passed_up_notice
from notifications.smtp import Outcome, SendResult
from registry.db import transaction
from registry.directory.queries import coordinator_addresses, next_contact_up
from registry.outbox import outages
from registry.outbox.queue import Attachment, queue_message
from registry.outbox.tables import OutboxMessage
from rules.retries import RetrySchedule

# Mail about the outbox's own mail: its failures are never reported again, or a bounce could breed bounces.
ABOUT_DELIVERY = frozenset({"bounce", "mail-delayed", "mail-resumed"})


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def retry_schedule(settings: Settings) -> RetrySchedule:
    s = settings.smtp
    return RetrySchedule(timedelta(seconds=s.retry_first_seconds), timedelta(seconds=s.retry_longest_seconds),
                         timedelta(hours=s.retry_for_hours))


def describe(result: SendResult) -> str:
    error = result.error
    if error is None:
        return "；".join(f"{a}: {r.code} {r.message}" for a, r in result.refused.items())
    return f"{type(error).__name__}: {error}"[:2000]


# The hot path, one statement per group of messages the server took: sent, and the claim released.
_MARK_SENT = (update(OutboxMessage).where(OutboxMessage.id.in_(bindparam("ids", expanding=True)))
              .values(state="sent", sent_at=bindparam("now"), attempts=OutboxMessage.attempts + 1, owed_addrs=None,
                      next_attempt_at=None, claim_token=None, claimed_until=None)
              .execution_options(synchronize_session=False))
_RELEASE = (update(OutboxMessage).where(OutboxMessage.id.in_(bindparam("ids", expanding=True)))
            .values(claim_token=None, claimed_until=None).execution_options(synchronize_session=False))


class Books:
    """One delivery run's books; ``write`` is called with each group of fates, one transaction each."""

    def __init__(self, url: str, settings: Settings, now: datetime) -> None:
        self.url, self.settings, self.now = url, settings, now
        self.schedule = retry_schedule(settings)
        self.report = DeliveryReport()
        # Whether an outage may be open: checked on the first success, and again after any failure.
        self.outage_may_be_open = True

    def write(self, results: list[SendResult]) -> None:
        plain = [r.outbox_id for r in results if r.outcome is Outcome.SENT and not r.refused]
        others = [r for r in results if r.outcome is not Outcome.SENT or r.refused]
        states = dict.fromkeys(plain, "sent")
        with transaction(self.url) as session:
            # Writes first: SQLite then takes its write lock before this transaction reads anything.
            if plain:
                session.execute(_MARK_SENT, {"ids": plain, "now": self.now})
            if others:
                session.execute(_RELEASE, {"ids": [r.outbox_id for r in others]})
                rows = {m.id: m for m in session.scalars(
                    select(OutboxMessage).options(selectinload(OutboxMessage.attachments))
                    .where(OutboxMessage.id.in_([r.outbox_id for r in others])))}
                for result in others:
                    states[result.outbox_id] = self._write_one(session, rows[result.outbox_id], result)
            self._note_outage(session, results)
        for outbox_id, state in states.items():
            {"sent": self.report.sent, "pending": self.report.deferred, "failed": self.report.failed}[state].append(
                outbox_id)

    def _note_outage(self, session: Session, results: list[SendResult]) -> None:
        failures = [r for r in results if r.outcome is Outcome.TRANSIENT]
        if any(r.outcome is Outcome.SENT for r in results) and self.outage_may_be_open:
            outages.note_success(session, self.now, self.settings)
            self.outage_may_be_open = False
        if failures:
            outages.note_failure(session, self.now, describe(failures[-1]), self.settings)
            self.outage_may_be_open = True

    def _write_one(self, session: Session, row: OutboxMessage, result: SendResult) -> str:
        """Write one message's fate; returns its state afterwards."""
        now, error = self.now, describe(result)
        row.attempts += 1
        row.last_error = error
        if result.outcome is Outcome.SENT:
            row.sent_at = row.sent_at or now
        refused = {a: f"{r.code} {r.message}" for a, r in result.refused.items() if r.permanent}
        if result.outcome is Outcome.PERMANENT and not result.refused:
            refused = dict.fromkeys(row.recipients, error)  # the whole message refused, at MAIL or DATA
        deferred = [a for a in row.recipients if a not in refused
                    and (result.outcome is not Outcome.SENT or a in result.refused)]
        gave_up = False
        if deferred:
            row.first_failed_at = row.first_failed_at or now
            row.next_attempt_at = self.schedule.next_attempt(row.attempts, row.first_failed_at, now)
            if row.next_attempt_at is None:
                gave_up = True
                refused.update(dict.fromkeys(deferred, error))
                deferred = []
        row.owed_addrs = deferred
        if deferred:
            row.state = "pending"
        else:
            row.state = "sent" if row.sent_at else "failed"
        if refused and row.kind not in ABOUT_DELIVERY:
            self._report_refused(session, row, refused, gave_up)
        return row.state

    def _report_refused(self, session: Session, row: OutboxMessage, refused: dict[str, str], gave_up: bool) -> None:
        """Tell the coordinator, once per address and notice; pass the notice up where the ladder goes on."""
        passed_to: dict[str, str] = {}
        addressed = {a.lower() for a in (*row.to_addrs, *row.cc_addrs)}
        for address, answer in refused.items():
            above = next_contact_up(session, address)
            if not above or above.lower() in addressed:
                continue
            letter = passed_up_notice(subject=row.subject, text=row.text, html=row.html, refused=address,
                                      answer=answer)
            queue_message(session, key=f"passed-up:{row.id}:{address.lower()}"[:200], to=[above],
                          subject=letter.subject, text=letter.text, html=letter.html, kind=row.kind,
                          obligation_id=row.obligation_id, in_reply_to=row.in_reply_to, now=self.now,
                          attachments=[Attachment(a.filename, a.content, a.content_type) for a in row.attachments],
                          mail_domain=self.settings.smtp.mail_domain)
            passed_to[address] = above
        coordinators = coordinator_addresses(session)
        if not coordinators:
            return
        letter = bounce_notice(subject=row.subject, to=row.to_addrs, cc=row.cc_addrs, refused=refused,
                               attempts=row.attempts, gave_up=gave_up, passed_to=passed_to)
        # Each address is refused once per notice (it is no longer owed after), so the key is unique.
        which = hashlib.sha256("\n".join(sorted(a.lower() for a in refused)).encode()).hexdigest()[:16]
        queue_message(session, key=f"bounce:{row.id}:{which}", to=coordinators, subject=letter.subject,
                      text=letter.text, html=letter.html, kind="bounce", obligation_id=row.obligation_id,
                      now=self.now, mail_domain=self.settings.smtp.mail_domain)
