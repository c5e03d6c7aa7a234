"""The one settings object. Every knob the deployment can turn is here, read from REFORM_* variables."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFORM_", env_file=".env", extra="ignore")

    home: Path = Path(".reform")
    database_url: str | None = None

    # Outbound mail. The outbox is delivered through this SMTP server.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 30
    # Concurrent connections for delivering the outbox: one connection is bound by round trips.
    smtp_connections: int = 4
    mail_from: str = "reform@shenyang.example.org"
    mail_from_name: str = "沈阳市编委办（简化优化公共服务流程工作）"
    # Message-IDs are <outbox key digest@mail_domain>: deterministic, so a resend is recognisable.
    mail_domain: str = "reform.shenyang.example.org"
    # Transient SMTP failures are retried after base * 2**attempt seconds, up to max attempts.
    smtp_max_attempts: int = 6
    smtp_backoff_seconds: float = 60

    # Inbound mail (workbooks back from departments): an IMAP mailbox, or a Maildir for a local MTA.
    intake_mailbox: Literal["imap", "maildir"] = "maildir"
    imap_host: str = "127.0.0.1"
    imap_port: int = 993
    imap_ssl: bool = True
    imap_username: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    # Where taken-in messages are moved once their effects are committed ("" keeps them, flagged \Seen).
    imap_done_folder: str = ""
    maildir_path: Path | None = None  # default: <home>/maildir
    # Replies go to intake+<token>@<domain of intake_address>; the token names the obligation.
    intake_address: str = "intake@shenyang.example.org"
    # The public writes here (item 14 of the plan); any sender is accepted, nothing is quarantined.
    complaints_address: str = "complaints@shenyang.example.org"
    # Workbooks are untrusted: limits on the file, its zip expansion and its rows.
    intake_max_attachment_bytes: int = 20 * 1024 * 1024
    intake_max_expanded_bytes: int = 400 * 1024 * 1024
    intake_max_expansion_ratio: float = 200
    intake_max_rows: int = 100_000

    @property
    def resolved_database_url(self) -> str:
        """The registry's database; defaults to a SQLite file kept apart from Prefect's own."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'reform.db').resolve()}"

    @property
    def resolved_maildir(self) -> Path:
        return self.maildir_path or self.home / "maildir"


def get_settings() -> Settings:
    # Not cached: the CLI and the tests point REFORM_HOME elsewhere at run time, and reading
    # a few environment variables costs nothing next to a database round trip.
    return Settings()
