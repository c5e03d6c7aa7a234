"""Sending rendered messages over SMTP: a few concurrent connections, reconnects, and each
envelope's fate (sent, a transient failure, a permanent one, recipients refused) reported as soon
as it is known.

No database here: the outbox's bookkeeping (registry/outbox/delivery.py) hands over a source of
envelopes and a callback. A connection takes its next envelope only once the callback's awaitable
is done, so when the books commit each message's fate before answering, a crash leaves at most one
message per connection taken by the server but not yet marked sent.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import aiosmtplib

from core.settings import SmtpSettings

# What goes over the wire: the outbox row's id, the envelope recipients and the message's bytes.
Envelope = tuple[int, list[str], bytes]


class Outcome(StrEnum):
    SENT = "sent"  # the server took the message for at least one recipient
    TRANSIENT = "transient"  # worth another attempt later: a busy server, a dropped connection
    PERMANENT = "permanent"  # a 5xx answer: the same message will never go through


@dataclass(frozen=True)
class Refusal:
    code: int
    message: str

    @property
    def permanent(self) -> bool:
        return self.code >= 500


@dataclass(frozen=True)
class SendResult:
    outbox_id: int
    outcome: Outcome
    error: Exception | None = None
    # The recipients the server refused, by address: beside a SENT the ones it did not take; beside a
    # failure every recipient, when all were refused at RCPT.
    refused: dict[str, Refusal] = field(default_factory=dict)


# Gives the next envelope to send, or None when there is no more.
EnvelopeSource = Callable[[], Awaitable["Envelope | None"]]
# Told each envelope's fate; the connection waits for what it returns before taking the next.
ResultCallback = Callable[[SendResult], Awaitable[None]]


class MailSender(Protocol):
    async def send(self, next_envelope: EnvelopeSource, on_result: ResultCallback) -> None:
        """Send every envelope the source gives; tell ``on_result`` the fate of each.

        When no connection can be had (the server unreachable), the envelopes left are reported as
        transient failures with the last connection error.
        """


def _refusals(error: aiosmtplib.SMTPRecipientsRefused) -> dict[str, Refusal]:
    return {e.recipient: Refusal(e.code, e.message) for e in error.recipients}


def outcome_of(error: Exception) -> Outcome:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return Outcome.PERMANENT if all(r.permanent for r in _refusals(error).values()) else Outcome.TRANSIENT
    if isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500:
        return Outcome.PERMANENT
    return Outcome.TRANSIENT


class SmtpSender:
    """The one real MailSender: aiosmtplib over ``settings.connections`` concurrent connections."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def send(self, next_envelope: EnvelopeSource, on_result: ResultCallback) -> None:
        connection_errors: list[Exception] = []
        await asyncio.gather(*(self._connection(next_envelope, on_result, connection_errors)
                               for _ in range(max(1, self.settings.connections))))
        if not connection_errors:
            return
        # Every connection is gone: what is left waits for the server, each marked deferred.
        fates = []
        while (envelope := await next_envelope()) is not None:
            fates.append(on_result(SendResult(envelope[0], Outcome.TRANSIENT, connection_errors[-1])))
        await asyncio.gather(*fates)

    async def _connection(self, next_envelope: EnvelopeSource, on_result: ResultCallback,
                          connection_errors: list[Exception]) -> None:
        s = self.settings
        smtp = aiosmtplib.SMTP(hostname=s.host, port=s.port, timeout=s.timeout_seconds, start_tls=s.starttls)
        if not await self._connect(smtp, connection_errors):
            return
        written: Awaitable[None] | None = None  # the previous message's fate, being written
        try:
            while (envelope := await next_envelope()) is not None:
                outbox_id, recipients, content = envelope
                try:
                    refused = await self._transfer(smtp, recipients, content, written)
                except (aiosmtplib.SMTPException, OSError) as error:
                    refusals = _refusals(error) if isinstance(error, aiosmtplib.SMTPRecipientsRefused) else {}
                    written = on_result(SendResult(outbox_id, outcome_of(error), error, refusals))
                    if isinstance(error, (aiosmtplib.SMTPServerDisconnected, OSError)) or not smtp.is_connected:
                        smtp.close()
                        await written
                        if not await self._connect(smtp, connection_errors):
                            return
                    continue
                written = on_result(SendResult(outbox_id, Outcome.SENT, refused=refused))
            if written is not None:
                await written
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except aiosmtplib.SMTPException:
                    smtp.close()

    async def _transfer(self, smtp: aiosmtplib.SMTP, recipients: list[str], content: bytes,
                        written: Awaitable[None] | None) -> dict[str, Refusal]:
        """One mail transaction; returns the recipients refused while others were taken.

        The previous message's fate is written while this one's envelope goes over (MAIL, RCPT), and
        this one is handed over (DATA) only once it is: a crash leaves at most one message per
        connection taken by the server and not yet marked sent, and the commit costs no round trip.
        """
        try:
            await smtp.mail(self.settings.sender_address)
            refused: dict[str, Refusal] = {}
            rejections = []
            for address in recipients:
                try:
                    await smtp.rcpt(address)
                except aiosmtplib.SMTPRecipientRefused as error:
                    refused[address] = Refusal(error.code, error.message)
                    rejections.append(error)
            if written is not None:
                await written
            if len(rejections) == len(recipients):
                raise aiosmtplib.SMTPRecipientsRefused(rejections)
            await smtp.data(content)
            return refused
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
            if smtp.is_connected:
                try:
                    await smtp.rset()  # the next message starts from a clean envelope
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()
            raise

    async def _connect(self, smtp: aiosmtplib.SMTP, errors: list[Exception]) -> bool:
        try:
            await smtp.connect()
            if self.settings.username:
                await smtp.login(self.settings.username, self.settings.password or "")
        except (aiosmtplib.SMTPException, OSError) as error:
            errors.append(error)
            return False
        return True
