"""Apply the DDL to the locked-down scratch database and read the schema back from SQLite.

Statements run in order (files by path, statements by position). Every column, index and
foreign-key fact in the result is what SQLite reports; what the parsed model says is checked
against it, and a disagreement is a diagnostic. Comments, CHECKs, collations and constraint
names, which no PRAGMA shows, come from the parsed statements.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from ..model.diagnostics import (
    SD105,
    SD201,
    SD202,
    SD203,
    SD204,
    SD205,
    SD206,
    SD207,
    SD209,
    SD210,
    SD301,
    SD302,
    SD303,
    SD304,
    SD305,
    SD307,
    SD308,
    SD401,
    SD402,
    Code,
)
from ..model.schema import (
    Check,
    Column,
    Diagnostic,
    ForeignKey,
    Index,
    IndexColumn,
    Schema,
    Source,
    SqlStatement,
    Table,
    Trigger,
    View,
    ascii_fold,
)
from ..sql.engines import OTHER_ENGINE
from ..sql.parse import (
    FOREIGN_TYPE,
    AddColumn,
    CreateTable,
    DeclaredColumn,
    DropColumn,
    Head,
    RenameColumn,
    RenameTable,
    Unparsed,
    foreign_dialect,
    foreign_key_names,
    head,
    object_names,
    parse_statement,
    qualifier,
    unquote,
)
from ..sql.statements import tokens
from .sandbox import MAX_ATTACHED, MAX_LENGTH, SQLITE, Deadline, Error, Reader, Sandbox, error_text

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


def _normalized(sql: str, name: str) -> str:
    """A definition's text for comparison: no name, comments, IF NOT EXISTS, case or spacing."""
    words = []
    folded = ascii_fold(name)
    for tok in tokens(sql):
        if tok.kind in ("space", "comment"):
            continue
        text = tok.text if tok.kind == "quoted" and tok.text[0] == "'" else tok.text.lower()
        word = unquote(text) if tok.kind == "quoted" and text[0] != "'" else text
        if folded is not None and ascii_fold(word) == folded:
            word, folded = "?", None  # the object's own name: renamed copies compare equal
        words.append(word)
    text = " ".join(words)
    return re.sub(r"\bif not exists\b ", "", text).replace("temporary", "temp")


@dataclass
class _Object:
    kind: str
    name: str
    sources: list[Source]
    created: tuple[str, str]  # the CREATE statement that made it, and the name it used
    description: str | None = None
    declared: CreateTable | None = None
    columns: list[DeclaredColumn] | None = None  # follows ALTERs; None when not understood


class _Reading:
    """What grouping, applying and deferring each read of a statement's text (its head, the
    names of its object, its parse), read once per verification."""

    def __init__(self) -> None:
        self.head: Callable[[str], Head] = functools.cache(head)
        self.names: Callable[[str], tuple[str | None, str | None]] = functools.cache(object_names)
        self.parsed: Callable[[str], object] = functools.cache(parse_statement)
        self.engine_hint: Callable[[str, str], str | None] = functools.cache(_engine_hint)
        self.dialect_sign: Callable[[str], str | None] = functools.cache(foreign_dialect)
        self.qualifier: Callable[[str], str | None] = functools.cache(qualifier)


@dataclass
class _State:
    objects: dict[str, _Object] = field(default_factory=dict)
    diagnostics: list[tuple[str, Diagnostic]] = field(default_factory=list)  # by group
    group: str = ""  # the group of the statement or object at hand
    root_of: dict[str, str] = field(default_factory=dict)  # object name: its group
    unattributed: bool = False  # an object was read back whose group is unknown
    deferred: list[SqlStatement] = field(default_factory=list)  # came before their table
    created: set[str] = field(default_factory=set)  # every name ever created
    foreign_groups: dict[tuple[str, str], str] = field(default_factory=dict)
    foreign: set[str] = field(default_factory=set)  # tables made by other-engine DDL
    plain: set[str] = field(default_factory=set)  # see ``_plain_tables``
    rebuilds: dict[int, str] = field(default_factory=dict)  # see ``_rebuilds``
    replaced: dict[int, str] = field(default_factory=dict)  # see ``_replacements``
    conflicted: set[str] = field(default_factory=set)  # tables defined differently twice
    # tables and views dropped, by name: their group, the DROP, what it dropped (kind and
    # name) and where that was created
    dropped: dict[str, tuple[str, SqlStatement, str, Source]] = field(default_factory=dict)
    reading: _Reading = field(default_factory=_Reading)

    def warn(self, stmt: SqlStatement, code: Code, message: str) -> None:
        self.add(code.at(stmt.source, message))

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append((self.group, diagnostic))


def _is_teardown(stmt: SqlStatement) -> bool:
    return stmt.in_test or bool(stmt.function and _TEARDOWN.search(stmt.function))


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


def _engine_hint(path: str, function: str) -> str | None:
    """The name of another engine in a file's path or a function's name."""
    hint = OTHER_ENGINE.search(f"{path} {function}")
    return hint.group() if hint else None


def _foreign_reason(stmt: SqlStatement, reading: _Reading) -> str | None:
    """Why a statement looks written for another engine (its own text, or where it lives)."""
    sign = reading.dialect_sign(stmt.sql)
    if sign:
        return f"{sign!r} is not SQLite"
    hint = reading.engine_hint(stmt.source.path, stmt.function or "")
    return f"it is in {hint!r} code" if hint else None


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
            or (stmt.source.path, stmt.function or "") in state.foreign_groups
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
        if h.kind == "TABLE" and name and not stmt.in_test:
            made.setdefault(ascii_fold(name), stmt.function)
    out: dict[int, str] = {}
    for i, drop in enumerate(statements):
        h = state.reading.head(drop.sql)
        name = state.reading.names(drop.sql)[0] if h.verb == "DROP" and h.kind == "TABLE" else None
        key = ascii_fold(name or "")
        if not name or drop.placeholders or key not in made or made[key] == drop.function:
            continue
        view = next((v for v in statements[i + 1 :] if _makes_view(v, key, drop, state)), None)
        if view is not None:
            where = drop.function or "module level"
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
        and (stmt.source.path, stmt.function) == (drop.source.path, drop.function)
        and ascii_fold(state.reading.names(stmt.sql)[0] or "") == key
    )


def _drops(stmt: SqlStatement, table: str, rename: SqlStatement, state: _State) -> bool:
    """Whether ``stmt`` is a ``DROP TABLE table`` in the function of ``rename``."""
    h = state.reading.head(stmt.sql)
    return (
        h.verb == "DROP"
        and h.kind == "TABLE"
        and not stmt.placeholders
        and (stmt.source.path, stmt.function) == (rename.source.path, rename.function)
        and ascii_fold(state.reading.names(stmt.sql)[0] or "") == ascii_fold(table)
    )


def _foreign_groups(
    statements: Sequence[SqlStatement], reading: _Reading
) -> dict[tuple[str, str], str]:
    """Functions holding any other-engine DDL: all their DDL is for that engine."""
    groups: dict[tuple[str, str], str] = {}
    for stmt in statements:
        if stmt.function and reading.head(stmt.sql).kind is not None:
            reason = _foreign_reason(stmt, reading)
            if reason:
                groups.setdefault((stmt.source.path, stmt.function), reason)
    return groups


def _apply(sandbox: Sandbox, state: _State, stmt: SqlStatement, *, late: bool = False) -> None:
    if len(stmt.sql) > MAX_LENGTH:  # before any regular expression or parser reads it
        state.warn(
            stmt,
            SD203,
            f"statement of {len(stmt.sql):,} characters is longer "
            f"than the scratch database allows ({MAX_LENGTH:,}); not applied",
        )
        return
    h = state.reading.head(stmt.sql)
    skip = _skip_reason(stmt, h)
    if skip is not None:
        code, message = skip
        # another engine's code (a ``postgresql/`` script) is that engine's to run
        if code is not None and not state.reading.engine_hint(
            stmt.source.path, stmt.function or ""
        ):
            state.warn(stmt, code, message)
        return
    name, on_table = state.reading.names(stmt.sql)
    if name is None:
        state.warn(stmt, SD201, f"{h.verb} {h.kind}: no object name found")
        return
    key = ascii_fold(name)
    table_key = ascii_fold(on_table) if on_table else key
    foreign = (
        _foreign_reason(stmt, state.reading)
        or state.foreign_groups.get((stmt.source.path, stmt.function or ""))
        or _foreign_type(stmt, h, key, state)
    )
    if h.verb == "CREATE" and key == table_key and not foreign:
        state.foreign.discard(key)  # this engine's definition, after another engine's
    if id(stmt) in state.rebuilds:
        state.warn(stmt, SD307, state.rebuilds[id(stmt)])
        return
    if id(stmt) in state.replaced:
        state.warn(stmt, SD303, state.replaced[id(stmt)])
        return
    if foreign or table_key in state.foreign:
        if h.verb == "CREATE":
            state.foreign.add(key)
        state.warn(
            stmt,
            SD206,
            f"{h.verb} {h.kind} {name} is written for another "
            f"database engine ({foreign or 'its table is'}); skipped",
        )
        return
    # The parsed model is of tables (SQLite reports indexes, views and triggers in full), and
    # SQLite rejects what is too wide (2,000 columns) faster than sqlglot can read it.
    op: object = None
    if h.kind == "TABLE" and h.verb != "DROP":
        too_long = len(stmt.sql) >= _PARSE_LIMIT
        op = Unparsed("too long") if too_long else state.reading.parsed(stmt.sql)
    if _unknown_table(stmt, name, op):
        state.warn(
            stmt,
            SD105,
            f"CREATE TABLE {name} is built at run time from {', '.join(stmt.placeholders)} "
            "and cannot be documented (neither its name nor any of its columns is known)",
        )
        return
    existing = state.objects.get(key)

    if h.verb == "CREATE" and existing is not None:
        if existing.created == (stmt.sql, name) or _normalized(*existing.created) == _normalized(
            stmt.sql, name
        ):
            existing.sources.append(stmt.source)
        else:
            first = existing.sources[0]
            if any(p in name for p in stmt.placeholders):  # two tables made at run time
                state.warn(
                    stmt,
                    SD308,
                    f"{h.kind} {name}, named at run time, reads like the one at {first}, "
                    "defined otherwise; that one is documented",
                )
                return
            state.warn(
                stmt,
                SD301,
                f"{h.kind} {name} is defined differently at {first}; the first definition "
                "is documented",
            )
            existing.sources.append(stmt.source)
            state.conflicted.add(key)
        return
    if h.verb == "DROP":
        if existing is None:
            return  # DROP ... IF EXISTS of something never created: nothing to do
        if _is_teardown(stmt):
            state.warn(
                stmt,
                SD303,
                f"DROP {h.kind} {name} looks like teardown or rollback code "
                f"({stmt.function or 'a test file'}); {name} stays documented",
            )
            return
    if isinstance(op, AddColumn) and existing is not None and _column_exists(sandbox, name, op):
        state.warn(
            stmt,
            SD302,
            f"column {name}.{op.column.name if op.column else '?'} already exists; "
            "guarded migration skipped",
        )
        return

    # Tables are always empty: DROP's implicit DELETE and the rows a virtual table or
    # CREATE TABLE AS writes touch nothing but the new object.
    writes = h.virtual or h.verb == "DROP" or (isinstance(op, CreateTable) and op.as_select)
    database = state.reading.qualifier(stmt.sql)
    if database and not sandbox.attach(ascii_fold(database)):
        state.warn(
            stmt,
            SD203,
            f"{h.verb} {h.kind} {name}: database {database} would be one more than the "
            f"{MAX_ATTACHED} the scratch database attaches; not applied",
        )
        return
    try:
        sandbox.run(stmt.sql, writes=writes)
    except Deadline as exc:
        state.warn(stmt, SD204, f"{h.verb} {h.kind} {name}: {exc}; not applied")
        return
    except (Error, OverflowError, MemoryError) as exc:
        what = f"{h.verb} {h.kind} {name}"
        if sandbox.denied:
            denied = ", ".join(dict.fromkeys(sandbox.denied))
            state.warn(stmt, SD203, f"{what}: not allowed in the scratch database: {denied}")
        else:
            _failed(state, stmt, what, table_key, error_text(exc) or type(exc).__name__, late)
        return
    _track(state, stmt, h.verb, h.kind or "", name, key, on_table, op)


def _unknown_table(stmt: SqlStatement, name: str, op: object) -> bool:
    """Whether a CREATE TABLE names its table and every column by run-time values only:
    documenting it would document nothing."""
    if not isinstance(op, CreateTable) or op.as_select or not op.columns:
        return False
    unknown = set(stmt.placeholders)
    return name in unknown and all(c.name in unknown for c in op.columns)


_PARSE_LIMIT = 200_000  # characters
_ATTACHED = re.compile(r"no such table: (?!main\.|temp\.)\w+\.")


def _failed(
    state: _State, stmt: SqlStatement, what: str, table_key: str, message: str, late: bool
) -> None:
    """The diagnostic for a statement SQLite rejected (or a retry later)."""
    if (
        not late
        and message.startswith(("no such table", "no such column"))
        and not (what.startswith("CREATE TABLE"))
    ):
        # Migrations, indexes and triggers often sort before the code that creates the table.
        state.deferred.append(stmt)
    elif _ATTACHED.match(message):
        state.warn(
            stmt,
            SD209,
            f"{what} reads an attached database ({message}); not documented",
        )
    elif "no such module" in message:
        state.warn(stmt, SD207, f"{what}: {message} in {SQLITE}; not documented")
    elif stmt.placeholders:
        state.warn(
            stmt,
            SD105,
            f"{what} is built at run time from "
            f"{', '.join(stmt.placeholders)} and cannot be documented ({message})",
        )
    elif table_key in state.conflicted:
        state.warn(
            stmt,
            SD301,
            f"{what} fails on the other definition of its table: {message}",
        )
    else:
        missing = _NO_SUCH_TABLE.match(message)
        table = missing and (missing["name"] or table_key)
        if table and ascii_fold(table) not in state.created:
            state.warn(stmt, SD210, f"{what}: no DDL found creates table {table}; not documented")
        else:
            state.warn(stmt, SD201, f"{SQLITE} rejects {what}: {message}")


_NO_SUCH_TABLE = re.compile(r"no such table(?:: (?:(?:main|temp)\.)?(?P<name>.+))?$")


def _apply_deferred(where: dict[int, tuple[Sandbox, str]], state: _State) -> None:
    """Statements that ran before their table existed, once everything else is in place
    (``where`` is the database and group of each statement, by ``id``).

    Indexes, triggers and added columns are applied then; other ALTERs of a table that is
    created somewhere (renames, drops) were migrations of older databases and are skipped.
    """
    for stmt in state.deferred:
        box, state.group = where[id(stmt)]
        h = state.reading.head(stmt.sql)
        op = state.reading.parsed(stmt.sql)
        name, _ = state.reading.names(stmt.sql)
        key = ascii_fold(name or "")
        if h.verb == "CREATE" or (isinstance(op, AddColumn) and key in state.objects):
            _apply(box, state, stmt, late=True)
        elif (
            key in state.created
            or key in state.objects
            or (isinstance(op, RenameTable) and ascii_fold(op.new_name) in state.objects)
        ):
            state.warn(
                stmt,
                SD304,
                f"ALTER TABLE {name} comes before {name} is "
                "created; skipped as a migration of older databases",
            )
        elif stmt.placeholders:
            state.warn(
                stmt,
                SD105,
                f"ALTER TABLE {name} is built at run time from "
                f"{', '.join(stmt.placeholders)} and cannot be documented",
            )
        else:
            state.warn(
                stmt, SD210, f"ALTER TABLE {name}: no DDL found creates {name}; not documented"
            )


def _column_exists(sandbox: Sandbox, table: str, op: AddColumn) -> bool:
    if op.column is None:
        return False
    with sandbox.reading() as conn:
        rows = conn.execute("SELECT name FROM pragma_table_xinfo(?)", (table,)).fetchall()
    return any(ascii_fold(r[0]) == ascii_fold(op.column.name) for r in rows)


def _track(
    state: _State,
    stmt: SqlStatement,
    verb: str,
    kind: str,
    name: str,
    key: str,
    on_table: str | None,
    op: object,
) -> None:
    """Keep sources, descriptions and the parsed columns in step with what SQLite did."""
    obj = state.objects.get(key)
    if isinstance(op, Unparsed):
        state.warn(
            stmt,
            SD401,
            f"{verb} {kind} {name} is beyond the SQL parser ({op.reason}); documented "
            "from SQLite's view",
        )
    if verb == "CREATE":
        state.created.add(key)
        declared = op if isinstance(op, CreateTable) else None
        state.objects[key] = _Object(
            kind,
            name,
            [stmt.source],
            (stmt.sql, name),
            description=stmt.description or (declared.description if declared else None),
            declared=declared,
            columns=list(declared.columns) if declared and declared.columns is not None else None,
        )
        return
    if verb == "DROP":
        gone = state.objects.pop(key, None)
        if gone is not None and kind in ("TABLE", "VIEW"):
            state.dropped[key] = (state.group, stmt, f"{kind} {name}", gone.sources[0])
        return
    if obj is None:
        return
    obj.sources.append(stmt.source)
    if isinstance(op, RenameTable):
        state.objects.pop(key)
        obj.name = op.new_name
        state.objects[ascii_fold(op.new_name)] = obj
        state.foreign.discard(ascii_fold(op.new_name))  # now this engine's table
    elif obj.columns is None or isinstance(op, Unparsed):
        obj.columns = None
    elif isinstance(op, AddColumn):
        obj.columns = None if op.column is None else [*obj.columns, op.column]
    elif isinstance(op, RenameColumn):
        obj.columns = [
            replace(c, name=op.new) if ascii_fold(c.name) == ascii_fold(op.old) else c
            for c in obj.columns
        ]
    elif isinstance(op, DropColumn):
        obj.columns = [c for c in obj.columns if ascii_fold(c.name) != ascii_fold(op.column)]


# --- reading SQLite's view back ---------------------------------------------------------


def _index_parts(sql: str | None) -> tuple[list[str], str | None]:
    """The column items and the WHERE clause of a CREATE INDEX statement's text."""
    if not sql:
        return [], None
    toks = list(tokens(sql))
    depth = 0
    items: list[str] = []
    start = None
    where = None
    for i, tok in enumerate(toks):
        if tok.text == "(":
            depth += 1
            if depth == 1 and start is None:
                start = tok.end
                continue
        elif tok.text == ")":
            depth -= 1
            if depth == 0 and start is not None and not items:
                items = _split_commas(sql[start : tok.start])
                rest = toks[i + 1 :]
                for j, r in enumerate(rest):
                    if r.kind == "word" and r.text.upper() == "WHERE":
                        where = sql[r.end :].strip() if j + 1 < len(rest) else None
                        break
                break
    return items, where


def _split_commas(text: str) -> list[str]:
    parts, depth, last = [], 0, 0
    for tok in tokens(text):
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif tok.text == "," and depth == 0:
            parts.append(text[last : tok.start].strip())
            last = tok.end
    parts.append(text[last:].strip())
    return [p for p in parts if p]


# Tried only where a run of spaces begins: once per space in a run would take quadratic time.
_ORDER_SUFFIX = re.compile(
    r"(?<!\s)(?:\s+COLLATE\s+(?P<collation>\S+))?(?:\s+(?:ASC|DESC))?\s*$", re.IGNORECASE
)


def _indexed_expression(item: str, collation: str) -> str:
    """The expression of an index column as written, without its order and without the
    ``COLLATE`` that SQLite took as the index column's own (``collation``). A ``COLLATE`` that
    binds to an operand inside (``a || b COLLATE NOCASE``) is part of the expression; so is
    one naming BINARY, which the definition would not show."""
    found = _ORDER_SUFFIX.search(item)
    assert found is not None  # the pattern matches the empty end of any text
    named = found.group("collation")
    own = named is not None and collation.upper() != "BINARY"
    if own and unquote(named).upper() == collation.upper():
        return item[: found.start()]
    end = found.start("collation") + len(named) if named is not None else found.start()
    return item[:end]


def _read_indexes(
    conn: Reader,
    schema: str,
    table: str,
    sources: dict[str, list[Source]],
    sql_of: dict[str, str],
) -> tuple[Index, ...]:
    out = []
    rows = conn.execute(f"PRAGMA {schema}.index_list({_quote(table)})").fetchall()
    # index_list is newest first; list them in creation order.
    for _seq, name, unique, origin, partial in sorted(rows, key=lambda r: r[0], reverse=True):
        items, where = _index_parts(sql_of.get(name))
        columns = []
        info = conn.execute(f"PRAGMA {schema}.index_xinfo({_quote(name)})").fetchall()
        keys = [r for r in info if r[5]]
        for pos, (_seqno, cid, col_name, desc, coll, _key) in enumerate(keys):
            expression = None
            if cid == -2:
                item = items[pos] if pos < len(items) else "?"
                expression = _indexed_expression(item, coll)
            elif cid == -1:
                col_name = "rowid"
            columns.append(IndexColumn(col_name, expression, bool(desc), coll))
        src = sources.get(ascii_fold(name), [])
        out.append(
            Index(
                name,
                table,
                bool(unique),
                origin,
                bool(partial),
                tuple(columns),
                where if partial else None,
                src[0] if src else None,
                sql_of.get(name),
            )
        )
    return tuple(out)


def _read_foreign_keys(
    conn: Reader, schema: str, table: str, names: dict[tuple[str, ...], str]
) -> tuple[ForeignKey, ...]:
    rows = conn.execute(f"PRAGMA {schema}.foreign_key_list({_quote(table)})").fetchall()
    grouped: dict[int, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    out = []
    for fk_id in sorted(grouped, reverse=True):  # SQLite lists them newest first
        parts = sorted(grouped[fk_id], key=lambda r: r[1])
        columns = tuple(r[3] for r in parts)
        out.append(
            ForeignKey(
                columns=columns,
                ref_table=parts[0][2],
                ref_columns=tuple(r[4] for r in parts),
                on_update=parts[0][5],
                on_delete=parts[0][6],
                name=names.get(tuple(ascii_fold(c) for c in columns)),
            )
        )
    return tuple(out)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _verify_columns(
    obj: _Object, columns: tuple[Column, ...], source: Source | None, uniques: set[str]
) -> list[Diagnostic]:
    """Diagnostics where the parsed columns disagree with SQLite's."""
    if obj.columns is None:
        return []
    problems = []
    parsed = {ascii_fold(c.name): c for c in obj.columns}
    actual = {ascii_fold(c.name): c for c in columns if c.hidden != 1}
    for missing in parsed.keys() - actual.keys():
        problems.append(f"parsed column {parsed[missing].name} is not in SQLite's table")
    for extra in actual.keys() - parsed.keys():
        problems.append(f"SQLite has column {actual[extra].name} that the parser missed")
    for key in sorted(parsed.keys() & actual.keys()):
        p, a = parsed[key], actual[key]
        if p.notnull != a.notnull and not a.pk:
            problems.append(f"{a.name}: NOT NULL parsed as {p.notnull}, SQLite says {a.notnull}")
        if p.has_default != (a.default is not None):
            problems.append(
                f"{a.name}: DEFAULT parsed as {p.has_default}, SQLite says {a.default is not None}"
            )
        if p.pk and not a.pk:
            problems.append(f"{a.name}: parsed as PRIMARY KEY, SQLite says it is not")
        if p.unique and key not in uniques and not a.pk:
            problems.append(f"{a.name}: parsed as UNIQUE, SQLite has no such constraint")
    return [
        SD402.at(source, f"table {obj.name}: {problem}; SQLite's view is documented")
        for problem in problems
    ]


def _read_table(
    conn: Reader,
    schema: str,
    name: str,
    kind: str,
    strict: bool,
    without_rowid: bool,
    obj: _Object | None,
    index_sources: dict[str, list[Source]],
    state: _State,
    master: _Master,
) -> Table:
    sql = master.sql.get(("table", name)) or ""
    declared = {ascii_fold(c.name): c for c in (obj.columns or [])} if obj else {}
    fk_names = foreign_key_names(obj.declared) if obj and obj.declared else {}
    columns = []
    for _cid, col_name, col_type, notnull, dflt, pk, hidden in conn.execute(
        f"PRAGMA {schema}.table_xinfo({_quote(name)})"
    ):
        if hidden == 1:
            continue  # a virtual table's hidden column
        d = declared.get(ascii_fold(col_name))
        columns.append(
            Column(
                name=col_name,
                type=col_type,
                notnull=bool(notnull),
                default=dflt,
                pk=pk,
                hidden=hidden,
                collation=d.collation if d else None,
                description=d.description if d else None,
                unique=d.unique if d else False,
                generated=d.generated if d else None,
                checks=d.checks if d else (),
            )
        )
    indexes = _read_indexes(conn, schema, name, index_sources, master.indexes.get(name, {}))
    uniques = {
        ascii_fold(ix.columns[0].name or "")
        for ix in indexes
        if ix.unique and ix.origin == "u" and len(ix.columns) == 1
    }
    columns = [replace(c, unique=ascii_fold(c.name) in uniques) for c in columns]
    source = obj.sources[0] if obj and obj.sources else None
    if obj is not None:
        for diagnostic in _verify_columns(obj, tuple(columns), source, uniques):
            state.add(diagnostic)
    checks: tuple[Check, ...] = obj.declared.checks if obj and obj.declared else ()
    module = obj.declared.module if obj and obj.declared else None
    if kind == "virtual" and module is None:
        module = _module(sql)
    return Table(
        name=name,
        columns=tuple(columns),
        kind=kind,
        sources=tuple(obj.sources) if obj else (),
        description=obj.description if obj else None,
        without_rowid=without_rowid,
        strict=strict,
        temporary=schema == "temp",
        autoincrement=any(c.autoincrement for c in (obj.columns or [])) if obj else False,
        module=module,
        indexes=indexes,
        foreign_keys=_read_foreign_keys(conn, schema, name, fk_names),
        checks=checks,
        sql=sql,
    )


def _module(sql: str) -> str | None:
    """The module of a virtual table's statement."""
    m = re.search(r"\bUSING\s+(\w+)", sql, re.IGNORECASE)
    return m.group(1).lower() if m else None


class _Master:
    """A schema's ``sqlite_master`` read once: statement text by (type, name), and index
    statements by table (queried per object, it made reading back quadratic)."""

    def __init__(self, conn: Reader, schema: str) -> None:
        self.sql: dict[tuple[str, str], str] = {}
        self.indexes: dict[str, dict[str, str]] = {}
        for kind, name, table, sql in conn.execute(
            f"SELECT type, name, tbl_name, sql FROM {schema}.sqlite_master"
        ):
            self.sql[(kind, name)] = sql
            if kind == "index":
                self.indexes.setdefault(table, {})[name] = sql


def _read_parts(sandboxes: Sequence[Sandbox], state: _State) -> dict[str, Schema]:
    """What the databases hold, by group, with the diagnostics of each group: the part of
    the schema that each group yields (without relations)."""
    found: dict[str, tuple[list[Table], list[View], list[Trigger]]] = {}
    index_sources = {k: o.sources for k, o in state.objects.items() if o.kind == "INDEX"}
    for sandbox in sandboxes:
        with sandbox.reading() as conn:
            for schema in sandbox.schemas:
                before = {group: [len(o) for o in objects] for group, objects in found.items()}
                _read_database(conn, schema, state, index_sources, found)
                if schema not in ("main", "temp"):
                    _in_database(found, before, schema)
    diagnostics: dict[str, list[Diagnostic]] = {}
    for group, diagnostic in state.diagnostics:
        diagnostics.setdefault(group, []).append(diagnostic)
    return {
        group: Schema(
            *(tuple(objects) for objects in found.get(group, ([], [], []))),
            diagnostics=tuple(diagnostics.get(group, [])),
        )
        for group in found.keys() | diagnostics.keys()
    }


def _in_database(
    found: dict[str, tuple[list[Table], list[View], list[Trigger]]],
    before: dict[str, list[int]],
    database: str,
) -> None:
    """Mark what was read into ``found`` since ``before`` as being in ``database``."""
    for group, objects in found.items():
        for kind, listed in enumerate(objects):
            start = before.get(group, [0, 0, 0])[kind]
            listed[start:] = [replace(o, database=database) for o in listed[start:]]


def _read_database(
    conn: Reader,
    schema: str,
    state: _State,
    index_sources: dict[str, list[Source]],
    found: dict[str, tuple[list[Table], list[View], list[Trigger]]],
) -> None:
    """Add the tables, views and triggers of one schema of one scratch database to
    ``found``, by group."""

    def of(name: str) -> tuple[list[Table], list[View], list[Trigger]]:
        state.group = _group_of(ascii_fold(name), state.root_of)
        state.unattributed |= state.group == "?"
        return found.setdefault(state.group, ([], [], []))

    master = _Master(conn, schema)
    for _s, name, kind, _ncol, wr, strict in conn.execute(f"PRAGMA {schema}.table_list"):
        if name.startswith("sqlite_") or kind == "shadow":
            continue
        obj = state.objects.get(ascii_fold(name))
        tables, views, _ = of(name)
        if kind == "view":
            views.append(_read_view(conn, schema, name, obj, state, master))
            continue
        try:
            table = _read_table(
                conn, schema, name, kind, bool(strict), bool(wr), obj, index_sources, state, master
            )
        except Error as exc:  # a database file's virtual table of a module SQLite lacks here
            if "no such module" not in error_text(exc):
                raise
            sql = master.sql.get(("table", name)) or ""
            table = Table(name, (), kind, sql=sql, module=_module(sql))
            state.add(SD207(f"table {name}: {error_text(exc)} in {SQLITE}; columns not read"))
        tables.append(table)
    for name, table, sql in conn.execute(
        f"SELECT name, tbl_name, sql FROM {schema}.sqlite_master WHERE type = 'trigger'"
    ):
        obj = state.objects.get(ascii_fold(name))
        sources = tuple(obj.sources) if obj else ()
        of(name)[2].append(Trigger(name, table, sql, sources, obj.description if obj else None))


def _shadow_of(name: str, table: str) -> bool:
    """Whether ``name`` may be a shadow table of the virtual table ``table`` (SQLite names
    them ``<table>_...``)."""
    return name.startswith(table + "_")


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


def normalized_definition(sql: str, name: str) -> str:
    """A definition's text as compared: no name, comments, IF NOT EXISTS, case or spacing."""
    return _normalized(sql, name)


def _group_of(name: str, root_of: dict[str, str]) -> str:
    """The group of an object read back; a virtual table's shadow tables (``<name>_...``) are
    in its group; "?" when none is known."""
    if name in root_of:
        return root_of[name]
    owners = [n for n in root_of if _shadow_of(name, n)]
    return root_of[max(owners, key=len)] if owners else "?"


def _read_view(
    conn: Reader,
    schema: str,
    name: str,
    obj: _Object | None,
    state: _State,
    master: _Master,
) -> View:
    sql = master.sql.get(("view", name)) or ""
    try:
        columns = tuple(r[1] for r in conn.execute(f"PRAGMA {schema}.table_xinfo({_quote(name)})"))
    except Error as exc:
        columns = ()
        source = obj.sources[0] if obj and obj.sources else None
        words = {ascii_fold(unquote(t.text)) for t in tokens(sql) if t.kind in ("word", "quoted")}
        if words & state.conflicted:
            state.add(
                SD301.at(
                    source,
                    f"view {name} fails on the other definition of a table it reads: "
                    f"{error_text(exc)}",
                )
            )
        else:
            state.add(SD202.at(source, f"view {name}: {error_text(exc)}"))
    return View(
        name,
        sql,
        columns,
        tuple(obj.sources) if obj else (),
        obj.description if obj else None,
        schema == "temp",
    )


_Named = TypeVar("_Named", Table, View, Trigger)
_GROUP_STATEMENTS = 256  # a scratch database takes in new groups until it holds this many
_WORD = re.compile(r'"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|\w+')


def _words(sql: str) -> set[str]:
    """Every word and quoted identifier of ``sql``, unquoted and folded: a superset of the
    names it mentions."""
    return {ascii_fold(unquote(w)) for w in _WORD.findall(sql)}


def _groups(
    statements: Sequence[SqlStatement], reading: _Reading
) -> tuple[list[str], dict[str, str]]:
    """For each statement, the group whose statements must share one scratch database;
    also the group of each object name.

    SQLite re-reads its schema table after each CREATE, so thousands of objects in one
    database cost quadratic time; statements that share no object run apart. Statements are
    grouped when they mention a common object name (an index or trigger and its table, a view
    and what it reads, two definitions of one name, a DROP and its object, a virtual table and
    the names of its shadow tables). An index names only itself and its table. A table's
    ``REFERENCES`` to another table count only when that table is altered: a rename rewrites
    the references to it.
    """
    names: set[str] = set()
    altered: set[str] = set()
    heads = []  # (head, the folded name and ON table) of each statement, read once
    for stmt in statements:
        h = reading.head(stmt.sql)
        own: tuple[str, ...] = ()
        if h.verb in ("CREATE", "ALTER") and len(stmt.sql) <= MAX_LENGTH:
            own = tuple(ascii_fold(n) for n in reading.names(stmt.sql) if n)
        heads.append((h, own))
        if not own:
            continue
        names.add(own[0])
        if h.verb == "ALTER":
            altered.add(own[0])
            op = reading.parsed(stmt.sql)
            if isinstance(op, RenameTable):
                names.add(ascii_fold(op.new_name))
                altered.add(ascii_fold(op.new_name))
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    mentions: list[list[str]] = []
    for stmt, (h, own) in zip(statements, heads, strict=True):
        if h.verb == "CREATE" and h.kind == "INDEX":
            found = set(own) & names
        else:
            words = _words(stmt.sql) if len(stmt.sql) <= MAX_LENGTH else set()
            found = words & names
            if h.verb == "CREATE" and h.kind == "TABLE" and own and "select" not in words:
                found = {own[0]} | (found & altered)
                if h.virtual:  # its shadow tables are named after it
                    found |= {n for n in names if _shadow_of(n, own[0])}
        ordered = sorted(found)
        for other in ordered[1:]:
            parent[find(other)] = find(ordered[0])
        mentions.append(ordered)
    return [find(m[0]) if m else "" for m in mentions], {n: find(n) for n in names}


class _Databases:
    """The scratch databases, one per run of groups of about ``_GROUP_STATEMENTS``."""

    def __init__(self) -> None:
        self.all = [Sandbox()]
        self._of: dict[str, Sandbox] = {}
        self._count = 0

    def place(self, group: str) -> Sandbox:
        """The database of ``group`` (statements that mention no object share the last)."""
        box = self._of.get(group)
        if box is None:
            if self._count >= _GROUP_STATEMENTS:
                self.all.append(self.all[0].sibling())
                self._count = 0
            box = self.all[-1]
            if group:
                self._of[group] = box
        if box is self.all[-1]:
            self._count += 1
        return box

    def close(self) -> None:
        for box in self.all:
            box.close()


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


def group_key(statements: Sequence[SqlStatement], foreign: dict[tuple[str, str], str]) -> str:
    """What a group's part depends on: its statements, where they are, and whether their
    function holds other-engine DDL."""
    facts = [
        [
            s.sql,
            [s.source.path, s.source.line, s.source.column],
            s.description,
            list(s.placeholders),
            s.function,
            foreign.get((s.source.path, s.function or "")),
        ]
        for s in statements
    ]
    return hashlib.sha256(json.dumps(facts).encode("utf-8", "surrogatepass")).hexdigest()


def _by_name(objects: Iterable[_Named]) -> tuple[_Named, ...]:
    return tuple(sorted(objects, key=lambda o: (ascii_fold(o.name), o.name)))


def _note_drops(state: _State) -> None:
    """A note where a table or view is dropped and not made again: why it is not documented."""
    for key, (group, stmt, what, created) in state.dropped.items():
        if key not in state.objects:
            state.group = group
            state.warn(
                stmt,
                SD305,
                f"DROP {what} removes what {created} created; it is not documented",
            )


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
            state.group = group
            _apply(box, state, stmt)
        _apply_deferred(where, state)
        _note_drops(state)
        return _read_parts(databases.all, state), not state.unattributed
    finally:
        databases.close()
