"""The one settings object, read from REFORM_* variables (or a .env file), in groups.

Each group reads its own variables, so the names a deployment sets stay short and stable
(REFORM_SMTP_HOST, REFORM_IMAP_HOST, REFORM_INTAKE_MAX_ROWS) while code reads them by what they
are about: ``settings.smtp.host``, ``settings.mailbox.imap_host``, ``settings.limits.max_rows``.
"""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import UserError


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", extra="ignore", validate_by_name=True)


class DatabaseSettings(BaseSettings):
    """The registry's database (REFORM_DATABASE_URL); Prefect keeps its own apart."""

    model_config = _config("REFORM_DATABASE_")

    url: str | None = None


class SmtpSettings(BaseSettings):
    """Outbound mail: the outbox is delivered through this SMTP server."""

    model_config = _config("REFORM_SMTP_")

    host: str = "127.0.0.1"
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_seconds: float = 30
    # Concurrent connections for delivering the outbox: one connection is bound by round trips.
    connections: int = 4
    # Transient failures (connection refused, 4xx) are retried as a mail server would: the first after
    # retry_first_seconds, each wait doubling up to retry_longest_seconds, for retry_for_hours after
    # the first failure; only then is the message given up and the coordinator told.
    retry_first_seconds: float = 60
    retry_longest_seconds: float = 3600
    retry_for_hours: float = 120
    # Mail failing this long is an outage: the coordinator is told once, and once when it flows again.
    delay_notice_minutes: float = 30
    # A deliverer claims this many due messages at a time, for this long: a killed deliverer's claim
    # lapses and another takes the messages over.
    claim_batch: int = 50
    claim_lease_seconds: float = 300
    sender_address: str = Field("reform@shenyang.example.org", validation_alias="REFORM_MAIL_FROM")
    sender_name: str = Field("沈阳市编委办（简化优化公共服务流程工作）", validation_alias="REFORM_MAIL_FROM_NAME")
    # Message-IDs are <outbox key digest@mail_domain>: deterministic, so a resend is recognisable.
    mail_domain: str = Field("reform.shenyang.example.org", validation_alias="REFORM_MAIL_DOMAIN")


class MailboxSettings(BaseSettings):
    """Inbound mail (workbooks back from departments): an IMAP mailbox, or a Maildir for a local MTA."""

    model_config = _config("REFORM_IMAP_")

    kind: Literal["imap", "maildir"] = Field("maildir", validation_alias="REFORM_INTAKE_MAILBOX")
    imap_host: str = Field("127.0.0.1", validation_alias="REFORM_IMAP_HOST")
    imap_port: int = Field(993, validation_alias="REFORM_IMAP_PORT")
    imap_ssl: bool = Field(True, validation_alias="REFORM_IMAP_SSL")
    imap_username: str = Field("", validation_alias="REFORM_IMAP_USERNAME")
    imap_password: str = Field("", validation_alias="REFORM_IMAP_PASSWORD")
    imap_folder: str = Field("INBOX", validation_alias="REFORM_IMAP_FOLDER")
    # Where taken-in messages are moved once their effects are committed ("" keeps them, flagged \Seen).
    imap_done_folder: str = Field("", validation_alias="REFORM_IMAP_DONE_FOLDER")
    maildir_path: Path | None = Field(None, validation_alias="REFORM_MAILDIR_PATH")  # default: <home>/maildir
    # Replies go to intake+<token>@<domain of intake_address>; the token names the obligation.
    intake_address: str = Field("intake@shenyang.example.org", validation_alias="REFORM_INTAKE_ADDRESS")
    # The public writes here (item 14 of the plan); any sender is accepted, nothing is quarantined.
    complaints_address: str = Field("complaints@shenyang.example.org", validation_alias="REFORM_COMPLAINTS_ADDRESS")

    @property
    def intake_local_part(self) -> str:
        return self.intake_address.partition("@")[0]


class FileLimits(BaseSettings):
    """Mail and workbooks are untrusted: limits on a message, a file, its zip expansion and its rows,
    on what a stranger's mail may take up, and on retrying a message that fails."""

    model_config = _config("REFORM_INTAKE_")

    max_attachment_bytes: int = 20 * 1024 * 1024
    max_expanded_bytes: int = 400 * 1024 * 1024
    max_expansion_ratio: float = 200
    max_rows: int = 100_000
    # A message larger than this is refused by its size, from its header alone, never read whole:
    # room for one attachment at the limit above in base64 (4/3 of its size), and the letter around it.
    max_message_bytes: int = 28 * 1024 * 1024
    # A stranger's messages kept (as header, size and digest) and told to the coordinator per day.
    quarantine_per_sender_per_day: int = 20
    # A message whose processing fails this many times in a row, the same way, is quarantined.
    max_failed_attempts: int = 3


class PublicationSettings(BaseSettings):
    """Where the public site is written, and which external addresses its pages may link to."""

    model_config = _config("REFORM_PUBLISH_")

    site_dir: Path | None = None  # default: <home>/site
    # Prefixes of the external addresses a page may link to (the portal, the departments' sites); any
    # other address in a submitter's text is shown as text. A JSON list in REFORM_PUBLISH_ALLOWED_LINKS.
    allowed_links: list[str] = ["https://zwfw.shenyang.example.gov.cn/", "https://www.shenyang.example.gov.cn/"]


class ClusterSettings(BaseSettings):
    """`reform cluster up`: Prefect's API servers on a PostgreSQL database of their own, one services
    process, Redis messaging and process workers, all on loopback."""

    model_config = _config("REFORM_CLUSTER_")

    api_port: int = 4200
    # The PostgreSQL server that holds Prefect's database (never the registry's: the two are migrated,
    # backed up and cleaned apart), and that database's name, created when missing.
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432"
    prefect_database: str = "reform_prefect"
    # Messaging, causal ordering, lease storage and Docket for every server process, in one Redis db.
    redis_url: str = "redis://127.0.0.1:6379"
    redis_db: int = 0
    # A flow run beats every heartbeat_seconds (Prefect's minimum is 30); one silent for
    # crashed_after_seconds is marked Crashed by the automation `reform deploy` registers.
    heartbeat_seconds: int = Field(30, ge=30)
    crashed_after_seconds: int = Field(75, ge=10)
    # How often a worker asks for scheduled runs (Prefect's default is 10).
    worker_poll_seconds: int = Field(5, ge=1)
    # Flow runs a worker runs at once. A province's sweep starts a run per campaign: unlimited, each
    # worker would take a hundred at once and the machine's cores would thrash. Waiting dispatchers
    # hold a slot each, so keep it above the number of dispatching deployments (sweep, standing,
    # publication, poll).
    worker_runs: int = Field(6, ge=2)
    # The Prefect UI on the API port; off saves a copy of its files on each first start.
    ui: bool = True

    @property
    def prefect_database_url(self) -> str:
        """Prefect's own database, as its server connects to it (asyncpg)."""
        return f"{_server_part(self.postgres_url, 'postgresql+asyncpg')}/{self.prefect_database}"

    @property
    def postgres_admin_url(self) -> str:
        """The server's maintenance database, to create Prefect's database from."""
        return f"{_server_part(self.postgres_url, 'postgresql+psycopg')}/postgres"

    @property
    def redis_db_url(self) -> str:
        return f"{self.redis_url.rstrip('/')}/{self.redis_db}"


def _server_part(url: str, driver: str) -> str:
    """`scheme://user@host:port` of a PostgreSQL URL given with or without a driver or database."""
    rest = url.split("://", 1)[1]
    return f"{driver}://{rest.split('/', 1)[0]}"


class OwnSettings(BaseSettings):
    """The settings of no group (REFORM_HOME, REFORM_DISTRICT), asked alone when some are bad."""

    model_config = _config("REFORM_")

    home: Path = Path(".reform")
    # A district user's commands act for that district only (its GB/T 2260 code); "" acts for the city.
    district: str = Field("", pattern=r"^(\d{6})?$")


class Settings(OwnSettings):
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    mailbox: MailboxSettings = Field(default_factory=MailboxSettings)
    limits: FileLimits = Field(default_factory=FileLimits)
    publication: PublicationSettings = Field(default_factory=PublicationSettings)
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)

    @property
    def database_url(self) -> str:
        """The registry's database; defaults to a SQLite file kept apart from Prefect's own."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.home / 'reform.db').resolve()}"

    @property
    def maildir(self) -> Path:
        return self.mailbox.maildir_path or self.home / "maildir"

    @property
    def site_dir(self) -> Path:
        return self.publication.site_dir or self.home / "site"


def get_settings() -> Settings:
    """The settings for the environment as it is now.

    Cached per value of the REFORM_* variables: the CLI and the tests point REFORM_HOME elsewhere
    at run time, and a changed variable must never be answered from a stale cache.
    """
    return _settings_for(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("REFORM_"))))


class BadSettings(UserError, ValueError):
    """REFORM_* variables (or the .env file) holding values of the wrong kind, every one named."""


_EXPECTED = {"int_parsing": "应为整数", "float_parsing": "应为数字", "bool_parsing": "应为 true 或 false",
             # REFORM_DISTRICT is the only setting with a pattern.
             "string_pattern_mismatch": "应为 6 位行政区划代码（如 210102）或留空"}


@cache
def _settings_for(_environment: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        # Settings stops at the first bad group: ask each group, so every bad variable is named at once.
        groups = (OwnSettings, DatabaseSettings, SmtpSettings, MailboxSettings, FileLimits, PublicationSettings,
                  ClusterSettings)
        problems = [problem for group in groups
                    for problem in _problems(group)] or [_describe(Settings, e) for e in error.errors()]
        raise BadSettings("设置有误（环境变量或 .env 文件）：" + "；".join(problems)) from None


def _problems(group: type[BaseSettings]) -> list[str]:
    try:
        group()
    except ValidationError as error:
        return [_describe(group, e) for e in error.errors()]
    return []


def _describe(group: type[BaseSettings], error: dict) -> str:
    name = str(error["loc"][0]) if error["loc"] else ""
    # A field read through its own alias is located by that alias, already the variable's name.
    variable = name if name.startswith("REFORM_") else f"{group.model_config.get('env_prefix', '')}{name}".upper()
    expected = _EXPECTED.get(error["type"])
    if expected is None and error["type"] == "greater_than_equal":
        expected = f"应不小于 {error.get('ctx', {}).get('ge')}"
    if expected is None and error["type"] == "literal_error":
        expected = f"应为 {error.get('ctx', {}).get('expected', '')}".replace(" or ", " 或 ")
    return f"{variable}={error.get('input')!r} {expected or error['msg']}"


def reset_settings() -> None:
    """Forget every cached Settings, for a test that rewrote the .env file."""
    _settings_for.cache_clear()
