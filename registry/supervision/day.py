"""One working day's supervision, in one transaction: open the period's reports, sweep, digest.

The CLI (`reform sweep`) and the daily flow both call this, so a day is decided the same way
whichever runs it, and its reports, notices and digest commit together or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.calendar.store import load_calendar
from registry.campaign.queries import HOME_CITY, find_campaign
from registry.campaign.tables import Campaign
from registry.supervision.digest import Digest, calendar_warning, queue_digest
from registry.supervision.reports import Unopened, open_period_reports
from registry.supervision.sweep import (
    DEFAULT_INTAKE_ADDRESS,
    Message,
    Notice,
    SweepResult,
    Undated,
    hold_the_day,
    is_sweep_day,
    sweep,
)


@dataclass
class SweepDay:
    as_of: date
    working_day: bool
    reports_opened: int = 0
    result: SweepResult | None = None
    digest: Digest | None = None
    unopened: list[Unopened] = field(default_factory=list)  # self-reports waiting for next year's calendar
    # Import next year's calendar: said in a year's last 60 days, or when something waits for it.
    calendar_warning: str = ""

    @property
    def notices(self) -> list[Notice]:
        """Each obligation's new rung, one per obligation."""
        return self.result.notices if self.result else []

    @property
    def messages(self) -> list[Message]:
        """What is sent: one message per organisation and rung, listing its obligations."""
        return self.result.messages if self.result else []

    @property
    def undated(self) -> list[Undated]:
        """Obligations left out of today's rungs: a date they need is in a year not loaded."""
        return self.result.undated if self.result else []


def sweep_day(session: Session, as_of: date, *, dry_run: bool = False,
              mail_domain: str = "reform.shenyang.example.org",
              intake_address: str = DEFAULT_INTAKE_ADDRESS, campaign: str | None = None) -> SweepDay:
    """Raises YearNotLoaded for a day outside the loaded calendar; does nothing on a day off.

    ``campaign``: that campaign alone (its reports, rungs and digest), as a province's sweep runs,
    one campaign per flow run; none, every campaign in one transaction.
    ``intake_address`` is where replies go: each listed obligation with a reply token shows its
    own intake+<token> address."""
    if campaign is not None:
        find_campaign(session, campaign)  # an unknown code is refused, not swept as nothing
    if not dry_run:
        hold_the_day(session, as_of, campaign)  # a second sweep of the day waits, then finds it done
    calendar = load_calendar(session)
    if not is_sweep_day(calendar, as_of):
        return SweepDay(as_of, working_day=False)
    if dry_run:
        result = sweep(session, as_of, dry_run=True, mail_domain=mail_domain, intake_address=intake_address,
                       campaign=campaign)
        warning = calendar_warning(calendar, as_of, needed=tuple(u.missing_year for u in result.undated))
        return SweepDay(as_of, True, 0, result, calendar_warning=warning)
    opened = open_period_reports(session, as_of, campaign, mail_domain=mail_domain, intake_address=intake_address)
    result = sweep(session, as_of, mail_domain=mail_domain, intake_address=intake_address, campaign=campaign)
    if campaign is not None:
        digest = queue_digest(session, as_of, campaign, mail_domain=mail_domain, undated=result.undated,
                              unopened=opened.unopened)
        return SweepDay(as_of, True, opened.created, result, digest, opened.unopened, digest.calendar_warning)
    digest = queue_digest(session, as_of, mail_domain=mail_domain, undated=result.undated, unopened=opened.unopened)
    # Each other campaign (a district's, a regulator's, in a province another city's): its own
    # digest to its own coordinator.
    for code in session.scalars(select(Campaign.code).where(~HOME_CITY).order_by(Campaign.id)):
        queue_digest(session, as_of, code, mail_domain=mail_domain, undated=result.undated)
    return SweepDay(as_of, True, opened.created, result, digest, opened.unopened, digest.calendar_warning)
