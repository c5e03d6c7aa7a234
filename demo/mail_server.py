"""Real SMTP servers (aiosmtpd) on loopback that file what they receive into a Maildir.

One takes the outbox's mail (REFORM_SMTP_HOST/PORT point at it) so every notice of the demo can be
read afterwards with any Maildir client; another is the intake "MX" the departments reply through.
"""
from __future__ import annotations

import itertools
import mailbox
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from aiosmtpd.controller import Controller

from core.settings import get_settings


def file_into(maildir: Path, message: bytes) -> None:
    """File a message as the Maildir format has it, written under tmp/ and renamed into new/, but
    without the fsync of mailbox.Maildir.add: a demo's loopback mail need not outlive a power cut,
    and each message waited on the disk."""
    name = f"{time.time_ns()}.P{os.getpid()}Q{next(_filed)}.{socket.gethostname()}"
    (maildir / "tmp" / name).write_bytes(message)
    os.rename(maildir / "tmp" / name, maildir / "new" / name)


_filed = itertools.count(1)  # unique names within the process, as the format asks


def file_in_intake(message: bytes) -> None:
    """A reply as the department's mail server files it in the intake mailbox."""
    file_into(_prepared(get_settings().maildir), message)


@cache
def _prepared(maildir: Path) -> Path:
    mailbox.Maildir(maildir, create=True)  # cur, new and tmp
    return maildir


class MaildirHandler:
    def __init__(self, maildir: Path) -> None:
        self.maildir = _prepared(maildir)
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        file_into(self.maildir, envelope.original_content or envelope.content)
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
