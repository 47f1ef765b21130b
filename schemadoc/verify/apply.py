"""Applying statements to a scratch database: each is run unless a guard says why not; what
SQLite accepted is tracked, what it rejected is a diagnostic or retried at the end.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model.diagnostics import (
    SD105,
    SD201,
    SD203,
    SD204,
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
)
from ..model.schema import SqlStatement, ascii_fold
from ..sql.parse import (
    AddColumn,
    CreateTable,
    DropColumn,
    RenameColumn,
    RenameTable,
    Unparsed,
    unquote,
)
from ..sql.statements import tokens
from .policy import _foreign_reason, _foreign_type, _is_teardown, _skip_reason
from .sandbox import MAX_ATTACHED, MAX_LENGTH, SQLITE, Deadline, Error, Sandbox, error_text
from .state import _Object, _State


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


def normalized_definition(sql: str, name: str) -> str:
    """A definition's text as compared: no name, comments, IF NOT EXISTS, case or spacing."""
    return _normalized(sql, name)


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
