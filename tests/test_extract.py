"""Finding DDL in Python string literals: literal forms, name resolution, positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import extracted, write_modules

from schemadoc.discover.source import may_hold_ddl
from schemadoc.extract.fragments import holds_ddl
from schemadoc.pipeline import statements_of


def extract(tmp_path: Path, **modules: str) -> list[tuple[str, str]]:
    """(sql, path:line:col) of every statement found in the given modules."""
    files = write_modules(tmp_path, **modules)
    texts = {d: p.read_text() for d, p in files.items()}
    fragments, _ = extracted(files, texts)
    return [(s.sql, str(s.source)) for s in statements_of(fragments)]


def sqls(tmp_path: Path, source: str) -> list[str]:
    return [sql for sql, _ in extract(tmp_path, m=source)]


@pytest.mark.parametrize(
    "text",
    [
        "CREATE TABLE t (a)",
        "  -- comment\n create temp table t (a)",
        "PRAGMA foreign_keys=ON; CREATE UNIQUE INDEX i ON t (a)",
        "create virtual table f using fts5(a)",
        "ALTER TABLE t ADD COLUMN b",
        "drop view if exists v",
        "CREATE TABLE version -- added in v1\n(\n version INTEGER\n)",
        "CREATE /* kept */ TABLE t (a)",
        "CREATE INDEX ix -- by name\n  ON t (a)",
        "ALTER TABLE t /* later */ ADD COLUMN b",
        "DROP TABLE t -- gone\nDROP TABLE u",
    ],
)
def test_statement_shapes_count_as_ddl(text: str) -> None:
    assert holds_ddl(text)


@pytest.mark.parametrize(
    "text",
    [
        "Create a new user table if needed",
        "This function will create table users lazily.",
        "SELECT * FROM t WHERE kind = 'CREATE TABLE'",
        "INSERT INTO log VALUES ('drop table x')",
    ],
)
def test_prose_and_dml_do_not(text: str) -> None:
    assert not holds_ddl(text)


def test_prefilter_keeps_split_and_lowercase_keywords() -> None:
    assert may_hold_ddl(b'sql = "create " "table " + name')
    assert may_hold_ddl(b"q = 'CREATE' + ' INDEX'")
    assert not may_hold_ddl(b"print('hello world')")


def test_concatenation_forms(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        A = ("CREATE TABLE a ("
             "x INT)")
        B = "CREATE TABLE b (" + "y INT" + ")"
        C = rb"CREATE TABLE c (z BLOB)"
    """,
    )
    assert got == ["CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)", "CREATE TABLE c (z BLOB)"]


def test_constants_dedent_and_templates(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        '''
        import textwrap
        PREFIX = "app"
        TABLE = PREFIX + "_users"
        SCHEMA = textwrap.dedent(f"""
            CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY);
        """)
        IDX = "CREATE INDEX ix_{0} ON {0} (id)".format(TABLE)
        OLD = "CREATE TABLE %s_old (id)" % PREFIX
        NAMED = "CREATE TABLE %(p)s_named (id)" % {"p": PREFIX}
    ''',
    )
    assert got == [
        "CREATE TABLE app_users (id INTEGER PRIMARY KEY)",
        "CREATE INDEX ix_app_users ON app_users (id)",
        "CREATE TABLE app_old (id)",
        "CREATE TABLE app_named (id)",
    ]


def test_class_attributes_instance_attributes_and_call_sites(tmp_path: Path) -> None:
    got = extract(
        tmp_path,
        store="""
            class Store:
                TEMPLATE = "CREATE TABLE IF NOT EXISTS {table} (k TEXT PRIMARY KEY, v BLOB)"

                def __init__(self, conn, table="kv"):
                    self.conn = conn
                    self.table = table

                def setup(self):
                    self.conn.execute(self.TEMPLATE.format(table=self.table))
        """,
        app="""
            from store import Store

            def make(conn):
                return Store(conn, table="sessions"), Store(conn, "tokens")
        """,
    )
    assert [sql for sql, _ in got] == [
        "CREATE TABLE IF NOT EXISTS sessions (k TEXT PRIMARY KEY, v BLOB)",
        "CREATE TABLE IF NOT EXISTS tokens (k TEXT PRIMARY KEY, v BLOB)",
    ]
    # Located where the template text is.
    assert {where for _, where in got} == {"store.py:3:16"}


def test_subclass_dispatch_and_properties(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        class Base:
            NAME = "base"

            @property
            def table(self):
                return f"q_{self.NAME}"

            def create(self, conn):
                conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (data BLOB)")

        class Jobs(Base):
            NAME = "jobs"
    """,
    )
    assert got == [
        "CREATE TABLE IF NOT EXISTS q_base (data BLOB)",
        "CREATE TABLE IF NOT EXISTS q_jobs (data BLOB)",
    ]


def test_loops_helpers_and_lists(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        def create(c, *definitions):
            for definition in definitions:
                c.execute("create table {}".format(definition))

        def query(name):
            return f"CREATE TABLE {name} (id INTEGER)"

        def setup(c):
            create(c, "version (v integer)", "peers (id integer primary key)")
            for t in ("a", "b"):
                c.execute(f"CREATE INDEX ix_{t} ON {t} (id)")
            c.execute(query("users"))
            c.execute(["CREATE TABLE pieces (", "x INT", ")"])
    """,
    )
    assert got == [
        "create table version (v integer)",
        "create table peers (id integer primary key)",
        "CREATE TABLE users (id INTEGER)",
        "CREATE INDEX ix_a ON a (id)",
        "CREATE INDEX ix_b ON b (id)",
        "CREATE TABLE pieces (\nx INT\n)",
    ]


def test_a_statement_whose_name_and_body_are_in_the_next_strings_of_a_list(
    tmp_path: Path,
) -> None:
    got = sqls(
        tmp_path,
        """
        def setup(db):
            db.execute([
                "CREATE TRIGGER IF NOT EXISTS remove_stale_threads",
                "AFTER DELETE ON comments",
                "BEGIN",
                "    DELETE FROM threads WHERE id NOT IN (SELECT tid FROM comments);",
                "END",
            ])
            db.execute(["CREATE INDEX", "ix_name ON people (name)"])
            db.flash(["Create table", "from the menu"])  # prose, not SQL
    """,
    )
    assert got == [
        "CREATE TRIGGER IF NOT EXISTS remove_stale_threads\nAFTER DELETE ON comments\nBEGIN\n"
        "    DELETE FROM threads WHERE id NOT IN (SELECT tid FROM comments);\nEND",
        "CREATE INDEX\nix_name ON people (name)",
    ]


def test_unresolvable_names_stay_visible(tmp_path: Path) -> None:
    files = {"m.py": tmp_path / "m.py"}
    files["m.py"].write_text(
        "def setup(conn, settings):\n"
        "    name = settings.table_name\n"
        '    conn.execute(f"CREATE TABLE {name} (id INT)")\n'
    )
    fragments, diagnostics = extracted(files, {"m.py": files["m.py"].read_text()})
    [stmt] = statements_of(fragments)
    assert stmt.sql == 'CREATE TABLE "{name}" (id INT)'
    assert [(d.code, d.line) for d in diagnostics] == [("SD103", 3)]


def test_docstrings_and_messages_are_not_ddl(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        '''
        """CREATE TABLE in a module docstring."""
        import logging
        log = logging.getLogger(__name__)

        def setup(conn):
            """CREATE TABLE users (id) -- documented, not executed."""
            log.info("CREATE TABLE users done")
            raise RuntimeError("DROP TABLE failed")
    ''',
    )
    assert got == []


def test_help_texts_are_not_ddl(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        import click

        @click.option("--alter", is_flag=True, help="Alter table to add missing columns")
        @click.option("--ddl", default="CREATE TABLE kept (id INTEGER)", help="Create table then")
        def insert(alter, ddl):
            parser.add_argument("--drop", description="Drop table first; DROP TABLE x")
    """,
    )
    assert got == ["CREATE TABLE kept (id INTEGER)"]


def test_positions_of_statements_inside_literals(tmp_path: Path) -> None:
    got = extract(
        tmp_path,
        m='''
        def setup(conn):
            conn.executescript("""
                CREATE TABLE a (x);
                CREATE TABLE b (y);
            """)
            conn.execute(f"CREATE TABLE {'c'} (z)")
    ''',
    )
    assert [where for _, where in got] == ["m.py:4:8", "m.py:5:8", "m.py:7:19"]


def test_a_subclass_in_a_file_without_ddl_is_found(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "base.py").write_text(
        "class Repository:\n"
        "    TABLE: str\n\n"
        "    def create(self, conn):\n"
        '        conn.execute(f"CREATE TABLE IF NOT EXISTS {self.TABLE} (id INTEGER)")\n'
    )
    (tmp_path / "app" / "orders.py").write_text(
        'from app.base import Repository\n\n\nclass Orders(Repository):\n    TABLE = "orders"\n'
    )
    files = {f"app/{p.name}": p for p in (tmp_path / "app").glob("*.py")}
    fragments, _ = extracted(files, {"app/base.py": files["app/base.py"].read_text()})
    assert [s.sql for s in statements_of(fragments)] == [
        "CREATE TABLE IF NOT EXISTS orders (id INTEGER)"
    ]


def test_a_join_is_its_items_and_separators_or_a_placeholder(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        def setup(conn, extra):
            conn.execute(f"CREATE TABLE a ({', '.join(['id INTEGER', 'b TEXT'])})")
            conn.execute(f"CREATE INDEX ix_a ON a ({', '.join(extra)})")
            conn.executescript(";\\n".join(("CREATE TABLE c (x)", "CREATE TABLE d (y)")))
    """,
    )
    assert got == [
        "CREATE TABLE a (id INTEGER, b TEXT)",
        "CREATE INDEX ix_a ON a (\"{', '.join(extra)}\")",
        "CREATE TABLE c (x)",
        "CREATE TABLE d (y)",
    ]


def test_the_arguments_of_one_call_go_together(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        def create_index(conn, name, field, unique=""):
            conn.execute(f"CREATE {unique}INDEX IF NOT EXISTS {name} ON t ({field})")

        def setup(conn):
            create_index(conn, "ix_url", "url")
            create_index(conn, "ix_time", field="atime", unique="UNIQUE ")

        class Table:
            def index(self, name, field):
                self.conn.execute(f"CREATE INDEX {name} ON t ({field})")

        class History(Table):
            def __init__(self):
                self.index("ix_h_url", "url")
                self.index("ix_h_time", "atime")
    """,
    )
    assert got == [
        "CREATE INDEX IF NOT EXISTS ix_url ON t (url)",
        "CREATE UNIQUE INDEX IF NOT EXISTS ix_time ON t (atime)",
        "CREATE INDEX ix_h_url ON t (url)",
        "CREATE INDEX ix_h_time ON t (atime)",
    ]


def test_a_join_reads_the_list_a_name_holds(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        COLUMNS = ("id INTEGER PRIMARY KEY", "body TEXT")
        LOOSE = {"a TEXT", "b TEXT"}
        MORE = [*COLUMNS, "extra TEXT"]

        class Store:
            FIELDS = ["key TEXT PRIMARY KEY", "value BLOB"]

            def create(self, conn):
                conn.execute(f"CREATE TABLE kv ({', '.join(self.FIELDS)})")

        def setup(conn, fields):
            local = ["x INTEGER", "y INTEGER"]
            grown = ["id INTEGER PRIMARY KEY"]
            for field in fields:
                grown.append(f"{field} TEXT")
            conn.execute(f"CREATE TABLE notes ({', '.join(COLUMNS)})")
            conn.execute(f"CREATE TABLE points ({', '.join(local)})")
            conn.execute(f"CREATE TABLE grown ({', '.join(grown)})")
            conn.execute(f"CREATE TABLE unordered ({', '.join(LOOSE)})")
            conn.execute(f"CREATE TABLE unpacked ({', '.join(MORE)})")
    """,
    )
    assert got == [
        "CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB)",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
        "CREATE TABLE points (x INTEGER, y INTEGER)",
        "CREATE TABLE grown (\"{', '.join(grown)}\")",  # filled in at run time, not just its start
        "CREATE TABLE unordered (\"{', '.join(LOOSE)}\")",  # a set has no order to document
        "CREATE TABLE unpacked (\"{', '.join(MORE)}\")",
    ]


def test_a_join_of_a_comprehension_over_a_literal_is_its_items(tmp_path: Path) -> None:
    """Columns built from a dict or list of the schema, the way real code writes them."""
    got = sqls(
        tmp_path,
        """
        COLUMNS = {"id": "INTEGER PRIMARY KEY", "name": "TEXT NOT NULL"}
        NAMES = ["a", "b"]
        PAIRS = [("x", "REAL"), ("y", "REAL")]
        LOOSE = {"p", "q"}

        def create(conn, extra):
            conn.execute(f"CREATE TABLE t ({', '.join(f'{k} {v}' for k, v in COLUMNS.items())})")
            conn.execute("CREATE TABLE u (%s)" % ", ".join(["%s TEXT" % n for n in NAMES]))
            cols = ", ".join(f"{name} {kind}" for name, kind in PAIRS)
            conn.execute(f"CREATE TABLE v ({cols})")
            conn.execute(f"CREATE INDEX ix_t ON t ({', '.join(k for k in COLUMNS.keys())})")
            conn.execute(f"CREATE TABLE w ({', '.join(c + ' TEXT' for c in extra)})")
            conn.execute(f"CREATE TABLE z ({', '.join(f'{c} TEXT' for c in LOOSE)})")
            conn.execute(f"CREATE TABLE f ({', '.join(c for c in NAMES if c != 'a')})")
    """,
    )
    assert got == [
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        "CREATE TABLE u (a TEXT, b TEXT)",
        "CREATE TABLE v (x REAL, y REAL)",
        "CREATE INDEX ix_t ON t (id, name)",
        "CREATE TABLE w (\"{', '.join(c + ' TEXT' for c in extra)}\")",  # known at run time
        "CREATE TABLE z (\"{', '.join(f'{c} TEXT' for c in LOOSE)}\")",  # a set: no order
        "CREATE TABLE f (\"{', '.join(c for c in NAMES if c != 'a')}\")",  # filtered
    ]


def test_a_loop_unpacks_each_item_into_its_variables_together(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        TABLES = {
            "users": "id INTEGER PRIMARY KEY, name TEXT",
            "posts": "id INTEGER PRIMARY KEY, body TEXT",
        }
        INDEXES = [("ix_posts_body", "posts", "body"), ("ix_users_name", "users", "name")]

        def create(conn):
            for name, cols in TABLES.items():
                conn.execute(f"CREATE TABLE {name} ({cols})")
            for index, table, column in INDEXES:
                conn.execute(f"CREATE INDEX {index} ON {table} ({column})")
            for defs in TABLES.values():
                conn.execute(f"CREATE TABLE copy ({', '.join(defs)})")
    """,
    )
    assert got == [
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT)",
        "CREATE INDEX ix_posts_body ON posts (body)",
        "CREATE INDEX ix_users_name ON users (name)",
        # a loop variable is one item, never the whole list it comes from
        "CREATE TABLE copy (\"{', '.join(defs)}\")",
    ]


def test_a_loop_at_module_level_gives_its_items(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        import sqlite3

        conn = sqlite3.connect("app.db")
        for table in ("audit", "events"):
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table}_log (id INTEGER, msg TEXT)")
        if conn:
            for name, column in [("ix_audit", "audit_log"), ("ix_events", "events_log")]:
                conn.execute(f"CREATE INDEX {name} ON {column} (id)")
    """,
    )
    assert got == [
        "CREATE TABLE IF NOT EXISTS audit_log (id INTEGER, msg TEXT)",
        "CREATE TABLE IF NOT EXISTS events_log (id INTEGER, msg TEXT)",
        "CREATE INDEX ix_audit ON audit_log (id)",
        "CREATE INDEX ix_events ON events_log (id)",
    ]


def test_a_name_reused_by_two_loops_takes_the_items_of_the_loop_around_it(
    tmp_path: Path,
) -> None:
    got = sqls(
        tmp_path,
        """
        def setup(conn):
            for t in ("alpha", "beta"):
                conn.execute(f"CREATE TABLE {t} (id INTEGER)")
            for t in ("ix_alpha",):
                conn.execute(f"CREATE INDEX {t} ON alpha (id)")
                for t in ("gamma",):
                    conn.execute(f"CREATE TABLE {t} (id INTEGER)")
    """,
    )
    assert got == [
        "CREATE TABLE alpha (id INTEGER)",
        "CREATE TABLE beta (id INTEGER)",
        "CREATE INDEX ix_alpha ON alpha (id)",
        "CREATE TABLE gamma (id INTEGER)",
    ]


def test_templates_filled_from_dicts_and_string_template(tmp_path: Path) -> None:
    got = sqls(
        tmp_path,
        """
        from string import Template
        import string

        NAMES = {"table": "users", "kind": "TEXT"}
        SCHEMA = Template("CREATE TABLE $table (id INTEGER)")
        RAW = "CREATE TABLE ${prefix}_raw (id INTEGER)"
        DOLLARS = "CREATE TABLE prices (amount$usd REAL, eur$ REAL)"

        FORMATTED = "CREATE TABLE {name}_fmt (id INTEGER)"

        def later(conn):
            conn.execute(SCHEMA.substitute(table="named"))
            conn.execute(FORMATTED.format(name="later"))

        def setup(conn, other):
            conn.execute("CREATE TABLE %(table)s_a (id INTEGER)" % {"table": "pct"})
            conn.execute("CREATE TABLE %(table)s_b (v %(kind)s)" % NAMES)
            conn.execute("CREATE TABLE {table}_c (id INTEGER)".format(**NAMES))
            conn.execute("CREATE TABLE {table}_d (id INTEGER)".format_map(NAMES))
            conn.execute(Template("CREATE TABLE $name (price$$ ${kind})").substitute(
                name="tmpl", kind="REAL"))
            made = string.Template("CREATE TABLE ${t}_e (id INTEGER)")
            conn.execute(made.substitute(NAMES, t="s"))
            conn.execute(Template("CREATE TABLE $unknown (id INTEGER)").safe_substitute(other))
    """,
    )
    assert got == [
        'CREATE TABLE "{prefix}_raw" (id INTEGER)',  # a template never filled in here
        "CREATE TABLE prices (amount$usd REAL, eur$ REAL)",  # names with a dollar sign
        "CREATE TABLE named (id INTEGER)",
        "CREATE TABLE later_fmt (id INTEGER)",
        "CREATE TABLE pct_a (id INTEGER)",
        "CREATE TABLE users_b (v TEXT)",
        "CREATE TABLE users_c (id INTEGER)",
        "CREATE TABLE users_d (id INTEGER)",
        "CREATE TABLE tmpl (price$ REAL)",
        "CREATE TABLE s_e (id INTEGER)",
        'CREATE TABLE "{unknown}" (id INTEGER)',
    ]
