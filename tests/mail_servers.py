"""Real mail servers on loopback for the tests."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        self.host, self.port = "127.0.0.1", free_port()
        self.handler = _Handler()
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def __enter__(self) -> RecordingSMTP:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
