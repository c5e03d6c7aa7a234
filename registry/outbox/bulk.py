"""Insert many rows at once: the daily sweep's path for a province-sized day.

At 100,000 rows the ORM's per-row parameter processing costs more than the database, so rows go
to the driver as plain tuples: COPY on PostgreSQL, one executemany on SQLite (the two the registry
runs on). Outbox rows keep the same unique keys and Message-IDs as ``outbox.queue_message``; only
the writing is bulk. The caller has already left out keys that exist, and the unique index still
refuses a duplicate.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

# What varies per notice; the rest of a freshly queued row is the same for all.
VARYING = ("key", "message_id", "kind", "obligation_id", "to_addrs", "cc_addrs", "subject", "text", "district")
CONSTANT = {"reply_to": "", "html": "", "in_reply_to": "", "state": "pending", "attempts": 0, "last_error": ""}


def addresses_json(addresses: Sequence[str]) -> str:
    """The JSON text of a to/cc column; callers cache it, addressees repeat by the thousand."""
    return json.dumps(list(addresses), ensure_ascii=False)


def insert_outbox_rows(session: Session, rows: Iterable[tuple], queued_at: datetime) -> None:
    """Insert pending rows, each a tuple in VARYING order with to/cc already as JSON text.

    ``rows`` may be a generator: it is consumed while the rows are written.
    """
    insert_rows(session, "outbox", VARYING, rows, {**CONSTANT, "queued_at": queued_at})


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _sqlite_value(value):
    # The text SQLAlchemy's SQLite Date and DateTime write, so range queries compare alike.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat() if isinstance(value, date) else value


def insert_rows(session: Session, table: str, columns: Sequence[str], rows: Iterable[tuple],
                constant: Mapping[str, object] = {}, *, plain: bool = False) -> None:  # noqa: B006 - never mutated
    """Insert plain tuples in ``columns`` order, each completed with the ``constant`` values.

    Values are as the column holds them (JSON as text); ``rows`` may be a generator. ``plain``
    says no value holds a tab, newline, carriage return or backslash, so PostgreSQL's COPY
    needs no escaping.
    """
    connection = session.connection()
    names = ", ".join((*columns, *constant))
    if connection.dialect.name == "postgresql":
        # COPY's text format written by hand: psycopg's per-row adaptation was most of the cost.
        tail = "".join("\t" + _copy_field(v) for v in constant.values()) + "\n"
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            chunk: list[str] = []
            field = str if plain else _copy_field
            for row in rows:
                chunk.append("\t".join(map(field, row)) + tail)
                if len(chunk) == 2000:
                    copy.write("".join(chunk).encode())
                    chunk.clear()
            if chunk:
                copy.write("".join(chunk).encode())
        cursor.close()
        return
    tail = tuple(_sqlite_value(v) for v in constant.values())
    batch = [row + tail for row in rows]
    if batch:
        placeholders = ", ".join("?" for _ in range(len(columns) + len(constant)))
        connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", batch)
