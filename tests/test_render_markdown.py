"""The Markdown document: layout of the seed doc, every fact shown, and safe escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemadoc.config import Settings
from schemadoc.model.schema import Check, Column, Schema, Table, View
from schemadoc.relations import relate
from schemadoc.render.context import default_text
from schemadoc.render.formats import render
from schemadoc.render.templates import (
    builtin_templates_dir,
    code,
    md,
    md_sql,
    one_line,
    render_template,
    render_with,
)

REPO = Path(__file__).resolve().parent.parent

SEED_SETTINGS = Settings(
    title="DiPeO Database Schema Documentation",
    intro="DiPeO uses SQLite databases for persistence with the following schema:",
    database_location=".dipeo/data/dipeo_state.db",
    command="make schema-docs",
)

# Every line of the seed document's column tables, as the seed shows them.
SEED_ROWS = """\
| `execution_id` | `TEXT` | PRIMARY KEY |
| `status` | `TEXT` | NOT NULL |
| `diagram_id` | `TEXT` | - |
| `started_at` | `TEXT` | NOT NULL |
| `ended_at` | `TEXT` | - |
| `node_states` | `TEXT` | NOT NULL |
| `node_outputs` | `TEXT` | NOT NULL |
| `llm_usage` | `TEXT` | NOT NULL |
| `error` | `TEXT` | - |
| `variables` | `TEXT` | NOT NULL |
| `exec_counts` | `TEXT` | NOT NULL DEFAULT '{}' |
| `executed_nodes` | `TEXT` | NOT NULL DEFAULT '[]' |
| `metrics` | `TEXT` | DEFAULT NULL |
| `created_at` | `TIMESTAMP` | DEFAULT CURRENT_TIMESTAMP |
| `access_count` | `INTEGER` | DEFAULT 0 |
| `last_accessed` | `TIMESTAMP` | DEFAULT CURRENT_TIMESTAMP |
| `id` | `TEXT` | PRIMARY KEY |
| `execution_id` | `TEXT` | NOT NULL |
| `node_id` | `TEXT` | NOT NULL |
| `person_id` | `TEXT` | - |
| `content` | `TEXT` | NOT NULL |
| `token_count` | `INTEGER` | - |
| `created_at` | `TIMESTAMP` | DEFAULT CURRENT_TIMESTAMP |
| `node_id` | `TEXT` | - |
| `phase` | `TEXT` | NOT NULL |
| `seq` | `INTEGER` | NOT NULL |
| `payload` | `TEXT` | NOT NULL |
| `created_at` | `TEXT` | NOT NULL DEFAULT (datetime('now')) |
""".splitlines()

# The seed's index lines, with the table the seed left out.
SEED_INDEXES = """\
- **idx_status**: INDEX idx_status ON executions (status)
- **idx_started_at**: INDEX idx_started_at ON executions (started_at)
- **idx_diagram_id**: INDEX idx_diagram_id ON executions (diagram_id)
- **idx_access_count**: INDEX idx_access_count ON executions (access_count DESC)
- **idx_last_accessed**: INDEX idx_last_accessed ON executions (last_accessed DESC)
- **idx_execution**: INDEX idx_execution ON messages (execution_id)
- **idx_node**: INDEX idx_node ON messages (node_id)
- **ux_exec_seq**: UNIQUE INDEX ux_exec_seq ON transitions (execution_id, seq)
- **idx_exec_transitions**: INDEX idx_exec_transitions ON transitions (execution_id)
- **idx_created_at**: INDEX idx_created_at ON transitions (created_at DESC)
""".splitlines()


@pytest.fixture(scope="module")
def seed_doc(seed: Schema) -> str:
    return render(seed, SEED_SETTINGS)


@pytest.fixture(scope="module")
def rich_doc(rich: Schema) -> str:
    return render(rich, Settings(title="Shop Database", command="schemadoc generate"))


def section(doc: str, heading: str) -> str:
    """The text from ``heading`` to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    found = re.search(rf"^{re.escape(heading)}\n", doc, flags=re.M)
    assert found, heading
    rest = doc[found.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.M)
    return heading + "\n" + (rest[: end.start()] if end else rest)


def cells(row: str) -> list[str]:
    """A GFM table row split on its unescaped pipes."""
    assert row.startswith("| ") and row.endswith(" |"), row
    return [c.strip() for c in re.split(r"(?<!\\)\|", row[1:-1])]


# --- Snapshots ---------------------------------------------------------------------------


def test_seed_snapshot(seed_doc: str, snapshot) -> None:
    assert seed_doc == snapshot


def test_rich_snapshot(rich_doc: str, snapshot) -> None:
    assert rich_doc == snapshot


# --- The seed document's layout and facts ------------------------------------------------


def test_seed_header_and_overview(seed_doc: str) -> None:
    assert seed_doc.startswith(
        "# DiPeO Database Schema Documentation\n\n"
        "> **Auto-generated documentation** - DO NOT EDIT MANUALLY\n"
        "> Generated from SQL CREATE TABLE statements in Python source code\n"
        "> Run `make schema-docs` to regenerate\n\n"
        "## Overview\n\n"
        "DiPeO uses SQLite databases for persistence with the following schema:\n\n"
        "- **Number of tables**: 3\n"
        "- **Database location**: `.dipeo/data/dipeo_state.db`\n\n"
        "## Tables\n\n### `executions`\n"
    )
    assert seed_doc.endswith("```\n") and not seed_doc.endswith("\n\n")


def test_seed_shows_everything_the_seed_doc_shows(seed_doc: str) -> None:
    lines = seed_doc.splitlines()
    for row in SEED_ROWS:
        assert row in lines
    for index in SEED_INDEXES:
        assert index in lines
    assert seed_doc.count("| Column | Type | Constraints |\n|--------|------|-------------|\n") == 3
    assert "**Primary Key**: `execution_id`" in seed_doc
    assert seed_doc.count("**Primary Key**: `id`") == 2
    for heading in (
        "### `executions`",
        "### `messages`",
        "### `transitions`",
        "#### Columns",
        "#### Indexes",
        "## Mermaid ER Diagram",
    ):
        assert heading + "\n" in seed_doc


def test_seed_sources_have_lines(seed_doc: str) -> None:
    assert (
        "**Source**: `fixtures/seed_project/dipeo/infrastructure/execution/state/"
        "persistence_manager.py:33`" in seed_doc
    )
    assert (
        "**Source**: `fixtures/seed_project/apps/server/src/dipeo_server/infra/"
        "message_store.py:21`" in seed_doc
    )


def test_seed_relationships_both_directions(seed_doc: str) -> None:
    executions = section(seed_doc, "### `executions`")
    assert "Referenced by:" in executions and "References:" not in executions
    assert (
        "- `messages` (`execution_id`) → `executions` (`execution_id`): "
        "inferred from the column name, many-to-one" in executions
    )
    messages = section(seed_doc, "### `messages`")
    assert "References:" in messages and "Referenced by:" not in messages


def test_seed_has_no_sqlite_autoindex(seed_doc: str) -> None:
    assert "sqlite_autoindex" not in seed_doc


def test_seed_diagram_in_markdown(seed_doc: str) -> None:
    diagram = section(seed_doc, "## Mermaid ER Diagram")
    assert diagram.count("```mermaid\nerDiagram\n") == 1
    assert '    executions ||..o{ messages : "execution_id (inferred)"\n' in diagram
    assert '    executions ||..o{ transitions : "execution_id (inferred)"\n' in diagram
    assert "too large" not in diagram


# --- The rich fixture --------------------------------------------------------------------


def test_description_column_only_when_a_column_has_one(rich_doc: str) -> None:
    assert "| Column | Type | Constraints |\n" in section(rich_doc, "### `customers`")
    assert "Description" not in section(rich_doc, "### `customers`")
    assert "| Column | Type | Constraints | References | Description |" in section(
        rich_doc, "### `products`"
    )
    assert "| Column | Type | Constraints | Description |" in section(rich_doc, "### `to-do`")


def test_references_column_only_with_foreign_keys(rich_doc: str) -> None:
    order = section(rich_doc, "### `order`")
    assert "| Column | Type | Constraints | References |\n" in order
    assert "| `customer_id` | `INTEGER` | NOT NULL | `customers`.`id` |" in order
    assert "References |" not in section(rich_doc, "### `to-do`")


def test_table_descriptions_and_sources(rich_doc: str) -> None:
    categories = section(rich_doc, "### `categories`")
    assert "\n\nThe category tree; a root category has no parent.\n\n" in categories
    assert "**Source**: `fixtures/rich_project/shop/db/catalog.py:9`" in categories
    # A comment before the column and one trailing it both become descriptions.
    assert "| Parent category; NULL for a root |" in categories
    assert "| URL path segment, e.g. \\`home-garden\\` |" in categories


def test_composite_primary_key_and_options(rich_doc: str) -> None:
    items = section(rich_doc, "### `order_items`")
    assert "**Primary Key**: `order_id`, `product_id`" in items
    assert "**Options**: WITHOUT ROWID" in items
    assert "| `order_id` | `INTEGER` | PRIMARY KEY NOT NULL | `order`.`id` |" in items
    assert "| `product_id` | `INTEGER` | PRIMARY KEY NOT NULL | `products`.`id` |" in items
    assert "**Primary Key**: none (implicit `rowid`)" in section(
        rich_doc, "### `customer_profiles`"
    )


def test_constraint_texts(rich_doc: str) -> None:
    lines = rich_doc.splitlines()
    for row in (
        "| `id` | `INTEGER` | PRIMARY KEY AUTOINCREMENT | - | - |",
        "| `name` | `TEXT` | NOT NULL COLLATE NOCASE | - | - |",
        "| `slug` | `TEXT` | NOT NULL UNIQUE | - | URL path segment, e.g. \\`home-garden\\` |",
        "| `position` | `INTEGER` | NOT NULL DEFAULT 0 CHECK (position >= 0) | - | - |",
        "| `email` | `TEXT` | NOT NULL UNIQUE COLLATE NOCASE |",
        "| `created_at` | `TEXT` | NOT NULL DEFAULT (datetime('now')) |",
        "| `total` | `DECIMAL(10, 2)` | NOT NULL DEFAULT 0 | - |",
        "| `line_total` | `DECIMAL(10, 2)` | "
        "GENERATED ALWAYS AS (quantity \\* unit_price) STORED | - |",
        "| `shipping_class` | `TEXT` | GENERATED ALWAYS AS (CASE WHEN weight_grams > 30000 "
        "THEN 'freight' ELSE 'parcel' END) VIRTUAL | - | - |",
        "| `metadata` | - | - | - | Free-form JSON &lt;script&gt;alert(1)&lt;/script&gt; "
        "from the \\*importer\\* |",
    ):
        assert row in lines, row


def test_indexes_include_table_where_and_expressions(rich_doc: str) -> None:
    lines = rich_doc.splitlines()
    for line in (
        "- **idx_order_open**: INDEX idx_order_open ON \"order\" (placed_at) WHERE status = 'open'",
        "- **idx_products_listed**: INDEX idx_products_listed ON products "
        "(category_id, price DESC) WHERE category_id IS NOT NULL",
        "- **idx_products_name_lower**: INDEX idx_products_name_lower ON products (lower(name))",
        "- **ux_products_sku**: UNIQUE INDEX ux_products_sku ON products (sku COLLATE NOCASE)",
        "- **idx_customers_email_domain**: INDEX idx_customers_email_domain ON customers "
        "(substr(email, instr(email, '@') + 1))",
    ):
        assert line in lines, line
    assert "sqlite_autoindex" not in rich_doc


def test_foreign_keys_with_actions(rich_doc: str) -> None:
    lines = rich_doc.splitlines()
    assert "- `parent_id` references `categories` (`id`) ON DELETE SET NULL" in lines
    assert (
        "- `category_id` references `categories` (`id`) ON DELETE SET NULL ON UPDATE CASCADE"
        in lines
    )
    assert "- `order_id` references `order` (`id`) ON DELETE CASCADE" in lines
    assert "- `product_id` references `products` (`id`)" in lines  # NO ACTION is not shown
    assert "NO ACTION" not in rich_doc


def test_checks_triggers_views(rich_doc: str) -> None:
    products = section(rich_doc, "### `products`")
    # The parser reports the constraint name upper-cased; accept either spelling.
    assert (
        "#### Check Constraints\n\n- **CK_PRODUCTS_SKU**: CHECK (length(sku) BETWEEN 3 AND 32)"
        in products.replace("ck_products_sku", "CK_PRODUCTS_SKU")
    )
    assert "#### Triggers\n\n- `trg_order_touch`\n" in section(rich_doc, "### `order`")
    views = section(rich_doc, "## Views")
    assert "### `order_totals`" in views
    assert "**Columns**: `order_id`, `email`, `total`" in views
    assert "```sql\nCREATE VIEW order_totals AS\nSELECT o.id AS order_id" in views
    triggers = section(rich_doc, "## Triggers")
    assert "**Table**: `order`" in triggers
    assert '```sql\nCREATE TRIGGER trg_order_touch AFTER UPDATE ON "order"\nBEGIN\n' in triggers
    assert "- **Number of views**: 1\n- **Number of triggers**: 1\n" in rich_doc


def test_relationships_mark_declared_and_inferred(rich_doc: str) -> None:
    customers = section(rich_doc, "### `customers`")
    assert (
        "- `customer_profiles` (`customer_id`) → `customers` (`id`): foreign key, one-to-one"
        in customers
    )
    assert (
        "- `to-do` (`customer_id`) → `customers` (`id`): "
        "inferred from the column name, many-to-one, optional" in customers
    )
    categories = section(rich_doc, "### `categories`")
    references = categories.split("References:")[1].split("Referenced by:")[0]
    assert "`categories` (`parent_id`) → `categories` (`id`)" in references


def test_pipes_stay_inside_their_cells(rich_doc: str) -> None:
    for doc_section in re.split(r"^### ", rich_doc, flags=re.M):
        header = next((x for x in doc_section.splitlines() if x.startswith("| Column")), None)
        if header is None:
            continue
        width = len(cells(header))
        rows = [x for x in doc_section.splitlines() if x.startswith("| `")]
        assert rows and all(len(cells(row)) == width for row in rows)
    assert "| NOT NULL DEFAULT 'new\\|sale' |" in rich_doc
    assert "| Pipe separated: tag\\|tag |" in rich_doc


def test_banner_names_the_command(rich_doc: str) -> None:
    assert "> Run `schemadoc generate` to regenerate\n" in rich_doc
    assert rich_doc.startswith("# Shop Database\n")


# --- Escaping ----------------------------------------------------------------------------


def hostile_schema() -> Schema:
    evil = Table(
        "we`ird|name",
        (
            Column("id", "INTEGER", pk=1),
            Column("a`b", "TEXT", default="'x|y'", description="line one\nline two | three"),
            Column("html", "TEXT", description='<script>alert("x")</script> & <b>'),
            Column("md", "TEXT", description="*bold* _it_ [link](http://evil) `code` ~~s~~"),
            Column("head", "TEXT", description="# not a heading"),
            Column("list", "VARCHAR(5) | x", description="- not a list"),
        ),
        description="<img src=x onerror=alert(1)>\n\n# Heading\n[x](javascript:alert(1))",
        checks=(Check("html <> '<script>'"),),
    )
    return relate(
        Schema(
            tables=(evil,),
            views=(View("v`", "CREATE VIEW \"v`\" AS SELECT '\n```\n' AS x", ("x",)),),
        )
    )


def test_hostile_text_is_neutralised() -> None:
    doc = render(hostile_schema(), Settings())
    assert "<script>" not in doc and "<img" not in doc and "<b>" not in doc
    assert '&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;b&gt;' in doc
    assert "\\*bold\\* \\_it\\_ \\[link\\](http://evil) \\`code\\` \\~\\~s\\~\\~" in doc
    assert "| \\# not a heading |" in doc
    assert "| \\- not a list |" in doc
    assert "CHECK (html &lt;> '&lt;script>')" in doc
    # The table description stays one paragraph: no heading, no link, no HTML.
    assert "\n# Heading" not in doc
    assert "\n&lt;img src=x onerror=alert(1)&gt; # Heading \\[x\\](javascript:alert(1))\n" in doc


def test_hostile_names_in_code_spans_and_cells() -> None:
    doc = render(hostile_schema(), Settings())
    assert "### ``we`ird|name``\n" in doc
    rows = [x for x in doc.splitlines() if x.startswith("| ``") or x.startswith("| `")]
    assert all(len(cells(row)) == 4 for row in rows), rows
    assert "| ``a`b`` | `TEXT` | DEFAULT 'x\\|y' | line one line two \\| three |" in doc
    assert "| `list` | `VARCHAR(5) \\| x` |" in doc
    assert "### `` v` ``\n" in doc
    assert "````sql\nCREATE VIEW \"v`\" AS SELECT '\n```\n' AS x\n````\n" in doc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("name", "`name`"),
        ("a`b", "``a`b``"),
        ("`x", "`` `x ``"),
        ("a``b`", "``` a``b` ```"),
        ("two\nlines", "`two lines`"),
        ("", '`""`'),
    ],
)
def test_code_span(value: str, expected: str) -> None:
    assert code(value) == expected


@given(st.text(alphabet=st.sampled_from("ab \n\t\r\x0b\x0c\x1c\x85\xa0\u2028\u200b\x00é")))
def test_one_line_makes_every_unprintable_character_a_space_and_collapses_runs(
    text: str,
) -> None:
    spaced = "".join(ch if ch.isprintable() else " " for ch in text)
    assert one_line(text) == " ".join(spaced.split())


def test_md_and_md_sql() -> None:
    assert md("1. first") == "1\\. first"
    assert md("+ x") == "\\+ x"
    assert md("a_b $x$") == "a\\_b \\$x\\$"
    assert md_sql("CURRENT_TIMESTAMP '[]' _x_ [a](b) a > b") == (
        "CURRENT_TIMESTAMP '[]' \\_x\\_ [a\\](b) a > b"
    )


@pytest.mark.parametrize(
    ("dflt", "expected"),
    [
        ("'{}'", "'{}'"),
        ("0", "0"),
        ("-1.5", "-1.5"),
        ("NULL", "NULL"),
        ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("X'00ff'", "X'00ff'"),
        ("datetime('now')", "(datetime('now'))"),
        ("(1 + 2)", "(1 + 2)"),
        ("(1) + (2)", "((1) + (2))"),
        ("'a' || 'b'", "('a' || 'b')"),
    ],
)
def test_default_text(dflt: str, expected: str) -> None:
    assert default_text(dflt) == expected


# --- Determinism and templates -----------------------------------------------------------


def test_output_is_deterministic(rich: Schema, rich_doc: str) -> None:
    shuffled = Schema(
        tables=tuple(reversed(rich.tables)),
        views=rich.views,
        triggers=rich.triggers,
        relations=rich.relations,
    )
    settings = Settings(title="Shop Database", command="schemadoc generate")
    assert render(shuffled, settings) == rich_doc
    assert render(rich, settings) == rich_doc


def test_tables_sorted_by_folded_name() -> None:
    tables = tuple(Table(n, (Column("x", "TEXT"),)) for n in ("b", "B_", "a", "A", "_z"))
    doc = render(Schema(tables=tables), Settings())
    order = re.findall(r"^### `([^`]+)`$", doc, flags=re.M)
    assert order == ["_z", "A", "a", "b", "B_"]  # "_" sorts before letters in ASCII


def test_empty_schema() -> None:
    doc = render(Schema(), Settings())
    assert "- **Number of tables**: 0\n" in doc
    assert "## Tables" not in doc and "Mermaid" not in doc
    assert doc.endswith("\n") and not doc.endswith("\n\n")


def test_builtin_templates_found() -> None:
    folder = builtin_templates_dir()
    assert (folder / "markdown.md.j2").is_file()
    assert (folder / "mermaid.mmd.j2").is_file()


def test_user_templates_replace_builtin_ones_by_name(tmp_path: Path, seed: Schema) -> None:
    (tmp_path / "table.md.j2").write_text(
        "### {{ table.name | code }} has {{ table.columns | length }} columns\n",
        encoding="utf-8",
    )
    doc = render_with(seed, SEED_SETTINGS, templates_dir=tmp_path)
    assert "### `executions` has 16 columns\n" in doc
    assert "#### Columns" not in doc
    assert doc.startswith("# DiPeO Database Schema Documentation\n")  # built-in main template
    assert render_template(seed, SEED_SETTINGS) == render(seed, SEED_SETTINGS)


def test_templates_are_strict(tmp_path: Path, seed: Schema) -> None:
    import jinja2

    (tmp_path / "markdown.md.j2").write_text("{{ no_such_thing }}\n", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render_with(seed, SEED_SETTINGS, templates_dir=tmp_path)
