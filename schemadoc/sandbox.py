"""A scratch SQLite database that accepts schema changes and nothing else.

Scanned SQL is untrusted. The connection is in memory (temporary storage too, so nothing is
ever written to disk), an authorizer allows only the actions that schema statements need (DENY
for the rest, never IGNORE), ATTACH is impossible, and limits stop anything that would grow or
loop: a length limit on strings and statements, a page limit on each database, a cap on
SQLite's heap while scanned SQL is prepared or run, a per-statement deadline and a time budget
for the whole run.

Calls of denied functions (``load_extension``, ``fts3_tokenizer``, ...) are refused wherever
they are written, also in DEFAULTs and view and trigger bodies, which SQLite stores unchecked.

Tables stay empty: the rows a ``CREATE TABLE ... AS SELECT`` writes are deleted at once, so no
later statement evaluates scanned expressions over user rows, and since nothing ever inserts
into a user object, no trigger ever fires and no DEFAULT is ever evaluated.

Views stay cheap to read: preparing a view expands every view it reads, in one call that
neither the deadline nor an interrupt reaches. Each statement that creates a view, or may make
an existing view readable, expands the views concerned under the limits (the authorizer checks
the clock while a statement is prepared); one past a limit undoes the statement.
"""

from __future__ import annotations

import contextlib
import ctypes
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .statements import tokens

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
        sqlite3.SQLITE_CREATE_INDEX,
        sqlite3.SQLITE_CREATE_TABLE,
        sqlite3.SQLITE_CREATE_TEMP_INDEX,
        sqlite3.SQLITE_CREATE_TEMP_TABLE,
        sqlite3.SQLITE_CREATE_TEMP_TRIGGER,
        sqlite3.SQLITE_CREATE_TEMP_VIEW,
        sqlite3.SQLITE_CREATE_TRIGGER,
        sqlite3.SQLITE_CREATE_VIEW,
        sqlite3.SQLITE_DROP_INDEX,
        sqlite3.SQLITE_DROP_TABLE,
        sqlite3.SQLITE_DROP_TEMP_INDEX,
        sqlite3.SQLITE_DROP_TEMP_TABLE,
        sqlite3.SQLITE_DROP_TEMP_TRIGGER,
        sqlite3.SQLITE_DROP_TEMP_VIEW,
        sqlite3.SQLITE_DROP_TRIGGER,
        sqlite3.SQLITE_DROP_VIEW,
        sqlite3.SQLITE_ALTER_TABLE,
        sqlite3.SQLITE_CREATE_VTABLE,
        sqlite3.SQLITE_DROP_VTABLE,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_RECURSIVE,
        sqlite3.SQLITE_REINDEX,  # CREATE INDEX asks for it
    }
)
_WRITES = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})
# Read (no argument) by SQLite itself: rtree asks for the page size when it creates a table.
_INTERNAL_PRAGMAS = frozenset({"data_version", "page_size"})
# Read-only, with any argument: ALTER TABLE ADD COLUMN with a CHECK or a NOT NULL generated
# column runs pragma_quick_check on the table.
_CHECK_PRAGMAS = frozenset({"quick_check"})

MAX_LENGTH = 5_000_000  # bytes in one string, blob or statement
MAX_PAGES = 65_536  # per database: 256 MiB with 4 KiB pages
HEAP_BUDGET = 512 * 1024 * 1024  # SQLite heap a statement may add (bytes)
DEADLINE_SECONDS = 2.0  # one statement
BUDGET_SECONDS = 30.0  # all statements of one sandbox; past it each gets FLOOR_SECONDS
FLOOR_SECONDS = 0.1
READ_BUDGET_FACTOR = 3  # our own reads may take this many times the budget in all
PROGRESS_STEPS = 100  # virtual machine steps between deadline checks


class Deadline(Exception):
    """A statement ran past its deadline."""


def _library_functions() -> tuple[Callable[[int], int], Callable[[], int]] | None:
    """``sqlite3_hard_heap_limit64`` and ``sqlite3_memory_used`` of the SQLite library that
    :mod:`sqlite3` uses, if they can be reached.

    The heap limit is process-wide; through the C function it can be restored afterwards (the
    PRAGMA can only lower it). The library found is checked to be the one the module uses.
    """
    try:
        import _sqlite3

        names = [getattr(_sqlite3, "__file__", None)]
        if sys.platform == "win32":
            names.append("sqlite3.dll")
        for name in filter(None, names):
            with contextlib.suppress(OSError, AttributeError):
                lib = ctypes.CDLL(name)
                limit, used = lib.sqlite3_hard_heap_limit64, lib.sqlite3_memory_used
                limit.restype, limit.argtypes = ctypes.c_int64, [ctypes.c_int64]
                used.restype, used.argtypes = ctypes.c_int64, []
                if _same_library(limit):
                    return limit, used
    except Exception:  # no ctypes, no symbol: fall back to the PRAGMA
        return None
    return None


def _same_library(limit: Callable[[int], int]) -> bool:
    conn = sqlite3.connect(":memory:")
    try:
        before = limit(-1)
        probe = 987_654_321_123 if before != 987_654_321_123 else 987_654_321_125
        limit(probe)
        try:
            return conn.execute("PRAGMA hard_heap_limit").fetchone()[0] == probe
        finally:
            limit(before)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


_UNKNOWN: Any = object()
_library: Any = _UNKNOWN


def _heap_functions() -> tuple[Callable[[int], int], Callable[[], int]] | None:
    global _library
    if _library is _UNKNOWN:
        _library = _library_functions()
    return _library


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


class _Rows(list):
    """Rows fetched at once, with the cursor methods our readers use."""

    def fetchall(self) -> list:
        return list(self)

    def fetchone(self) -> Any:
        return self[0] if self else None


class _Reader:
    """The connection for our own reads. Each read runs under a deadline and the heap cap;
    rows come fetched at once, and any failure is an ``sqlite3.Error``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def execute(self, sql: str, parameters: Any = ()) -> _Rows:
        box = self._sandbox
        deadline = max(READ_BUDGET_FACTOR * box.budget - box.account.read_spent, FLOOR_SECONDS)
        started = time.monotonic()
        try:
            with box._guarded(box._authorize_reads, deadline, count=False):
                return _Rows(box.conn.execute(sql, parameters).fetchall())
        except (sqlite3.Error, MemoryError) as exc:
            if box._timed_out:
                raise sqlite3.OperationalError(
                    f"reading the scratch database stopped after {deadline:g} s (the reading "
                    f"budget of {READ_BUDGET_FACTOR * box.budget:g} s is spent)"
                ) from exc
            if isinstance(exc, MemoryError):
                raise sqlite3.OperationalError(
                    f"more than {HEAP_BUDGET // 2**20} MiB of memory"
                ) from exc
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
    ) -> None:
        self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self.deadline = DEADLINE_SECONDS if deadline is None else deadline
        self.budget = BUDGET_SECONDS if budget is None else budget
        self.account = account or _Account()
        self.denied: list[str] = []
        self._writes_allowed = False
        self._stop_at = 0.0
        self._timed_out = False
        self._unresolved: set[tuple[str, str]] = set()  # views that read something missing
        if hasattr(self.conn, "setlimit"):
            self.conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            self.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
            self.conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_LENGTH)
        # Nothing on disk: sorter and temporary tables stay in memory; both databases are capped.
        self.conn.execute("PRAGMA temp_store = MEMORY")
        for schema in ("main", "temp"):
            self.conn.execute(f"PRAGMA {schema}.max_page_count = {MAX_PAGES}")
        if _heap_functions() is None:
            # Only the PRAGMA is at hand: it can lower the process-wide limit, never restore it.
            current = self.conn.execute("PRAGMA hard_heap_limit").fetchone()[0]
            if not current or current > 2 * HEAP_BUDGET:
                self.conn.execute(f"PRAGMA hard_heap_limit = {2 * HEAP_BUDGET}")

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
            return sqlite3.SQLITE_DENY
        if action in _SCHEMA_ACTIONS:
            return sqlite3.SQLITE_OK
        if action in _WRITES and (arg1 in _SYSTEM_TABLES or self._writes_allowed):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() not in _DENIED_FUNCTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (
            ((arg1 or "").lower() in _INTERNAL_PRAGMAS and not arg2)
            or (arg1 or "").lower() in _CHECK_PRAGMAS
        ):
            return sqlite3.SQLITE_OK
        what = _ACTION_NAMES.get(action, str(action))
        self.denied.append(f"{what} {arg2 or arg1 or ''}".strip())
        return sqlite3.SQLITE_DENY

    def _authorize_reads(self, *_args: object) -> int:
        """Our own reads may do anything, but not past their deadline."""
        return sqlite3.SQLITE_DENY if self._late() else sqlite3.SQLITE_OK

    def _progress(self) -> int:
        return 1 if self._late() else 0

    @contextmanager
    def _guarded(
        self, authorizer: Callable[..., int], deadline: float, *, count: bool = True
    ) -> Iterator[None]:
        """Authorizer, deadline and heap cap around statements; ``count`` their time."""
        started = time.monotonic()
        self._stop_at = started + deadline
        self._timed_out = False
        self.conn.set_authorizer(authorizer)
        self.conn.set_progress_handler(self._progress, PROGRESS_STEPS)
        try:
            with _heap_cap():
                yield
        finally:
            self.conn.set_progress_handler(None, 0)
            self.conn.set_authorizer(None)
            if count:
                self.account.spent += time.monotonic() - started

    def _deadline(self) -> float:
        return max(min(self.deadline, self.budget - self.spent), FLOOR_SECONDS)

    def _stopped(self, deadline: float) -> Deadline:
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
        sqlite3.Error (with :attr:`denied` naming what the lock-down refused, if it was
        that), MemoryError (the heap cap), or Deadline.
        """
        self.denied.clear()
        if len(sql.encode("utf-8", "surrogatepass")) > MAX_LENGTH:
            self.denied.append(f"a statement over {MAX_LENGTH:,} bytes")
            raise sqlite3.DataError("statement too long")
        calls = denied_calls(sql)
        if calls:
            self.denied.extend(calls)
            raise sqlite3.DatabaseError("not authorized")
        marks = self._marks()
        self.conn.execute("SAVEPOINT schemadoc_statement")
        try:
            self._writes_allowed = writes
            deadline = self._deadline()
            try:
                with self._guarded(self._authorize, deadline):
                    self.conn.execute(sql)
            except (sqlite3.Error, MemoryError) as exc:
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
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK TO schemadoc_statement")
            with contextlib.suppress(sqlite3.Error):
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
                for schema in ("main", "temp")
                for (name,) in self.conn.execute(
                    f"SELECT name FROM {schema}.sqlite_master WHERE type = 'view'"
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
                        self.conn.execute(f"EXPLAIN SELECT * FROM {schema}.{_quote(name)}")
                    except sqlite3.Error:
                        if self._timed_out:
                            raise
                        unresolved.add((schema, name))
                    if self._timed_out:
                        raise sqlite3.OperationalError("interrupted")
        except (sqlite3.Error, MemoryError) as exc:
            raise self._failure(exc, deadline) from exc
        return unresolved

    def _failure(self, exc: BaseException, deadline: float) -> BaseException:
        """What to raise for a failed statement: Deadline, or ``exc`` with ``denied`` set."""
        if self._timed_out:
            self.denied.clear()
            return self._stopped(deadline)
        if isinstance(exc, MemoryError):
            self.denied.append(f"more than {HEAP_BUDGET // 2**20} MiB of memory")
        elif str(exc) in ("string or blob too big", "query string is too large"):
            self.denied.append(f"a value or statement over {MAX_LENGTH:,} bytes")
        elif str(exc) == "database or disk is full":
            self.denied.append(f"more than {MAX_PAGES:,} pages of data")
        return exc

    def _marks(self) -> tuple[int, int]:
        """The highest rowid of each schema table: newer rows are new objects."""
        return tuple(  # type: ignore[return-value]
            self.conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {s}.sqlite_master").fetchone()[
                0
            ]
            for s in ("main", "temp")
        )

    def _created(self, marks: tuple[int, int]) -> list[tuple[str, str, str, str | None]]:
        out = []
        for schema, mark in zip(("main", "temp"), marks, strict=True):
            rows = self.conn.execute(
                f"SELECT type, name, sql FROM {schema}.sqlite_master WHERE rowid > ?", (mark,)
            ).fetchall()
            out.extend((schema, kind, name, sql) for kind, name, sql in rows)
        return out

    def _empty(self, tables: list[tuple[str, str]]) -> None:
        """Delete the rows a statement wrote into the tables it created (no triggers exist)."""
        for schema, name in tables:
            if not name.startswith("sqlite_"):
                self.conn.execute(f"DELETE FROM {schema}.{_quote(name)}")

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """The connection for our own reads (no lock-down but the limits): each statement is
        under a deadline and the heap cap, rows come fetched, and a failure is sqlite3.Error."""
        yield _Reader(self)

    def close(self) -> None:
        self.conn.close()


@contextmanager
def _heap_cap() -> Iterator[None]:
    """SQLite's heap may grow by HEAP_BUDGET at most: preparing a statement that expands
    nested views can explode, and neither the progress handler nor an interrupt reaches into
    a prepare (the authorizer's deadline check does only where it is asked)."""
    functions = _heap_functions()
    if functions is None:
        yield
        return
    limit, used = functions
    before = limit(-1)
    cap = used() + HEAP_BUDGET
    limit(cap if not before else min(before, cap))
    try:
        yield
    finally:
        limit(before)


_ACTION_NAMES = {
    getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ")
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
