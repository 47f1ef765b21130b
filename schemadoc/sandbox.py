"""A scratch SQLite database that accepts schema changes and nothing else.

Scanned SQL is untrusted. The connection is in memory, an authorizer allows only the actions
that schema statements need (DENY for the rest, never IGNORE), ATTACH is impossible, and a
length limit and a per-statement deadline stop anything that would grow or loop.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

_SYSTEM_TABLES = frozenset(
    {"sqlite_master", "sqlite_temp_master", "sqlite_schema", "sqlite_temp_schema", "sqlite_sequence"}
)
_DENIED_FUNCTIONS = frozenset(
    {"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit", "fts5_source_id"}
)
_SCHEMA_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_CREATE_INDEX, sqlite3.SQLITE_CREATE_TABLE, sqlite3.SQLITE_CREATE_TEMP_INDEX,
        sqlite3.SQLITE_CREATE_TEMP_TABLE, sqlite3.SQLITE_CREATE_TEMP_TRIGGER,
        sqlite3.SQLITE_CREATE_TEMP_VIEW, sqlite3.SQLITE_CREATE_TRIGGER, sqlite3.SQLITE_CREATE_VIEW,
        sqlite3.SQLITE_DROP_INDEX, sqlite3.SQLITE_DROP_TABLE, sqlite3.SQLITE_DROP_TEMP_INDEX,
        sqlite3.SQLITE_DROP_TEMP_TABLE, sqlite3.SQLITE_DROP_TEMP_TRIGGER,
        sqlite3.SQLITE_DROP_TEMP_VIEW, sqlite3.SQLITE_DROP_TRIGGER, sqlite3.SQLITE_DROP_VIEW,
        sqlite3.SQLITE_ALTER_TABLE, sqlite3.SQLITE_CREATE_VTABLE, sqlite3.SQLITE_DROP_VTABLE,
        sqlite3.SQLITE_READ, sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE,
        sqlite3.SQLITE_REINDEX,  # CREATE INDEX asks for it
    }
)
_WRITES = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})
_INTERNAL_PRAGMAS = frozenset({"data_version"})

MAX_LENGTH = 5_000_000  # bytes in one string, blob or statement
DEADLINE_SECONDS = 2.0


class Deadline(Exception):
    """A statement ran past its deadline."""


class Sandbox:
    """The locked-down scratch database. Use :meth:`run` for scanned SQL."""

    def __init__(self, deadline: float = DEADLINE_SECONDS) -> None:
        self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self.deadline = deadline
        self.denied: list[str] = []
        self._writes_allowed = False
        self._stop_at = 0.0
        if hasattr(self.conn, "setlimit"):
            self.conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            self.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
            self.conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_LENGTH)

    def _authorize(self, action: int, arg1: str | None, arg2: str | None, db: str | None,
                   _trigger: str | None) -> int:
        if action in _SCHEMA_ACTIONS:
            return sqlite3.SQLITE_OK
        if action in _WRITES and (arg1 in _SYSTEM_TABLES or self._writes_allowed):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() not in _DENIED_FUNCTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in _INTERNAL_PRAGMAS and not arg2:
            return sqlite3.SQLITE_OK
        what = _ACTION_NAMES.get(action, str(action))
        self.denied.append(f"{what} {arg2 or arg1 or ''}".strip())
        return sqlite3.SQLITE_DENY

    def _progress(self) -> int:
        return 1 if time.monotonic() > self._stop_at else 0

    def run(self, sql: str, *, writes: bool = False) -> None:
        """Execute one scanned statement under the lock-down.

        ``writes`` lets the statement fill the table it creates (virtual table shadow tables,
        ``CREATE TABLE ... AS SELECT``). Raises sqlite3.Error, or Deadline when it ran too long.
        """
        self.denied.clear()
        self._writes_allowed = writes
        self._stop_at = time.monotonic() + self.deadline
        self.conn.set_authorizer(self._authorize)
        self.conn.set_progress_handler(self._progress, 1000)
        try:
            self.conn.execute(sql)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc) and time.monotonic() > self._stop_at:
                raise Deadline(f"stopped after {self.deadline:g} s") from exc
            raise
        finally:
            self.conn.set_progress_handler(None, 0)
            self.conn.set_authorizer(None)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for our own PRAGMA reads (no authorizer), still under a deadline."""
        self._stop_at = time.monotonic() + self.deadline * 5
        self.conn.set_progress_handler(self._progress, 1000)
        try:
            yield self.conn
        finally:
            self.conn.set_progress_handler(None, 0)

    def close(self) -> None:
        self.conn.close()


_ACTION_NAMES = {
    getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ")
    for name in (
        "INSERT", "UPDATE", "DELETE", "PRAGMA", "TRANSACTION", "ATTACH", "DETACH", "REINDEX",
        "ANALYZE", "FUNCTION", "SAVEPOINT",
    )
}
