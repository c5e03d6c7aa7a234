"""The intake mailbox's use case: take in one message, in its own transaction."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import InterfaceError, OperationalError

from core.settings import Settings, get_settings
from notifications.mailbox import FetchedMessage
from registry.db import transaction
from registry.inbound import failures, sorting
from registry.intake.workbooks import IntakeResult

# The database failing is no fault of the message: it is tried again, and not counted against it.
NOT_THE_MESSAGE = (OperationalError, InterfaceError)


def take_in_mail(url: str, message: FetchedMessage | bytes, now: datetime,
                 settings: Settings | None = None) -> IntakeResult:
    """Commits the message's effects and the record that it was seen together; a message taken in
    before comes back ``already_seen`` and changes nothing, as does one another worker is taking in
    (outcome ``busy``). A message whose processing fails comes back ``failed``, counted, to be
    tried again, until it has failed alike often enough to be ``quarantined``. The caller marks
    it done in the mailbox only after this returns, and not when it is ``failed`` or ``busy``."""
    settings = settings or get_settings()
    message = FetchedMessage.whole(message) if isinstance(message, bytes) else message
    try:
        with transaction(url) as session:
            return sorting.take_in_mail(session, message, settings, now)
    except NOT_THE_MESSAGE:
        raise
    except Exception as error:  # noqa: BLE001 - whatever a message triggers is counted against it
        with transaction(url) as session:
            return failures.record_failure(session, message, error, settings, now)


def settled(result: IntakeResult) -> bool:
    """Whether the message is done with, to be marked so in the mailbox."""
    return result.outcome not in (failures.FAILED, sorting.BUSY)
