"""Verification in several scratch databases gives what one database gives.

Statements that share no object name run in separate databases (one database is quadratic in
the number of objects); whatever links objects must keep them together.
"""

from __future__ import annotations

import pytest

from schemadoc.model.schema import Source, SqlStatement
from schemadoc.verify import groups as groups_module
from schemadoc.verify.groups import _groups
from schemadoc.verify.state import _Reading
from schemadoc.verify.verify import verify


def _statements(*sqls: str) -> list[SqlStatement]:
    return [SqlStatement(sql, Source("app/schema.py", n + 1, 4)) for n, sql in enumerate(sqls)]


def _messy_schema() -> list[SqlStatement]:
    """Hundreds of unrelated tables around the statements that link objects far apart."""
    sqls = [
        "CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        "CREATE TABLE invoice (id INTEGER PRIMARY KEY, "
        "account_id INTEGER REFERENCES account(id) ON DELETE CASCADE, total REAL)",
        "CREATE INDEX ix_late ON late_table(code)",  # before its table: deferred
        "CREATE TABLE dup (a INTEGER)",
        "CREATE VIEW open_invoices AS SELECT i.id, a.name FROM invoice i JOIN account a "
        "ON a.id = i.account_id",
        "CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT)",
        "CREATE TRIGGER invoice_audit AFTER INSERT ON invoice BEGIN "
        "INSERT INTO audit (what) VALUES ('invoice'); END",
        "CREATE TABLE doomed (id INTEGER PRIMARY KEY)",
        "CREATE VIEW reads_doomed AS SELECT id FROM doomed",
        "CREATE TABLE vendor (id INTEGER PRIMARY KEY, code TEXT)",
        'CREATE TABLE "index" (id INTEGER PRIMARY KEY)',  # a keyword as a name
    ]
    sqls += [
        f"CREATE TABLE filler_{n:04d} (id INTEGER PRIMARY KEY, "
        f"other_id INTEGER REFERENCES filler_{max(n - 1, 0):04d}(id), note TEXT)"
        for n in range(700)
    ]
    sqls.insert(
        400, "CREATE TABLE purchase (id INTEGER, vendor_id INTEGER REFERENCES vendor(code))"
    )
    sqls += [
        f"CREATE INDEX ix_filler_{n:04d} ON filler_{n:04d}(other_id)" for n in range(0, 700, 7)
    ]
    sqls += [
        "ALTER TABLE account RENAME TO customer",  # rewrites invoice's REFERENCES and the view
        "ALTER TABLE invoice RENAME COLUMN total TO amount",
        "ALTER TABLE customer ADD COLUMN email TEXT",
        "ALTER TABLE vendor RENAME COLUMN code TO ref",  # rewrites purchase's REFERENCES
        "ALTER TABLE vendor RENAME TO supplier",
        "CREATE TABLE late_table (id INTEGER PRIMARY KEY, code TEXT)",
        "CREATE TABLE dup (a INTEGER, b TEXT)",  # defined differently: SD301
        "DROP TABLE doomed",
    ]
    return _statements(*sqls)


def test_grouped_and_single_database_give_the_same_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    statements = _messy_schema()
    grouped = verify(statements)
    monkeypatch.setattr(groups_module, "_GROUP_STATEMENTS", 10**9)
    single = verify(statements)
    assert grouped == single


def test_links_across_groups_hold() -> None:
    schema = verify(_messy_schema())
    tables = {t.name: t for t in schema.tables}
    assert "account" not in tables and "customer" in tables
    assert [c.name for c in tables["customer"].columns] == ["id", "name", "email"]
    (fk,) = tables["invoice"].foreign_keys
    assert (fk.ref_table, fk.ref_columns, fk.on_delete) == ("customer", ("id",), "CASCADE")
    assert [c.name for c in tables["invoice"].columns] == ["id", "account_id", "amount"]
    (fk,) = tables["purchase"].foreign_keys
    assert (fk.ref_table, fk.ref_columns) == ("supplier", ("ref",))
    assert [ix.name for ix in tables["late_table"].indexes] == ["ix_late"]
    assert [c.name for c in tables["dup"].columns] == ["a"]
    assert any(d.code == "SD301" for d in schema.diagnostics)
    views = {v.name: v for v in schema.views}
    assert "customer" in views["open_invoices"].sql
    assert [t.name for t in schema.triggers] == ["invoice_audit"]
    assert "doomed" not in tables
    assert any(d.code == "SD202" and "reads_doomed" in d.message for d in schema.diagnostics)
    assert len([t for t in schema.tables if t.name.startswith("filler_")]) == 700


def test_groups_split_what_shares_no_name_and_keep_the_rest_together() -> None:
    statements = _messy_schema()
    group = {s.sql: g for s, g in zip(statements, _groups(statements, _Reading())[0], strict=True)}

    def of(prefix: str) -> str:
        return next(g for sql, g in group.items() if sql.startswith(prefix))

    linked = [
        "CREATE TABLE account",
        "CREATE TABLE invoice",  # references a table that is renamed
        "CREATE VIEW open_invoices",
        "CREATE TRIGGER invoice_audit",
        "CREATE TABLE audit",  # written by the trigger
        "ALTER TABLE account RENAME",
        "ALTER TABLE invoice RENAME COLUMN",
        "ALTER TABLE customer ADD",
    ]
    assert {of(p) for p in linked} == {of("CREATE TABLE account")}
    assert of("CREATE TABLE purchase") == of("ALTER TABLE vendor RENAME TO")
    assert of("CREATE INDEX ix_late") == of("CREATE TABLE late_table")
    assert of("CREATE TABLE dup (a INTEGER)") == of("CREATE TABLE dup (a INTEGER, b TEXT)")
    assert of("DROP TABLE doomed") == of("CREATE VIEW reads_doomed") == of("CREATE TABLE doomed")
    # A REFERENCES to a table that is never altered does not link: fillers stand alone.
    assert of("CREATE TABLE filler_0005") != of("CREATE TABLE filler_0006")
    assert of("CREATE INDEX ix_filler_0007") == of("CREATE TABLE filler_0007")
    assert of("CREATE TABLE filler_0005") != of("CREATE TABLE account")
    # Every CREATE INDEX says "index": that names no table of that name.
    assert of("CREATE INDEX ix_filler_0007") != of('CREATE TABLE "index"')


def test_a_collate_inside_an_index_expression_stays_in_it() -> None:
    schema = verify(
        _statements(
            "CREATE TABLE t (a TEXT, b TEXT)",
            'CREATE INDEX ix_t ON t (a || b COLLATE NOCASE DESC, (a || b) COLLATE "nocase", '
            "lower(a) COLLATE BINARY, a COLLATE NOCASE || b, b || a COLLATE RTRIM ASC)",
        )
    )
    [ix] = schema.tables[0].indexes
    assert [(c.expression, c.desc, c.collation) for c in ix.columns] == [
        ("a || b COLLATE NOCASE", True, "BINARY"),  # binds to b: SQLite's key is BINARY
        ("(a || b)", False, "nocase"),  # as written: SQLite keeps its case
        ("lower(a) COLLATE BINARY", False, "BINARY"),
        ("a COLLATE NOCASE || b", False, "BINARY"),
        ("b || a COLLATE RTRIM", False, "BINARY"),
    ]
    assert ix.definition == (
        "INDEX ix_t ON t (a || b COLLATE NOCASE DESC, (a || b) COLLATE nocase, "
        "lower(a) COLLATE BINARY, a COLLATE NOCASE || b, b || a COLLATE RTRIM)"
    )


def test_an_index_expression_keeps_its_spaces_and_loses_only_its_order_suffix() -> None:
    padding = " " * 3000  # also a run long enough to be slow if read once per space
    schema = verify(
        _statements(
            "CREATE TABLE person (first TEXT, last TEXT)",
            f"CREATE INDEX ix_person ON person(lower(first){padding}COLLATE NOCASE{padding}DESC, "
            f"first ||{padding}last, lower(  last  ) ASC, first)",
        )
    )
    [ix] = schema.tables[0].indexes
    assert [(c.name, c.expression, c.desc, c.collation) for c in ix.columns] == [
        (None, "lower(first)", True, "NOCASE"),
        (None, f"first ||{padding}last", False, "BINARY"),
        (None, "lower(  last  )", False, "BINARY"),
        ("first", None, False, "BINARY"),
    ]


def test_each_scratch_database_is_closed_once_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The messy schema takes several scratch databases. When one is read back, every one
    read before it is closed already (what SQLite held for it is free), and each is closed
    once."""
    from schemadoc.verify import readback as readback_module
    from schemadoc.verify import sandbox as sandbox_module

    opened: list[sandbox_module.Sandbox] = []
    closed: list[int] = []
    start, close = sandbox_module.Sandbox.__init__, sandbox_module.Sandbox.close

    def counted_init(self: sandbox_module.Sandbox, *args: object, **kwargs: object) -> None:
        start(self, *args, **kwargs)  # type: ignore[arg-type]
        opened.append(self)

    def counted_close(self: sandbox_module.Sandbox) -> None:
        if opened.index(self) not in closed:
            closed.append(opened.index(self))
        close(self)

    reads: list[tuple[int, list[int]]] = []  # the database read, those closed by then
    read_database = readback_module._read_database

    def noted(conn: sandbox_module.Reader, *args: object) -> None:
        reads.append((opened.index(conn._sandbox), list(closed)))
        read_database(conn, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sandbox_module.Sandbox, "__init__", counted_init)
    monkeypatch.setattr(sandbox_module.Sandbox, "close", counted_close)
    monkeypatch.setattr(readback_module, "_read_database", noted)
    watched = sandbox_module._WATCHDOG._open
    schema = verify(_messy_schema())
    assert sandbox_module._WATCHDOG._open == watched  # each close counted once
    assert len([t for t in schema.tables if t.name.startswith("filler_")]) == 700
    assert len(opened) >= 3
    assert [box for box, _ in reads] == [n for n in range(len(opened)) for _ in ("main", "temp")]
    assert all(done == list(range(box)) for box, done in reads)
    assert closed == list(range(len(opened)))
