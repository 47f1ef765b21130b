"""Applying statements to a scratch database: each is run unless a guard says why not; what
SQLite accepted is tracked, what it rejected is a diagnostic or retried at the end.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

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
    Code,
)
from ..model.schema import SqlStatement, ascii_fold
from ..sql.heads import Head, unquote
from ..sql.parse import AddColumn, CreateTable, DropColumn, RenameColumn, RenameTable, Unparsed
from ..sql.statements import tokens
from .limits import Deadline
from .policy import _foreign_reason, _foreign_type, _is_teardown, _skip_reason, other_engine
from .sandbox import MAX_ATTACHED, MAX_LENGTH, SQLITE, Error, Sandbox, error_text
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


@dataclass
class _Pending:
    """A statement on its way to a scratch database, with its group; what the guards read of
    it is read once, when first asked."""

    state: _State
    sandbox: Sandbox
    stmt: SqlStatement
    group: str
    late: bool = False  # a retry, once everything else is in place

    @functools.cached_property
    def head(self) -> Head:
        return self.state.reading.head(self.stmt.sql)

    @functools.cached_property
    def names(self) -> tuple[str | None, str | None]:
        """The name of its object, and the table an index or trigger is on."""
        return self.state.reading.names(self.stmt.sql)

    @property
    def name(self) -> str:
        return self.names[0] or ""

    @functools.cached_property
    def key(self) -> str:
        return ascii_fold(self.name)

    @functools.cached_property
    def table_key(self) -> str:
        on_table = self.names[1]
        return ascii_fold(on_table) if on_table else self.key

    @functools.cached_property
    def what(self) -> str:
        return f"{self.head.verb} {self.head.kind} {self.name}"

    @functools.cached_property
    def foreign(self) -> str | None:
        """Why it is written for another engine, if it is."""
        stmt, state = self.stmt, self.state
        return (
            _foreign_reason(stmt, state.reading)
            or state.foreign_groups.get((stmt.source.path, stmt.origin.label or ""))
            or _foreign_type(stmt, self.head, self.key, state)
        )

    @functools.cached_property
    def op(self) -> object:
        """The parsed statement of a table (not of a DROP). The parsed model is of tables
        (SQLite reports indexes, views and triggers in full), and SQLite rejects what is too
        wide (2,000 columns) faster than sqlglot can read it."""
        if self.head.kind != "TABLE" or self.head.verb == "DROP":
            return None
        if len(self.stmt.sql) >= _PARSE_LIMIT:
            return Unparsed("too long")
        return self.state.reading.parsed(self.stmt.sql)

    @property
    def existing(self) -> _Object | None:
        return self.state.objects.get(self.key)

    def warn(self, code: Code, message: str) -> None:
        self.state.warn(self.group, self.stmt, code, message)


def _apply(
    sandbox: Sandbox, state: _State, stmt: SqlStatement, group: str, *, late: bool = False
) -> None:
    """Run ``stmt`` (of ``group``) in ``sandbox``, unless a guard says why not."""
    at = _Pending(state, sandbox, stmt, group, late)
    if _too_long(at) or _not_schema(at) or _no_name(at):
        return
    if at.head.verb == "CREATE" and at.key == at.table_key and not at.foreign:
        state.foreign.discard(at.key)  # this engine's definition, after another engine's
    if not any(guard(at) for guard in _GUARDS):
        _run(at)


def _too_long(at: _Pending) -> bool:
    size = len(at.stmt.sql)  # before any regular expression or parser reads it
    if size <= MAX_LENGTH:
        return False
    at.warn(
        SD203,
        f"statement of {size:,} characters is longer "
        f"than the scratch database allows ({MAX_LENGTH:,}); not applied",
    )
    return True


def _not_schema(at: _Pending) -> bool:
    """A statement that changes no schema (DML, transaction control, PRAGMA, ...)."""
    skip = _skip_reason(at.stmt, at.head)
    if skip is None:
        return False
    code, message = skip
    # another engine's code (a ``postgresql/`` script) is that engine's to run
    if code is not None and not other_engine(at.stmt, at.state.reading):
        at.warn(code, message)
    return True


def _no_name(at: _Pending) -> bool:
    if at.names[0] is not None:
        return False
    at.warn(SD201, f"{at.head.verb} {at.head.kind}: no object name found")
    return True


def _rebuild(at: _Pending) -> bool:
    """A step of a rebuild from a copy that no DDL creates (see ``_rebuilds``)."""
    if id(at.stmt) not in at.state.rebuilds:
        return False
    at.warn(SD307, at.state.rebuilds[id(at.stmt)])
    return True


def _replacement(at: _Pending) -> bool:
    """A step of replacing a table by a view (see ``_replacements``)."""
    if id(at.stmt) not in at.state.replaced:
        return False
    at.warn(SD303, at.state.replaced[id(at.stmt)])
    return True


def _other_engine(at: _Pending) -> bool:
    """DDL written for another engine, or on a table that is."""
    if not (at.foreign or at.table_key in at.state.foreign):
        return False
    if at.head.verb == "CREATE":
        at.state.foreign.add(at.key)
    at.warn(
        SD206,
        f"{at.what} is written for another "
        f"database engine ({at.foreign or 'its table is'}); skipped",
    )
    return True


def _name_unknown(at: _Pending) -> bool:
    """A CREATE TABLE whose name and columns are all run-time values."""
    if not _unknown_table(at.stmt, at.name, at.op):
        return False
    at.warn(
        SD105,
        f"CREATE TABLE {at.name} is built at run time from {', '.join(at.stmt.placeholders)} "
        "and cannot be documented (neither its name nor any of its columns is known)",
    )
    return True


def _duplicate(at: _Pending) -> bool:
    """A second CREATE of a name: the same definition adds a source, another is noted."""
    existing, stmt, name = at.existing, at.stmt, at.name
    if at.head.verb != "CREATE" or existing is None:
        return False
    first = existing.sources[0]
    if existing.created == (stmt.sql, name) or _normalized(*existing.created) == _normalized(
        stmt.sql, name
    ):
        existing.sources.append(stmt.source)
    elif any(p in name for p in stmt.placeholders):  # two tables made at run time
        at.warn(
            SD308,
            f"{at.head.kind} {name}, named at run time, reads like the one at {first}, "
            "defined otherwise; that one is documented",
        )
    else:
        at.warn(
            SD301,
            f"{at.head.kind} {name} is defined differently at {first}; the first definition "
            "is documented",
        )
        existing.sources.append(stmt.source)
        at.state.conflicted.add(at.key)
    return True


def _dropped_unmade(at: _Pending) -> bool:
    """DROP ... IF EXISTS of something never created: nothing to do."""
    return at.head.verb == "DROP" and at.existing is None


def _teardown_drop(at: _Pending) -> bool:
    if at.head.verb != "DROP" or not _is_teardown(at.stmt):
        return False
    at.warn(
        SD303,
        f"DROP {at.head.kind} {at.name} looks like teardown or rollback code "
        f"({at.stmt.origin.label or 'a test file'}); {at.name} stays documented",
    )
    return True


def _column_there(at: _Pending) -> bool:
    """A guarded ADD COLUMN of a column the table already has."""
    op = at.op
    if not isinstance(op, AddColumn) or at.existing is None:
        return False
    if not _column_exists(at.sandbox, at.name, op):
        return False
    at.warn(
        SD302,
        f"column {at.name}.{op.column.name if op.column else '?'} already exists; "
        "guarded migration skipped",
    )
    return True


def _attach_limit(at: _Pending) -> bool:
    """A statement on an attached database beyond those the scratch database attaches."""
    database = at.state.reading.qualifier(at.stmt.sql)
    if not database or at.sandbox.attach(ascii_fold(database)):
        return False
    at.warn(
        SD203,
        f"{at.what}: database {database} would be one more than the "
        f"{MAX_ATTACHED} the scratch database attaches; not applied",
    )
    return True


# After the name is known, in order; each handles the statement (True) or passes it on.
_GUARDS: tuple[Callable[[_Pending], bool], ...] = (
    _rebuild,
    _replacement,
    _other_engine,
    _name_unknown,
    _duplicate,
    _dropped_unmade,
    _teardown_drop,
    _column_there,
    _attach_limit,
)


def _run(at: _Pending) -> None:
    """Run the statement; track what SQLite made of it, or say why SQLite refused it."""
    h, op = at.head, at.op
    # Tables are always empty: DROP's implicit DELETE and the rows a virtual table or
    # CREATE TABLE AS writes touch nothing but the new object.
    writes = h.virtual or h.verb == "DROP" or (isinstance(op, CreateTable) and op.as_select)
    try:
        at.sandbox.run(at.stmt.sql, writes=writes)
    except Deadline as exc:
        at.warn(SD204, f"{at.what}: {exc}; not applied")
        return
    except (Error, OverflowError, MemoryError) as exc:
        if at.sandbox.denied:
            denied = ", ".join(dict.fromkeys(at.sandbox.denied))
            at.warn(SD203, f"{at.what}: not allowed in the scratch database: {denied}")
        else:
            _failed(at, error_text(exc) or type(exc).__name__)
        return
    _track(at)


def _unknown_table(stmt: SqlStatement, name: str, op: object) -> bool:
    """Whether a CREATE TABLE names its table and every column by run-time values only:
    documenting it would document nothing."""
    if not isinstance(op, CreateTable) or op.as_select or not op.columns:
        return False
    unknown = set(stmt.placeholders)
    return name in unknown and all(c.name in unknown for c in op.columns)


_PARSE_LIMIT = 200_000  # characters
_ATTACHED = re.compile(r"no such table: (?!main\.|temp\.)\w+\.")


def _failed(at: _Pending, message: str) -> None:
    """The diagnostic for a statement SQLite rejected (or a retry later)."""
    state, stmt, what, table_key = at.state, at.stmt, at.what, at.table_key
    if (
        not at.late
        and message.startswith(("no such table", "no such column"))
        and not (what.startswith("CREATE TABLE"))
    ):
        # Migrations, indexes and triggers often sort before the code that creates the table.
        state.deferred.append(stmt)
    elif _ATTACHED.match(message):
        at.warn(
            SD209,
            f"{what} reads an attached database ({message}); not documented",
        )
    elif "no such module" in message:
        at.warn(SD207, f"{what}: {message} in {SQLITE}; not documented")
    elif stmt.placeholders:
        at.warn(
            SD105,
            f"{what} is built at run time from "
            f"{', '.join(stmt.placeholders)} and cannot be documented ({message})",
        )
    elif table_key in state.conflicted:
        at.warn(
            SD301,
            f"{what} fails on the other definition of its table: {message}",
        )
    else:
        missing = _NO_SUCH_TABLE.match(message)
        table = missing and (missing["name"] or table_key)
        if table and ascii_fold(table) not in state.created:
            at.warn(SD210, f"{what}: no DDL found creates table {table}; not documented")
        else:
            at.warn(SD201, f"{SQLITE} rejects {what}: {message}")


_NO_SUCH_TABLE = re.compile(r"no such table(?:: (?:(?:main|temp)\.)?(?P<name>.+))?$")


def _apply_deferred(where: dict[int, tuple[Sandbox, str]], state: _State) -> None:
    """Statements that ran before their table existed, once everything else is in place
    (``where`` is the database and group of each statement, by ``id``).

    Indexes, triggers and added columns are applied then; other ALTERs of a table that is
    created somewhere (renames, drops) were migrations of older databases and are skipped.
    """
    for stmt in state.deferred:
        box, group = where[id(stmt)]
        h = state.reading.head(stmt.sql)
        op = state.reading.parsed(stmt.sql)
        name, _ = state.reading.names(stmt.sql)
        key = ascii_fold(name or "")
        if h.verb == "CREATE" or (isinstance(op, AddColumn) and key in state.objects):
            _apply(box, state, stmt, group, late=True)
        elif (
            key in state.created
            or key in state.objects
            or (isinstance(op, RenameTable) and ascii_fold(op.new_name) in state.objects)
        ):
            state.warn(
                group,
                stmt,
                SD304,
                f"ALTER TABLE {name} comes before {name} is "
                "created; skipped as a migration of older databases",
            )
        elif stmt.placeholders:
            state.warn(
                group,
                stmt,
                SD105,
                f"ALTER TABLE {name} is built at run time from "
                f"{', '.join(stmt.placeholders)} and cannot be documented",
            )
        else:
            state.warn(
                group,
                stmt,
                SD210,
                f"ALTER TABLE {name}: no DDL found creates {name}; not documented",
            )


def _column_exists(sandbox: Sandbox, table: str, op: AddColumn) -> bool:
    if op.column is None:
        return False
    with sandbox.reading() as conn:
        rows = conn.execute("SELECT name FROM pragma_table_xinfo(?)", (table,)).fetchall()
    return any(ascii_fold(r[0]) == ascii_fold(op.column.name) for r in rows)


def _track(at: _Pending) -> None:
    """Keep sources, descriptions and the parsed columns in step with what SQLite did."""
    state, stmt, name, key, op = at.state, at.stmt, at.name, at.key, at.op
    verb, kind = at.head.verb, at.head.kind or ""
    obj = state.objects.get(key)
    if isinstance(op, Unparsed):
        at.warn(
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
            state.dropped[key] = (at.group, stmt, f"{kind} {name}", gone.sources[0])
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
            state.warn(
                group,
                stmt,
                SD305,
                f"DROP {what} removes what {created} created; it is not documented",
            )
