"""The intake mailbox behind one small interface: IMAP in production, a Maildir for a local MTA.

A message is listed until it is marked done, and it is marked done only after its effects are
committed: a crash in between leaves it listed, and the registry (which remembers every message it
has taken in) makes the second pass change nothing.

A message is fetched whole only up to a size limit: beyond it, only its header is read and its
digest is computed a chunk at a time, so refusing a message of any size costs little memory.
Several workers may poll one mailbox: a message another worker moved away meanwhile is skipped.
"""
from __future__ import annotations

import hashlib
import imaplib
import mailbox as std_mailbox
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from core.errors import UserError
from core.settings import Settings


class MailboxError(UserError, RuntimeError):
    pass


class MessageGone(MailboxError):
    """The message left the mailbox since it was listed: another worker took it in."""


T = TypeVar("T")
CHUNK = 1 << 20
HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class FetchedMessage:
    """A message as read from the mailbox: whole, or (over the size limit) its header alone."""

    header: bytes
    size: int
    sha256: str
    raw: bytes | None  # None: too large, only the header was read

    @classmethod
    def whole(cls, raw: bytes) -> FetchedMessage:
        return cls(header_of(raw), len(raw), hashlib.sha256(raw).hexdigest(), raw)


def header_of(raw: bytes) -> bytes:
    """The header block of a message, up to and including the blank line that ends it."""
    end = HEADER_END.search(raw)
    return raw[:end.end()] if end else raw


class Mailbox(Protocol):
    def pending(self) -> list[str]:
        """References of the messages not yet marked done, oldest first."""

    def fetch(self, ref: str, max_bytes: int) -> FetchedMessage:
        """The message, without marking it read: whole up to ``max_bytes``, else its header,
        size and digest. Raises MessageGone when it left the mailbox since it was listed."""

    def mark_done(self, ref: str) -> None:
        """Call only after the message's effects are committed."""

    def close(self) -> None: ...


class MaildirMailbox:
    """Maildir: new messages in new/; done means moved to cur/ with the Seen flag ("S")."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        std_mailbox.Maildir(str(self.path), create=True)  # makes new/, cur/ and tmp/

    def _locate(self, ref: str) -> Path | None:
        candidate = self.path / "new" / ref
        if candidate.exists():
            return candidate
        for entry in os.scandir(self.path / "cur"):
            if entry.name == ref or entry.name.startswith(ref + ":"):
                return Path(entry.path)
        return None

    def pending(self) -> list[str]:
        found = []
        for sub in ("new", "cur"):
            for entry in os.scandir(self.path / sub):
                if entry.name.startswith("."):
                    continue
                name, _, info = entry.name.partition(":")
                if sub == "cur" and "S" in info.partition(",")[2]:
                    continue
                found.append((entry.stat().st_mtime, name))
        return [name for _, name in sorted(found)]

    def fetch(self, ref: str, max_bytes: int) -> FetchedMessage:
        # Another worker may move the file from new/ to cur/ between finding and opening it.
        for _ in range(3):
            path = self._locate(ref)
            if path is None:
                break
            try:
                with path.open("rb") as file:
                    size = os.fstat(file.fileno()).st_size
                    if size <= max_bytes:
                        return FetchedMessage.whole(file.read())
                    return _streamed(file.read, size)
            except FileNotFoundError:
                continue
        raise MessageGone(f"邮件 {ref} 已不在邮箱中")

    def mark_done(self, ref: str) -> None:
        path = self._locate(ref)
        if path is None:
            return  # already moved by an earlier run, or by another worker
        _, _, info = path.name.partition(":")
        flags = set(info.partition(",")[2]) | {"S"}
        try:
            os.replace(path, self.path / "cur" / f"{ref}:2,{''.join(sorted(flags))}")
        except FileNotFoundError:
            pass  # another worker marked it done meanwhile

    def close(self) -> None:
        pass


class ImapMailbox:
    """IMAP: pending means UNSEEN in the folder; done means \\Seen, then moved if a done folder is set."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        try:
            cls = imaplib.IMAP4_SSL if settings.mailbox.imap_ssl else imaplib.IMAP4
            self.imap = cls(settings.mailbox.imap_host, settings.mailbox.imap_port, timeout=30)
            self.imap.login(settings.mailbox.imap_username, settings.mailbox.imap_password)
            self._check(self.imap.select(_quote(settings.mailbox.imap_folder)))
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxError(f"无法连接收件邮箱 {settings.mailbox.imap_host}:{settings.mailbox.imap_port}：{error}") from error

    @staticmethod
    def _check(response) -> list:
        status, data = response
        if status != "OK":
            raise MailboxError(f"IMAP 服务器拒绝：{data!r}")
        return data

    def pending(self) -> list[str]:
        data = self._check(self.imap.uid("SEARCH", None, "UNSEEN"))
        return [uid.decode() for uid in (data[0] or b"").split()]

    def fetch(self, ref: str, max_bytes: int) -> FetchedMessage:
        size = self._size(ref)
        if size <= max_bytes:
            return FetchedMessage.whole(self._body(ref, "BODY.PEEK[]"))
        offset = 0

        def read(n: int) -> bytes:
            nonlocal offset
            chunk = self._body(ref, f"BODY.PEEK[]<{offset}.{n}>") if offset < size else b""
            offset += len(chunk)
            return chunk

        return _streamed(read, size)

    def _size(self, ref: str) -> int:
        for item in self._check(self.imap.uid("FETCH", ref, "(RFC822.SIZE)")):
            line = item[0] if isinstance(item, tuple) else item
            if isinstance(line, bytes) and (match := re.search(rb"RFC822\.SIZE (\d+)", line)):
                return int(match.group(1))
        raise MessageGone(f"邮件 UID {ref} 已不在邮箱中")

    def _body(self, ref: str, section: str) -> bytes:
        for item in self._check(self.imap.uid("FETCH", ref, f"({section})")):
            if isinstance(item, tuple):
                return item[1]
        raise MessageGone(f"邮件 UID {ref} 已不在邮箱中")

    def mark_done(self, ref: str) -> None:
        self._check(self.imap.uid("STORE", ref, "+FLAGS.SILENT", r"(\Seen)"))
        if self.settings.mailbox.imap_done_folder:
            folder = _quote(self.settings.mailbox.imap_done_folder)
            if b"MOVE" in b" ".join(self._check(self.imap.capability())):
                self._check(self.imap.uid("MOVE", ref, folder))
            else:
                self._check(self.imap.uid("COPY", ref, folder))
                self._check(self.imap.uid("STORE", ref, "+FLAGS.SILENT", r"(\Deleted)"))
                self.imap.expunge()

    def close(self) -> None:
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _streamed(read: Callable[[int], bytes], size: int) -> FetchedMessage:
    """Header and digest of a message too large to hold: read a chunk at a time, kept no longer."""
    digest, head, header = hashlib.sha256(), b"", None
    while chunk := read(CHUNK):
        digest.update(chunk)
        if header is None:
            head += chunk
            end = HEADER_END.search(head)
            if end or len(head) > CHUNK:
                header, head = head[:end.end()] if end else head[:CHUNK], b""
    return FetchedMessage(header if header is not None else head, size, digest.hexdigest(), None)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def open_mailbox(settings: Settings) -> Mailbox:
    if settings.mailbox.kind == "imap":
        return ImapMailbox(settings)
    return MaildirMailbox(settings.maildir)


class MailboxPoll:
    """One poll over one open mailbox (one IMAP login): list once, then take the listed messages in
    over the same connection, in as many batches as the caller likes.

    The connection closes when the last listed message is done (or on close()). A message that
    fails closes it too, so that a broken connection costs the next message a new login rather
    than failing the rest of the poll.
    """

    def __init__(self, settings: Settings, refs: Iterable[str] = ()) -> None:
        """``refs``: messages listed earlier, to take in over this one connection."""
        self.settings = settings
        self._mailbox: Mailbox | None = None
        self.remaining: set[str] = set(refs)

    def _open(self) -> Mailbox:
        if self._mailbox is None:
            self._mailbox = open_mailbox(self.settings)
        return self._mailbox

    def pending(self) -> list[str]:
        try:
            refs = self._open().pending()
        except BaseException:
            self.close()
            raise
        self.remaining = set(refs)
        if not refs:
            self.close()
        return refs

    def take(self, ref: str, commit: Callable[[FetchedMessage], T], max_bytes: int,
             settled: Callable[[T], bool] = lambda _: True) -> T | None:
        """Fetch the message, ``commit(message)`` its effects, and only then mark it done, unless
        ``settled(result)`` says it is to be tried again. None: another worker took it meanwhile."""
        try:
            mailbox = self._open()
            try:
                message = mailbox.fetch(ref, max_bytes)
            except MessageGone:
                return None
            result = commit(message)
            if settled(result):
                mailbox.mark_done(ref)
        except BaseException:
            self.close()
            raise
        finally:
            self.remaining.discard(ref)
            if not self.remaining:
                self.close()
        return result

    @property
    def finished(self) -> bool:
        return not self.remaining

    def close(self) -> None:
        if self._mailbox is not None:
            mailbox, self._mailbox = self._mailbox, None
            mailbox.close()
