"""Real mail servers on loopback for the tests."""
from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

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


class _Sessions:
    """How many SMTP connections the server holds open."""

    def __init__(self) -> None:
        self.open = 0
        self.changed = threading.Condition()

    def add(self, n: int) -> None:
        with self.changed:
            self.open += n
            self.changed.notify_all()


class _CountedSMTP(SMTP):
    def __init__(self, handler, sessions: _Sessions, **kwargs) -> None:
        super().__init__(handler, **kwargs)
        self.sessions = sessions

    def connection_made(self, transport) -> None:
        self.sessions.add(1)
        super().connection_made(transport)

    def connection_lost(self, error) -> None:
        try:
            super().connection_lost(error)
        finally:
            self.sessions.add(-1)


class _Controller(Controller):
    def __init__(self, handler, sessions: _Sessions, **kwargs) -> None:
        super().__init__(handler, **kwargs)
        self.sessions = sessions

    def factory(self) -> SMTP:
        return _CountedSMTP(self.handler, self.sessions, **self.SMTP_kwargs)


class RecordingSMTP:
    """aiosmtpd on a free loopback port; ``messages`` holds every message it accepted."""

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", 0
        self.handler = _Handler()
        self.sessions = _Sessions()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def __enter__(self) -> RecordingSMTP:
        self.controller = on_a_free_port(self._start)
        self.port = self.controller.port
        return self

    def _start(self, port: int) -> Controller:
        controller = _Controller(self.handler, self.sessions, hostname=self.host, port=port)
        try:
            controller.start()
        except Exception as error:
            if _address_in_use(error):
                raise PortTaken(errno.EADDRINUSE, f"port {port} was taken") from error
            raise
        return controller

    def wait_until_idle(self, timeout: float = 30) -> None:
        """Wait until no client is connected. A client killed mid-session leaves what it sent in the
        server's socket: the server may still take a message from it after the kill, and has taken
        all it will once it has closed the connection."""
        deadline = time.monotonic() + timeout
        with self.sessions.changed:
            while self.sessions.open:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.sessions.open} SMTP connection(s) still open after {timeout} s")
                self.sessions.changed.wait(left)

    def __exit__(self, *exc) -> None:
        self.controller.stop()
