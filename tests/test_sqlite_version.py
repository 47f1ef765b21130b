"""Verification runs in the SQLite that apsw bundles, whatever SQLite Python was built with:
features newer than an old Python's SQLite are documented, messages name the version used,
and the scratch database is set up as locked down as the sandbox says."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import apsw
import pytest
from scanned import run, survived

from schemadoc.verify import sandbox
from schemadoc.verify.sandbox import Sandbox

VERSION = apsw.sqlite_lib_version()

# FTS5's contentless_delete (SQLite 3.43), as a note-taking application declares its index.
CONTENTLESS = '''"""The search index."""

INDEX = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(
    title, content, content='', contentless_delete=1, tokenize='porter unicode61'
)
"""
'''

# Functions newer than SQLite 3.40: unhex (3.41), octet_length (3.43), concat and
# concat_ws (3.44), in a generated column, a view and an expression index.
NEWER_FUNCTIONS = '''SCHEMA = """
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    basename TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT GENERATED ALWAYS AS (concat_ws(':', namespace, basename)) VIRTUAL,
    digest BLOB DEFAULT (unhex('00ff'))
);
CREATE INDEX pages_size ON pages (octet_length(basename));
CREATE VIEW page_names AS SELECT id, concat(namespace, ':', basename) AS full_name FROM pages;
"""
'''


def test_the_sqlite_used_is_apsws_own() -> None:
    assert tuple(int(p) for p in VERSION.split(".")) >= (3, 53)
    assert sandbox.SQLITE_VERSION == VERSION
    assert f"SQLite {VERSION}" == sandbox.SQLITE
    box = Sandbox()
    try:
        with box.reading() as conn:
            assert conn.execute("SELECT sqlite_version()").fetchall() == [(VERSION,)]
    finally:
        box.close()


def test_fts5_contentless_delete_is_documented(tmp_path: Path) -> None:
    result = run(tmp_path, {"index.py": CONTENTLESS})
    # Only a note may come (the SQL parser's, on fts5 options): nothing SQLite rejected.
    problems = [str(d) for d in result.diagnostics if d.severity != "note"]
    assert problems == [], problems
    index = result.schema.table("search_index")
    assert index is not None
    assert (index.kind, index.module) == ("virtual", "fts5")
    assert [c.name for c in index.columns] == ["title", "content"]
    assert "contentless_delete=1" in index.sql
    assert survived(result)


def test_functions_newer_than_sqlite_3_40_are_documented(tmp_path: Path) -> None:
    result = run(tmp_path, {"schema.py": NEWER_FUNCTIONS})
    assert result.diagnostics == (), [str(d) for d in result.diagnostics]
    pages = result.schema.table("pages")
    assert pages is not None
    assert [c.name for c in pages.columns] == ["id", "basename", "namespace", "name", "digest"]
    assert pages.column("digest").default == "unhex('00ff')"
    assert [i.name for i in pages.indexes] == ["pages_size"]
    (view,) = result.schema.views
    assert (view.name, view.columns) == ("page_names", ("id", "full_name"))
    assert survived(result)


def test_a_statement_sqlite_rejects_names_the_version(tmp_path: Path) -> None:
    result = run(tmp_path, {"bad.py": 'BAD = "CREATE TABLE bad (id INTEGER,)"\n'})
    (error,) = [d for d in result.diagnostics if d.code == "SD201"]
    assert error.message.startswith(f"SQLite {VERSION} rejects CREATE TABLE bad: ")
    assert survived(result)


def test_the_scratch_database_is_locked_down() -> None:
    box = Sandbox()
    try:
        config = box.conn.config
        assert config(apsw.SQLITE_DBCONFIG_DEFENSIVE, -1) == 1
        assert config(apsw.SQLITE_DBCONFIG_TRUSTED_SCHEMA, -1) == 0
        assert config(apsw.SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, -1) == 0
        assert config(apsw.SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, -1) == 0
        assert config(apsw.SQLITE_DBCONFIG_WRITABLE_SCHEMA, -1) == 0
        assert config(apsw.SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE, -1) == 0
        assert config(apsw.SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE, -1) == 0
        assert box.conn.limit(apsw.SQLITE_LIMIT_ATTACHED) == 0
        assert box.conn.limit(apsw.SQLITE_LIMIT_LENGTH) == sandbox.MAX_LENGTH
        assert box.conn.limit(apsw.SQLITE_LIMIT_SQL_LENGTH) == sandbox.MAX_LENGTH
        assert box.conn.execute("PRAGMA trusted_schema").fetchall() == [(0,)]
        # Defensive: the shadow tables of a virtual table are its module's alone.
        box.run("CREATE VIRTUAL TABLE docs USING fts5(body)", writes=True)
        with pytest.raises(apsw.Error, match="may not be dropped"):
            box.run("DROP TABLE docs_data", writes=True)
        assert box.conn.execute("SELECT count(*) FROM docs_data").fetchall()[0][0] > 0
    finally:
        box.close()


def test_checked_functions_are_usable_in_schema_objects_with_trusted_schema_off() -> None:
    """The checked calls of the costly built-ins are innocuous, as the built-ins are."""
    box = Sandbox()
    try:
        box.run("CREATE TABLE t (a TEXT, b TEXT AS (replace(a, 'x', 'y')))")
        box.run("CREATE INDEX t_trim ON t (trim(a, ' '))")
        box.run("CREATE VIEW v AS SELECT instr(a, 'x') AS i, a LIKE 'x%' AS l FROM t")
        with box.reading() as conn:
            columns = conn.execute("PRAGMA table_xinfo(v)").fetchall()
        assert [row[1] for row in columns] == ["i", "l"]
    finally:
        box.close()


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE a (x); CREATE TABLE b (y)",
        "CREATE TABLE a (x); DROP TABLE a",
        "CREATE TABLE a (x);\n-- then\nCREATE TABLE b (y);",
    ],
)
def test_one_statement_at_a_time(sql: str) -> None:
    """As Python's sqlite3 module did: text after the first statement is refused, and the
    first statement is not applied either."""
    box = Sandbox()
    try:
        with pytest.raises(apsw.Error, match="one statement at a time"):
            box.run(sql)
        assert box.conn.execute("SELECT name FROM sqlite_master").fetchall() == []
        box.run("CREATE TABLE a (x); -- a comment after it is fine\n")
        box.run("CREATE TABLE b (x) /* so is a semicolon */ ;")
        names = box.conn.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
        assert names == [("a",), ("b",)]
    finally:
        box.close()


@pytest.mark.parametrize(
    "text",
    [
        "CREATE TABLE t (a)",
        "CREATE TABLE t (a);",
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
        "CREATE TABLE t (a) -- ;",
        "CREATE TABLE t (a '';",
        "",
    ],
)
def test_completeness_is_judged_alike(text: str) -> None:
    """The splitter asks Python's sqlite3 whether a statement is complete: the same answer as
    the SQLite that verifies gives."""
    assert sqlite3.complete_statement(text) == apsw.complete(text)
