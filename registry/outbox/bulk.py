"""Queue many outbox rows at once: the daily sweep's path for a province-sized day.

Same table, same unique keys and Message-IDs as ``outbox.queue_message``; only the writing is
bulk. At 100,000 rows the ORM's per-row parameter processing costs more than the database, so
rows go to the driver as plain tuples: COPY on PostgreSQL, one executemany on SQLite. The caller
has already left out keys that exist, and the unique index still refuses a duplicate.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from registry.outbox.tables import OutboxMessage

# What varies per notice; the rest of a freshly queued row is the same for all.
VARYING = ("key", "message_id", "kind", "obligation_id", "to_addrs", "cc_addrs", "subject", "text")
CONSTANT = {"reply_to": "", "html": "", "in_reply_to": "", "state": "pending", "attempts": 0, "last_error": ""}
COLUMNS = (*VARYING, *CONSTANT, "queued_at")


def addresses_json(addresses: Sequence[str]) -> str:
    """The JSON text of a to/cc column; callers cache it, addressees repeat by the thousand."""
    return json.dumps(list(addresses), ensure_ascii=False)


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def insert_outbox_rows(session: Session, rows: Iterable[tuple], queued_at: datetime) -> None:
    """Insert pending rows, each a tuple in VARYING order with to/cc already as JSON text.

    ``rows`` may be a generator: it is consumed while the rows are written.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # COPY's text format written by hand: psycopg's per-row adaptation was most of the cost.
        tail = "\t".join(_copy_field(v) for v in (*CONSTANT.values(), queued_at.isoformat(sep=" "))) + "\n"
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY outbox ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            chunk: list[str] = []
            for row in rows:
                chunk.append("\t".join(map(_copy_field, row)) + "\t" + tail)
                if len(chunk) == 2000:
                    copy.write("".join(chunk).encode())
                    chunk.clear()
            if chunk:
                copy.write("".join(chunk).encode())
        cursor.close()
    elif dialect == "sqlite":
        # The text SQLAlchemy's SQLite DateTime writes, so range queries on queued_at compare alike.
        tail = (*CONSTANT.values(), queued_at.strftime("%Y-%m-%d %H:%M:%S.%f"))
        placeholders = ", ".join("?" for _ in COLUMNS)
        batch = [row + tail for row in rows]
        if batch:
            connection.exec_driver_sql(f"INSERT INTO outbox ({', '.join(COLUMNS)}) VALUES ({placeholders})", batch)
    else:
        batch = [{**dict(zip(VARYING, row)), "to_addrs": json.loads(row[4]), "cc_addrs": json.loads(row[5]),
                  **CONSTANT, "queued_at": queued_at} for row in rows]
        if batch:
            session.execute(insert(OutboxMessage), batch)
