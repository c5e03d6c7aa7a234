"""Throwaway PostgreSQL databases on the local server, for the tests and the benchmarks."""
from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text

from registry.db import engine_for

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def scratch_database(admin_url: str = ADMIN_URL, prefix: str = "reform_test",
                     template: str = "") -> tuple[str, Callable[[], None]]:
    """Create an empty database (or a copy of ``template``); returns its URL and a function that drops it."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    except Exception:
        admin.dispose()
        raise
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        engine_for(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def copy_database(template_url: str, admin_url: str = ADMIN_URL,
                  prefix: str = "reform_test") -> tuple[str, Callable[[], None]]:
    """A copy of the database at ``template_url``, after closing this process's connections to it (a
    template must have none); returns its URL and a function that drops it."""
    engine_for(template_url).dispose()
    return scratch_database(admin_url, prefix=prefix, template=template_url.rsplit("/", 1)[1])
