"""The shapes corpus: realistic modules, one scenario per folder of ``fixtures/shapes``.

Each scenario is scanned on its own and the facts SQLite would end up with are asserted
directly. Expected source positions are looked up in the fixture text, so a test states
*which* statement a table comes from, not a line number that drifts when a fixture changes.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from schemadoc.cli import main
from schemadoc.config import Settings
from schemadoc.model.schema import Diagnostic, Index, Table
from schemadoc.pipeline import Result, scan

SHAPES = Path(__file__).resolve().parent.parent / "fixtures" / "shapes"


@functools.cache
def shape(*names: str, include_tests: bool = False) -> Result:
    """Scan one scenario folder (or files) below the corpus; paths relative to the corpus."""
    return scan(
        [SHAPES / n for n in names], Settings(root=str(SHAPES), include_tests=include_tests)
    )


def where(relpath: str, needle: str, nth: int = 0) -> tuple[str, int, int]:
    """(path, 1-based line, 0-based column) of the ``nth`` occurrence of ``needle``."""
    text = (SHAPES / relpath).read_text(encoding="utf-8")
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1)
    return relpath, line, column


def loc(obj: object) -> tuple[str, int, int] | None:
    src = obj.source  # type: ignore[attr-defined]
    return None if src is None else (src.path, src.line, src.column)


def table(result: Result, name: str) -> Table:
    found = result.schema.table(name)
    assert found is not None, f"no table {name!r} in {[t.name for t in result.schema.tables]}"
    return found


def names(result: Result) -> list[str]:
    return [t.name for t in result.schema.tables]


def columns(t: Table) -> list[tuple[str, str, bool, str | None, int]]:
    """(name, type, notnull, default, pk) per column, in table order."""
    return [(c.name, c.type, c.notnull, c.default, c.pk) for c in t.columns]


def index(t: Table, name: str) -> Index:
    found = [ix for ix in t.indexes if ix.name == name]
    assert found, f"no index {name!r} on {t.name}: {[ix.name for ix in t.indexes]}"
    return found[0]


def problems(result: Result) -> list[str]:
    """Warnings and errors (notes are fine in every scenario)."""
    return [str(d) for d in result.diagnostics if d.severity in ("warning", "error")]


def found(result: Result, code: str) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.code == code]


def at(d: Diagnostic) -> tuple[str, int, int]:
    return d.path, d.line, d.column


# --- concatenation --------------------------------------------------------------------------

CONCAT = "concat/inventory/store.py"


def test_concatenation_builds_whole_tables() -> None:
    result = shape("concat")
    assert names(result) == ["shipments", "stock_levels", "warehouses"]
    assert problems(result) == []
    warehouses = table(result, "warehouses")
    assert columns(warehouses) == [
        ("id", "INTEGER", False, None, 1),
        ("code", "TEXT", True, None, 0),
        ("city", "TEXT", False, None, 0),
    ]
    assert [c.unique for c in warehouses.columns] == [False, True, False]
    auto = index(warehouses, "sqlite_autoindex_warehouses_1")
    assert (auto.unique, auto.origin, auto.column_names) == (True, "u", ("code",))

    stock = table(result, "stock_levels")
    assert columns(stock) == [
        ("warehouse_id", "INTEGER", True, None, 1),
        ("sku", "TEXT", True, None, 2),
        ("quantity", "INTEGER", True, "0", 0),
    ]
    assert stock.primary_key == ("warehouse_id", "sku")
    assert [(fk.columns, fk.ref_table, fk.ref_columns) for fk in stock.foreign_keys] == [
        (("warehouse_id",), "warehouses", ("id",))
    ]
    sku = index(stock, "ix_stock_sku")
    assert (sku.unique, sku.origin, sku.partial, sku.column_names) == (False, "c", False, ("sku",))

    assert columns(table(result, "shipments")) == [
        ("id", "INTEGER", False, None, 1),
        ("warehouse_id", "INTEGER", False, None, 0),
        ("shipped_at", "TEXT", True, None, 0),
    ]


def test_concatenation_sources_point_at_the_first_piece() -> None:
    result = shape("concat")
    for name in ("warehouses", "stock_levels", "shipments"):
        assert loc(table(result, name)) == where(CONCAT, f"CREATE TABLE IF NOT EXISTS {name}")
    assert loc(index(table(result, "stock_levels"), "ix_stock_sku")) == where(
        CONCAT, "CREATE INDEX IF NOT EXISTS ix_stock_sku"
    )


def test_concatenation_relations_declared_and_inferred() -> None:
    relations = {
        (r.from_table, r.from_columns, r.to_table, r.to_columns): r.kind
        for r in shape("concat").schema.relations
    }
    assert relations == {
        ("stock_levels", ("warehouse_id",), "warehouses", ("id",)): "declared",
        ("shipments", ("warehouse_id",), "warehouses", ("id",)): "inferred",
    }


# --- textwrap.dedent module constants -------------------------------------------------------

DEDENT = "dedent_constants/notes/schema.py"


def test_dedent_constants_structure() -> None:
    result = shape("dedent_constants")
    assert names(result) == ["notebooks", "notes"]
    assert problems(result) == []
    assert columns(table(result, "notebooks")) == [
        ("id", "INTEGER", False, None, 1),
        ("title", "TEXT", True, None, 0),
        ("created_at", "TEXT", True, "CURRENT_TIMESTAMP", 0),
    ]
    notes = table(result, "notes")
    assert columns(notes) == [
        ("id", "INTEGER", False, None, 1),
        ("notebook_id", "INTEGER", True, None, 0),
        ("body", "TEXT", True, "''", 0),
        ("pinned", "INTEGER", True, "0", 0),
    ]
    (fk,) = notes.foreign_keys
    assert (fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete, fk.on_update) == (
        ("notebook_id",),
        "notebooks",
        ("id",),
        "CASCADE",
        "NO ACTION",
    )
    assert index(notes, "ix_notes_notebook").column_names == ("notebook_id", "pinned")


def test_dedent_sources_point_at_each_statement() -> None:
    result = shape("dedent_constants")
    assert loc(table(result, "notebooks")) == where(DEDENT, "CREATE TABLE IF NOT EXISTS notebooks")
    assert loc(table(result, "notes")) == where(DEDENT, "CREATE TABLE IF NOT EXISTS notes")
    assert loc(index(table(result, "notes"), "ix_notes_notebook")) == where(
        DEDENT, "CREATE INDEX IF NOT EXISTS ix_notes_notebook"
    )


# --- class attributes -----------------------------------------------------------------------

MODELS = "class_attrs/accounts/models.py"


def test_class_attribute_ddl() -> None:
    result = shape("class_attrs")
    assert names(result) == ["api_tokens", "users"]
    assert problems(result) == []
    users = table(result, "users")
    assert columns(users) == [
        ("id", "INTEGER", False, None, 1),
        ("email", "TEXT", True, None, 0),
        ("display_name", "TEXT", False, None, 0),
        ("is_admin", "INTEGER", True, "0", 0),
    ]
    assert users.column("email").collation == "NOCASE"
    ux = index(users, "ux_users_email")
    assert (ux.unique, ux.origin, ux.column_names) == (True, "c", ("email",))
    assert ux.columns[0].collation == "NOCASE"  # inherited from the column
    tokens = table(result, "api_tokens")
    # A TEXT PRIMARY KEY of a rowid table may hold NULL: SQLite reports notnull 0.
    assert columns(tokens) == [
        ("token", "TEXT", False, None, 1),
        ("user_id", "INTEGER", True, None, 0),
        ("expires_at", "REAL", False, None, 0),
    ]
    assert [(fk.columns, fk.ref_table, fk.on_delete) for fk in tokens.foreign_keys] == [
        (("user_id",), "users", "CASCADE")
    ]
    assert loc(users) == where(MODELS, "CREATE TABLE IF NOT EXISTS users")
    assert loc(tokens) == where(MODELS, "CREATE TABLE IF NOT EXISTS api_tokens")
    assert loc(ux) == where(MODELS, "CREATE UNIQUE INDEX")


# --- lists and dicts of statements ----------------------------------------------------------

BILLING = "collections/billing/migrations.py"


def test_lists_and_dicts_of_ddl() -> None:
    result = shape("collections")
    assert names(result) == ["invoice_lines", "invoices", "payments"]
    assert problems(result) == []
    invoices = table(result, "invoices")
    assert columns(invoices) == [
        ("id", "INTEGER", False, None, 1),
        ("number", "TEXT", True, None, 0),
        ("issued_on", "TEXT", True, None, 0),
        ("total_cents", "INTEGER", True, "0", 0),
        ("currency", "TEXT", True, "'EUR'", 0),  # added by migration 1 (dict value)
    ]
    assert invoices.column("number").unique
    lines = table(result, "invoice_lines")
    assert index(lines, "ix_invoice_lines_invoice").column_names == ("invoice_id",)
    assert [(fk.columns, fk.ref_table, fk.on_delete) for fk in lines.foreign_keys] == [
        (("invoice_id",), "invoices", "CASCADE")
    ]
    payments = table(result, "payments")
    assert [c.name for c in payments.columns] == ["id", "invoice_id", "paid_cents", "paid_at"]
    assert [(fk.columns, fk.ref_table) for fk in payments.foreign_keys] == [
        (("invoice_id",), "invoices")
    ]
    assert loc(invoices) == where(BILLING, "CREATE TABLE IF NOT EXISTS invoices")
    assert loc(payments) == where(BILLING, "CREATE TABLE IF NOT EXISTS payments")


# --- templates that resolve ------------------------------------------------------------------

PLATFORM = "templated_resolved/platform"

RESOLVED = {
    # table: (file, text where its CREATE starts, column names)
    "audit_events": (
        "audit.py",
        "CREATE TABLE IF NOT EXISTS {AUDIT",
        ["id", "actor", "action", "occurred_at"],
    ),
    "http_cache": ("cache.py", "CREATE TABLE IF NOT EXISTS %s", ["url", "body", "expires_at"]),
    "job_queue": ("jobs.py", "CREATE TABLE IF NOT EXISTS %(table)s", ["id", "payload", "attempts"]),
    "dead_letters": ("jobs.py", "CREATE TABLE IF NOT EXISTS {table}", ["job_id", "error"]),
    "app_settings": ("kv.py", "CREATE TABLE IF NOT EXISTS {self.table}", ["key", "value"]),
    "feature_flags": ("kv.py", "CREATE TABLE IF NOT EXISTS {self.table}", ["key", "value"]),
    "order_archive": ("repositories.py", "CREATE TABLE IF NOT EXISTS {self.TABLE}", ["id", "data"]),
    "webhook_log": ("repositories.py", "CREATE TABLE IF NOT EXISTS {self.TABLE}", ["id", "data"]),
}


@pytest.mark.parametrize("name", sorted(RESOLVED))
def test_resolved_template_names(name: str) -> None:
    """Module constant, class attribute, parameter default, constructor argument, subclass."""
    file, needle, cols = RESOLVED[name]
    t = table(shape("templated_resolved"), name)
    assert [c.name for c in t.columns] == cols
    assert loc(t) == where(f"{PLATFORM}/{file}", needle)


def test_resolved_templates_facts() -> None:
    result = shape("templated_resolved")
    audit = table(result, "audit_events")
    ix = index(audit, "ix_audit_events_occurred")  # .format() of the constant, twice
    assert (ix.column_names, ix.unique) == (("occurred_at",), False)
    assert loc(ix) == where(f"{PLATFORM}/audit.py", "CREATE INDEX IF NOT EXISTS ix_{0}")
    assert table(result, "job_queue").column("attempts").default == "0"
    assert table(result, "app_settings").primary_key == ("key",)
    assert not [d for d in result.diagnostics if d.severity == "error"]


def test_percent_template_constant_is_documented_only_where_formatted() -> None:
    result = shape("templated_resolved")
    from_cache = [t.name for t in result.schema.tables if t.source.path.endswith("/cache.py")]
    assert from_cache == ["http_cache"]
    assert [at(d) for d in found(result, "SD103") if d.path.endswith("/cache.py")] == []


def test_base_class_without_value_is_not_a_table() -> None:
    result = shape("templated_resolved")
    from_base = [t.name for t in result.schema.tables if t.source.path.endswith("/repositories.py")]
    assert from_base == ["order_archive", "webhook_log"]
    assert [at(d) for d in found(result, "SD103") if d.path.endswith("/repositories.py")] == []


# --- templates that do not resolve ----------------------------------------------------------

TENANCY = "templated_unresolved/tenancy/partitions.py"


def test_unresolved_name_is_a_placeholder_and_structure_stays() -> None:
    result = shape("templated_unresolved")
    assert names(result) == ["{self.table}"]
    t = table(result, "{self.table}")
    assert columns(t) == [
        ("id", "INTEGER", False, None, 1),
        ("tenant", "TEXT", True, None, 0),
        ("payload", "TEXT", False, None, 0),
    ]
    assert loc(t) == where(TENANCY, "CREATE TABLE IF NOT EXISTS {self.table}")
    (sd103,) = found(result, "SD103")
    assert (sd103.severity, sd103.path) == ("warning", TENANCY)
    assert "{self.table}" in sd103.message
    assert not [d for d in result.diagnostics if d.severity == "error"]
    assert not result.has_errors()


def test_unresolved_name_warning_points_at_the_name() -> None:
    (sd103,) = found(shape("templated_unresolved"), "SD103")
    assert at(sd103) == where(TENANCY, "{self.table} (")


# --- lowercase keywords and quoted identifiers -----------------------------------------------

LEGACY = "lowercase_quoted/legacy/schema.py"


def test_lowercase_and_quoted_identifiers() -> None:
    result = shape("lowercase_quoted")
    assert names(result) == ["order items", "select"]
    assert problems(result) == []
    items = table(result, "order items")
    # SQLite spells the standard affinities in capitals and keeps other type text as written.
    assert columns(items) == [
        ("id", "INTEGER", False, None, 1),
        ("order", "TEXT", True, None, 0),
        ("group", "varchar(20)", False, "'misc'", 0),
        ('Weird "Name"', "TEXT", False, None, 0),
    ]
    ix = index(items, "ix order items group")
    assert (ix.column_names, ix.origin) == (("group",), "c")
    keyword = table(result, "select")
    assert keyword.without_rowid
    # A WITHOUT ROWID table's primary key is NOT NULL.
    assert columns(keyword) == [("from", "TEXT", True, None, 1), ("where", "INT", True, "1", 0)]
    assert loc(items) == where(LEGACY, 'create table if not exists "order items"')
    assert loc(ix) == where(LEGACY, "create index")
    assert loc(keyword) == where(LEGACY, "create table if not exists [select]")


# --- foreign keys ---------------------------------------------------------------------------

LIBRARY = "foreign_keys/library/catalog.py"


def test_composite_and_forward_foreign_keys() -> None:
    result = shape("foreign_keys")
    assert names(result) == ["books", "copies", "loans", "members"]
    assert problems(result) == []  # no SD208: the forward references resolve later
    loans = table(result, "loans")
    fks = {fk.columns: fk for fk in loans.foreign_keys}
    assert set(fks) == {("member_id",), ("copy_book_id", "copy_number")}
    member = fks[("member_id",)]
    assert (member.ref_table, member.ref_columns, member.on_delete, member.on_update) == (
        "members",
        ("id",),
        "CASCADE",
        "NO ACTION",
    )
    copy = fks[("copy_book_id", "copy_number")]
    assert (copy.ref_table, copy.ref_columns, copy.on_delete, copy.on_update, copy.name) == (
        "copies",
        ("book_id", "number"),
        "RESTRICT",
        "CASCADE",
        "fk_loans_copy",
    )
    copies = table(result, "copies")
    assert copies.primary_key == ("book_id", "number")
    (book,) = copies.foreign_keys
    # REFERENCES books (no column list): SQLite reports no target column.
    assert (book.columns, book.ref_table, book.ref_columns, book.on_delete) == (
        ("book_id",),
        "books",
        (None,),
        "CASCADE",
    )
    (referrer,) = table(result, "members").foreign_keys
    assert (referrer.columns, referrer.ref_table, referrer.on_delete) == (
        ("referred_by",),
        "members",
        "SET NULL",
    )
    assert loc(loans) == where(LIBRARY, "CREATE TABLE IF NOT EXISTS loans")
    assert loc(table(result, "books")) == where(LIBRARY, "CREATE TABLE IF NOT EXISTS books")


def test_foreign_key_relations_resolve_implicit_targets() -> None:
    relations = {
        (r.from_table, r.from_columns): (r.to_table, r.to_columns, r.kind)
        for r in shape("foreign_keys").schema.relations
    }
    assert relations == {
        ("copies", ("book_id",)): ("books", ("id",), "declared"),
        ("loans", ("copy_book_id", "copy_number")): ("copies", ("book_id", "number"), "declared"),
        ("loans", ("member_id",)): ("members", ("id",), "declared"),
        ("members", ("referred_by",)): ("members", ("id",), "declared"),
    }


# --- table options --------------------------------------------------------------------------


def test_without_rowid_strict_autoincrement() -> None:
    result = shape("table_options")
    assert names(result) == ["counters", "rollups", "samples"]  # no sqlite_sequence
    assert problems(result) == []
    counters, rollups, samples = (table(result, n) for n in ("counters", "rollups", "samples"))
    assert (counters.without_rowid, counters.strict, counters.autoincrement) == (True, False, False)
    assert (samples.without_rowid, samples.strict, samples.autoincrement) == (False, True, True)
    assert (rollups.without_rowid, rollups.strict) == (True, True)
    assert columns(counters) == [
        ("name", "TEXT", True, None, 1),
        ("value", "INTEGER", True, "0", 0),
    ]
    assert columns(samples) == [
        ("id", "INTEGER", False, None, 1),
        ("counter", "TEXT", True, None, 0),
        ("value", "REAL", True, None, 0),
        ("taken_at", "INTEGER", True, None, 0),
    ]
    assert columns(rollups) == [
        ("counter", "TEXT", True, None, 1),
        ("bucket", "INT", True, None, 2),
        ("total", "ANY", False, None, 0),
    ]


# --- generated columns ----------------------------------------------------------------------


def test_generated_columns() -> None:
    result = shape("generated")
    assert problems(result) == []  # '%d' inside the SQL string is not a template marker
    lines = table(result, "order_lines")
    assert [(c.name, c.type, c.hidden) for c in lines.columns] == [
        ("id", "INTEGER", 0),
        ("quantity", "INTEGER", 0),
        ("unit_price_cents", "INTEGER", 0),
        ("total_cents", "INTEGER", 3),  # STORED
        ("is_bulk", "INTEGER", 2),  # VIRTUAL by default
        ("label", "TEXT", 2),
    ]
    generated = {c.name: c.generated for c in lines.columns}
    assert generated == {
        "id": None,
        "quantity": None,
        "unit_price_cents": None,
        "total_cents": "quantity * unit_price_cents",
        "is_bulk": "quantity >= 100",
        "label": "printf('%d x %d', quantity, unit_price_cents)",
    }
    assert index(lines, "ix_order_lines_total").column_names == ("total_cents",)
    assert loc(lines) == where("generated/shop/pricing.py", "CREATE TABLE IF NOT EXISTS order")


# --- partial and expression indexes ---------------------------------------------------------

CONTACTS = "indexes/crm/contacts.py"


def test_partial_expression_and_ordered_indexes() -> None:
    result = shape("indexes")
    assert problems(result) == []
    contacts = table(result, "contacts")
    assert [ix.name for ix in contacts.indexes] == [
        "ix_contacts_active_email",
        "ix_contacts_name",
        "ux_contacts_external",
        "ix_contacts_created",
        "ix_contacts_email_nocase",
    ]
    active = index(contacts, "ix_contacts_active_email")
    assert (active.unique, active.partial, active.where, active.column_names) == (
        False,
        True,
        "deleted_at IS NULL",
        ("email",),
    )
    by_name = index(contacts, "ix_contacts_name")
    assert [(c.name, c.expression) for c in by_name.columns] == [
        (None, "lower(last_name)"),
        (None, "lower(first_name)"),
    ]
    assert (by_name.partial, by_name.where) == (False, None)
    external = index(contacts, "ux_contacts_external")
    assert (external.unique, external.partial, external.where, external.column_names) == (
        True,
        True,
        "external_id IS NOT NULL",
        ("source", "external_id"),
    )
    assert external.definition == (
        "UNIQUE INDEX ux_contacts_external ON contacts (source, external_id) "
        "WHERE external_id IS NOT NULL"
    )
    created = index(contacts, "ix_contacts_created")
    assert [(c.name, c.desc) for c in created.columns] == [("created_at", True)]
    nocase = index(contacts, "ix_contacts_email_nocase")
    assert [(c.name, c.collation) for c in nocase.columns] == [("email", "NOCASE")]
    assert {ix.origin for ix in contacts.indexes} == {"c"}


def test_index_sources() -> None:
    contacts = table(shape("indexes"), "contacts")
    for ix in contacts.indexes:
        needle = f"INDEX IF NOT EXISTS {ix.name}"
        path, line, _ = where(CONTACTS, needle)
        assert loc(ix) == (path, line, 0)  # each statement starts at the line's beginning


# --- FTS5 -----------------------------------------------------------------------------------

SEARCH = "fts/search/index.py"


def test_fts5_tables_without_shadow_tables() -> None:
    result = shape("fts")
    assert names(result) == ["articles", "articles_fts", "search_log"]
    assert problems(result) == []
    fts = table(result, "articles_fts")
    assert (fts.kind, fts.module) == ("virtual", "fts5")
    assert [c.name for c in fts.columns] == ["title", "body"]  # hidden columns left out
    log = table(result, "search_log")
    assert (log.kind, log.module, [c.name for c in log.columns]) == ("virtual", "fts5", ["query"])
    assert table(result, "articles").kind == "table"
    assert [(t.name, t.table) for t in result.schema.triggers] == [
        ("articles_ad", "articles"),
        ("articles_ai", "articles"),
    ]
    assert loc(fts) == where(SEARCH, "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts")
    triggers = {t.name: t for t in result.schema.triggers}
    assert loc(triggers["articles_ai"]) == where(SEARCH, "CREATE TRIGGER IF NOT EXISTS articles_ai")
    assert loc(triggers["articles_ad"]) == where(SEARCH, "CREATE TRIGGER IF NOT EXISTS articles_ad")


# --- views and triggers ---------------------------------------------------------------------

BLOG = "views_triggers/blog/schema.py"


def test_views_and_triggers() -> None:
    result = shape("views_triggers")
    assert names(result) == ["comments", "posts"]
    assert problems(result) == []
    (view,) = result.schema.views
    assert (view.name, view.columns) == ("post_stats", ("post_id", "title", "comment_count"))
    assert loc(view) == where(BLOG, "CREATE VIEW IF NOT EXISTS post_stats")
    triggers = {t.name: t for t in result.schema.triggers}
    assert set(triggers) == {"comments_touch_post", "posts_no_delete_with_comments"}
    assert triggers["comments_touch_post"].table == "comments"
    assert triggers["posts_no_delete_with_comments"].table == "posts"
    assert loc(triggers["comments_touch_post"]) == where(BLOG, "CREATE TRIGGER IF NOT EXISTS com")
    assert loc(triggers["posts_no_delete_with_comments"]) == where(
        BLOG, "CREATE TRIGGER IF NOT EXISTS posts"
    )


# --- guarded ADD COLUMN migrations ----------------------------------------------------------

UPGRADE = "migrations/app/upgrade.py"


def test_guarded_add_column_migrations() -> None:
    result = shape("migrations")
    assert names(result) == ["customers"]
    customers = table(result, "customers")
    assert columns(customers)[:4] == [
        ("id", "INTEGER", False, None, 1),
        ("name", "TEXT", True, None, 0),  # the original column, not the re-added one
        ("email", "TEXT", False, None, 0),
        ("phone", "TEXT", True, "''", 0),
    ]
    assert loc(customers) == where(UPGRADE, "CREATE TABLE IF NOT EXISTS customers")
    (sd302,) = found(result, "SD302")
    assert (sd302.severity, *at(sd302)) == (
        "note",
        *where(UPGRADE, "ALTER TABLE customers ADD COLUMN name"),
    )


def test_add_column_with_check_constraint() -> None:
    result = shape("migrations")
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    customers = table(result, "customers")
    assert [c.name for c in customers.columns] == ["id", "name", "email", "phone", "tier"]
    tier = customers.column("tier")
    assert (tier.type, tier.notnull, tier.default) == ("INTEGER", True, "1")


# --- table rebuild --------------------------------------------------------------------------

TODO = "rebuild/todo/db.py"


def test_table_rebuild_migration() -> None:
    result = shape("rebuild")
    assert names(result) == ["tasks"]  # tasks_new was renamed; the old tasks dropped
    assert problems(result) == []
    tasks = table(result, "tasks")
    assert columns(tasks) == [
        ("id", "INTEGER", False, None, 1),
        ("title", "TEXT", True, None, 0),
        ("status", "TEXT", True, "'open'", 0),
        ("due_on", "TEXT", False, None, 0),
    ]
    assert [ch.expression for ch in tasks.column("status").checks] == ["status IN ('open', 'done')"]
    assert [ix.name for ix in tasks.indexes] == ["ix_tasks_status"]  # ix_tasks_done went too
    assert loc(tasks) == where(TODO, "CREATE TABLE tasks_new")


# --- the same DDL twice, and a conflicting copy ---------------------------------------------


def test_same_ddl_in_two_files_is_one_table_with_two_sources() -> None:
    result = shape("duplicate")
    assert names(result) == ["jobs"]
    assert problems(result) == []
    jobs = table(result, "jobs")
    assert [(s.path, s.line, s.column) for s in jobs.sources] == [
        where("duplicate/worker/queue.py", "CREATE TABLE IF NOT EXISTS jobs"),
        where("duplicate/worker/scheduler.py", "create table if not exists jobs"),
    ]
    assert columns(jobs) == [
        ("id", "INTEGER", False, None, 1),
        ("kind", "TEXT", True, None, 0),
        ("run_at", "REAL", True, None, 0),
    ]


def test_conflicting_definitions_warn_and_keep_the_first() -> None:
    result = shape("conflict")
    assert names(result) == ["exports"]
    exports = table(result, "exports")
    assert columns(exports) == [
        ("id", "INTEGER", False, None, 1),
        ("path", "TEXT", True, None, 0),
        ("created_at", "TEXT", True, "CURRENT_TIMESTAMP", 0),
    ]
    assert loc(exports) == where("conflict/reports/exporter.py", "CREATE TABLE")
    (sd301,) = found(result, "SD301")
    assert (sd301.severity, *at(sd301)) == (
        "warning",
        *where("conflict/reports/importer.py", "CREATE TABLE"),
    )
    assert problems(result) == [str(sd301)]


# --- other engines --------------------------------------------------------------------------

BACKENDS = "other_engines/storage/backends.py"


def test_other_engine_ddl_is_skipped_with_warnings() -> None:
    result = shape("other_engines")
    assert names(result) == ["kv"]
    assert columns(table(result, "kv")) == [
        ("key", "TEXT", False, None, 1),
        ("value", "TEXT", True, None, 0),
    ]
    sd206 = sorted((d.severity, *at(d)) for d in found(result, "SD206"))
    assert sd206 == sorted(
        [
            ("warning", *where(BACKENDS, "CREATE TABLE IF NOT EXISTS events")),
            ("warning", *where(BACKENDS, "ALTER TABLE events ALTER COLUMN")),
            ("warning", *where(BACKENDS, "CREATE INDEX IF NOT EXISTS ix_events_created")),
            ("warning", *where(BACKENDS, "CREATE TABLE IF NOT EXISTS `audit_log`")),
        ]
    )
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert not result.has_errors()


def test_other_engine_ddl_cli_exits_cleanly(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "schema.json"
    code = main(
        ["generate", "--format", "json", "--output", str(out), str(SHAPES / "other_engines")]
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert [t["name"] for t in data["tables"]] == ["kv"]
    assert {d["code"] for d in data["diagnostics"]} == {"SD206"}


# --- prose and DML --------------------------------------------------------------------------


def test_docstrings_messages_and_dml_are_not_ddl() -> None:
    result = shape("prose/admin/__init__.py", "prose/admin/maintenance.py")
    assert result.files == 2
    assert names(result) == []
    assert result.schema.views == () and result.schema.triggers == ()
    assert [str(d) for d in result.diagnostics] == [
        "warning[SD111]: nothing is documented: no statement of the DDL-like text in "
        "prose/admin/maintenance.py was applied"
    ]


def test_prompt_text_is_not_ddl() -> None:
    result = shape("prose/admin/prompt.py")
    assert names(result) == ["backups"]
    assert [str(d) for d in result.diagnostics] == []


# --- SQL comments as descriptions -----------------------------------------------------------


def test_sql_comments_become_descriptions() -> None:
    result = shape("comments")
    assert names(result) == ["departments", "employees", "team_members"]
    assert problems(result) == []
    employees = table(result, "employees")
    assert employees.description == "People on the payroll, current and former."
    assert {c.name: c.description for c in employees.columns} == {
        "id": None,
        "full_name": "Legal name as on the contract",  # -- on the line before
        "email": "Work address; NULL once they leave",  # trailing, after the comma
        "hired_on": "ISO 8601 date",  # /* */ before the column
        "manager_id": "Their line manager",  # trailing on the last column
    }
    assert table(result, "team_members").description == "Teams an employee belongs to."
    departments = table(result, "departments")
    assert departments.description == "Organisational units"
    assert [c.description for c in departments.columns] == [None, None]
    assert loc(employees) == where("comments/hr/schema.py", "CREATE TABLE IF NOT EXISTS employees")


# --- teardown -------------------------------------------------------------------------------

DATABASE = "teardown/app/database.py"


def test_teardown_helper_drops_are_ignored() -> None:
    result = shape("teardown")
    # drop_all() is teardown: its tables stay. migrate_v3's DROP is a real migration.
    assert names(result) == ["accounts", "sessions"]
    assert problems(result) == []
    sd303 = found(result, "SD303")
    drop = where(DATABASE, 'DROP TABLE IF EXISTS {table}"')
    assert sorted((d.severity, *at(d)) for d in sd303) == [("note", *drop), ("note", *drop)]
    assert sorted(d.message.split()[2] for d in sd303) == ["accounts", "sessions"]
    assert [(fk.columns, fk.ref_table) for fk in table(result, "sessions").foreign_keys] == [
        (("account_id",), "accounts")
    ]


def test_test_code_is_left_out_by_default() -> None:
    result = shape("test_teardown")
    assert names(result) == ["widgets"]
    assert result.left_out == 2  # tests/__init__.py and tests/test_repo.py
    assert problems(result) == [] and found(result, "SD303") == []


def test_drop_in_test_folder_is_teardown() -> None:
    result = shape("test_teardown", include_tests=True)
    assert names(result) == ["widgets"]
    assert problems(result) == []
    widgets = table(result, "widgets")
    assert columns(widgets) == [
        ("id", "INTEGER", False, None, 1),
        ("name", "TEXT", True, None, 0),
        ("colour", "TEXT", False, "'blue'", 0),
    ]
    assert loc(widgets) == where("test_teardown/app/repo.py", "CREATE TABLE IF NOT EXISTS widgets")
    (sd303,) = found(result, "SD303")
    assert (sd303.severity, *at(sd303)) == (
        "note",
        *where("test_teardown/tests/test_repo.py", "DROP TABLE IF EXISTS widgets"),
    )


# --- byte and raw strings -------------------------------------------------------------------

BLOBS = "bytes_raw/cache/blobs.py"


def test_byte_and_raw_strings() -> None:
    result = shape("bytes_raw")
    assert names(result) == ["blob_tags", "blobs", "url_patterns"]
    assert problems(result) == []
    blobs = table(result, "blobs")
    assert blobs.without_rowid
    assert columns(blobs) == [("digest", "BLOB", True, None, 1), ("data", "BLOB", True, None, 0)]
    patterns = table(result, "url_patterns")
    # A raw string keeps its backslashes: the default is the six characters '\d+\.\w*'.
    assert patterns.column("example").default == r"'\d+\.\w*'"
    assert [ch.expression for ch in patterns.column("pattern").checks] == ["pattern <> ''"]
    tags = table(result, "blob_tags")
    assert tags.column("tag").default == r"'\n'"  # rb'' too: backslash and n, no newline
    assert [(fk.columns, fk.ref_table, fk.ref_columns) for fk in tags.foreign_keys] == [
        (("digest",), "blobs", ("digest",))
    ]
    assert loc(blobs) == where(BLOBS, "CREATE TABLE IF NOT EXISTS blobs")
    assert loc(patterns) == where(BLOBS, "CREATE TABLE IF NOT EXISTS url_patterns")
    assert loc(tags) == where(BLOBS, "CREATE TABLE IF NOT EXISTS blob_tags")


# --- a .sql file among the paths ------------------------------------------------------------

SQL = "sql_file/geo/schema.sql"


def test_sql_file_in_a_folder() -> None:
    result = shape("sql_file")
    assert names(result) == ["cities", "regions"]
    assert problems(result) == []
    cities = table(result, "cities")
    assert columns(cities) == [
        ("id", "INTEGER", False, None, 1),
        ("region_id", "INTEGER", True, None, 0),
        ("name", "TEXT", True, None, 0),
        ("population", "INTEGER", False, None, 0),
    ]
    # The index is in repo.py, which sorts before schema.sql: applied once cities exists.
    ix = index(cities, "ix_cities_region")
    assert ix.column_names == ("region_id",)
    assert loc(ix) == where("sql_file/geo/repo.py", "CREATE INDEX IF NOT EXISTS ix_cities")
    assert loc(cities) == where(SQL, "CREATE TABLE IF NOT EXISTS cities")
    assert loc(table(result, "regions")) == where(SQL, "CREATE TABLE IF NOT EXISTS regions")
    assert table(result, "regions").description == "Sales regions."
    assert cities.description == "Cities we deliver to."
    population = cities.column("population")
    assert population.description == "Last census"
    assert [ch.expression for ch in population.checks] == ["population >= 0"]


def test_sql_file_named_explicitly() -> None:
    result = shape(SQL)
    assert result.files == 1
    assert names(result) == ["cities", "regions"]
    assert loc(table(result, "regions")) == (SQL, 2, 0)


# --- the whole corpus at once ---------------------------------------------------------------

ALL_TABLES = {
    "warehouses",
    "stock_levels",
    "shipments",
    "notebooks",
    "notes",
    "users",
    "api_tokens",
    "invoices",
    "invoice_lines",
    "payments",
    *RESOLVED,
    "{self.table}",
    "order items",
    "select",
    "loans",
    "copies",
    "members",
    "books",
    "counters",
    "samples",
    "rollups",
    "order_lines",
    "contacts",
    "articles",
    "articles_fts",
    "search_log",
    "posts",
    "comments",
    "customers",
    "tasks",
    "jobs",
    "exports",
    "kv",
    "backups",
    "employees",
    "team_members",
    "departments",
    "accounts",
    "sessions",
    "widgets",
    "blobs",
    "url_patterns",
    "blob_tags",
    "regions",
    "cities",
    "member",
}


def test_whole_corpus_at_once() -> None:
    result = shape(".")
    assert set(names(result)) == ALL_TABLES
    assert [str(d) for d in result.diagnostics if d.severity == "error"] == []


def test_numbered_migrations_apply_in_numeric_order(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "1.sql").write_text("CREATE TABLE t (a TEXT);\n")
    (migrations / "2.sql").write_text("ALTER TABLE t RENAME COLUMN a TO b;\n")
    (migrations / "10.sql").write_text("ALTER TABLE t RENAME COLUMN b TO c;\n")
    (migrations / "010_extra.sql").write_text("ALTER TABLE t ADD COLUMN d TEXT;\n")
    result = scan([tmp_path], Settings(root=str(tmp_path), cache=False))
    assert result.diagnostics == ()
    assert [c.name for c in result.schema.tables[0].columns] == ["c", "d"]


# --- branches for other engines -------------------------------------------------------------

ROOMS = "engine_branches/store/upgrade.py"


def test_branches_for_other_engines_are_skipped() -> None:
    result = shape("engine_branches")
    member = table(result, "member")
    assert columns(member) == [
        ("id", "INTEGER", False, None, 1),
        ("room_id", "TEXT", True, None, 0),
        ("membership", "membership", True, None, 0),
        ("joined_at", "INTEGER", False, None, 0),
    ]
    assert [(i.name, [c.name for c in i.columns]) for i in member.indexes] == [
        ("member_room", ["room_id"])
    ]
    assert loc(member.indexes[0]) == where(ROOMS, "CREATE INDEX member_room ON member (")
    sd206 = sorted((d.message.rpartition("(")[2], *at(d)) for d in found(result, "SD206"))
    assert sd206 == sorted(
        [
            ("'ALTER COLUMN' is not SQLite); skipped", *where(ROOMS, "ALTER TABLE member ALTER")),
            ("it is in 'non-sqlite' code); skipped", *where(ROOMS, "ALTER TABLE member DROP")),
            (
                "'ON member USING btree' is not SQLite); skipped",
                *where(ROOMS, "CREATE INDEX member_room"),
            ),
            (
                "it is in 'PostgresEngine' code); skipped",
                *where(ROOMS, "ALTER TABLE member ADD COLUMN joined_at TIMESTAMP"),
            ),
        ]
    )
    assert problems(result) == [str(d) for d in found(result, "SD206")]


def test_a_name_takes_the_value_assigned_where_sqlite_runs() -> None:
    member = table(shape("engine_branches"), "member")
    checks = {c.name: tuple(k.expression for k in c.checks) for c in member.columns}
    assert checks["membership"] == ("membership IN ('join', 'leave')",)
    assert checks["id"] == ()
    assert member.primary_key == ("id",)
