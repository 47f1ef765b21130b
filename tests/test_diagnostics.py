"""One test per diagnostic code: a small file that triggers it, and where it is reported.

Every scan also holds ``zz_good.py``, which sorts after the file with the problem, so
each test shows that the run went on past it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import apsw
import pytest
from scanned import run, survived, write

from schemadoc.cli import main
from schemadoc.config import Settings
from schemadoc.model.schema import Diagnostic
from schemadoc.pipeline import Result, scan
from schemadoc.verify import sandbox
from schemadoc.verify.sandbox import Sandbox


def only(result: Result, code: str) -> Diagnostic:
    matches = [d for d in result.diagnostics if d.code == code]
    assert len(matches) == 1, [str(d) for d in result.diagnostics]
    return matches[0]


def placed(d: Diagnostic) -> tuple[str, str, int]:
    return d.severity, d.path, d.line


# --- SD101 ----------------------------------------------------------------------------------

MISSING_COLON = '''"""Orders module."""
import sqlite3

SCHEMA = "CREATE TABLE orders (id INTEGER PRIMARY KEY)"


def create(conn) -> None
    conn.execute(SCHEMA)
'''

BAD_INDENT = """SCHEMA = "CREATE TABLE orders (id INTEGER PRIMARY KEY)"


def create(conn):
    conn.execute(SCHEMA)
        conn.commit()
"""


@pytest.mark.parametrize(("source", "line"), [(MISSING_COLON, 7), (BAD_INDENT, 6)])
def test_sd101_syntax_error_mid_file(tmp_path: Path, source: str, line: int) -> None:
    result = run(tmp_path, {"orders.py": source})
    assert placed(only(result, "SD101")) == ("error", "orders.py", line)
    assert survived(result)


# --- SD102 ----------------------------------------------------------------------------------


def test_sd102_invalid_utf8(tmp_path: Path) -> None:
    data = b'"""Legacy module."""\nNAME = "caf\xe9"\nSCHEMA = "CREATE TABLE b (id INTEGER)"\n'
    result = run(tmp_path, {"legacy.py": data})
    assert placed(only(result, "SD102")) == ("error", "legacy.py", 2)
    assert survived(result)


def test_sd102_utf16(tmp_path: Path) -> None:
    data = 'SCHEMA = "CREATE TABLE a (id INTEGER)"\n'.encode("utf-16")
    result = run(tmp_path, {"wide.py": data})
    assert placed(only(result, "SD102")) == ("error", "wide.py", 1)
    assert survived(result)


def test_declared_8bit_encoding_is_not_sd102(tmp_path: Path) -> None:
    data = b'# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\nSCHEMA = "CREATE TABLE d (id INTEGER)"\n'
    result = run(tmp_path, {"latin.py": data})
    assert [d.code for d in result.diagnostics] == []
    assert result.schema.table("d") is not None
    assert survived(result)


# --- SD103 ----------------------------------------------------------------------------------


def test_sd103_unresolved_name(tmp_path: Path) -> None:
    source = '''def archive(conn, name):
    """Called with a name read from the command line."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {name}_archive (id INTEGER PRIMARY KEY)")
'''
    result = run(tmp_path, {"archive.py": source})
    assert placed(only(result, "SD103")) == ("warning", "archive.py", 3)
    t = result.schema.table("{name}_archive")
    assert t is not None and t.primary_key == ("id",)
    assert survived(result)
    assert not result.has_errors()


# --- SD104 ----------------------------------------------------------------------------------


def test_sd104_deleted_file_named_explicitly(tmp_path: Path) -> None:
    gone = tmp_path / "gone.py"
    gone.write_text('X = "CREATE TABLE gone (id INTEGER)"\n')
    gone.unlink()
    result = run(tmp_path, {}, gone, tmp_path / "zz_good.py")
    assert placed(only(result, "SD104")) == ("error", "gone.py", 0)
    assert survived(result)


def test_sd104_dangling_symlink_in_folder(tmp_path: Path) -> None:
    (tmp_path / "link.py").symlink_to(tmp_path / "nowhere.py")
    result = run(tmp_path, {})
    assert placed(only(result, "SD104")) == ("error", "link.py", 0)
    assert survived(result)


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode"
)
def test_sd104_unreadable_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.py"
    locked.write_text('X = "CREATE TABLE locked (id INTEGER)"\n')
    locked.chmod(0)
    try:
        result = run(tmp_path, {})
    finally:
        locked.chmod(0o644)
    assert placed(only(result, "SD104")) == ("error", "locked.py", 0)
    assert survived(result)


# --- SD105 ----------------------------------------------------------------------------------


def test_sd105_statement_built_at_run_time(tmp_path: Path) -> None:
    source = """import sqlite3


def add_created_index(conn: sqlite3.Connection, table: str) -> None:
    conn.execute(f"CREATE INDEX IF NOT EXISTS ix_created ON {table} (created_at)")
"""
    result = run(tmp_path, {"helpers.py": source})
    assert placed(only(result, "SD105")) == ("warning", "helpers.py", 5)
    assert not result.has_errors()
    assert survived(result)


def test_sd105_table_known_by_neither_name_nor_columns(tmp_path: Path) -> None:
    source = """def copy(conn, name, columns):
    conn.execute('CREATE TABLE "%s" (%s)' % (name, ", ".join(c for c in columns)))
    conn.execute(f"CREATE TABLE IF NOT EXISTS audit_{name} ({', '.join(columns)})")
"""
    result = run(tmp_path, {"helpers.py": source})
    assert placed(only(result, "SD105")) == ("warning", "helpers.py", 2)
    [kept] = [t for t in result.schema.tables if t.source and t.source.path == "helpers.py"]
    assert kept.name == "audit_{name}"  # a part of its name is known: documented as it is
    assert [c.name for c in kept.columns] == ["{', '.join(columns)}"]
    assert not result.has_errors()
    assert survived(result)


def test_sd105_generic_add_column_helper(tmp_path: Path) -> None:
    source = """def add_column(conn, table, column, decl):
    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
"""
    result = run(tmp_path, {"helpers.py": source})
    assert placed(only(result, "SD105")) == ("warning", "helpers.py", 2)
    assert not result.has_errors()
    assert survived(result)


# --- SD106 ----------------------------------------------------------------------------------


def test_sd106_a_name_assigned_different_values_takes_the_first(tmp_path: Path) -> None:
    source = '''import sqlite3

ROWID = "without rowid" if sqlite3.sqlite_version_info >= (3, 8, 2) else ""


def create_tables(con):
    if (3, 8, 2) <= sqlite3.sqlite_version_info:
        options = "without rowid"
    else:
        options = ""
    con.execute(f"""
        create table if not exists artifacts (
            artifact text,
            source text,
            primary key (artifact, source)
        ) {options};
    """)
    con.execute(f"create table if not exists dirty (source text primary key) {options}")
    con.execute("create index if not exists artifacts_source on artifacts (source)")
    message = "fast" if options else "slow"
    log = "first"
    log = "second"
    print(f"{log}: {message}")


def copy_into(con, into, select, temporary):
    if temporary:
        kind = " TEMPORARY"
    else:
        kind = ""
    con.execute(f"CREATE{kind} TABLE {into} AS {select}")  # which statement: not guessed
'''
    result = run(tmp_path, {"builder.py": source})
    artifacts = result.schema.table("artifacts")
    assert artifacts is not None and artifacts.without_rowid
    assert [c.name for c in artifacts.columns] == ["artifact", "source"]
    assert "artifacts_source" in [i.name for i in artifacts.indexes]
    dirty = result.schema.table("dirty")
    assert dirty is not None and dirty.without_rowid
    sd106 = only(result, "SD106")  # once for both tables; never for strings that are not DDL
    assert placed(sd106) == ("warning", "builder.py", 8)
    assert sd106.message == (
        "options is assigned different values ('without rowid', ''); the first is documented"
    )
    assert [d.code for d in result.diagnostics] == ["SD106"]
    assert survived(result)


# --- SD201 / SD202 --------------------------------------------------------------------------


def test_sd201_sqlite_rejects_statement(tmp_path: Path) -> None:
    source = '''SCHEMA = """
CREATE TABLE good (id INTEGER PRIMARY KEY);
CREATE TABLE broken (id INTEGER PRIMARY KEY, name TEXT,);
"""
'''
    result = run(tmp_path, {"schema.py": source})
    d = only(result, "SD201")
    assert placed(d) == ("error", "schema.py", 3)
    assert "broken" in d.message
    assert result.schema.table("good") is not None
    assert result.schema.table("broken") is None
    assert survived(result)


def test_sd202_view_on_unknown_table(tmp_path: Path) -> None:
    source = '''REPORT = """
CREATE VIEW monthly AS
    SELECT strftime('%Y-%m', at) AS month, count(*) AS n FROM events GROUP BY month
"""
'''
    result = run(tmp_path, {"report.py": source})
    assert placed(only(result, "SD202")) == ("error", "report.py", 2)
    assert survived(result)


# --- SD203 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE t (x TEXT CHECK (load_extension('/tmp/evil.so') IS NULL))",
        "CREATE TABLE t (x TEXT, y TEXT AS (load_extension(x)))",
        "CREATE TABLE t AS SELECT load_extension('/tmp/evil.so') AS x",
    ],
)
def test_sd203_forbidden_function(tmp_path: Path, ddl: str) -> None:
    result = run(tmp_path, {"evil.py": f'"""Plugin loader."""\n\nDDL = "{ddl}"\n'})
    d = only(result, "SD203")
    assert placed(d) == ("error", "evil.py", 3)
    assert "load_extension" in d.message
    assert result.schema.table("t") is None
    assert survived(result)


def test_a_denied_function_in_a_default_is_refused(tmp_path: Path) -> None:
    """SQLite would store the DEFAULT unchecked; schemadoc refuses it where it is written."""
    ddl = "CREATE TABLE t (x TEXT DEFAULT (load_extension('/tmp/evil.so')))"
    result = run(tmp_path, {"evil.py": f'DDL = "{ddl}"\n'})
    assert [(d.code, d.severity, d.path, d.line) for d in result.diagnostics] == [
        ("SD203", "error", "evil.py", 1)
    ]
    assert "load_extension" in result.diagnostics[0].message
    assert result.schema.table("t") is None


# --- SD204 ----------------------------------------------------------------------------------


def test_sd204_runaway_statement_stops_at_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = '''"""Numbers table, generated."""

NUMBERS = (
    "CREATE TABLE t AS WITH RECURSIVE c(x) AS "
    "(SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c"
)
'''
    runs: list[str] = []
    interrupts: list[Sandbox] = []
    real_run, real_interrupt = Sandbox.run, Sandbox._interrupt

    def counted_run(self: Sandbox, sql: str, **kwargs: object) -> None:
        runs.append(sql)
        real_run(self, sql, **kwargs)  # type: ignore[arg-type]

    def counted_interrupt(self: Sandbox) -> None:
        interrupts.append(self)
        real_interrupt(self)

    monkeypatch.setattr(Sandbox, "run", counted_run)
    monkeypatch.setattr(Sandbox, "_interrupt", counted_interrupt)
    result = run(tmp_path, {"numbers.py": source})
    d = only(result, "SD204")
    assert placed(d) == ("error", "numbers.py", 4)
    assert f"stopped after {sandbox.DEADLINE_SECONDS:g} s;" in d.message, d.message
    # Run once, stopped once by the watchdog: nothing retried it.
    assert sum("WITH RECURSIVE" in sql for sql in runs) == 1
    assert len(interrupts) == 1
    assert result.schema.table("t") is None
    assert survived(result)


# --- SD205 ----------------------------------------------------------------------------------


def test_sd205_not_schema_changes(tmp_path: Path) -> None:
    source = '''SETUP = """
CREATE TABLE a (id INTEGER PRIMARY KEY);
ATTACH DATABASE 'archive.db' AS archive;
VACUUM;
PRAGMA writable_schema = ON;
PRAGMA journal_mode = WAL;
"""
'''
    result = run(tmp_path, {"setup.py": source})
    found = sorted((placed(d), d.message.split()[0]) for d in result.diagnostics)
    assert found == [
        (("warning", "setup.py", 3), "ATTACH"),
        (("warning", "setup.py", 4), "VACUUM"),
        (("warning", "setup.py", 5), "PRAGMA"),
    ]
    assert {d.code for d in result.diagnostics} == {"SD205"}
    assert result.schema.table("a") is not None
    assert survived(result)


# --- SD206 ----------------------------------------------------------------------------------


def test_sd206_other_engine(tmp_path: Path) -> None:
    source = '''SQLITE = "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)"
POSTGRES = """
CREATE TABLE events (id SERIAL PRIMARY KEY, payload JSONB NOT NULL)
"""
'''
    result = run(tmp_path, {"ddl.py": source})
    assert placed(only(result, "SD206")) == ("warning", "ddl.py", 3)
    assert result.schema.table("events") is None
    assert result.schema.table("kv") is not None
    assert not result.has_errors()
    assert survived(result)


def test_sd206_each_engine_its_own_definition(tmp_path: Path) -> None:
    """The table of each engine under a constant named after it: SQLite's is documented,
    and so are the indexes on it; the other engine's index is skipped."""
    source = """POSTGRES_TABLE = \"\"\"
CREATE TABLE search (id BIGINT, vector TEXT);
CREATE INDEX search_idx ON search (id);
\"\"\"
SQLITE_TABLE = "CREATE VIRTUAL TABLE search USING fts4 (id, body)"
LATER = "CREATE TABLE search_meta (id INTEGER PRIMARY KEY)"
"""
    result = run(tmp_path, {"fts.py": source})
    skipped = sorted((d.line, d.message) for d in result.diagnostics if d.code == "SD206")
    assert [line for line, _ in skipped] == [2, 3]
    assert "POSTGRES_TABLE" in skipped[0][1]
    search = result.schema.table("search")
    assert search is not None and search.kind == "virtual"
    assert [c.name for c in search.columns] == ["id", "body"]
    assert not result.has_errors()
    assert survived(result)


def test_sd206_index_and_table_access_methods(tmp_path: Path) -> None:
    """``USING hnsw (...)`` on an index and ``) USING heap`` on a table are Postgres's;
    SQLite's ``USING`` of a virtual table or a join is not."""
    source = """def create(conn, dims):
    conn.execute(f"CREATE TABLE docs (id TEXT PRIMARY KEY, embedding vector({dims})) USING heap")
    conn.execute("CREATE INDEX docs_embedding ON docs USING hnsw (embedding) WITH (m = 8)")


def create_local(conn):
    conn.execute("CREATE VIRTUAL TABLE docs_fts USING fts5(body)")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, doc TEXT)")
    conn.execute("CREATE TABLE tags (id INTEGER PRIMARY KEY, tag TEXT)")
    conn.execute("CREATE VIEW note_tags AS SELECT * FROM notes JOIN tags USING (id)")
"""
    result = run(tmp_path, {"store.py": source})
    skipped = sorted((d.line, d.message) for d in result.diagnostics if d.code == "SD206")
    assert [line for line, _ in skipped] == [2, 3]
    assert "') USING heap' is not SQLite" in skipped[0][1]
    assert "'ON docs USING hnsw' is not SQLite" in skipped[1][1]
    names = [t.name for t in result.schema.tables if t.name != "survivor"]
    assert names == ["docs_fts", "notes", "tags"]
    assert [v.name for v in result.schema.views] == ["note_tags"]
    assert not result.has_errors()


def test_types_of_other_engines_alone_are_documented(tmp_path: Path) -> None:
    """Code shared by several engines writes their types; SQLite takes them as written."""
    source = '''async def upgrade(conn):
    await conn.execute(
        """CREATE TABLE portal (
            id BIGINT PRIMARY KEY,
            config jsonb,
            avatar bytea,
            created_at TIMESTAMP WITH TIME ZONE
        )"""
    )
    await conn.execute("ALTER TABLE portal ADD COLUMN extra jsonb")
'''
    result = run(tmp_path, {"upgrade.py": source})
    portal = result.schema.table("portal")
    assert portal is not None
    assert [(c.name, c.type) for c in portal.columns] == [
        ("id", "BIGINT"),
        ("config", "jsonb"),
        ("avatar", "bytea"),
        ("created_at", "TIMESTAMP WITH TIME ZONE"),
        ("extra", "jsonb"),
    ]
    assert [d for d in result.diagnostics if d.code == "SD206"] == []
    assert survived(result)


def test_types_of_other_engines_beside_a_plain_definition_are_skipped(tmp_path: Path) -> None:
    pg = 'SCHEMA = "CREATE TABLE IF NOT EXISTS events (id BIGINT PRIMARY KEY, body JSONB)"\n'
    lite = 'SCHEMA = "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, body TEXT)"\n'
    result = run(tmp_path, {"a_server.py": pg, "b_local.py": lite})
    events = result.schema.table("events")
    assert events is not None
    assert [(c.name, c.type) for c in events.columns] == [("id", "INTEGER"), ("body", "TEXT")]
    skipped = only(result, "SD206")
    assert placed(skipped) == ("warning", "a_server.py", 1)
    assert "'JSONB' is not SQLite, unlike another definition of it" in skipped.message
    assert [d.code for d in result.diagnostics] == ["SD206"]


def test_a_table_renamed_over_another_engines_name_is_ours(tmp_path: Path) -> None:
    """Another engine's ``filters`` is skipped; a SQLite table renamed to that name later
    is this engine's table, and what follows applies to it."""
    source = """MYSQL_SCHEMA = "CREATE TABLE filters (id BIGINT UNSIGNED, body TEXT)"
MIGRATE = \"\"\"
CREATE TABLE filters_new (id INTEGER NOT NULL, body TEXT);
ALTER TABLE filters_new RENAME TO filters;
CREATE UNIQUE INDEX filters_id ON filters (id);
ALTER TABLE filters ADD COLUMN owner TEXT;
\"\"\"
"""
    result = run(tmp_path, {"filters.py": source})
    filters = result.schema.table("filters")
    assert filters is not None
    assert [c.name for c in filters.columns] == ["id", "body", "owner"]
    assert [i.name for i in filters.indexes] == ["filters_id"]
    assert [(d.code, d.line) for d in result.diagnostics] == [("SD206", 1)]


# --- SD207 / SD208 / SD209 ------------------------------------------------------------------


def test_sd207_virtual_table_module_unavailable(tmp_path: Path) -> None:
    source = 'EMBEDDINGS = "CREATE VIRTUAL TABLE embeddings USING vec0(embedding float[384])"\n'
    result = run(tmp_path, {"vectors.py": source})
    assert placed(only(result, "SD207")) == ("warning", "vectors.py", 1)
    # The SQLite that verifies is named: whether it has a module depends on its version.
    assert only(result, "SD207").message.endswith(
        f"no such module: vec0 in SQLite {apsw.sqlite_lib_version()}; not documented"
    )
    assert not result.has_errors()
    assert survived(result)


def test_sd208_foreign_key_to_unknown_table(tmp_path: Path) -> None:
    source = '''ORDERS = """
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id)
)
"""
'''
    result = run(tmp_path, {"orders.py": source})
    d = only(result, "SD208")
    assert placed(d) == ("warning", "orders.py", 2)
    assert "customers" in d.message
    fk = result.schema.table("orders").foreign_keys[0]
    assert (fk.columns, fk.ref_table) == (("customer_id",), "customers")
    assert survived(result)


def test_sd209_reads_attached_database(tmp_path: Path) -> None:
    source = """SNAPSHOT = (
    "CREATE TABLE snapshot AS SELECT * FROM archive.items"
)
"""
    result = run(tmp_path, {"snapshot.py": source})
    assert placed(only(result, "SD209")) == ("warning", "snapshot.py", 2)
    assert not result.has_errors()
    assert survived(result)


# --- SD301 / SD302 / SD303 / SD304 ----------------------------------------------------------


def test_sd301_same_table_defined_differently(tmp_path: Path) -> None:
    first = 'A = "CREATE TABLE IF NOT EXISTS exports (id INTEGER PRIMARY KEY, path TEXT)"\n'
    second = '\n\nB = "CREATE TABLE IF NOT EXISTS exports (id INTEGER PRIMARY KEY, size INT)"\n'
    result = run(tmp_path, {"a.py": first, "b.py": second})
    assert placed(only(result, "SD301")) == ("warning", "b.py", 3)
    assert [c.name for c in result.schema.table("exports").columns] == ["id", "path"]
    assert survived(result)


def test_sd302_guarded_add_column_that_exists(tmp_path: Path) -> None:
    source = """import sqlite3

CUSTOMERS = "CREATE TABLE IF NOT EXISTS customers (id INTEGER PRIMARY KEY, email TEXT)"


def upgrade(conn):
    conn.execute(CUSTOMERS)
    try:
        conn.execute("ALTER TABLE customers ADD COLUMN email TEXT")
    except sqlite3.OperationalError:
        pass
"""
    result = run(tmp_path, {"upgrade.py": source})
    assert placed(only(result, "SD302")) == ("note", "upgrade.py", 9)
    assert [c.name for c in result.schema.table("customers").columns] == ["id", "email"]
    assert survived(result)


def test_sd303_drop_in_teardown_function(tmp_path: Path) -> None:
    source = """SCHEMA = "CREATE TABLE accounts (id INTEGER PRIMARY KEY)"


def drop_all(conn):
    conn.execute("DROP TABLE IF EXISTS accounts")
"""
    result = run(tmp_path, {"db.py": source})
    assert placed(only(result, "SD303")) == ("note", "db.py", 5)
    assert result.schema.table("accounts") is not None
    assert survived(result)


ROLLBACKS = {
    "yoyo.py": """from yoyo import step

steps = [step("CREATE TABLE foo (id INTEGER PRIMARY KEY)", "DROP TABLE foo")]
""",
    "django_0002.py": """from django.db import migrations


class Migration(migrations.Migration):
    operations = [
        migrations.RunSQL(
            sql="CREATE TABLE baz (id INTEGER PRIMARY KEY)",
            reverse_sql="DROP TABLE baz",
        ),
    ]
""",
    "updown.py": """def up(conn):
    conn.execute("CREATE TABLE qux (id INTEGER PRIMARY KEY)")


def down(conn):
    conn.execute("DROP TABLE qux")
""",
    "m0006.py": """UP = "CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT UNIQUE)"
DOWN = "DROP TABLE tags"
""",
    "history.py": """MIGRATIONS = [
    "CREATE TABLE legacy (id INTEGER PRIMARY KEY)",
    "DROP TABLE legacy",
]
""",
}


def test_sd303_drop_in_rollback_code(tmp_path: Path) -> None:
    result = run(tmp_path, ROLLBACKS)
    notes = sorted((d.path, d.line, d.message) for d in result.diagnostics if d.code == "SD303")
    assert notes == [
        (
            "django_0002.py",
            8,
            "DROP TABLE baz looks like teardown or rollback code "
            "(Migration.operations.reverse_sql); baz stays documented",
        ),
        (
            "m0006.py",
            2,
            "DROP TABLE tags looks like teardown or rollback code (DOWN); tags stays documented",
        ),
        (
            "updown.py",
            6,
            "DROP TABLE qux looks like teardown or rollback code (down); qux stays documented",
        ),
        (
            "yoyo.py",
            3,
            "DROP TABLE foo looks like teardown or rollback code (steps.rollback); "
            "foo stays documented",
        ),
    ]
    # A migration history that drops a table for good is applied as written, with a note.
    assert [t.name for t in result.schema.tables] == ["baz", "foo", "qux", "survivor", "tags"]
    assert placed(only(result, "SD305")) == ("note", "history.py", 3)
    assert "history.py:2:5" in only(result, "SD305").message
    assert survived(result)


def test_sd305_only_for_what_is_not_made_again(tmp_path: Path) -> None:
    source = """MIGRATIONS = [
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)",
    "CREATE TABLE t_new (id INTEGER PRIMARY KEY, a TEXT NOT NULL)",
    "DROP TABLE t",
    "ALTER TABLE t_new RENAME TO t",
    "CREATE VIEW v AS SELECT id FROM t",
    "DROP VIEW v",
    "CREATE VIEW v AS SELECT a FROM t",
    "CREATE INDEX ix_a ON t (a)",
    "DROP INDEX ix_a",
]
"""
    result = run(tmp_path, {"history.py": source})
    assert [d.code for d in result.diagnostics] == []
    t = result.schema.table("t")
    assert t is not None and [c.notnull for c in t.columns] == [False, True]
    assert [v.name for v in result.schema.views] == ["v"]
    assert survived(result)


def test_sd304_alter_before_create(tmp_path: Path) -> None:
    migration = '''"""Release 2.0 renamed the column; old databases still have mail."""

RENAME = "ALTER TABLE users RENAME COLUMN mail TO email"
'''
    schema = 'USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)"\n'
    result = run(tmp_path, {"a_migrate.py": migration, "b_schema.py": schema})
    assert placed(only(result, "SD304")) == ("note", "a_migrate.py", 3)
    assert [c.name for c in result.schema.table("users").columns] == ["id", "email"]
    assert not result.has_errors()
    assert survived(result)


# --- SD401 / SD402 --------------------------------------------------------------------------


def test_sd401_beyond_sqlglot(tmp_path: Path) -> None:
    source = '''AUDIT = """
CREATE TABLE t (a INT, changed TEXT);
CREATE TABLE k (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, v TEXT NOT NULL);
"""
'''
    result = run(tmp_path, {"audit.py": source})
    assert placed(only(result, "SD401")) == ("note", "audit.py", 3)
    k = result.schema.table("k")
    assert k is not None and [(c.name, c.pk, c.notnull) for c in k.columns] == [
        ("id", 1, False),
        ("v", 0, True),
    ]
    assert survived(result)


def test_sd402_sqlglot_and_sqlite_disagree(tmp_path: Path) -> None:
    source = 'ODD = "CREATE TABLE odd (id INTEGER PRIMARY KEY, a TEXT NULL NOT NULL)"\n'
    result = run(tmp_path, {"odd.py": source})
    assert placed(only(result, "SD402")) == ("warning", "odd.py", 1)
    assert result.schema.table("odd").column("a").notnull  # SQLite's view
    assert survived(result)


# --- exit codes through the CLI -------------------------------------------------------------


def generate(folder: Path, out: Path, *extra: str) -> int:
    return main(["generate", "--format", "json", "--output", str(out), *extra, str(folder)])


def test_cli_warnings_only_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "src"
    write(
        src,
        {"orders.py": 'X = "CREATE TABLE o (id INTEGER, c INTEGER REFERENCES nope(id))"\n'},
        good=False,
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "schema.json"
    assert generate(src, out) == 0
    data = json.loads(out.read_text())
    assert [t["name"] for t in data["tables"]] == ["o"]
    assert [(d["severity"], d["code"]) for d in data["diagnostics"]] == [("warning", "SD208")]


def test_cli_strict_turns_warnings_into_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    write(src, {"orders.py": 'X = "CREATE TABLE o (id INTEGER, c INTEGER REFERENCES nope(id))"\n'})
    monkeypatch.chdir(tmp_path)
    assert generate(src, tmp_path / "schema.json", "--strict") == 2


def test_cli_errors_exit_2_and_json_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    write(
        src,
        {
            "good.py": 'X = "CREATE TABLE good (id INTEGER PRIMARY KEY)"\n',
            "bad.py": '\nY = "CREATE TABLE bad (id INTEGER,)"\n',
        },
        good=False,
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "schema.json"
    assert generate(src, out) == 2
    data = json.loads(out.read_text())
    assert [t["name"] for t in data["tables"]] == ["good"]
    assert [(d["severity"], d["code"], d["path"], d["line"]) for d in data["diagnostics"]] == [
        ("error", "SD201", "src/bad.py", 2)
    ]


def test_errors_never_cost_the_whole_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    write(
        src,
        {
            "bad.py": 'Y = "CREATE TABLE bad (id INTEGER,)"\n',
            "good.py": 'X = "CREATE TABLE good (id INTEGER PRIMARY KEY)"\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "schema.md"
    assert main(["generate", "--format", "markdown", "--output", str(out), str(src)]) == 2
    doc = out.read_text()
    assert "### `good`" in doc and "### `bad`" not in doc
    section = doc[doc.index("## Not documented") :]
    rejects = f"SQLite {apsw.sqlite_lib_version()} rejects CREATE TABLE bad"
    assert "`src/bad.py:1`" in section and rejects in section
    assert "(SD201)" in section
    capsys.readouterr()
    assert main(["check", "--format", "markdown", "--output", str(out), str(src)]) == 2
    err = capsys.readouterr().err
    assert "error[SD201]" in err and "is stale" not in err  # current, with its errors listed


def test_comments_between_the_words_of_a_statement(tmp_path: Path) -> None:
    source = '''SCHEMA = """
CREATE TABLE version -- added in v1
(
 version INTEGER  -- contains one row
);
CREATE /* kept */ TABLE items (id INTEGER PRIMARY KEY, name TEXT);
CREATE INDEX items_name -- by name
  ON items (name);
ALTER TABLE items /* later */ ADD COLUMN price REAL;
"""
'''
    result = run(tmp_path, {"schema.py": source})
    version, items = result.schema.table("version"), result.schema.table("items")
    assert version is not None and [c.name for c in version.columns] == ["version"]
    assert items is not None and [c.name for c in items.columns] == ["id", "name", "price"]
    assert [i.name for i in items.indexes] == ["items_name"]
    assert result.diagnostics == ()
    assert survived(result)


def test_an_alter_of_a_table_no_ddl_creates_says_so(tmp_path: Path) -> None:
    """Tables made by code that is not DDL (an ORM, ``db["log"].create(...)``) are unknown:
    a warning that the ALTER is not documented, not an error in the user's code."""
    source = """def m007_finish_logs_table(db):
    db["log"].transform(drop={"debug"})
    db.execute("alter table log rename to logs")
    db.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY)")
    db.execute("CREATE INDEX kept_id ON kept (id)")
"""
    result = run(tmp_path, {"migrations.py": source})
    (warning,) = result.diagnostics
    assert placed(warning) == ("warning", "migrations.py", 3)
    assert (warning.code, warning.message) == (
        "SD210",
        "ALTER TABLE log: no DDL found creates log; not documented",
    )
    assert result.schema.table("kept") is not None


# --- SD307 ----------------------------------------------------------------------------------

REBUILD = '''SCHEMA = """
CREATE TABLE entries (id TEXT PRIMARY KEY, feed TEXT NOT NULL, title TEXT);
CREATE TABLE feeds (url TEXT PRIMARY KEY);
"""
CREATE = {"entries": SCHEMA.split(";")[0].replace("entries", "{name}", 1)}


def update_from_37_to_38(db):
    db.execute(CREATE["entries"].format(name="new_entries"))
    db.execute("INSERT INTO new_entries SELECT id, feed, title FROM entries")
    db.execute("DROP TABLE entries;")
    db.execute("ALTER TABLE new_entries RENAME TO entries;")


def update_from_38_to_39(db):
    db.execute("CREATE TABLE new_feeds (url TEXT PRIMARY KEY, title TEXT)")
    db.execute("DROP TABLE feeds")
    db.execute("ALTER TABLE new_feeds RENAME TO feeds")


def transform(db, table):
    db.execute(f"DROP TABLE [{table}]")
    db.execute(f"ALTER TABLE [{table}_new] RENAME TO [{table}]")
'''


def test_sd307_a_rebuild_from_a_copy_no_ddl_creates_keeps_the_table(tmp_path: Path) -> None:
    result = run(tmp_path, {"schema.py": REBUILD})
    entries = result.schema.table("entries")
    assert entries is not None and [c.name for c in entries.columns] == ["id", "feed", "title"]
    notes = [(d.severity, d.code, d.line) for d in result.diagnostics if d.line < 20]
    assert notes == [("note", "SD307", 11), ("note", "SD307", 12)]
    # Statements built at run time are not read as a rebuild: they cannot be documented.
    assert {d.code for d in result.diagnostics if d.line >= 20} == {"SD103", "SD105"}
    assert result.diagnostics[0].message == (
        "a rebuild of entries from new_entries, which no DDL creates (line 12); "
        "entries is documented as it was"
    )
    # A copy made by DDL is applied as written: the rebuilt table is the copy.
    feeds = result.schema.table("feeds")
    assert feeds is not None and [c.name for c in feeds.columns] == ["url", "title"]
    assert feeds.sources[-1].line == 18
    assert survived(result)


def test_a_run_that_documents_nothing_says_why(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "db.py": (
                'def make(conn, name, cols):\n    conn.execute(f"CREATE TABLE {name} ({cols})")\n'
            )
        },
        good=False,
    )
    result = scan([tmp_path], Settings(root=str(tmp_path)))
    [why] = [d for d in result.diagnostics if d.code == "SD111"]
    assert why.severity == "warning" and "DDL-like text in db.py was applied" in why.message
    assert result.has_errors(strict=True) and not result.has_errors()


def test_a_run_without_ddl_says_so(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": "print('hello')\n"}, good=False)
    result = scan([tmp_path], Settings(root=str(tmp_path)))
    assert [str(d) for d in result.diagnostics] == [
        "warning[SD111]: nothing is documented: no file scanned holds a CREATE statement"
    ]
