"""Which statements are not applied, and why: not schema changes, teardown, rebuilds from
copies that no DDL creates, tables replaced by views, DDL written for another engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model.diagnostics import SD205, Code
from ..model.schema import SqlStatement, ascii_fold
from ..sql.heads import FOREIGN_TYPE, Head
from ..sql.parse import RenameTable
from .sandbox import MAX_LENGTH
from .state import _Reading, _State

_IGNORED_VERBS = frozenset(
    {
        "INSERT",
        "UPDATE",
        "DELETE",
        "SELECT",
        "REPLACE",
        "WITH",
        "BEGIN",
        "COMMIT",
        "END",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "ANALYZE",
        "REINDEX",
        "VALUES",
        "EXPLAIN",
        "UPSERT",
    }
)
_HARMLESS_PRAGMAS = frozenset(
    {
        "foreign_keys",
        "journal_mode",
        "synchronous",
        "user_version",
        "application_id",
        "cache_size",
        "busy_timeout",
        "temp_store",
        "mmap_size",
        "page_size",
        "auto_vacuum",
        "encoding",
        "recursive_triggers",
        "case_sensitive_like",
        "secure_delete",
        "locking_mode",
        "wal_autocheckpoint",
        "journal_size_limit",
        "legacy_alter_table",
        "defer_foreign_keys",
        "automatic_index",
        "cell_size_check",
        "query_only",
        "threads",
        "optimize",
        "integrity_check",
        "quick_check",
        "table_info",
        "table_xinfo",
        "index_list",
        "index_info",
        "foreign_key_list",
    }
)
_TEARDOWN = re.compile(
    r"(?:^|[._])(?:drop|reset|clear|teardown|tear_down|destroy|purge|wipe|clean|cleanup|clean_up|"
    r"disable|deactivate|"
    r"truncate|delete|remove|uninstall|downgrade|down|rollback|revert|reverse|undo|backwards?|"
    r"nuke)(?:_|$|[A-Z])",
    re.IGNORECASE,
)


def _is_teardown(stmt: SqlStatement) -> bool:
    """Test code, or a function or argument named for undoing (``drop_all``, ``down=``)."""
    origin = stmt.origin
    names = [origin.function, *origin.roles]
    return origin.in_test or any(_TEARDOWN.search(name) for name in names if name)


def _skip_reason(stmt: SqlStatement, h: Head) -> tuple[Code | None, str] | None:
    """(code, message) for a statement (with its head) that is not applied (no code: it is
    left out silently), or None to apply it."""
    if h.kind is None:
        if h.verb in _IGNORED_VERBS or not h.verb:
            return (None, "")  # DML and transaction control: silently not ours
        if h.verb == "PRAGMA":
            m = re.match(r"\s*PRAGMA\s+(?:\w+\.)?(\w+)", stmt.sql, re.IGNORECASE)
            pragma = (m.group(1) if m else "").lower()
            if pragma in _HARMLESS_PRAGMAS:
                return (None, "")
            return (SD205, f"PRAGMA {pragma} is not a schema change; not applied")
        first = h.verb or stmt.sql.split(None, 1)[0]
        return (SD205, f"{first} is not a schema change; not applied")
    return None


def _foreign_reason(stmt: SqlStatement, reading: _Reading) -> str | None:
    """Why a statement looks written for another engine (its own text, or where it lives)."""
    sign = reading.dialect_sign(stmt.sql)
    if sign:
        return f"{sign!r} is not SQLite"
    hint = other_engine(stmt, reading)
    return f"it is in {hint!r} code" if hint else None


def other_engine(stmt: SqlStatement, reading: _Reading) -> str | None:
    """The other engine the code a statement is in runs on: one named in its path, its
    function's name or its arguments' keywords, else the one its branch or module names."""
    names = ".".join(n for n in (stmt.origin.function, *stmt.origin.roles) if n)
    return reading.engine_hint(stmt.source.path, names) or stmt.origin.engine


def _foreign_type(stmt: SqlStatement, h: Head, key: str, state: _State) -> str | None:
    """Why a table whose types are another engine's is not ours: another definition of it
    is written without them."""
    found = FOREIGN_TYPE.search(stmt.sql) if h.verb == "CREATE" and h.kind == "TABLE" else None
    if found is None or key not in state.plain:
        return None
    return f"{' '.join(found.group().split())!r} is not SQLite, unlike another definition of it"


def _plain_tables(statements: Iterable[SqlStatement], state: _State) -> set[str]:
    """The tables with a definition that shows no sign of another engine."""
    out = set()
    for stmt in statements:
        h = state.reading.head(stmt.sql)
        if h.verb != "CREATE" or h.kind != "TABLE" or len(stmt.sql) > MAX_LENGTH:
            continue
        name = state.reading.names(stmt.sql)[0]
        if name and not (
            FOREIGN_TYPE.search(stmt.sql)
            or _foreign_reason(stmt, state.reading)
            or (stmt.source.path, stmt.origin.label or "") in state.foreign_groups
        ):
            out.add(ascii_fold(name))
    return out


def _rebuilds(statements: list[SqlStatement], state: _State) -> dict[int, str]:
    """Rebuilds of a table from a copy that no DDL creates (code made it, such as
    ``CREATE TABLE {name}`` filled in at run time): ``DROP TABLE x``, then ``ALTER TABLE
    new_x RENAME TO x`` in the same function. Neither is applied, so ``x`` stays as it was;
    the note for each, by ``id``."""
    created = set()
    for stmt in statements:
        h = state.reading.head(stmt.sql)
        name = state.reading.names(stmt.sql)[0] if h.verb == "CREATE" else None
        if h.kind == "TABLE" and name:
            created.add(ascii_fold(name))
    out: dict[int, str] = {}
    for i, stmt in enumerate(statements):
        if (
            state.reading.head(stmt.sql).verb != "ALTER"
            or len(stmt.sql) > MAX_LENGTH
            or stmt.placeholders  # built at run time: SD105 says so
        ):
            continue
        op, copy = state.reading.parsed(stmt.sql), state.reading.names(stmt.sql)[0]
        if not isinstance(op, RenameTable) or not copy or ascii_fold(copy) in created:
            continue
        drop = next(
            (d for d in reversed(statements[:i]) if _drops(d, op.new_name, stmt, state)), None
        )
        if drop is not None:
            rebuilt = f"{op.new_name} from {copy}, which no DDL creates"
            out[id(drop)] = (
                f"a rebuild of {rebuilt} (line {stmt.source.line}); "
                f"{op.new_name} is documented as it was"
            )
            out[id(stmt)] = (
                f"ends a rebuild of {rebuilt} (DROP at line {drop.source.line}); skipped"
            )
    return out


def _replacements(statements: list[SqlStatement], state: _State) -> dict[int, str]:
    """A table that one function creates and another replaces by a view (``DROP TABLE x``
    then ``CREATE VIEW x``, a mode of the program): neither is applied, the table stays
    documented; the note for each, by ``id``."""
    made: dict[str, str | None] = {}  # table: the function that creates it
    for stmt in statements:
        h = state.reading.head(stmt.sql)
        name = state.reading.names(stmt.sql)[0] if h.verb == "CREATE" else None
        if h.kind == "TABLE" and name and not stmt.origin.in_test:
            made.setdefault(ascii_fold(name), stmt.origin.label)
    out: dict[int, str] = {}
    for i, drop in enumerate(statements):
        h = state.reading.head(drop.sql)
        name = state.reading.names(drop.sql)[0] if h.verb == "DROP" and h.kind == "TABLE" else None
        key = ascii_fold(name or "")
        if not name or drop.placeholders or key not in made or made[key] == drop.origin.label:
            continue
        view = next((v for v in statements[i + 1 :] if _makes_view(v, key, drop, state)), None)
        if view is not None:
            where = drop.origin.label or "module level"
            out[id(drop)] = f"DROP TABLE {name} replaces the table by a view ({where}); skipped"
            out[id(view)] = (
                f"CREATE VIEW {name} replaces table {name} (DROP at line {drop.source.line}); "
                f"the table is documented"
            )
    return out


def _makes_view(stmt: SqlStatement, key: str, drop: SqlStatement, state: _State) -> bool:
    """Whether ``stmt`` is a ``CREATE VIEW`` of ``key`` in the function of ``drop``."""
    h = state.reading.head(stmt.sql)
    return (
        h.verb == "CREATE"
        and h.kind == "VIEW"
        and (stmt.source.path, stmt.origin.label) == (drop.source.path, drop.origin.label)
        and ascii_fold(state.reading.names(stmt.sql)[0] or "") == key
    )


def _drops(stmt: SqlStatement, table: str, rename: SqlStatement, state: _State) -> bool:
    """Whether ``stmt`` is a ``DROP TABLE table`` in the function of ``rename``."""
    h = state.reading.head(stmt.sql)
    return (
        h.verb == "DROP"
        and h.kind == "TABLE"
        and not stmt.placeholders
        and (stmt.source.path, stmt.origin.label) == (rename.source.path, rename.origin.label)
        and ascii_fold(state.reading.names(stmt.sql)[0] or "") == ascii_fold(table)
    )
