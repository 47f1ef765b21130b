"""A scratch SQLite database that accepts schema changes and nothing else.

Scanned SQL is untrusted. The connection is in memory (temporary storage too, so nothing is
ever written to disk), an authorizer allows only the actions that schema statements need (DENY
for the rest, never IGNORE), ATTACH is impossible, and limits stop anything that would grow or
loop: a length limit on strings and statements, a page limit on each database, a cap on
SQLite's heap while scanned SQL is prepared or run, a per-statement deadline and a time budget
for the whole run.

The deadline is kept from outside, and the built-in functions one call of which can take
minutes are replaced by checked calls of themselves (see :mod:`.limits`). For the same reason
(SQLite's interrupt does not reach into one call) a virtual table's arguments, which its
module reads in one call, are limited.

Calls of denied functions (``load_extension``, ``fts3_tokenizer``, ...) are refused wherever
they are written, also in DEFAULTs and view and trigger bodies, which SQLite stores unchecked.

Tables stay empty: the rows a ``CREATE TABLE ... AS SELECT`` writes are deleted at once, so no
later statement evaluates scanned expressions over user rows, and since nothing ever inserts
into a user object, no trigger ever fires and no DEFAULT is ever evaluated.

Views stay cheap to read: preparing a view expands every view it reads, in one call that
neither the deadline nor an interrupt reaches. Each statement that creates a view, or may make
an existing view readable, expands the views concerned under the limits (the authorizer checks
the clock while a statement is prepared); one past a limit undoes the statement.

The SQLite is the one apsw bundles (:data:`SQLITE_VERSION`), not the one Python was built
with: with the same apsw release the same statements give the same schema, and the same
messages, on every machine. It runs in defensive mode, with ``trusted_schema`` off (only
built-in and innocuous functions in schema objects) and extension loading off.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import apsw

from ..sql.statements import tokens
from .limits import (
    _WATCHDOG,
    Deadline,
    check_costly_calls,
)
from .lockdown import (
    _ACTION_NAMES,
    _CHECK_PRAGMAS,
    _DENIED_FUNCTIONS,
    _INTERNAL_PRAGMAS,
    _SCHEMA_ACTIONS,
    _SYSTEM_TABLES,
    _WRITES,
    _only_statement,
    connect,
    denied_calls,
)

SQLITE_VERSION: str = apsw.sqlite_lib_version()
SQLITE = f"SQLite {SQLITE_VERSION}"  # for messages: what rejected a statement
Error = apsw.Error  # what the scratch database raises

MAX_LENGTH = 5_000_000  # bytes in one string, blob or statement
MAX_VIRTUAL_LENGTH = 100_000  # bytes in one CREATE VIRTUAL TABLE
PAGE_SIZE = 1024  # scratch databases hold schemas: a table's root page takes 1 KiB, not 4
MAX_PAGES = 256 * 2**20 // PAGE_SIZE  # per database: 256 MiB
MAX_ATTACHED = 8  # databases that DDL names beside main (see ``Sandbox.attach``)
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
HEAP_BUDGET = 512 * 1024 * 1024  # SQLite heap a statement may add (bytes)
DEADLINE_SECONDS = 2.0  # one statement
BUDGET_SECONDS = 30.0  # all statements of one sandbox; past it each gets FLOOR_SECONDS
FLOOR_SECONDS = 0.1
LAST_SECONDS = 0.05  # past twice the budget: time enough for any statement that is DDL
HARD_BUDGET_FACTOR = 4  # past this many budgets, statements are not run at all
READ_BUDGET_FACTOR = 3  # our own reads may take this many times the budget in all


def _virtual(sql: str) -> bool:
    """Whether ``sql`` is a CREATE VIRTUAL TABLE."""
    words = (t.text.upper() for t in tokens(sql) if t.kind == "word")
    return next(words, "") == "CREATE" and next(words, "") == "VIRTUAL"


def error_text(exc: BaseException) -> str:
    """SQLite's own text of an error (older apsw releases put the class name in front)."""
    text = str(exc)
    prefix = f"{type(exc).__name__}: "
    return text[len(prefix) :] if isinstance(exc, Error) and text.startswith(prefix) else text


def _out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's heap (or Python's) running out: the heap cap."""
    return isinstance(exc, (MemoryError, apsw.NoMemError))


class _Rows(list):
    """Rows fetched at once, with the cursor methods our readers use."""

    def fetchall(self) -> list:
        return list(self)

    def fetchone(self) -> Any:
        return self[0] if self else None


class Reader:
    """The connection for our own reads. Each read runs under a deadline and the heap cap;
    rows come fetched at once, and any failure is an :data:`Error`."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def execute(self, sql: str, parameters: Any = ()) -> _Rows:
        box = self._sandbox
        deadline = max(READ_BUDGET_FACTOR * box.budget - box.account.read_spent, FLOOR_SECONDS)
        started = time.monotonic()
        try:
            with box._guarded(box._authorize_reads, deadline, count=False):
                return _Rows(box.conn.execute(sql, parameters).fetchall())
        except (Error, MemoryError, Deadline) as exc:
            if box._timed_out:
                raise apsw.InterruptError(
                    f"reading the scratch database stopped after {deadline:g} s (the reading "
                    f"budget of {READ_BUDGET_FACTOR * box.budget:g} s is spent)"
                ) from exc
            if _out_of_memory(exc):
                raise apsw.NoMemError(f"more than {HEAP_BUDGET // 2**20} MiB of memory") from exc
            raise
        finally:
            box.account.read_spent += time.monotonic() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sandbox.conn, name)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class _Account:
    """Seconds spent so far, shared by a sandbox and its siblings."""

    spent: float = 0.0  # scanned SQL
    read_spent: float = 0.0  # our own reads


class Sandbox:
    """The locked-down scratch database. Use :meth:`run` for scanned SQL."""

    def __init__(
        self,
        deadline: float | None = None,
        budget: float | None = None,
        account: _Account | None = None,
        conn: apsw.Connection | None = None,
    ) -> None:
        self.conn = connect() if conn is None else conn  # given: see database.DatabaseFile
        self.deadline = DEADLINE_SECONDS if deadline is None else deadline
        self.budget = BUDGET_SECONDS if budget is None else budget
        self.account = account or _Account()
        self.denied: list[str] = []
        self._writes_allowed = False
        self._stop_at = math.inf  # while no statement runs
        self._timed_out = False
        self._costly: str | None = None  # the function of a call refused for its cost
        self._call_failure: BaseException | None = None  # what a checked call raised
        self._unresolved: set[tuple[str, str]] = set()  # views that read something missing
        self.schemas = ["main", "temp"]  # and the databases attached (see ``attach``)
        self._closed = False
        self.conn.limit(apsw.SQLITE_LIMIT_ATTACHED, 0)
        self.conn.limit(apsw.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
        self.conn.limit(apsw.SQLITE_LIMIT_SQL_LENGTH, MAX_LENGTH)
        # Nothing on disk: sorter and temporary tables stay in memory; both databases are capped.
        self.conn.execute("PRAGMA temp_store = MEMORY")
        for schema in ("main", "temp"):
            self._cap(schema)
        self._builtins = connect()  # where the checked calls run (bound values only)
        self._builtins.limit(apsw.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
        check_costly_calls(self)
        _WATCHDOG.opened()

    def attach(self, schema: str) -> bool:
        """An empty in-memory database named ``schema`` beside ``main``, under the same
        limits, for DDL that names it (``CREATE TABLE mem.cache``); False when
        ``MAX_ATTACHED`` are. Scanned SQL itself can never attach anything."""
        if schema in self.schemas:
            return True
        attached = len(self.schemas) - 1
        if not _PLAIN_NAME.fullmatch(schema):
            return False
        if attached > MAX_ATTACHED:
            return False
        self.conn.limit(apsw.SQLITE_LIMIT_ATTACHED, attached)
        switches = (
            apsw.SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE,
            apsw.SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE,
        )
        for op in switches:  # an in-memory database, writable: only while we attach it
            self.conn.config(op, 1)
        try:
            self.conn.execute(f"ATTACH DATABASE ':memory:' AS {_quote(schema)}")
        finally:
            for op in switches:
                self.conn.config(op, 0)
        self._cap(_quote(schema))
        self.schemas.append(schema)
        return True

    def _cap(self, schema: str) -> None:
        """Small pages for a new database (a database file keeps its own), at most MAX_PAGES."""
        self.conn.execute(f"PRAGMA {schema}.page_size = {PAGE_SIZE}")
        self.conn.execute(f"PRAGMA {schema}.max_page_count = {MAX_PAGES}")

    def sibling(self) -> Sandbox:
        """Another scratch database under the same limits, spending the same budget."""
        return Sandbox(self.deadline, self.budget, self.account)

    @property
    def spent(self) -> float:
        """Seconds that scanned SQL has run so far, in this sandbox and its siblings."""
        return self.account.spent

    # --- the lock-down ------------------------------------------------------------------

    def _late(self) -> bool:
        if time.monotonic() > self._stop_at:
            self._timed_out = True
        return self._timed_out

    def _authorize(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, _trigger: str | None
    ) -> int:
        if self._late():  # the authorizer is asked while a statement is prepared, too
            return apsw.SQLITE_DENY
        if action in _SCHEMA_ACTIONS:
            return apsw.SQLITE_OK
        if action in _WRITES and (arg1 in _SYSTEM_TABLES or self._writes_allowed):
            return apsw.SQLITE_OK
        if action == apsw.SQLITE_FUNCTION and (arg2 or "").lower() not in _DENIED_FUNCTIONS:
            return apsw.SQLITE_OK
        if action == apsw.SQLITE_PRAGMA and (
            ((arg1 or "").lower() in _INTERNAL_PRAGMAS and not arg2)
            or (arg1 or "").lower() in _CHECK_PRAGMAS
        ):
            return apsw.SQLITE_OK
        what = _ACTION_NAMES.get(action, str(action))
        self.denied.append(f"{what} {arg2 or arg1 or ''}".strip())
        return apsw.SQLITE_DENY

    def _authorize_reads(self, *_args: object) -> int:
        """Our own reads may do anything, but not past their deadline."""
        return apsw.SQLITE_DENY if self._late() else apsw.SQLITE_OK

    def _interrupt(self) -> None:
        """Stop the statement at hand (called by the watchdog's thread)."""
        self._timed_out = True
        with contextlib.suppress(Error):
            self.conn.interrupt()

    @contextmanager
    def _guarded(
        self, authorizer: Callable[..., int], deadline: float, *, count: bool = True
    ) -> Iterator[None]:
        """Authorizer, deadline and heap cap around statements; ``count`` their time. A block
        that ends past the deadline raises as if interrupted."""
        started = time.monotonic()
        self._stop_at = started + deadline
        self._timed_out = False
        self._costly = self._call_failure = None
        self.conn.set_authorizer(authorizer)
        try:
            with _heap_cap(), _WATCHDOG.watching(self, self._stop_at):
                yield
            if self._late():
                raise apsw.InterruptError("interrupted")
        finally:
            self._stop_at = math.inf
            self.conn.set_authorizer(None)
            if count:
                self.account.spent += time.monotonic() - started

    def _deadline(self) -> float:
        """The deadline of the next statement: its own, while the budget lasts; then
        FLOOR_SECONDS; past twice the budget, LAST_SECONDS."""
        if self.spent >= 2 * self.budget:
            return LAST_SECONDS
        return max(min(self.deadline, self.budget - self.spent), FLOOR_SECONDS)

    def _stopped(self, deadline: float) -> Deadline:
        if self._costly:
            return Deadline(
                f"stopped: a call of {self._costly}() would run past the {deadline:g} s limit"
            )
        spent = "" if deadline >= self.deadline else f" (the {self.budget:g} s budget is spent)"
        return Deadline(f"stopped after {deadline:g} s{spent}")

    # --- scanned SQL ----------------------------------------------------------------------

    def run(self, sql: str, *, writes: bool = False) -> None:
        """Execute one scanned statement under the lock-down.

        ``writes`` lets the statement fill the table it creates (virtual table shadow tables,
        ``CREATE TABLE ... AS SELECT``); the rows of new ordinary tables are deleted at once.
        Views are kept cheap to read: a new view is expanded once under the same limits, and
        so is every view a statement may have made expandable (one that read something
        missing); if that runs into a limit, the whole statement is undone. Raises
        :data:`Error` (with :attr:`denied` naming what the lock-down refused, if it was
        that; ``apsw.NoMemError`` or MemoryError for the heap cap), or Deadline.
        """
        self.denied.clear()
        size = len(sql.encode("utf-8", "surrogatepass"))
        if size > MAX_LENGTH:
            self.denied.append(f"a statement over {MAX_LENGTH:,} bytes")
            raise apsw.TooBigError("statement too long")
        if size > MAX_VIRTUAL_LENGTH and _virtual(sql):  # its module reads it in one call
            self.denied.append(f"a virtual table statement over {MAX_VIRTUAL_LENGTH:,} bytes")
            raise apsw.TooBigError("statement too long")
        if "\x00" in sql:  # where SQLite's C interface would end the statement
            raise apsw.SQLError("a NUL character in the statement")
        calls = denied_calls(sql)
        if calls:
            self.denied.extend(calls)
            raise apsw.AuthError("not authorized")
        if self.spent >= HARD_BUDGET_FACTOR * self.budget:
            limit = HARD_BUDGET_FACTOR * self.budget
            raise Deadline(f"not run: the {limit:g} s budget of the whole run is spent")
        marks = self._marks()
        self.conn.execute("SAVEPOINT schemadoc_statement")
        try:
            self._writes_allowed = writes
            deadline = self._deadline()
            try:
                with self._guarded(self._authorize, deadline):
                    cursor = self.conn.cursor()
                    cursor.exec_trace = _only_statement(sql)
                    try:  # not cached: a prepared statement holds what it expanded
                        cursor.execute(sql, can_cache=False)
                    finally:
                        cursor.close(force=True)
            except (Error, MemoryError, Deadline) as exc:
                raise self._failure(exc, deadline) from exc
            finally:
                self._writes_allowed = False
            created = self._created(marks)
            self._unresolved = self._expand(self._to_expand(sql, created))
            if writes and not any(
                kind == "table" and (text or "")[:14].upper() == "CREATE VIRTUAL"
                for _s, kind, _n, text in created
            ):
                self._empty([(s, n) for s, kind, n, _sql in created if kind == "table"])
        except BaseException:
            with contextlib.suppress(Error):
                self.conn.execute("ROLLBACK TO schemadoc_statement")
            with contextlib.suppress(Error):
                self.conn.execute("RELEASE schemadoc_statement")
            raise
        self.conn.execute("RELEASE schemadoc_statement")

    def _to_expand(
        self, sql: str, created: list[tuple[str, str, str, str | None]]
    ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """(views to expand now, views still unresolved otherwise) after ``sql`` ran."""
        new = {(schema, name) for schema, kind, name, _sql in created if kind == "view"}
        verb = next((t.text.upper() for t in tokens(sql) if t.kind == "word"), "")
        if verb == "DROP":  # views may now read something missing: find out which
            every = {
                (schema, name)
                for schema in self.schemas
                for (name,) in self.conn.execute(
                    f"SELECT name FROM {_quote(schema)}.sqlite_master WHERE type = 'view'"
                ).fetchall()
            }
            return every, set()
        kinds = {kind for _s, kind, _n, _sql in created}
        if verb == "ALTER" or kinds & {"table", "view"}:
            return new | self._unresolved, set()
        return new, set(self._unresolved)

    def _expand(self, views: tuple[set[tuple[str, str]], set[tuple[str, str]]]) -> set:
        """Expand ``views[0]`` as reading them back will; the views that read something
        missing, with ``views[1]``. A view past a limit raises (the statement is undone)."""
        check, unresolved = views
        if not check:
            return unresolved
        deadline = self._deadline()
        try:
            with self._guarded(self._authorize_reads, deadline):
                for schema, name in sorted(check):
                    try:
                        # What PRAGMA table_list does to count a view's columns: prepare it.
                        self.conn.execute(
                            f"EXPLAIN SELECT * FROM {_quote(schema)}.{_quote(name)}",
                            can_cache=False,
                        ).close(force=True)
                    except Error as exc:
                        if self._timed_out or _out_of_memory(exc):
                            raise
                        unresolved.add((schema, name))
                    if self._timed_out:
                        raise apsw.InterruptError("interrupted")
        except (Error, MemoryError) as exc:
            raise self._failure(exc, deadline) from exc
        return unresolved

    def _failure(self, exc: BaseException, deadline: float) -> BaseException:
        """What to raise for a failed statement: Deadline, or ``exc`` with ``denied`` set."""
        if self._timed_out:
            self.denied.clear()
            return self._stopped(deadline)
        exc = self._call_failure or exc
        if _out_of_memory(exc):
            self.denied.append(f"more than {HEAP_BUDGET // 2**20} MiB of memory")
        elif error_text(exc) in ("string or blob too big", "statement too long"):
            self.denied.append(f"a value or statement over {MAX_LENGTH:,} bytes")
        elif error_text(exc) == "database or disk is full":
            self.denied.append(f"more than {MAX_PAGES * PAGE_SIZE // 2**20} MiB of data")
        return exc

    def _marks(self) -> tuple[int, ...]:
        """The highest rowid of each schema table: newer rows are new objects."""
        return tuple(
            self.conn.execute(
                f"SELECT coalesce(max(rowid), 0) FROM {_quote(s)}.sqlite_master"
            ).fetchone()[0]
            for s in self.schemas
        )

    def _created(self, marks: tuple[int, ...]) -> list[tuple[str, str, str, str | None]]:
        out = []
        for schema, mark in zip(self.schemas, marks, strict=True):
            rows = self.conn.execute(
                f"SELECT type, name, sql FROM {_quote(schema)}.sqlite_master WHERE rowid > ?",
                (mark,),
            ).fetchall()
            out.extend((schema, kind, name, sql) for kind, name, sql in rows)
        return out

    def _empty(self, tables: list[tuple[str, str]]) -> None:
        """Delete the rows a statement wrote into the tables it created (no triggers exist)."""
        for schema, name in tables:
            if not name.startswith("sqlite_"):
                self.conn.execute(f"DELETE FROM {_quote(schema)}.{_quote(name)}")

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """The connection for our own reads (no lock-down but the limits): each statement is
        under a deadline and the heap cap, rows come fetched, and a failure is :data:`Error`."""
        yield Reader(self)

    def close(self) -> None:
        """Close the databases (once: closing again does nothing)."""
        if self._closed:
            return
        self._closed = True
        self.conn.close()
        self._builtins.close()
        _WATCHDOG.closed()


@contextmanager
def _heap_cap() -> Iterator[None]:
    """SQLite's heap may grow by HEAP_BUDGET at most: preparing a statement that expands
    nested views can explode, and no interrupt reaches into the expansion (the authorizer's
    deadline check does only where it is asked). The limit is process-wide (for apsw's
    SQLite only) and restored afterwards."""
    before = apsw.hard_heap_limit(-1)
    cap = apsw.memory_used() + HEAP_BUDGET
    apsw.hard_heap_limit(cap if not before else min(before, cap))
    try:
        yield
    finally:
        apsw.hard_heap_limit(before)
