"""Many rows into one table in one executemany, bound as the database driver takes them.

SQLAlchemy's executemany processes every row's parameters in Python before the driver sees them;
for the 200 items of an inventory that cost twice the driver's own insert. Columns of plain
integers, strings and booleans need no processing on any driver, so such rows go to the driver
as they are; a table with any other kind of column is inserted through SQLAlchemy as before.
"""
from __future__ import annotations

from functools import cache
from operator import itemgetter

from sqlalchemy import Boolean, Dialect, Integer, String, Table, Text, insert
from sqlalchemy.orm import Session

# Exact types: a subclass (Enum is a String) may convert its values.
_BOUND_AS_THEY_ARE = {Integer, String, Text, Boolean}


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    keys = tuple(rows[0])
    statement = _driver_statement(connection.dialect, table, keys)
    if statement is None:
        session.execute(insert(table), rows)
        return
    sql, order = statement
    if order:
        values = itemgetter(*order)
        rows = [values(row) for row in rows] if len(order) > 1 else [(values(row),) for row in rows]
    connection.exec_driver_sql(sql, rows)


@cache
def _driver_statement(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """The INSERT as the driver's SQL, with the key order of its positional parameters (empty for
    named ones); None when a column needs SQLAlchemy's processing or a default not given in ``keys``."""
    if any(type(table.c[k].type) not in _BOUND_AS_THEY_ARE for k in keys):
        return None
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    names = tuple(compiled.positiontup) if compiled.positional else tuple(compiled.params)
    if set(names) != set(keys):
        return None
    return compiled.string, names if compiled.positional else ()
