"""A real database file, opened so that reading its schema cannot change it or run its code.

The file is opened read-only and immutable (``file:...?mode=ro&immutable=1``): SQLite takes
no lock and creates no journal, ``-wal`` or ``-shm`` file. Where the file has a non-empty
``-wal`` (changes not yet checkpointed into it) or a hot ``-journal`` beside it, the file
alone may be out of date, so the file and those companions are copied into a private
temporary folder and the copy is read instead; the original is never opened by SQLite.

The connection has the scratch database's posture (see ``sandbox``): defensive mode,
``trusted_schema`` off, extension loading off, no attached databases, the heap cap and a
deadline on each read. Its authorizer allows the reads of the schema and nothing else:
reading tables (as preparing a view does, which never runs it), built-in functions but the
denied ones, and the read-only PRAGMAs that report the schema. No row of a user table is
ever read, so no view runs and no trigger fires.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import apsw

from ..model.errors import UserError
from .lockdown import _DENIED_FUNCTIONS, _INTERNAL_PRAGMAS, connect
from .sandbox import Reader, Sandbox, error_text

HEADER = b"SQLite format 3\x00"
_SCHEMA_PRAGMAS = frozenset(
    {
        "table_list",
        "table_info",
        "table_xinfo",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
    }
)
_READS = frozenset({apsw.SQLITE_READ, apsw.SQLITE_SELECT, apsw.SQLITE_RECURSIVE})
COMPANIONS = ("-wal", "-journal")  # files that may hold what the database file lacks


class DatabaseError(UserError):
    """A file that is not an SQLite database, or cannot be read as one."""


class DatabaseFile(Sandbox):
    """A database file under the scratch database's limits, for our reads of its schema."""

    def __init__(self, uri: str, *, writable_copy: bool = False) -> None:
        flags = apsw.SQLITE_OPEN_URI
        flags |= apsw.SQLITE_OPEN_READWRITE if writable_copy else apsw.SQLITE_OPEN_READONLY
        super().__init__(conn=connect(uri, flags))

    def run(self, sql: str, *, writes: bool = False) -> None:
        raise TypeError("a database file takes no statements")

    def _authorize_reads(
        self, action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: Any
    ) -> int:
        if self._late():
            return apsw.SQLITE_DENY
        if action in _READS:
            return apsw.SQLITE_OK
        if action == apsw.SQLITE_FUNCTION and (arg2 or "").lower() not in _DENIED_FUNCTIONS:
            return apsw.SQLITE_OK
        if action == apsw.SQLITE_PRAGMA and (
            (arg1 or "").lower() in _SCHEMA_PRAGMAS
            or ((arg1 or "").lower() in _INTERNAL_PRAGMAS and not arg2)
        ):
            return apsw.SQLITE_OK
        return apsw.SQLITE_DENY


def _check_file(path: Path) -> None:
    """Refuse what is not a regular file starting with SQLite's header."""
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise DatabaseError(f"{path}: no such file") from exc
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseError(f"{path}: not a regular file")
    try:
        with open(path, "rb") as f:
            head = f.read(len(HEADER))
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not head:
        raise DatabaseError(f"{path}: the file is empty, not an SQLite database")
    if head != HEADER:
        raise DatabaseError(
            f"{path}: not an SQLite database (it does not start with SQLite's header; "
            "an encrypted database does not either)"
        )


def _companions(path: Path) -> list[Path]:
    """The ``-wal`` and ``-journal`` files beside ``path`` that hold something."""
    found = []
    for suffix in COMPANIONS:
        other = Path(f"{path}{suffix}")
        try:
            if stat.S_ISREG(os.stat(other).st_mode) and os.stat(other).st_size > 0:
                found.append(other)
        except OSError:
            continue
    return found


def _uri(path: Path, query: str) -> str:
    return f"{path.resolve().as_uri()}?{query}"


@contextmanager
def opened(path: Path) -> Iterator[Reader]:
    """The connection for reading the schema of the database file ``path``."""
    _check_file(path)
    companions = _companions(path)
    with tempfile.TemporaryDirectory(prefix="schemadoc-db-") as folder:
        if companions:
            copy = Path(folder) / "database"
            try:
                shutil.copyfile(path, copy)
                for other in companions:
                    shutil.copyfile(other, f"{copy}{other.name[len(path.name) :]}")
            except OSError as exc:
                raise DatabaseError(f"{path}: cannot copy: {exc.strerror or exc}") from exc
            box = _open(path, _uri(copy, "mode=rw"), writable_copy=True)
        else:
            box = _open(path, _uri(path, "mode=ro&immutable=1"))
        try:
            with box.reading() as conn:
                yield conn
        except apsw.Error as exc:
            raise DatabaseError(f"{path}: cannot read: {error_text(exc)}") from exc
        finally:
            box.close()


def _open(path: Path, uri: str, writable_copy: bool = False) -> DatabaseFile:
    try:
        return DatabaseFile(uri, writable_copy=writable_copy)
    except apsw.Error as exc:
        raise DatabaseError(f"{path}: cannot read: {error_text(exc)}") from exc
