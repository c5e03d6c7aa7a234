"""Engines, the transaction boundary and migrations. Importing this module opens nothing."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.errors import UserError

MIGRATIONS = Path(__file__).with_name("migrations")


class RegistryNotInitialised(UserError):
    pass


class RegistryUnreachable(UserError):
    pass


class RegistryDamaged(UserError):
    pass


# URLs whose registry has passed the checks below in this process: the hot path pays one set lookup.
_checked: set[str] = set()


@cache
def engine_for(url: str) -> Engine:
    """One engine per database URL and process, so tasks that take a URL share a pool."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a flow writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL still survives any crash of the process (a commit is in the WAL once written)
    # and only a power cut can lose the last commits; FULL pays an fsync per commit, which capped the
    # outbox's one commit per message at the disk's flush rate.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """The one transaction boundary: everything inside commits together or not at all."""
    if url not in _checked:
        _check_registry(url)
        _checked.add(url)
    session = _sessions(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@cache
def _sessions(url: str) -> sessionmaker:
    # One factory per URL: building a sessionmaker defines a Session class, which the outbox's one
    # commit per message paid for every time.
    return sessionmaker(engine_for(url), expire_on_commit=False)


def migrate(url: str) -> None:
    """Bring the registry's schema to the newest migration (creates it on an empty database)."""
    path = _sqlite_path(url)
    if path is not None:
        if path.exists():
            _sqlite_schema_present(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
    elif not _is_memory(url):
        _reachable(url)
    # Alembic only here: every other command checks the schema and never pays for importing it.
    from alembic import command  # noqa: PLC0415 - slow import, needed by migrations alone
    from alembic.config import Config  # noqa: PLC0415 - slow import, needed by migrations alone

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    command.upgrade(config, "head")
    _checked.add(url)


def _is_memory(url: str) -> bool:
    return url.startswith("sqlite") and _sqlite_path(url) is None


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def _check_registry(url: str) -> None:
    """Refuse, before anything is written, a registry that is missing, unreachable, damaged or empty.

    Without it SQLite creates an empty file where the registry should be, and the command dies
    later with "no such table"; a damaged file fails half-way through a write.
    """
    if _is_memory(url):
        return
    path = _sqlite_path(url)
    if path is not None:
        if not path.is_file():
            raise RegistryNotInitialised("登记库尚未初始化，请先运行 reform init")
        present = _sqlite_schema_present(path)
    else:
        with _reachable(url).connect() as connection:
            present = inspect(connection).has_table("alembic_version")
    if not present:
        raise RegistryNotInitialised("登记库尚未初始化，请先运行 reform init")


def _sqlite_schema_present(path: Path) -> bool:
    """Whether the file holds a migrated registry; raises if it is not a sound SQLite database."""
    try:
        # mode=rw: never create the file, which is migrate's job alone.
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)) as connection:
            verdict = [row[0] for row in connection.execute("PRAGMA quick_check")]
            if verdict != ["ok"]:
                raise RegistryDamaged(f"数据库文件已损坏：{path}，请从备份恢复")
            return connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone() is not None
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            raise
        raise RegistryDamaged(f"数据库文件已损坏：{path}，请从备份恢复") from None


def _reachable(url: str) -> Engine:
    """The server's engine, once a connection has shown the server is up and the database exists."""
    engine = engine_for(url)
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        parsed = make_url(url)
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        if "does not exist" in str(error):
            raise RegistryUnreachable(f"数据库不存在：{parsed.database}（服务器 {where}），"
                                      f"请先创建该数据库或检查 REFORM_DATABASE_URL") from None
        raise RegistryUnreachable(f"无法连接数据库服务器：{where}，请检查服务是否运行及 REFORM_DATABASE_URL") from None
    return engine
