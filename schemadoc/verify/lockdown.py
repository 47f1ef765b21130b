"""What the scratch database allows: how its connection is opened, the actions its
authorizer lets through, the functions it refuses wherever they are written, and one
statement per run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import apsw

from ..sql.statements import tokens

_SYSTEM_TABLES = frozenset(
    {
        "sqlite_master",
        "sqlite_temp_master",
        "sqlite_schema",
        "sqlite_temp_schema",
        "sqlite_sequence",
    }
)
_DENIED_FUNCTIONS = frozenset(
    {"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit", "fts5_source_id"}
)
_SCHEMA_ACTIONS = frozenset(
    {
        apsw.SQLITE_CREATE_INDEX,
        apsw.SQLITE_CREATE_TABLE,
        apsw.SQLITE_CREATE_TEMP_INDEX,
        apsw.SQLITE_CREATE_TEMP_TABLE,
        apsw.SQLITE_CREATE_TEMP_TRIGGER,
        apsw.SQLITE_CREATE_TEMP_VIEW,
        apsw.SQLITE_CREATE_TRIGGER,
        apsw.SQLITE_CREATE_VIEW,
        apsw.SQLITE_DROP_INDEX,
        apsw.SQLITE_DROP_TABLE,
        apsw.SQLITE_DROP_TEMP_INDEX,
        apsw.SQLITE_DROP_TEMP_TABLE,
        apsw.SQLITE_DROP_TEMP_TRIGGER,
        apsw.SQLITE_DROP_TEMP_VIEW,
        apsw.SQLITE_DROP_TRIGGER,
        apsw.SQLITE_DROP_VIEW,
        apsw.SQLITE_ALTER_TABLE,
        apsw.SQLITE_CREATE_VTABLE,
        apsw.SQLITE_DROP_VTABLE,
        apsw.SQLITE_READ,
        apsw.SQLITE_SELECT,
        apsw.SQLITE_RECURSIVE,
        apsw.SQLITE_REINDEX,  # CREATE INDEX asks for it
    }
)
_WRITES = frozenset({apsw.SQLITE_INSERT, apsw.SQLITE_UPDATE, apsw.SQLITE_DELETE})
# Read (no argument) by SQLite itself: rtree asks for the page size when it creates a table.
_INTERNAL_PRAGMAS = frozenset({"data_version", "page_size"})
# Read-only, with any argument: ALTER TABLE ADD COLUMN with a CHECK or a NOT NULL generated
# column runs pragma_quick_check on the table.
_CHECK_PRAGMAS = frozenset({"quick_check"})


_ONE_STATEMENT = "You can only execute one statement at a time."


def _only_statement(sql: str) -> Callable[[Any, str, Any], bool]:
    """An exec tracer for a cursor running ``sql``: it lets SQLite run the first statement
    only if nothing but spaces, comments and semicolons follows it (apsw would run the rest
    of the text as further statements)."""
    seen = False

    def trace(_cursor: Any, statement: str, _bindings: Any) -> bool:
        nonlocal seen
        rest = statement
        if not seen:
            seen = True
            rest = sql[len(statement) :] if sql.startswith(statement) else sql
        if any(t.kind not in ("space", "comment") and t.text != ";" for t in tokens(rest)):
            raise apsw.SQLError(_ONE_STATEMENT)
        return True

    return trace


def denied_calls(sql: str) -> list[str]:
    """Calls of denied functions anywhere in ``sql`` (defaults, view and trigger bodies too).

    SQLite checks no DEFAULT, view or trigger body when it stores one; they are rejected up
    front instead, so the diagnostic does not depend on whether SQLite would ever evaluate them.
    """
    lowered = sql.lower()
    if not any(name in lowered for name in _DENIED_FUNCTIONS):
        return []
    found = []
    last = None
    for tok in tokens(sql):
        if tok.kind in ("space", "comment"):
            continue
        if tok.text == "(" and last is not None:
            name = last.text
            if last.kind == "quoted" and len(name) >= 2:
                name = name[1:-1]
            if name.lower() in _DENIED_FUNCTIONS:
                found.append(f"FUNCTION {name.lower()}")
        last = tok if tok.kind in ("word", "quoted") else None
    return found


_ACTION_NAMES = {
    getattr(apsw, f"SQLITE_{name}"): name.replace("_", " ")
    for name in (
        "INSERT",
        "UPDATE",
        "DELETE",
        "PRAGMA",
        "TRANSACTION",
        "ATTACH",
        "DETACH",
        "REINDEX",
        "ANALYZE",
        "FUNCTION",
        "SAVEPOINT",
    )
}


SCRATCH = apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE | apsw.SQLITE_OPEN_MEMORY


def connect(name: str = ":memory:", flags: int = SCRATCH) -> apsw.Connection:
    """A new scratch database (or the database ``name`` opened with ``flags``): in memory,
    defensive, extension loading off, schema objects limited to built-in and innocuous
    functions, attached databases unable to create or write files (and, in the sandbox,
    impossible: SQLITE_LIMIT_ATTACHED is 0)."""
    conn = apsw.Connection(name, flags=flags)
    conn.enable_load_extension(False)
    for op in (
        apsw.SQLITE_DBCONFIG_DEFENSIVE,
        apsw.SQLITE_DBCONFIG_TRUSTED_SCHEMA,
        apsw.SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
        apsw.SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER,
        apsw.SQLITE_DBCONFIG_WRITABLE_SCHEMA,
        apsw.SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE,
        apsw.SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE,
    ):
        on = op == apsw.SQLITE_DBCONFIG_DEFENSIVE
        if conn.config(op, int(on)) != on:  # fail closed: a setting not taken is an error
            raise apsw.MisuseError(f"SQLite {apsw.sqlite_lib_version()} did not take setting {op}")
    return conn
