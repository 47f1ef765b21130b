"""``--format tbls``: tbls's schema.json, valid against tbls's published JSON schema (vendored
in tests/tbls/, see the NOTICE there), with the facts of the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from projects import small_project

from schemadoc.cli import main
from schemadoc.config import Settings
from schemadoc.model.schema import Schema, Source, SqlStatement
from schemadoc.relations import relate
from schemadoc.render.formats import render
from schemadoc.render.tbls import INFERRED_DEF, to_tbls
from schemadoc.verify.sandbox import SQLITE_VERSION
from schemadoc.verify.verify import verify

SPEC = Path(__file__).parent / "tbls" / "tbls.schema.json_schema.json"
VALIDATOR = Draft202012Validator(json.loads(SPEC.read_text(encoding="utf-8")))
SETTINGS = Settings(title="Shop", intro="The shop's database.")


def valid(text: str) -> dict[str, Any]:
    """The document, after checking it against tbls's JSON schema."""
    data = json.loads(text)
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return data


def tables(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in data["tables"]}


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


def loads_in_tbls(data: dict[str, Any]) -> None:
    """What tbls checks when it loads a schema.json: every relation's tables and columns
    exist, spelled exactly; constraint names are unique within a table (Liam ERD keys
    constraints by name)."""
    found = tables(data)
    for r in data.get("relations", []):
        for table, columns in (
            (r["table"], r["columns"]),
            (r["parent_table"], r["parent_columns"]),
        ):
            names = {c["name"] for c in found[table]["columns"]}
            assert set(columns) <= names, (table, columns)
    for t in data["tables"]:
        names = [c["name"] for c in t.get("constraints", [])]
        assert len(names) == len(set(names)), names


def verified(*sqls: str) -> Schema:
    statements = [SqlStatement(sql, Source("app/db.py", n + 1, 0)) for n, sql in enumerate(sqls)]
    return relate(verify(statements))


def test_bundled_example_is_valid_tbls(seed: Schema) -> None:
    text = render(seed, Settings(format="tbls", title="DiPeO"))
    data = valid(text)
    loads_in_tbls(data)
    assert data["name"] == "DiPeO"
    assert data["driver"] == {"name": "sqlite", "database_version": SQLITE_VERSION}
    assert [t["name"] for t in data["tables"]] == [t.name for t in seed.tables] + [
        v.name for v in seed.views
    ]
    for table in seed.tables:
        entry = tables(data)[table.name]
        assert entry["type"] == "table"
        assert [c["name"] for c in entry["columns"]] == [c.name for c in table.columns]
        assert [c["type"] for c in entry["columns"]] == [c.type for c in table.columns]
        assert entry["def"] == table.sql
        pk = [c for c in entry.get("constraints", []) if c["type"] == "PRIMARY KEY"]
        assert [c["columns"] for c in pk] == (
            [list(table.primary_key)] if table.primary_key else []
        )
        indexes = by_name(entry.get("indexes", []))
        assert set(indexes) == {ix.name for ix in table.indexes}
        for ix in table.indexes:
            if ix.sql:
                assert indexes[ix.name]["def"] == ix.sql
    assert text == render(seed, Settings(format="tbls", title="DiPeO"))


def test_richer_fixture_is_valid_tbls(rich: Schema) -> None:
    data = valid(to_tbls(rich, SETTINGS))
    loads_in_tbls(data)
    declared = [r for r in rich.relations if r.kind == "declared"]
    written = [r for r in data["relations"] if not r.get("virtual")]
    assert len(written) == len(declared)
    for view in rich.views:
        assert tables(data)[view.name]["type"] == "view"
        assert tables(data)[view.name]["def"] == view.sql
    for trigger in rich.triggers:
        owner = tables(data)[trigger.table]
        assert {"name": trigger.name, "def": trigger.sql} in owner["triggers"]


SHOP = (
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, "
    "name TEXT COLLATE NOCASE)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, "
    "Customer_ID INTEGER NOT NULL REFERENCES customers, "
    "status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid')), "
    "total REAL, CONSTRAINT positive CHECK (total >= 0), CHECK (total < 1e9))",
    "CREATE TABLE order_lines (order_id INTEGER NOT NULL, line INTEGER NOT NULL, "
    "sku TEXT, product_id INTEGER, "
    "PRIMARY KEY (order_id, line), "
    "CONSTRAINT line_order FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE)",
    "CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT UNIQUE)",
    "CREATE TABLE tags (name TEXT PRIMARY KEY, color TEXT) WITHOUT ROWID",
    "CREATE TABLE notes (body TEXT, order_ref INTEGER REFERENCES orders(rowid))",
    "CREATE INDEX orders_by_status ON orders (status, lower(status)) WHERE status <> 'paid'",
    "CREATE VIEW open_orders AS WITH o AS (SELECT * FROM orders WHERE status = 'new') "
    "SELECT o.id, c.email FROM o JOIN customers AS c ON c.id = o.Customer_ID",
    "CREATE TRIGGER orders_paid AFTER UPDATE OF status ON orders BEGIN "
    "UPDATE customers SET name = name WHERE id = new.Customer_ID; END",
    "CREATE TRIGGER open_orders_insert INSTEAD OF INSERT ON open_orders BEGIN SELECT 1; END",
)


@pytest.fixture(scope="module")
def shop() -> dict[str, Any]:
    schema = verified(*SHOP)
    assert not [d for d in schema.diagnostics if d.severity == "error"], schema.diagnostics
    data = valid(to_tbls(schema, SETTINGS))
    loads_in_tbls(data)
    return data


def test_header_and_driver(shop: dict[str, Any]) -> None:
    assert shop["name"] == "Shop"
    assert shop["desc"] == "The shop's database."
    assert shop["driver"] == {"name": "sqlite", "database_version": SQLITE_VERSION}
    assert list(shop) == ["name", "desc", "tables", "relations", "driver"]


def test_columns(shop: dict[str, Any]) -> None:
    customers = by_name(tables(shop)["customers"]["columns"])
    assert customers["id"] == {"name": "id", "type": "INTEGER", "nullable": False}  # rowid alias
    assert customers["email"] == {"name": "email", "type": "TEXT", "nullable": False}
    assert customers["name"] == {
        "name": "name",
        "type": "TEXT",
        "nullable": True,
        "extra_def": "COLLATE NOCASE",
    }
    orders = by_name(tables(shop)["orders"]["columns"])
    assert orders["status"]["default"] == "'new'"
    assert "default" not in orders["total"]
    lines = by_name(tables(shop)["order_lines"]["columns"])
    assert lines["line"]["nullable"] is False
    assert lines["sku"]["nullable"] is True
    # A primary key column of a rowid table that is not INTEGER may hold NULL in SQLite.
    tags = by_name(tables(shop)["tags"]["columns"])
    assert tags["name"]["nullable"] is False  # WITHOUT ROWID keeps it from NULL


def test_constraints(shop: dict[str, Any]) -> None:
    orders = by_name(tables(shop)["orders"]["constraints"])
    assert orders["id"]["type"] == "PRIMARY KEY"
    fk = orders["- (Foreign key ID: 0)"]
    assert fk == {
        "name": "- (Foreign key ID: 0)",
        "type": "FOREIGN KEY",
        "def": "FOREIGN KEY (Customer_ID) REFERENCES customers (id) ON UPDATE NO ACTION "
        "ON DELETE NO ACTION",
        "table": "orders",
        "referenced_table": "customers",
        "columns": ["Customer_ID"],
        "referenced_columns": ["id"],
    }
    checks = {c["def"]: c for c in orders.values() if c["type"] == "CHECK"}
    assert set(checks) == {
        "CHECK (status IN ('new', 'paid'))",
        "CHECK (total >= 0)",
        "CHECK (total < 1e9)",
    }
    assert checks["CHECK (total >= 0)"]["name"] == "positive"
    assert checks["CHECK (status IN ('new', 'paid'))"]["columns"] == ["status"]
    lines = by_name(tables(shop)["order_lines"]["constraints"])
    pk = next(c for c in lines.values() if c["type"] == "PRIMARY KEY")
    assert pk["columns"] == ["order_id", "line"]
    assert pk["def"] == "PRIMARY KEY (order_id, line)"
    assert lines["line_order"]["def"].endswith("ON DELETE CASCADE")
    customers = tables(shop)["customers"]["constraints"]
    unique = [c for c in customers if c["type"] == "UNIQUE"]
    assert [(c["columns"], c["def"]) for c in unique] == [(["email"], "UNIQUE (email)")]


def test_indexes(shop: dict[str, Any]) -> None:
    orders = by_name(tables(shop)["orders"]["indexes"])
    ix = orders["orders_by_status"]
    assert ix["def"].startswith("CREATE INDEX orders_by_status ON orders")
    assert ix["table"] == "orders"
    assert ix["columns"] == ["status"]  # the expression is in def, not a column
    customers = by_name(tables(shop)["customers"]["indexes"])
    (auto,) = customers.values()
    assert auto["def"] == "UNIQUE (email)"


def test_views_and_triggers(shop: dict[str, Any]) -> None:
    view = tables(shop)["open_orders"]
    assert view["type"] == "view"
    assert [c["name"] for c in view["columns"]] == ["id", "email"]
    assert view["def"].startswith("CREATE VIEW open_orders AS")
    assert view["referenced_tables"] == ["customers", "orders"]  # not its CTE
    assert [t["name"] for t in view["triggers"]] == ["open_orders_insert"]
    (trigger,) = tables(shop)["orders"]["triggers"]
    assert trigger["name"] == "orders_paid"
    assert trigger["def"].startswith("CREATE TRIGGER orders_paid AFTER UPDATE OF status")


def test_relations_declared_and_inferred(shop: dict[str, Any]) -> None:
    relations = {(r["table"], tuple(r["columns"])): r for r in shop["relations"]}
    declared = relations[("orders", ("Customer_ID",))]
    assert declared["parent_table"] == "customers"
    assert declared["parent_columns"] == ["id"]
    assert declared["cardinality"] == "zero_or_more"
    assert declared["parent_cardinality"] == "exactly_one"
    assert "virtual" not in declared
    assert declared["def"].startswith("FOREIGN KEY (Customer_ID) REFERENCES customers (id)")
    inferred = relations[("order_lines", ("product_id",))]
    assert inferred["parent_table"] == "products"
    assert inferred["parent_columns"] == ["id"]
    assert inferred["virtual"] is True
    assert inferred["def"] == INFERRED_DEF
    assert inferred["cardinality"] == "zero_or_more"
    assert inferred["parent_cardinality"] == "zero_or_one"  # product_id may be NULL
    key = relations[("order_lines", ("order_id",))]
    assert key["cardinality"] == "zero_or_more"  # part of the key only: not unique
    # A foreign key to rowid names no column tbls could find: no relation, the constraint stays.
    assert ("notes", ("order_ref",)) not in relations
    notes = tables(shop)["notes"]["constraints"]
    assert [c["referenced_columns"] for c in notes] == [["rowid"]]


def test_one_to_one_relation() -> None:
    data = valid(
        to_tbls(
            verified(
                "CREATE TABLE users (id INTEGER PRIMARY KEY)",
                "CREATE TABLE profiles (user_id INTEGER UNIQUE REFERENCES users(id))",
            ),
            Settings(),
        )
    )
    (relation,) = data["relations"]
    assert relation["cardinality"] == "zero_or_one"
    assert relation["parent_cardinality"] == "zero_or_one"
    assert "desc" not in data


def test_unnamed_checks_and_clashing_names_stay_unique() -> None:
    data = valid(
        to_tbls(
            verified(
                "CREATE TABLE t (a INTEGER PRIMARY KEY CHECK (a > 0), b INTEGER CHECK (b > 0), "
                "CONSTRAINT a CHECK (a < b), CHECK (b < 100))"
            ),
            Settings(),
        )
    )
    names = [c["name"] for c in tables(data)["t"]["constraints"]]
    assert names == ["a", "- (CHECK 1)", "- (CHECK 2)", "a (2)", "- (CHECK 4)"]


def test_empty_schema_is_valid() -> None:
    data = valid(to_tbls(Schema(), Settings()))
    assert data["tables"] == []
    assert "relations" not in data


def test_generate_writes_a_json_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small_project(tmp_path, monkeypatch, 'format = "tbls"\n')
    assert main(["generate", "-o", "schema.json", "-q"]) == 0
    data = valid((tmp_path / "schema.json").read_text(encoding="utf-8"))
    assert [t["name"] for t in data["tables"]] == ["users"]
    first = (tmp_path / "schema.json").read_bytes()
    assert main(["generate", "-o", "schema.json", "-q", "--no-cache"]) == 0
    assert (tmp_path / "schema.json").read_bytes() == first
    assert main(["check", "-o", "schema.json", "-q"]) == 0
    assert main(["generate", "-o", "schema.md", "-q"]) == 2
    assert not (tmp_path / "schema.md").exists()


def test_the_json_schema_refuses_what_tbls_does_not_know() -> None:
    """The validation is strict: a key tbls's schema lacks (say, a column's pk) is refused."""
    data = json.loads(to_tbls(verified("CREATE TABLE t (a INTEGER PRIMARY KEY)"), Settings()))
    data["tables"][0]["columns"][0]["pk"] = True
    assert not VALIDATOR.is_valid(data)


def test_databases_besides_the_main_one_are_named_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table of the same name in two databases is two tables; relations stay within one."""
    (tmp_path / "app" / "cache").mkdir(parents=True)
    (tmp_path / "app" / "db.py").write_text(
        'SCHEMA = """CREATE TABLE users (id INTEGER PRIMARY KEY);\n'
        'CREATE TABLE meta (key TEXT PRIMARY KEY, user_id INTEGER REFERENCES users(id));"""\n'
    )
    (tmp_path / "app" / "cache" / "store.py").write_text(
        'SCHEMA = """CREATE TABLE users (id INTEGER PRIMARY KEY);\n'
        "CREATE TABLE meta (k TEXT PRIMARY KEY, user_id INTEGER REFERENCES users(id));\n"
        'CREATE INDEX meta_by_user ON meta (user_id);"""\n'
    )
    (tmp_path / "app" / "jobs.py").write_text(
        'TEMP = "CREATE TABLE IF NOT EXISTS mem.scratch (hash_id INTEGER)"\n'
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schemadoc.databases.cache]\npaths = ["app/cache"]\n'
    )
    monkeypatch.chdir(tmp_path)
    assert main(["generate", "-o", "schema.json", "--format", "tbls", "-q"]) == 0
    data = valid((tmp_path / "schema.json").read_text(encoding="utf-8"))
    loads_in_tbls(data)
    assert [t["name"] for t in data["tables"]] == [
        "meta",
        "users",
        "cache.meta",
        "cache.users",
        "mem.scratch",
    ]
    index = by_name(tables(data)["cache.meta"]["indexes"])["meta_by_user"]
    assert index["table"] == "cache.meta"
    fk = next(c for c in tables(data)["cache.meta"]["constraints"] if c["type"] == "FOREIGN KEY")
    assert (fk["table"], fk["referenced_table"]) == ("cache.meta", "cache.users")
    links = sorted((r["table"], r["parent_table"]) for r in data["relations"])
    assert links == [("cache.meta", "cache.users"), ("meta", "users")]
