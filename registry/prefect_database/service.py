"""Prefect's own database on the registry's PostgreSQL server: made when missing, never the registry's.

Prefect's server migrates its own schema (`prefect server database upgrade`); all it cannot do is
create the empty database on a fresh server, which is done here.
"""
from __future__ import annotations

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from core.errors import UserError


class PostgresUnreachable(UserError):
    pass


class SameDatabase(UserError):
    pass


def ensure_database(admin_url: str, name: str) -> bool:
    """Create database ``name`` on the server of ``admin_url`` unless it exists; True when created."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first()
            if exists:
                return False
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            return True
    except OperationalError as error:
        url = make_url(admin_url)
        reason = str(error.orig).strip().splitlines()[0] if error.orig else ""
        raise PostgresUnreachable(f"无法连接 PostgreSQL（{url.host}:{url.port or 5432}）：{reason}；"
                                  "请先启动数据库服务器或检查 REFORM_CLUSTER_POSTGRES_URL") from None
    finally:
        engine.dispose()


def drop_database(admin_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, closing its connections: a throwaway Prefect database."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def database_size(admin_url: str, name: str) -> int:
    """Bytes on disk of database ``name``: what a season of flow runs and events leaves in Prefect's."""
    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT pg_database_size(:name)"), {"name": name}).scalar_one()
    finally:
        engine.dispose()


def refuse_shared_database(registry_url: str, prefect_url: str) -> None:
    """Refuse a registry kept in Prefect's database: the two are migrated and cleaned apart."""
    if not registry_url.startswith("postgresql"):
        return
    registry, prefect = make_url(registry_url), make_url(prefect_url)
    if (_host(registry.host), registry.port or 5432, registry.database) == (
            _host(prefect.host), prefect.port or 5432, prefect.database):
        raise SameDatabase(f"登记库与 Prefect 使用了同一个数据库 {prefect.database}：请为 "
                           "REFORM_CLUSTER_PREFECT_DATABASE 另取一个名称")


def _host(host: str | None) -> str:
    return "127.0.0.1" if host in (None, "", "localhost") else host


def register_blocks_command() -> list[str]:
    """The command that writes Prefect's block types into its database, run once before its servers."""
    return [sys.executable, "-m", "registry.prefect_database.blocks"]
