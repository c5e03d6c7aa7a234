"""Sending rendered messages over SMTP: a few concurrent connections, reconnects, and each
envelope's fate (sent, a transient failure, a permanent one) reported as soon as it is known.

No database here: the outbox's bookkeeping (registry/outbox/delivery.py) hands over envelopes
and a callback, and commits what the callback tells it in its own batches.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import aiosmtplib

from core.settings import SmtpSettings

# What goes over the wire: the outbox row's id, the envelope recipients and the message's bytes.
Envelope = tuple[int, list[str], bytes]


class Outcome(StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"  # worth another attempt later: a busy server, a dropped connection
    PERMANENT = "permanent"  # a 5xx answer: the same message will never go through


@dataclass(frozen=True)
class SendResult:
    outbox_id: int
    outcome: Outcome
    error: Exception | None = None


ResultCallback = Callable[[SendResult], None]


class MailSender(Protocol):
    async def send(self, envelopes: Sequence[Envelope], on_result: ResultCallback) -> None:
        """Send every envelope; call ``on_result`` once for each, right after its fate is known.

        Envelopes no connection could take (the server unreachable) are reported as transient
        failures with the last connection error.
        """


def is_permanent(error: Exception) -> bool:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(getattr(e, "code", 0) >= 500 for e in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


class SmtpSender:
    """The one real MailSender: aiosmtplib over ``settings.connections`` concurrent connections."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def send(self, envelopes: Sequence[Envelope], on_result: ResultCallback) -> None:
        queue: asyncio.Queue[Envelope] = asyncio.Queue()
        for envelope in envelopes:
            queue.put_nowait(envelope)
        connection_errors: list[Exception] = []
        await asyncio.gather(*(self._connection(queue, on_result, connection_errors)
                               for _ in range(max(1, self.settings.connections))))
        while not queue.empty():
            outbox_id, _, _ = queue.get_nowait()
            on_result(SendResult(outbox_id, Outcome.TRANSIENT, connection_errors[-1]))

    async def _connection(self, queue: asyncio.Queue[Envelope], on_result: ResultCallback,
                          connection_errors: list[Exception]) -> None:
        s = self.settings
        smtp = aiosmtplib.SMTP(hostname=s.host, port=s.port, timeout=s.timeout_seconds, start_tls=s.starttls)
        if not await self._connect(smtp, connection_errors):
            return
        try:
            while not queue.empty():
                outbox_id, recipients, content = queue.get_nowait()
                try:
                    await smtp.sendmail(s.sender_address, recipients, content)
                except (aiosmtplib.SMTPException, OSError) as error:
                    outcome = Outcome.PERMANENT if is_permanent(error) else Outcome.TRANSIENT
                    on_result(SendResult(outbox_id, outcome, error))
                    if isinstance(error, (aiosmtplib.SMTPServerDisconnected, OSError)):
                        smtp.close()
                        if not await self._connect(smtp, connection_errors):
                            return
                    continue
                on_result(SendResult(outbox_id, Outcome.SENT))
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except aiosmtplib.SMTPException:
                    smtp.close()

    async def _connect(self, smtp: aiosmtplib.SMTP, errors: list[Exception]) -> bool:
        try:
            await smtp.connect()
            if self.settings.username:
                await smtp.login(self.settings.username, self.settings.password or "")
        except (aiosmtplib.SMTPException, OSError) as error:
            errors.append(error)
            return False
        return True
