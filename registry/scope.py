"""Which district a transaction acts for, and the rows each district may see.

Every campaign-scoped row carries the district it belongs to (``district``: the GB/T 2260 code of
a district's campaign and directory, ``""`` for the city's). A transaction acts for one scope:

- ``EVERY_DISTRICT`` (``"*"``): the city and the flows, which see every row;
- a district's code: that district's users, who see and write that district's rows only.

The scope is a context variable, so a district user's command sets it once and every service
function it calls carries it without a parameter; a transaction takes the scope it has when it
begins. On every database the session adds the district to every ORM query
(``with_loader_criteria``) and refuses to write another district's row; on PostgreSQL row-level
security enforces the same in the server (migration 0017): each ORM transaction declares its
scope as it begins (``_declare_scope``), a district's as the role ``reform_district``, and a
transaction that declares none sees no row. A bare connection (``engine.connect()``) declares
nothing: it may gather statistics, not read or write scoped rows.

A new scoped table needs its grants and its two policies in the migration that creates it, as
0017 gives them: tests/test_district_sealing.py fails for a scoped table without them.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection, String, event, inspect, text
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, SessionTransaction, mapped_column, with_loader_criteria

from core.errors import UserError

EVERY_DISTRICT = "*"
CITY = ""

_acting_for: ContextVar[str] = ContextVar("reform_district_scope", default=EVERY_DISTRICT)


class OutOfScope(UserError, PermissionError):
    """A district's session tried to write a row of another district or of the city."""


def current_scope() -> str:
    return _acting_for.get()


@contextmanager
def acting_for(district: str) -> Iterator[None]:
    """Run the block for one district (its code) or for every district (``EVERY_DISTRICT``)."""
    token = _acting_for.set(district)
    try:
        yield
    finally:
        _acting_for.reset(token)


class DistrictScoped:
    """A table whose rows belong to one district (or to the city).

    ``district`` is left unset by the code that makes a row and filled in on flush from the row's
    parents (its campaign first, then any other scoped row it refers to, its organisation last),
    so that a district's submission, items and notices follow its campaign without each writer
    having to say so.
    """

    district: Mapped[str] = mapped_column(String(6), index=True, server_default="")


def in_scope(row: DistrictScoped) -> bool:
    """Whether the current scope may see the row: a row already in the session's identity map is
    returned by ``Session.get`` without the query, and so without the district's criteria."""
    scope = current_scope()
    return scope == EVERY_DISTRICT or row.district == scope


def scoped_tables() -> list[str]:
    """The names of every table whose rows belong to a district, as the policies must cover."""
    from registry.base import Base  # noqa: PLC0415 - registry.base is below; the import is for the mapper list

    return sorted(m.local_table.name for m in Base.registry.mappers if issubclass(m.class_, DistrictScoped))


def _parents(cls: type) -> list[tuple[str, type]]:
    """(foreign-key attribute, scoped parent class) pairs, in the order a row's district is taken."""
    mapper = inspect(cls)
    found: list[tuple[int, str, type]] = []
    for attr in mapper.column_attrs:
        for column in attr.columns:
            for fk in column.foreign_keys:
                target = next((m.class_ for m in mapper.registry.mappers
                               if m.local_table is fk.column.table), None)
                if target is None or not issubclass(target, DistrictScoped) or target is cls:
                    continue
                table = fk.column.table.name
                rank = 0 if table == "campaigns" else 2 if table == "organisations" else 1
                found.append((rank, attr.key, target))
    return [(key, target) for _, key, target in sorted(found, key=lambda f: f[0])]


_PARENTS: dict[type, list[tuple[str, type]]] = {}
_RELATIONS: dict[type, dict[str, str]] = {}


def _relations(cls: type) -> dict[str, str]:
    """Foreign-key attribute → the many-to-one relationship that sets it, for rows not yet flushed."""
    if cls not in _RELATIONS:
        pairs = {}
        for rel in inspect(cls).relationships:
            if rel.direction.name == "MANYTOONE":
                for column in rel.local_columns:
                    pairs[column.key] = rel.key
        _RELATIONS[cls] = pairs
    return _RELATIONS[cls]


def _from_parents(session: Session, obj: DistrictScoped) -> str | None:
    """The district of the row's first scoped parent, or None when it has none yet."""
    if obj.district is not None:
        return obj.district
    cls = type(obj)
    if cls not in _PARENTS:
        _PARENTS[cls] = _parents(cls)
    state = inspect(obj)
    for key, target in _PARENTS[cls]:
        parent = None
        relation = _relations(cls).get(key)
        if relation is not None:
            loaded = state.attrs[relation].loaded_value
            parent = loaded if isinstance(loaded, DistrictScoped) else None
        if parent is None:
            value = getattr(obj, key)
            parent = session.get(target, value) if value is not None else None
        if parent is not None:
            district = _from_parents(session, parent)
            if district is not None:
                obj.district = district
                return district
    return None


def _hand_down(obj: DistrictScoped) -> None:
    """Give the row's district to the new children it holds (a message's attachments, a guide's steps)."""
    state = inspect(obj)
    for rel in state.mapper.relationships:
        if rel.direction.name != "ONETOMANY":
            continue
        children = state.attrs[rel.key].loaded_value
        if not isinstance(children, list | set | tuple):
            continue
        for child in children:
            if isinstance(child, DistrictScoped) and child.district is None:
                child.district = obj.district
                _hand_down(child)


def _own_district(obj: object, scope: str) -> str:
    if scope != EVERY_DISTRICT:
        return scope
    # A district's department belongs to the district its division code names (the directory's
    # store sets every organisation's district itself; this covers one made by hand).
    if getattr(obj, "kind", "") == "district":
        return CITY
    return getattr(obj, "division_code", "") or CITY


@event.listens_for(Session, "before_flush")
def _fill_and_guard_districts(session: Session, _context, _instances) -> None:
    scope = current_scope()
    new = [obj for obj in session.new if isinstance(obj, DistrictScoped)]
    with session.no_autoflush:
        for obj in new:
            _from_parents(session, obj)
        for obj in new:
            if obj.district is not None:
                _hand_down(obj)
        for obj in new:
            if obj.district is None:
                obj.district = _own_district(obj, scope)
                _hand_down(obj)
        if scope == EVERY_DISTRICT:
            return
        for obj in (*new, *session.dirty, *session.deleted):
            if isinstance(obj, DistrictScoped) and obj.district != scope:
                raise OutOfScope(f"区县 {scope} 的用户不能修改其他区县或市级的数据")


@event.listens_for(Session, "do_orm_execute")
def _only_the_districts_rows(execute_state: ORMExecuteState) -> None:
    scope = current_scope()
    if scope == EVERY_DISTRICT or execute_state.is_column_load or execute_state.is_relationship_load:
        return
    execute_state.statement = execute_state.statement.options(
        with_loader_criteria(DistrictScoped, lambda cls: cls.district == scope, include_aliases=True))


# One round trip each: the outbox commits once per message. Both settings end with the transaction.
_EVERY_DISTRICT = text("SELECT set_config('reform.district', '*', true)")
CITY_DECLARED = "city"  # the setting's value for the city's own rows (migration 0017)
# set_config('role', …, true) is SET LOCAL ROLE, here in the same statement as the district.
_ONE_DISTRICT = text("SELECT set_config('role', 'reform_district', true), set_config('reform.district', :scope, true)")


@event.listens_for(Session, "after_begin")
def _declare_scope(_session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    """Tell PostgreSQL whom the transaction acts for: its row-level security (revision 0017) shows a
    transaction that declares nothing no row, and a district's only that district's, as a role that
    can never act for every district."""
    if connection.dialect.name != "postgresql":
        return
    scope = current_scope()
    if scope == EVERY_DISTRICT:
        connection.execute(_EVERY_DISTRICT)
    else:
        # The city's own rows ("") are declared by name: an empty setting is what a pooled
        # connection reads once an earlier transaction's setting has ended, and means none.
        connection.execute(_ONE_DISTRICT, {"scope": scope or CITY_DECLARED})
