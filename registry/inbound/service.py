"""The intake mailbox's use case: take in one raw message, in its own transaction."""
from __future__ import annotations

from datetime import datetime

from core.settings import Settings, get_settings
from registry.db import transaction
from registry.inbound import sorting
from registry.intake.workbooks import IntakeResult


def take_in_mail(url: str, raw: bytes, now: datetime, settings: Settings | None = None) -> IntakeResult:
    """Commits the message's effects and the record that it was seen together; a message taken in
    before comes back ``already_seen`` and changes nothing. The caller marks it done in the mailbox
    only after this returns."""
    with transaction(url) as session:
        return sorting.take_in_mail(session, raw, settings or get_settings(), now)
