"""Apply the DDL to the locked-down scratch databases and read the schema back from SQLite.

Statements run in order (files by path, statements by position), each group of statements that
share an object in one scratch database (``groups``); what is not applied and why is ``policy``,
running and tracking is ``apply``, and reading back is ``readback``. Every column, index and
foreign-key fact in the result is what SQLite reports; what the parsed model says is checked
against it, and a disagreement is a diagnostic. Comments, CHECKs, collations and constraint
names, which no PRAGMA shows, come from the parsed statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from ..model.diagnostics import SD203, SD204
from ..model.schema import Diagnostic, Schema, SqlStatement, Table, Trigger, View, ascii_fold
from .apply import _apply, _apply_deferred, _note_drops
from .groups import _Databases, _foreign_groups, _groups, group_key
from .policy import _plain_tables, _rebuilds, _replacements
from .readback import _read_database, _read_parts
from .sandbox import Reader, Sandbox
from .state import _Reading, _State

_Named = TypeVar("_Named", Table, View, Trigger)

_UNSTABLE = frozenset({SD203.code, SD204.code})  # limits of time and memory: not kept for next time


def verify(statements: Sequence[SqlStatement]) -> Schema:
    """Apply ``statements`` in order to scratch databases; the schema as SQLite has it."""
    return verify_parts(statements, {})[0]


def verify_parts(
    statements: Sequence[SqlStatement], known: Mapping[str, Schema]
) -> tuple[Schema, dict[str, Schema]]:
    """``verify``, taking from ``known`` the part of each group whose statements it holds
    (by ``group_key``); also the parts of this run worth keeping, by key."""
    reading = _Reading()
    groups, root_of = _groups(statements, reading)
    foreign = _foreign_groups(statements, reading)
    members: dict[str, list[SqlStatement]] = {}
    for stmt, group in zip(statements, groups, strict=True):
        members.setdefault(group, []).append(stmt)
    keys = {group: group_key(stmts, foreign) for group, stmts in members.items()}
    kept = {keys[g]: known[keys[g]] for g in members if keys[g] in known}
    todo = [(s, g) for s, g in zip(statements, groups, strict=True) if keys[g] not in kept]
    state = _State(foreign_groups=foreign, root_of=root_of, reading=reading)
    state.plain = _plain_tables((s for s, _ in todo), state)
    state.rebuilds = _rebuilds([s for s, _ in todo], state)
    state.replaced = _replacements([s for s, _ in todo], state)
    fresh, attributed = _apply_all(todo, state)
    parts = [*kept.values(), *fresh.values()]
    for group in {g for _, g in todo}:
        part = fresh.get(group, Schema())
        if attributed and not any(d.code in _UNSTABLE for d in part.diagnostics):
            kept[keys[group]] = part
    schema = Schema(
        tables=_by_name(t for p in parts for t in p.tables),
        views=_by_name(v for p in parts for v in p.views),
        triggers=_by_name(t for p in parts for t in p.triggers),
        diagnostics=tuple(
            sorted((d for p in parts for d in p.diagnostics), key=Diagnostic.sort_key)
        ),
    )
    return schema, kept


def read_schema(conn: Reader) -> Schema:
    """The schema of the main database of ``conn`` (a database file; see ``database``), read
    as the scratch databases are read back; its diagnostics say what could not be read."""
    state = _State()
    found: dict[str, tuple[list[Table], list[View], list[Trigger]]] = {}
    _read_database(conn, "main", state, {}, found)
    parts = list(found.values())
    return Schema(
        tables=_by_name(t for tables, _, _ in parts for t in tables),
        views=_by_name(v for _, views, _ in parts for v in views),
        triggers=_by_name(t for _, _, triggers in parts for t in triggers),
        diagnostics=tuple(d for _, d in state.diagnostics),
    )


def _by_name(objects: Iterable[_Named]) -> tuple[_Named, ...]:
    return tuple(sorted(objects, key=lambda o: (ascii_fold(o.name), o.name)))


def _apply_all(
    todo: list[tuple[SqlStatement, str]], state: _State
) -> tuple[dict[str, Schema], bool]:
    """Apply statements (with their groups) to scratch databases: the part of each group,
    and whether every object read back was attributed to its group."""
    databases = _Databases()
    where: dict[int, tuple[Sandbox, str]] = {}
    try:
        for stmt, group in todo:
            box = databases.place(group)
            where[id(stmt)] = (box, group)
            _apply(box, state, stmt, group)
        _apply_deferred(where, state)
        _note_drops(state)
        return _read_parts(databases.all, state), not state.unattributed
    finally:
        databases.close()
