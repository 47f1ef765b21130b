"""Shapes real repositories build their schema with, each written from the shape."""

from __future__ import annotations

from pathlib import Path

from scanned import run, survived

from schemadoc.model.schema import Origin
from schemadoc.pipeline import Result


def sources(result: Result) -> dict[str, tuple[str, int]]:
    """Each index and table documented, with the file and line its statement starts on."""
    out = {}
    for table in result.schema.tables:
        out[table.name] = (table.source.path, table.source.line)
        for index in table.indexes:
            out[index.name] = (index.source.path, index.source.line)
    return out


def codes(result: Result) -> list[str]:
    return [d.code for d in result.diagnostics]


SPLIT = '''\
def create(db):
    db.execute("CREATE TABLE feed (id INTEGER PRIMARY KEY, url TEXT, title TEXT)")
    INDEXES = """
    CREATE UNIQUE INDEX feed_url ON feed (url)
    CREATE INDEX feed_title ON feed (title)
    """
    for sql in INDEXES.strip().split("\\n"):
        db.execute(sql)
    INDEXES = """
    CREATE INDEX feed_both ON feed (url, title)
    """
    for sql in INDEXES.splitlines():
        db.execute(sql)
    for sql in "CREATE INDEX a ON feed (id, url); CREATE INDEX b ON feed (id, title)".split(";"):
        db.execute(sql)
'''


def test_statements_the_code_splits_into_lines_or_at_semicolons(tmp_path: Path) -> None:
    """One statement per line, run by ``SQL.strip().split("\\n")`` or ``.splitlines()``, or
    several split at ``;``: each is documented where it is written, none is an error."""
    result = run(tmp_path, {"db.py": SPLIT})
    assert codes(result) == []
    assert sources(result) == {
        "feed": ("db.py", 2),
        "feed_url": ("db.py", 4),
        "feed_title": ("db.py", 5),
        "feed_both": ("db.py", 10),
        "a": ("db.py", 14),
        "b": ("db.py", 14),
        "survivor": ("zz_good.py", 3),
    }
    feed = result.schema.table("feed")
    assert feed is not None
    unique = {ix.name: ix.unique for ix in feed.indexes}
    assert unique == {
        "feed_url": True,
        "feed_title": False,
        "feed_both": False,
        "a": False,
        "b": False,
    }
    assert survived(result)


PRODUCTION = """\
TABLE = "pages"


def create(db, table=TABLE):
    db.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, title TEXT)")
    db.execute("CREATE TABLE links (source INTEGER, target INTEGER)")
"""

TEST = """\
from zpkg.store import create


def test_create(db):
    db.execute("CREATE TABLE links (id INTEGER PRIMARY KEY, href TEXT)")
    create(db, table="scratch_pages")
    db.execute("DROP TABLE pages")
"""


def test_included_test_code_never_wins(tmp_path: Path) -> None:
    """With tests included, a test's definition of a table, a value a test passes at a call
    site, and a test's DROP never replace what production code creates, even where the test
    file comes first in path order."""
    from schemadoc.config import Settings
    from schemadoc.pipeline import scan

    files = {"zpkg/__init__.py": "", "zpkg/store.py": PRODUCTION, "tests/test_store.py": TEST}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = scan([tmp_path], Settings(root=str(tmp_path), include_tests=True))
    links = result.schema.table("links")
    assert links is not None
    assert [c.name for c in links.columns] == ["source", "target"]
    assert (links.source.path, links.source.line) == ("zpkg/store.py", 6)
    pages = result.schema.table("pages")
    assert pages is not None and [c.name for c in pages.columns] == ["id", "title"]
    assert result.schema.table("scratch_pages") is None
    conflict = [d for d in result.diagnostics if d.code == "SD301"]
    assert [(d.path, d.line) for d in conflict] == [("tests/test_store.py", 5)]


APPENDED = '''\
def create(db, fts=False, archive=True):
    stmt = """CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        title TEXT"""
    if fts:
        stmt += ", body TEXT"
    else:
        stmt += ", summary TEXT"
    stmt += ", created INTEGER"
    stmt += ")"
    db.execute(stmt)
    if archive:
        sql = "CREATE TABLE archive (id INTEGER PRIMARY KEY"
        sql += ", moved INTEGER"
        sql += ")"
        db.execute(sql)
'''


def test_a_statement_built_by_appends_under_conditions(tmp_path: Path) -> None:
    """``stmt = "CREATE TABLE t (..."``, ``if cond: stmt += ", col T"``, ``stmt += ")"``:
    the table is documented whole, each conditional column noted as conditional."""
    result = run(tmp_path, {"db.py": APPENDED})
    assert codes(result) == []
    entries = result.schema.table("entries")
    assert entries is not None
    assert [(c.name, c.type, c.description) for c in entries.columns] == [
        ("id", "INTEGER", None),
        ("title", "TEXT", None),
        ("body", "TEXT", "only when fts"),
        ("summary", "TEXT", "only when not (fts)"),
        ("created", "INTEGER", None),
    ]
    assert (entries.source.path, entries.source.line) == ("db.py", 2)
    archive = result.schema.table("archive")
    assert archive is not None
    assert [(c.name, c.description) for c in archive.columns] == [("id", None), ("moved", None)]


OTHER_STORES = {
    "events.py": """\
from cassandra.cluster import Cluster

session = Cluster().connect()
session.execute("CREATE TABLE IF NOT EXISTS events (id uuid PRIMARY KEY, tags set<text>)")
""",
    "metrics.py": """\
import duckdb

con = duckdb.connect()
con.execute("CREATE TABLE metrics (ts TIMESTAMP, value DOUBLE)")
""",
    "both.py": """\
import sqlite3
import duckdb

sqlite3.connect("app.db").execute("CREATE TABLE local (id INTEGER PRIMARY KEY)")
""",
}


def test_ddl_in_code_for_other_stores_is_theirs(tmp_path: Path) -> None:
    """A module that imports only another store's client (Cassandra, DuckDB) runs its DDL
    there: a note that it is another engine's, not an error, and not documented; a module
    that also reaches SQLite is ours."""
    result = run(tmp_path, OTHER_STORES)
    said = {(d.path, d.code) for d in result.diagnostics}
    assert said == {("events.py", "SD206"), ("metrics.py", "SD206")}
    assert [t.name for t in result.schema.tables] == ["local", "survivor"]


SERIAL = {
    "db.py": """\
def create(db):
    db.execute("CREATE TABLE devices (serial INTEGER PRIMARY KEY, name TEXT)")
    db.execute("CREATE TABLE ports (id INTEGER PRIMARY KEY, serial TEXT, device INTEGER)")
    db.execute("CREATE INDEX ports_serial ON ports (serial)")
    db.execute("CREATE VIEW named AS SELECT name AS serial FROM devices ORDER BY serial")
""",
    "pg.py": 'PG = "CREATE TABLE pg_only (id SERIAL PRIMARY KEY, n BIGSERIAL)"\n',
}


def test_a_column_named_serial_is_not_another_engines_type(tmp_path: Path) -> None:
    result = run(tmp_path, SERIAL)
    devices = result.schema.table("devices")
    assert devices is not None and [c.name for c in devices.columns] == ["serial", "name"]
    ports = result.schema.table("ports")
    assert ports is not None and [ix.name for ix in ports.indexes] == ["ports_serial"]
    assert [v.name for v in result.schema.views] == ["named"]
    assert result.schema.table("pg_only") is None
    assert [(d.path, d.code) for d in result.diagnostics] == [("pg.py", "SD206")]


MODES = """\
def create(db):
    db.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("CREATE TABLE search (id INTEGER PRIMARY KEY, words TEXT)")


def disable_search(db):
    db.execute("DROP TABLE search")


def use_shared_pages(db):
    db.execute("DROP TABLE pages")
    db.execute("CREATE VIEW pages AS SELECT id, words AS body FROM search")


def migrate(db):
    db.execute("CREATE TABLE old_log (id INTEGER PRIMARY KEY)")
    db.execute("DROP TABLE old_log")
"""


def test_a_drop_outside_the_creation_path_does_not_erase(tmp_path: Path) -> None:
    """A ``disable_*`` method's DROP, and a mode that replaces a table by a view, leave the
    table documented with a note at each statement; a migration's DROP of what it made
    still removes it."""
    result = run(tmp_path, {"db.py": MODES})
    assert sorted(t.name for t in result.schema.tables) == ["pages", "search", "survivor"]
    pages = result.schema.table("pages")
    assert pages is not None and [c.name for c in pages.columns] == ["id", "body"]
    assert result.schema.views == ()
    notes = sorted((d.line, d.code) for d in result.diagnostics if d.path == "db.py")
    assert notes == [(7, "SD303"), (11, "SD303"), (12, "SD303"), (17, "SD305")]


CHAIN = {
    "store/__init__.py": "",
    "store/table.py": """\
class Table:
    def __init__(self, db, name, fields, constraints=None):
        self._name = name
        self.db = db
        self._create(fields, constraints)

    def _create(self, fields, constraints):
        constraints = constraints or {}
        defs = [f'{field} {constraints.get(field, "")}' for field in fields]
        self.db.execute(f"CREATE TABLE IF NOT EXISTS {self._name} ({', '.join(defs)})")

    def index(self, name, column):
        self.db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {self._name} ({column})")
""",
    "store/tables.py": """\
from store.table import Table


class Visits(Table):
    def __init__(self, db):
        super().__init__(db, "visits", ["url", "at"], constraints={"url": "NOT NULL"})
        self.index("visits_at", "at")


class Settings(Table):
    def __init__(self, db):
        self._fields = ["key", "value"]
        super().__init__(db, "settings", self._fields, constraints={"key": "PRIMARY KEY"})

    def rebuild(self):
        self._create(self._fields, {"key": "PRIMARY KEY"})


class Bookmarks(Table):
    def __init__(self, db, name):
        Table.__init__(self, db, name, ["url"])
""",
}


def test_names_and_columns_passed_up_a_constructor_chain(tmp_path: Path) -> None:
    """A table name and its columns passed up a constructor chain (``super().__init__(db,
    "visits", [...], constraints={...})``) into a base class's f-string: each subclass's
    table with its own columns and constraints, and its own indexes; a subclass whose name
    is only known at run time adds nothing."""
    result = run(tmp_path, CHAIN)
    statements = {t.name: t for t in result.schema.tables}
    assert sorted(statements) == ["settings", "survivor", "visits"]
    visits, settings = statements["visits"], statements["settings"]
    assert [(c.name, c.notnull) for c in visits.columns] == [("url", True), ("at", False)]
    assert [ix.name for ix in visits.indexes] == ["visits_at"]
    assert [(c.name, c.pk) for c in settings.columns] == [("key", 1), ("value", 0)]
    assert [ix.origin for ix in settings.indexes] == ["pk"]
    assert (visits.source.path, visits.source.line) == ("store/table.py", 10)
    assert [d.code for d in result.diagnostics if d.severity != "note"] == []


FIELD_TYPES = {
    "app/__init__.py": "",
    "app/types.py": """\
class Field:
    sql = "TEXT"


class Id(Field):
    sql = "INTEGER PRIMARY KEY"


class String(Field):
    pass


class Count(Field):
    sql = "INTEGER NOT NULL DEFAULT 0"
""",
    "app/base.py": """\
class Model:
    table = None
    _fields = {}

    @classmethod
    def create(cls, db):
        cols = ", ".join(f"{name} {field.sql}" for name, field in cls._fields.items())
        db.execute(f"CREATE TABLE IF NOT EXISTS {cls.table} ({cols})")
""",
    "app/models.py": """\
from app import types
from app.base import Model


class Podcast(Model):
    table = "podcast"
    _fields = {"id": types.Id(), "title": types.String(), "plays": types.Count()}


class Episode(Model):
    table = "episode"
    _fields = {"id": types.Id(), "podcast_id": types.Count()}
""",
}


def test_columns_from_a_mapping_of_names_to_type_objects(tmp_path: Path) -> None:
    """``_fields = {"id": types.Id(), ...}`` per class, each type class holding its SQL type
    in ``sql`` (or inheriting it), joined into one base-class statement: one table per
    class, with its columns and types."""
    result = run(tmp_path, FIELD_TYPES)
    columns = {
        t.name: [(c.name, c.type, c.notnull, c.pk) for c in t.columns]
        for t in result.schema.tables
        if t.name != "survivor"
    }
    assert columns == {
        "episode": [("id", "INTEGER", False, 1), ("podcast_id", "INTEGER", True, 0)],
        "podcast": [
            ("id", "INTEGER", False, 1),
            ("title", "TEXT", False, 0),
            ("plays", "INTEGER", True, 0),
        ],
    }
    assert [d.code for d in result.diagnostics] == []


ATTACHED = """\
def setup(db):
    db.execute("CREATE TABLE files (hash_id INTEGER PRIMARY KEY, size INTEGER)")
    db.execute("CREATE TABLE IF NOT EXISTS mem.temp_hash_ids ( hash_id INTEGER );")
    db.execute("CREATE TABLE IF NOT EXISTS durable_temp.jobs (id INTEGER PRIMARY KEY, note TEXT)")
    db.execute("CREATE INDEX IF NOT EXISTS mem.temp_hash_ids_index ON temp_hash_ids (hash_id)")
    db.execute("CREATE VIEW mem.big AS SELECT hash_id FROM temp_hash_ids WHERE hash_id > 9")
"""


def test_ddl_for_an_attached_database_is_documented_under_it(tmp_path: Path) -> None:
    """``CREATE TABLE IF NOT EXISTS mem.temp_hash_ids``: the database the code attaches
    gets the table (and its index and view), instead of an "unknown database" error."""
    result = run(tmp_path, {"db.py": ATTACHED})
    assert [d.code for d in result.diagnostics] == []
    where = {t.name: t.database for t in result.schema.tables}
    assert where == {
        "files": None,
        "jobs": "durable_temp",
        "survivor": None,
        "temp_hash_ids": "mem",
    }
    temp = result.schema.table("temp_hash_ids")
    assert temp is not None and [ix.name for ix in temp.indexes] == ["temp_hash_ids_index"]
    assert [(v.name, v.database) for v in result.schema.views] == [("big", "mem")]


def test_a_scanned_statement_cannot_attach_or_name_a_hostile_database(tmp_path: Path) -> None:
    """Only a plain name becomes an attached in-memory database, at most eight of them;
    ATTACH in scanned SQL stays refused."""
    names = [f"d{i}" for i in range(10)]
    lines = [f'    db.execute("CREATE TABLE {n}.t{i} (a INTEGER)")' for i, n in enumerate(names)]
    source = "\n".join(["def setup(db):", *lines, "    db.execute(\"ATTACH 'x.db' AS x\")"]) + "\n"
    source += 'Q = """CREATE TABLE "a""b".t (a INTEGER)"""\n'
    result = run(tmp_path, {"db.py": source})
    attached = sorted(t.database for t in result.schema.tables if t.database)
    assert attached == names[:8]
    refused = [(d.line, d.code) for d in result.diagnostics if d.path == "db.py"]
    assert (10, "SD203") in refused and (11, "SD203") in refused
    assert not (tmp_path / "x.db").exists()


HELPERS = """\
def qi(name):
    return '"' + name.replace('"', '""') + '"'


def quote_identifier(name):
    return "[{}]".format(name)


class Names:
    def __getattr__(self, name):
        return name.lower()


N = Names()


def create(db):
    at = quote_identifier("at")
    db.execute(f"CREATE TABLE {qi('events')} ({qi('id')} INTEGER PRIMARY KEY, {at} TEXT)")
    db.execute(f"CREATE TABLE {N.Users} (id INTEGER PRIMARY KEY)")


def make(db, table="items", extra=""):
    db.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY{extra})")


def setup(db):
    make(db, table="orders", extra=", total REAL")
"""

PER_CLASS = """\
class Store:
    columns = "id INTEGER PRIMARY KEY"

    def create(self, db):
        db.execute(f"CREATE TABLE IF NOT EXISTS {self.table_name} ({self.columns})")


class Tags(Store):
    columns = "id INTEGER PRIMARY KEY, tag TEXT"

    def __init__(self, prefix):
        self.table_name = prefix + "_tags"


class Notes(Store):
    columns = "id INTEGER PRIMARY KEY, body TEXT"

    def __init__(self, prefix):
        self.table_name = prefix + "_notes"


class Links(Store):
    columns = "id INTEGER PRIMARY KEY, href TEXT"

    def __init__(self, prefix):
        self.table_name = prefix + "_links"
"""


def test_names_from_quoting_helpers_getattr_and_keyword_arguments(tmp_path: Path) -> None:
    """``qi("id")`` and ``quote_identifier(name)``, a name served by ``__getattr__``, and a
    keyword argument at a call site that overrides a parameter's default."""
    result = run(tmp_path, {"db.py": HELPERS})
    assert [d.code for d in result.diagnostics] == []
    columns = {t.name: [c.name for c in t.columns] for t in result.schema.tables}
    assert columns == {
        "events": ["id", "at"],
        "orders": ["id", "total"],
        "survivor": ["id", "note"],
        "users": ["id"],
    }


def test_one_table_per_class_whose_name_is_known_only_at_run_time(tmp_path: Path) -> None:
    """Three subclasses, each with its own columns and a name made at run time: three
    tables kept apart, none for the base class, no conflict between them."""
    result = run(tmp_path, {"store.py": PER_CLASS})
    columns = {t.name: [c.name for c in t.columns] for t in result.schema.tables}
    assert columns == {
        "{prefix}_links": ["id", "href"],
        "{prefix}_notes": ["id", "body"],
        "{prefix}_tags": ["id", "tag"],
        "survivor": ["id", "note"],
    }
    assert {d.code for d in result.diagnostics} == {"SD103"}


RUN_TIME_NAMES = """\
def cache(db, name):
    db.execute("CREATE TABLE IF NOT EXISTS {} (hash_id INTEGER PRIMARY KEY)".format(name))


def tags(db, name):
    db.execute("CREATE TABLE IF NOT EXISTS {} (tag_id INTEGER, hash_id INTEGER)".format(name))
"""


def test_two_tables_named_at_run_time_alike_are_no_conflict(tmp_path: Path) -> None:
    """Two tables whose names are only known at run time read alike (``{name}``): a note, not a
    warning that the same table is defined twice."""
    result = run(tmp_path, {"db.py": RUN_TIME_NAMES})
    codes = sorted((d.line, d.code, d.severity) for d in result.diagnostics)
    assert codes == [
        (2, "SD103", "warning"),
        (6, "SD103", "warning"),
        (6, "SD308", "note"),
    ]
    table = result.schema.table("{name}")
    assert table is not None and [c.name for c in table.columns] == ["hash_id"]


def test_a_script_of_another_engine_says_so_once_per_ddl_statement(tmp_path: Path) -> None:
    """A ``postgresql/`` script holds that engine's procedure code besides its DDL: its DDL
    is another engine's (SD206), the rest of it is not reported statement by statement."""
    script = """DROP TABLE IF EXISTS dns_log;
CREATE TABLE dns_log (id SERIAL PRIMARY KEY, at TIMESTAMPTZ);
CREATE OR REPLACE FUNCTION dns_request(text) RETURNS void AS $$
DECLARE x text;
BEGIN
    PERFORM 1;
END;
$$ LANGUAGE plpgsql;
"""
    result = run(tmp_path, {"procs/postgresql/dns.sql": script})
    said = sorted({(d.path, d.code) for d in result.diagnostics})
    assert said == [("procs/postgresql/dns.sql", "SD206")]
    assert [t.name for t in result.schema.tables] == ["survivor"]


APPENDED_IN_A_LOOP = """\
FIELDS = {"id": "INTEGER PRIMARY KEY", "title": "TEXT", "plays": "INTEGER"}


def create(db, table="tracks"):
    columns = []
    for name, sql in FIELDS.items():
        columns.append(f"{name} {sql}")
    db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})")


def create_some(db):
    cols = []
    for name in ["a", "b"]:
        if name != "b":
            cols.append(name + " TEXT")
    db.execute("CREATE TABLE some (id INTEGER, " + ", ".join(cols) + ")")
"""


def test_columns_a_loop_appends_to_a_list(tmp_path: Path) -> None:
    """``columns = []``, ``for ...: columns.append(...)``, ``", ".join(columns)``: the
    columns are known; an append under a condition leaves the list unknown."""
    result = run(tmp_path, {"db.py": APPENDED_IN_A_LOOP})
    tracks = result.schema.table("tracks")
    assert tracks is not None
    assert [(c.name, c.type) for c in tracks.columns] == [
        ("id", "INTEGER"),
        ("title", "TEXT"),
        ("plays", "INTEGER"),
    ]
    some = result.schema.table("some")
    assert some is not None and some.columns[0].name == "id"
    assert [(d.line, d.code) for d in result.diagnostics] == [(16, "SD103")]


PROBES = """\
import sqlite3


def supports_returning():
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("create table t (id integer primary key)")
        conn.execute("insert into t default values returning id")
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def fts_versions():
    conn = sqlite3.connect(":memory:")
    prepare(conn)
    for fts in ("FTS5", "FTS4"):
        conn.execute(f"CREATE VIRTUAL TABLE v{fts} USING {fts} (data)")


def memory_store():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE cache (key TEXT PRIMARY KEY, value BLOB)")
    return conn


class Store:
    def __init__(self):
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY)")
        self.conn = conn


def prepare(conn):
    pass
"""


def test_a_probe_on_a_scratch_connection_is_no_schema(tmp_path: Path) -> None:
    """What a function runs on an in-memory connection it opens and keeps to itself (a
    probe of what SQLite supports) is no database's schema; an in-memory database the
    function returns or stores is."""
    result = run(tmp_path, {"probes.py": PROBES})
    assert [t.name for t in result.schema.tables] == ["cache", "items", "survivor"]
    assert result.diagnostics == ()


ORIGINS = """\
class Store:
    def create(self, db, engine):
        if engine == "postgres":
            db.execute("CREATE TABLE p (id SERIAL PRIMARY KEY)")
        step("CREATE TABLE t (id INTEGER)", "DROP TABLE t")
        migrate(up="CREATE TABLE u (id INTEGER)", down="DROP TABLE u")
"""


def test_the_finder_says_where_a_statement_is_in_fields(tmp_path: Path) -> None:
    """The function, the other engine, the argument's keyword or role and whether it is test
    code travel as fields from the finder to verification (not one dotted string to read
    back)."""
    from projects import extracted

    (tmp_path / "store.py").write_text(ORIGINS)
    fragments, _ = extracted({"store.py": tmp_path / "store.py"}, {"store.py": ORIGINS})
    origins = {f.value.text.split(" (")[0]: f.origin for f in fragments}
    assert origins == {
        "CREATE TABLE p": Origin("Store.create", "postgres", ()),
        "CREATE TABLE t": Origin("Store.create", None, ()),
        "DROP TABLE t": Origin("Store.create", None, ("rollback",)),
        "CREATE TABLE u": Origin("Store.create", None, ("up",)),
        "DROP TABLE u": Origin("Store.create", None, ("down",)),
    }
    assert origins["DROP TABLE u"].label == "Store.create.down"
    result = run(tmp_path, {"store.py": ORIGINS})
    assert sorted(t.name for t in result.schema.tables) == ["survivor", "t", "u"]
