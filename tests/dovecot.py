"""Dovecot IMAP on loopback, with its own configuration, for the intake tests.

Dovecot refuses to run its login process as root and refuses users below first_valid_uid, so the
configuration names dovenull and dovecot as its users, stores mail as the dovecot user and lowers
first_valid_uid. Everything lives in a temporary directory the dovecot user can enter.
"""
from __future__ import annotations

import errno
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.mail_servers import PortTaken, on_a_free_port

USER, PASSWORD = "intake", "intake-secret"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
mail_privileged_group =
protocol imap {{
  mail_max_userip_connections = 100
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", 0
        self.user, self.password = USER, PASSWORD
        self.root = Path(tempfile.mkdtemp(prefix="reform-dovecot-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> Dovecot:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise RuntimeError("dovecot is not installed: apt-get install -y dovecot-imapd")
        dovecot_user = pwd.getpwnam("dovecot")
        os.chmod(self.root, 0o755)
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        os.chown(self.root / "mail", dovecot_user.pw_uid, dovecot_user.pw_gid)
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        self.port = on_a_free_port(lambda port: self._listen(binary, port))
        return self

    def _listen(self, binary: str, port: int) -> int:
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, port=port))
        self.process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = f"{self.process.stdout.read().decode(errors='replace')}{self._log()}"
                if "Address already in use" in output:
                    raise PortTaken(errno.EADDRINUSE, f"port {port} was taken")
                raise RuntimeError(f"dovecot exited: {output}")
            try:
                # Dovecot's own greeting: whatever else answers on the port is not our server.
                with socket.create_connection((self.host, port), timeout=0.5) as connection:
                    if b"Dovecot" in connection.recv(512) and self.process.poll() is None:
                        return port
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not start listening: {self._log()}")

    def _log(self) -> str:
        log = self.root / "dovecot.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port)
        imap.login(self.user, self.password)
        return imap

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in the mailbox over IMAP, as the mail server's delivery would."""
        imap = self.connect()
        try:
            imap.append(folder, None, None, raw)
        finally:
            imap.logout()

    def empty(self, *folders: str) -> None:
        imap = self.connect()
        try:
            for folder in folders:
                imap.create(folder)
                status, count = imap.select(folder)
                if status == "OK" and int(count[0] or 0):
                    imap.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                    imap.expunge()
        finally:
            imap.logout()

    def flags(self, folder: str = "INBOX") -> list[str]:
        imap = self.connect()
        try:
            status, count = imap.select(folder)
            if status != "OK" or not int(count[0] or 0):
                return []
            status, data = imap.fetch("1:*", "(FLAGS)")
            return [d.decode() for d in data if d] if status == "OK" else []
        finally:
            imap.logout()
