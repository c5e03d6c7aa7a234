"""Real SMTP servers (aiosmtpd) on loopback that file what they receive into a Maildir.

One takes the outbox's mail (REFORM_SMTP_HOST/PORT point at it) so every notice of the demo can be
read afterwards with any Maildir client; another is the intake "MX" the departments reply through.
"""
from __future__ import annotations

import mailbox
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, maildir: Path) -> None:
        self.maildir = mailbox.Maildir(maildir, create=True)
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.maildir.add(envelope.original_content or envelope.content)
        self.received += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_maildir_server(maildir: Path) -> tuple[Controller, int]:
    """A running server on a free loopback port filing into ``maildir``; stop the controller when done."""
    port = _free_port()
    controller = Controller(MaildirHandler(maildir), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


@contextmanager
def local_smtp(maildir: Path) -> Iterator[MaildirHandler]:
    """The outbox's SMTP server for as long as the block runs (REFORM_SMTP_HOST/PORT point at it)."""
    controller, port = start_maildir_server(maildir)
    saved = {k: os.environ.get(k) for k in ("REFORM_SMTP_HOST", "REFORM_SMTP_PORT")}
    os.environ["REFORM_SMTP_HOST"], os.environ["REFORM_SMTP_PORT"] = "127.0.0.1", str(port)
    try:
        yield controller.handler
    finally:
        controller.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
