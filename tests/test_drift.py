"""``schemadoc verify --db FILE``: the code's schema against real database files, made here
by running real DDL in SQLite (no mocks). The file is never changed and gets no companion."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import apsw
import pytest
from projects import small_project

from schemadoc.cli import main
from schemadoc.verify.drift import BY_HAND, NEVER_RAN, UNVERIFIED

CODE = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT DEFAULT 'anonymous',
    age INTEGER CHECK (age >= 0)
);
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT
);
CREATE INDEX posts_by_user ON posts (user_id);
CREATE VIEW titles AS SELECT p.title, u.email FROM posts AS p JOIN users AS u ON u.id = p.user_id;
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN SELECT RAISE(ABORT, 'users stay'); END;
"""


def code_project(root: Path, monkeypatch: pytest.MonkeyPatch, ddl: str = CODE) -> Path:
    return small_project(root, monkeypatch, ddl=f'SCHEMA = """{ddl}"""\n')


def make_db(path: Path, script: str) -> Path:
    """A database file made by running ``script`` in Python's own SQLite."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(script)
        conn.commit()
    finally:
        conn.close()
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` with the hash of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def verify_db(db: Path, *extra: str) -> int:
    return main(["verify", "--db", str(db), "-q", *extra])


def report(capsys: pytest.CaptureFixture[str], db: Path) -> tuple[int, dict[str, Any]]:
    code = verify_db(db, "--format", "json")
    return code, json.loads(capsys.readouterr().out)


def found(data: dict[str, Any]) -> set[tuple[str, str, str, str | None]]:
    """(kind, object, name, aspect) of each difference."""
    return {(d["kind"], d["object"], d["name"], d["aspect"]) for d in data["differences"]}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return code_project(tmp_path, monkeypatch)


def test_the_same_schema_agrees(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_db(project / "app.db", CODE)
    before = snapshot(project)
    assert verify_db(db) == 0
    out = capsys.readouterr().out
    assert "holds the schema the code creates (2 tables, 1 view, 1 trigger)" in out
    assert snapshot(project) == before  # unchanged, and no -wal, -shm or -journal
    code, data = report(capsys, db)
    assert code == 0
    assert data == {"database": str(db), "agree": True, "differences": [], "notes": []}


def test_internal_tables_are_not_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ddl = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);\n"
    code_project(tmp_path, monkeypatch, ddl)
    db = make_db(tmp_path / "app.db", ddl + "INSERT INTO t (v) VALUES ('x'); ANALYZE;")
    assert verify_db(db) == 0  # sqlite_sequence and sqlite_stat1 exist in the file


def test_every_kind_of_drift(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_db(
        project / "app.db",
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email VARCHAR(255) NOT NULL,
            name TEXT NOT NULL DEFAULT 'nobody',
            age INTEGER CHECK (age > 0),
            nickname TEXT
        );
        CREATE TABLE posts (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE SET NULL,
            title TEXT NOT NULL
        );
        CREATE INDEX posts_by_user ON posts (user_id, title);
        CREATE INDEX posts_by_title ON posts (title);
        CREATE TABLE audit (at TEXT);
        CREATE VIEW titles AS SELECT p.title FROM posts AS p;
        CREATE VIEW recent AS SELECT * FROM posts;
        CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 1; END;
        """,
    )
    before = snapshot(project)
    code, data = report(capsys, db)
    assert code == 1
    assert data["agree"] is False
    assert found(data) == {
        ("changed", "column", "users.email", "type"),
        ("missing", "unique constraint", "users (email)", None),
        ("changed", "column", "users.name", "NOT NULL"),
        ("changed", "column", "users.name", "DEFAULT"),
        ("extra", "column", "users.nickname", None),
        ("missing", "column", "posts.body", None),
        ("changed", "foreign key", "posts (user_id) -> users (id)", "ON DELETE"),
        ("changed", "index", "posts_by_user", "definition"),
        ("extra", "index", "posts_by_title", None),
        ("extra", "table", "audit", None),
        ("changed", "view", "titles", "definition"),
        ("extra", "view", "recent", None),
        ("missing", "trigger", "users_no_delete", None),
        ("extra", "trigger", "posts_touch", None),
    }
    by_key = {(d["object"], d["name"], d["aspect"]): d for d in data["differences"]}
    email = by_key[("column", "users.email", "type")]
    assert (email["code"], email["database"]) == ("TEXT", "VARCHAR(255)")
    default = by_key[("column", "users.name", "DEFAULT")]
    assert (default["code"], default["database"]) == ("'anonymous'", "'nobody'")
    on_delete = by_key[("foreign key", "posts (user_id) -> users (id)", "ON DELETE")]
    assert (on_delete["code"], on_delete["database"]) == ("CASCADE", "SET NULL")
    assert by_key[("table", "audit", None)]["cause"] == BY_HAND
    assert by_key[("trigger", "users_no_delete", None)]["cause"] == NEVER_RAN
    assert snapshot(project) == before


def test_a_missing_table_is_a_migration_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code_project(tmp_path, monkeypatch, "CREATE TABLE users (id INTEGER PRIMARY KEY);")
    db = make_db(tmp_path / "app.db", "CREATE TABLE people (id INTEGER PRIMARY KEY);")
    assert verify_db(db) == 1
    out = capsys.readouterr().out
    assert f"table users: in the code, not in the database; likely cause: {NEVER_RAN}" in out
    assert f"table people: in the database, not in the code; likely cause: {BY_HAND}" in out


def test_a_check_or_collation_changes_the_definition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code_project(tmp_path, monkeypatch, "CREATE TABLE t (a INTEGER CHECK (a > 0), b TEXT);")
    db = make_db(tmp_path / "app.db", "CREATE TABLE t (a INTEGER CHECK (a > 1), b TEXT);")
    code, data = report(capsys, db)
    assert code == 1
    (difference,) = data["differences"]
    assert difference["object"] == "table" and difference["aspect"].startswith("definition")
    assert "a > 0" in difference["code"] and "a > 1" in difference["database"]
    # Case, spacing, comments and quotes are no difference.
    same = make_db(tmp_path / "same.db", 'create table "t" (a integer check (a>0), -- x\n b text)')
    assert verify_db(same) == 0


def test_table_options_and_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code_project(
        tmp_path,
        monkeypatch,
        "CREATE TABLE k (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID, STRICT;",
    )
    db = make_db(tmp_path / "app.db", "CREATE TABLE k (a TEXT PRIMARY KEY, b TEXT);")
    code, data = report(capsys, db)
    assert code == 1
    assert found(data) == {
        ("changed", "table", "k", "WITHOUT ROWID"),
        ("changed", "table", "k", "STRICT"),
        ("changed", "column", "k.b", "primary key position"),
        ("changed", "column", "k.a", "NOT NULL"),  # a WITHOUT ROWID table's key is NOT NULL
        ("changed", "column", "k.b", "NOT NULL"),
    }


@pytest.mark.parametrize("form", ["text", "markdown", "json"])
def test_report_formats(project: Path, capsys: pytest.CaptureFixture[str], form: str) -> None:
    db = make_db(project / "app.db", CODE.replace("body TEXT", "body BLOB"))
    assert verify_db(db, "--format", form) == 1
    out = capsys.readouterr().out
    if form == "text":
        assert "column posts.body: type is TEXT in the code, BLOB in the database" in out
    elif form == "markdown":
        assert out.startswith(f"# Schema drift: `{db}`\n")
        assert "| column | `posts.body` | type | `TEXT` | `BLOB` |" in out
    else:
        assert json.loads(out)["differences"][0]["database"] == "BLOB"


def test_definitions_show_both_statements(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_db(project / "app.db", CODE.replace("SELECT p.title, u.email", "SELECT p.title"))
    assert verify_db(db) == 1
    out = capsys.readouterr().out
    assert "view titles: the definition differs" in out
    assert "    code:     CREATE VIEW titles AS SELECT p.title, u.email FROM" in out
    assert "    database: CREATE VIEW titles AS SELECT p.title FROM" in out
    assert verify_db(db, "--format", "markdown") == 1
    markdown = capsys.readouterr().out
    assert (
        "## Definitions" in markdown
        and "```sql\nCREATE VIEW titles AS SELECT p.title FROM" in markdown
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty, not an SQLite database"),
        (b"PK\x03\x04 not a database at all" * 40, "not an SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 200, "cannot"),
    ],
)
def test_a_file_that_is_no_database_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    db = project / "app.db"
    db.write_bytes(content)
    before = snapshot(project)
    assert verify_db(db) == 2
    err = capsys.readouterr().err
    assert f"schemadoc: error: {db}: " in err and message in err
    assert snapshot(project) == before


def test_a_damaged_database_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_db(project / "app.db", CODE)
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # the schema table's page, past the file header
    db.write_bytes(bytes(data))
    before = snapshot(project)
    assert verify_db(db) == 2
    err = capsys.readouterr().err
    assert f"schemadoc: error: {db}: cannot read: " in err
    assert snapshot(project) == before


def test_missing_file_and_folder_are_errors(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_db(project / "nothing.db") == 2
    assert "no such file" in capsys.readouterr().err
    assert verify_db(project / "app") == 2
    assert "not a regular file" in capsys.readouterr().err
    assert not (project / "nothing.db").exists()


HOSTILE = """
CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE log (v TEXT);
INSERT INTO t (v) VALUES ('row');
CREATE VIEW forever AS
    WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) AS c FROM n;
CREATE VIEW loads AS SELECT load_extension('/nonexistent/evil') AS x FROM t;
CREATE VIEW calls AS SELECT evil_function(v) AS x FROM t;
CREATE TRIGGER t_read AFTER UPDATE ON t BEGIN INSERT INTO log VALUES (new.v); END;
"""


def test_views_and_triggers_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Views that would loop forever, load an extension or call an unknown function if they
    ran, and a trigger: the schema is read without running any of them."""
    code_project(tmp_path, monkeypatch, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);")
    db = make_db(tmp_path / "app.db", HOSTILE)
    before = snapshot(tmp_path)
    code, data = report(capsys, db)
    assert code == 1
    assert {(d["kind"], d["object"], d["name"]) for d in data["differences"]} == {
        ("extra", "table", "log"),
        ("extra", "view", "forever"),
        ("extra", "view", "loads"),
        ("extra", "view", "calls"),
        ("extra", "trigger", "t_read"),
    }
    assert any("calls" in note for note in data["notes"])
    assert snapshot(tmp_path) == before
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM log").fetchone() == (0,)
    conn.close()


def test_a_write_ahead_log_is_read_and_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Changes still in the -wal file count; the file, its -wal and -shm stay as they were."""
    code_project(tmp_path, monkeypatch, CODE)
    path = tmp_path / "app.db"
    writer = apsw.Connection(str(path))
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute(CODE)
        writer.execute("CREATE TABLE late (x)")  # in the -wal only
        assert os.path.getsize(f"{path}-wal") > 0
        before = snapshot(tmp_path)
        code, data = report(capsys, path)
        assert code == 1
        assert found(data) == {("extra", "table", "late", None)}
        assert snapshot(tmp_path) == before
    finally:
        writer.close()


def test_an_empty_write_ahead_log_database_gets_no_companions(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_db(project / "app.db", "PRAGMA journal_mode = WAL;" + CODE)
    assert not Path(f"{db}-wal").exists()
    before = snapshot(project)
    assert verify_db(db) == 0
    assert snapshot(project) == before


def test_errors_in_the_code_exit_2_after_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code_project(
        tmp_path, monkeypatch, "CREATE TABLE t (a INTEGER);\nCREATE TABLE u (a INTEGER, a TEXT);"
    )
    db = make_db(tmp_path / "app.db", "CREATE TABLE t (a INTEGER);")
    assert main(["verify", "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert "error[SD201]" in captured.err
    assert "holds the schema the code creates" in captured.out


class _Source:
    """A Python virtual table module, so the file holds a virtual table of a module that the
    SQLite reading it does not have."""

    def Create(self, _db: Any, _module: str, _database: str, _name: str, *args: str) -> Any:
        return "CREATE TABLE x(a, b)", _Table()

    Connect = Create


class _Table:
    def BestIndex(self, *_args: Any) -> None:
        return None

    def Open(self) -> Any:
        raise apsw.SQLError("empty")

    def Disconnect(self) -> None:
        pass

    Destroy = Disconnect


def test_a_virtual_table_of_a_module_sqlite_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ddl = "CREATE TABLE t (a INTEGER);\nCREATE VIRTUAL TABLE feed USING pysource(a, b);"
    code_project(tmp_path, monkeypatch, ddl)
    path = tmp_path / "app.db"
    conn = apsw.Connection(str(path))
    conn.create_module("pysource", _Source())
    conn.execute(ddl)
    conn.close()
    before = snapshot(tmp_path)
    code, data = report(capsys, path)
    assert code == 1
    (extra,) = data["differences"]
    assert (extra["kind"], extra["object"], extra["name"]) == ("extra", "table", "feed")
    assert extra["cause"] == UNVERIFIED  # the code's DDL needs the module too
    assert any("no such module: pysource" in note for note in data["notes"])
    assert snapshot(tmp_path) == before


def test_a_file_name_that_needs_quoting_in_a_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code_project(tmp_path, monkeypatch, CODE)
    folder = tmp_path / "data dir?#%"
    folder.mkdir()
    db = make_db(folder / "my app?#%20.db", CODE)
    before = snapshot(folder)
    assert verify_db(db) == 0
    assert snapshot(folder) == before


def test_a_renamed_column_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ddl = "CREATE TABLE t (a INTEGER, b TEXT NOT NULL, c TEXT);"
    code_project(tmp_path, monkeypatch, ddl)
    db = make_db(tmp_path / "app.db", ddl + "ALTER TABLE t RENAME COLUMN b TO title;")
    code, data = report(capsys, db)
    assert code == 1
    assert found(data) == {("missing", "column", "t.b", None), ("extra", "column", "t.title", None)}
    causes = {d["cause"] for d in data["differences"]}
    assert causes == {
        "a RENAME COLUMN b TO title in one of them only (the columns are alike but for the name)"
    }
    # Columns that differ otherwise are not taken for a rename.
    other = make_db(
        tmp_path / "other.db",
        ddl + "ALTER TABLE t DROP COLUMN b;ALTER TABLE t ADD COLUMN title INTEGER;",
    )
    code, data = report(capsys, other)
    assert {d["cause"] for d in data["differences"]} == {
        "an ADD COLUMN the database never ran, or the table predates this definition",
        "added by hand or by an ORM, or a DROP COLUMN the database never ran",
    }


def test_each_database_of_the_code_is_verified_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file is compared with the main database by default, or with the one --database
    names ([tool.schemadoc.databases] or attached by the DDL); the others are left out."""
    main_ddl = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
    cache_ddl = "CREATE TABLE entries (id INTEGER PRIMARY KEY, body BLOB);"
    (tmp_path / "app" / "cache").mkdir(parents=True)
    (tmp_path / "app" / "db.py").write_text(f'SCHEMA = """{main_ddl}"""\n')
    (tmp_path / "app" / "cache" / "store.py").write_text(f'SCHEMA = """{cache_ddl}"""\n')
    (tmp_path / "app" / "jobs.py").write_text(
        'TEMP = "CREATE TABLE IF NOT EXISTS mem.scratch (hash_id INTEGER)"\n'
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schemadoc.databases.cache]\npaths = ["app/cache"]\n'
    )
    monkeypatch.chdir(tmp_path)
    app, cache = make_db(tmp_path / "app.db", main_ddl), make_db(tmp_path / "cache.db", cache_ddl)
    assert verify_db(app) == 0
    assert verify_db(cache, "--database", "cache") == 0
    assert verify_db(cache) == 1
    assert verify_db(app, "--database", "cache") == 1
    capsys.readouterr()
    assert verify_db(app, "--database", "nothing") == 2
    assert "the code creates no database nothing (cache, mem)" in capsys.readouterr().err
