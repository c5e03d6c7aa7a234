"""Real mail servers on loopback for the tests."""
from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import TypeVar

from aiosmtpd.controller import Controller

T = TypeVar("T")
ATTEMPTS = 10


def free_port() -> int:
    """A port that was free a moment ago. Another process may take it before the server binds it:
    start servers through ``on_a_free_port``, which tries again when that happens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortTaken(OSError):
    """The server found its port taken between choosing it and binding it."""


def on_a_free_port(start: Callable[[int], T]) -> T:
    """Start a server on a free port, choosing another one each time the port turns out to be taken."""
    for _ in range(ATTEMPTS - 1):
        try:
            return start(free_port())
        except PortTaken:
            continue
    return start(free_port())


def _address_in_use(error: BaseException) -> bool:
    while error is not None:
        if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
            return True
        error = error.__cause__ or error.__context__
    return False


class _Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@bounce.example.org"):
            return "550 5.1.1 mailbox unavailable"
        if address.endswith("@busy.example.org"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class RecordingSMTP:
    """aiosmtpd on a free loopback port; ``messages`` holds every message it accepted."""

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", 0
        self.handler = _Handler()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def __enter__(self) -> RecordingSMTP:
        self.controller = on_a_free_port(self._start)
        self.port = self.controller.port
        return self

    def _start(self, port: int) -> Controller:
        controller = Controller(self.handler, hostname=self.host, port=port)
        try:
            controller.start()
        except Exception as error:
            if _address_in_use(error):
                raise PortTaken(errno.EADDRINUSE, f"port {port} was taken") from error
            raise
        return controller

    def __exit__(self, *exc) -> None:
        self.controller.stop()
