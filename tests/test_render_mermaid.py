"""The Mermaid ER diagram: names, escaping, relationship lines, splitting, and real parsing."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from schemadoc.config import Settings
from schemadoc.model.schema import Column, ForeignKey, Index, IndexColumn, Schema, Table
from schemadoc.relations import relate
from schemadoc.render.formats import render
from schemadoc.render.groups import build_diagrams
from schemadoc.render.mermaid import (
    MAX_TEXT_SIZE,
    attribute_name,
    attribute_type,
    entity_ids,
    escape_text,
    full_diagram,
    text_size,
)

try:
    from tests.mermaid import harness
except ImportError:  # tests/ is not a package on sys.path (plain `pytest`): tests/ itself is
    from mermaid import harness  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parent.parent
RELATION_LINE = re.compile(r"^    (\S+) ([|}o][|o](?:--|\.\.)[|o][|{]) (\S+) : \"(.*)\"$")


def mermaid(schema: Schema) -> str:
    return render(schema, Settings(format="mermaid"))


def relation_lines(diagram: str) -> list[str]:
    return [line for line in diagram.splitlines() if RELATION_LINE.match(line)]


# --- Snapshots ---------------------------------------------------------------------------


def test_seed_snapshot(seed: Schema, snapshot) -> None:
    assert mermaid(seed) == snapshot


def test_rich_snapshot(rich: Schema, snapshot) -> None:
    assert mermaid(rich) == snapshot


# --- Relationship lines ------------------------------------------------------------------


def test_seed_relations_are_exactly_the_two_inferred_ones(seed: Schema) -> None:
    assert relation_lines(mermaid(seed)) == [
        '    executions ||..o{ messages : "execution_id (inferred)"',
        '    executions ||..o{ transitions : "execution_id (inferred)"',
    ]


def test_seed_has_no_self_or_reversed_relation(seed: Schema) -> None:
    text = mermaid(seed)
    assert "executions ||..o{ executions" not in text
    assert not re.search(r"(messages|transitions) \S+ executions", text)


def test_four_cardinality_shapes(rich: Schema) -> None:
    lines = relation_lines(mermaid(rich))
    # NOT NULL, not unique: exactly one parent, many children.
    assert '    customers ||--o{ order : "customer_id"' in lines
    # nullable, not unique: zero or one parent.
    assert '    categories |o--o{ products : "category_id"' in lines
    # NOT NULL UNIQUE: one-to-one.
    assert '    customers ||--o| customer_profiles : "customer_id"' in lines
    # nullable UNIQUE.
    assert '    order |o--o| shipments : "order_id"' in lines


def test_rich_relations_solid_declared_dashed_inferred(rich: Schema) -> None:
    lines = relation_lines(mermaid(rich))
    assert len(lines) == len(set(lines)) == len(rich.relations) == 8
    inferred = [line for line in lines if ".." in line.split(" : ")[0]]
    assert inferred == ['    customers |o..o{ to_do : "customer_id (inferred)"']
    assert all(line.endswith('(inferred)"') for line in inferred)
    assert not any("(inferred)" in line for line in lines if line not in inferred)


def test_only_real_self_reference(rich: Schema) -> None:
    selfies = [
        m.group(1)
        for m in map(RELATION_LINE.match, relation_lines(mermaid(rich)))
        if m and m.group(1) == m.group(3)
    ]
    assert selfies == ["categories"]


def test_relations_use_entity_ids_never_labels(rich: Schema) -> None:
    text = mermaid(rich)
    assert '    to_do["to-do"] {' in text
    for line in relation_lines(text):
        assert '"to-do"' not in line and "[" not in line.split(" : ")[0]


# --- Attributes --------------------------------------------------------------------------


def test_rich_attributes(rich: Schema) -> None:
    text = mermaid(rich)
    assert '        `DECIMAL(10, 2)` price "Unit price in EUR"' in text
    assert "        untyped metadata " in text
    assert "        INTEGER `pk` PK" in text
    assert "        INTEGER order_id PK, FK" in text
    assert "        INTEGER customer_id FK, UK" in text
    assert "        TEXT sku UK" in text  # unique index on one column
    assert '        TEXT tags "Pipe separated: tag|tag"' in text
    assert "<script>" not in text
    assert "#lt;script#gt;" in text
    assert "#42;importer#42;" in text


def test_seed_diagram_matches_seed_entities(seed: Schema) -> None:
    text = mermaid(seed)
    assert text.startswith("erDiagram\n    executions {\n        TEXT execution_id PK\n")
    assert "    transitions {\n        TEXT id PK\n        TEXT execution_id\n" in text
    assert "        TIMESTAMP last_accessed\n    }\n" in text


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("TEXT", "TEXT"),
        ("DECIMAL(10,2)", "DECIMAL(10,2)"),
        ("DECIMAL(10, 2)", "`DECIMAL(10, 2)`"),
        ("double precision", "`double precision`"),
        ('varchar(10) "x"', "`varchar(10) #quot;x#quot;`"),
        ("", "untyped"),
        ("   ", "untyped"),
        ("PK", "`PK`"),
        ("a`b", "`a#96;b`"),
        ("1bit", "`1bit`"),
    ],
)
def test_attribute_type(declared: str, expected: str) -> None:
    assert attribute_type(declared) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("id", "id"),
        ("pk", "`pk`"),
        ("FK", "`FK`"),
        ("uk-col", "`uk-col`"),
        ("pk_col", "pk_col"),
        ("my col", "`my col`"),
        ("a`b", "`a#96;b`"),
        ("<b>", "`#lt;b#gt;`"),
        ("_x_", "`#95;x#95;`"),
        ("", "`(empty)`"),
        ("2nd", "`2nd`"),
    ],
)
def test_attribute_name(name: str, expected: str) -> None:
    assert attribute_name(name) == expected


def test_escape_text() -> None:
    assert escape_text('say "hi"\n  <b>x</b>') == "say #quot;hi#quot; #lt;b#gt;x#lt;/b#gt;"
    assert escape_text("50% *off* ~~x~~ \\ #1") == (
        "50#37; #42;off#42; #126;#126;x#126;#126; #92; #35;1"
    )
    assert escape_text("set direction LR now") == "set direction#32;LR now"
    assert escape_text("snake_case _edge_") == "snake_case #95;edge#95;"


def test_entity_ids_are_safe_unique_and_deterministic() -> None:
    names = ["orders", "to-do", "to_do", "end", "END x", "order items", "1st", "%", "Ünï"]
    ids = entity_ids(names)
    assert ids == entity_ids(list(reversed(names)))
    assert ids["orders"] == "orders" and ids["to_do"] == "to_do"
    assert ids["to-do"] == "to_do_1"
    assert ids["end"] == "end_1"
    assert ids["order items"] == "order_items"
    assert ids["1st"] == "t_1st"
    assert ids["%"] == "table"
    folded = [i.lower() for i in ids.values()]
    assert len(set(folded)) == len(folded)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i) for i in ids.values())


# --- Large schemas -----------------------------------------------------------------------


def _table(name: str, columns: int, fks: tuple[str, ...] = ()) -> Table:
    cols = [Column("id", "INTEGER", pk=1)]
    cols += [Column(f"{p}_id", "INTEGER", notnull=True) for p in fks]
    cols += [
        Column(f"attribute_number_{i}", "VARCHAR(255)", description=f"Attribute {i} of {name}")
        for i in range(columns)
    ]
    return Table(
        name,
        tuple(cols),
        foreign_keys=tuple(ForeignKey((f"{p}_id",), p, ("id",)) for p in fks),
        indexes=(
            Index(f"sqlite_autoindex_{name}_1", name, True, "pk", False, (IndexColumn("id"),)),
        ),
    )


def large_schema(groups: int = 40, per_group: int = 5, columns: int = 12) -> Schema:
    """``groups`` stars of related tables plus a few tables with no relationships."""
    tables = []
    for g in range(groups):
        hub = f"group{g:02d}_hub"
        tables.append(_table(hub, columns))
        tables += [_table(f"group{g:02d}_leaf{i}", columns, (hub,)) for i in range(per_group - 1)]
    tables += [_table(f"standalone{i}", columns) for i in range(6)]
    return relate(Schema(tables=tuple(tables)), infer=False)


def chain_schema(length: int = 220, columns: int = 12) -> Schema:
    """One connected group far over the limit: t000 <- t001 <- t002 ..."""
    tables = [_table("t000", columns)]
    tables += [_table(f"t{i:03d}", columns, (f"t{i - 1:03d}",)) for i in range(1, length)]
    return relate(Schema(tables=tuple(tables)), infer=False)


def _check_split(schema: Schema) -> None:
    assert text_size(full_diagram(schema)) > MAX_TEXT_SIZE
    result = build_diagrams(schema)
    assert result.split
    drawn = [name for d in result.diagrams for name in d.tables]
    assert sorted(drawn) == sorted(t.name for t in schema.tables)  # each exactly once
    lines = [line for d in result.diagrams for line in relation_lines(d.text)]
    assert len(lines) == len(set(lines)) == len(schema.relations)
    for d in result.diagrams:
        assert d.size <= MAX_TEXT_SIZE
        assert d.text.startswith("erDiagram\n")


def test_large_schema_splits_by_group() -> None:
    schema = large_schema()
    _check_split(schema)
    result = build_diagrams(schema)
    related = [d for d in result.diagrams if not d.unrelated]
    assert len(related) == 40 and all(d.parts == 1 for d in related)
    assert related[0].tables == tuple(["group00_hub"] + [f"group00_leaf{i}" for i in range(4)])
    unrelated = [d for d in result.diagrams if d.unrelated]
    assert [name for d in unrelated for name in d.tables] == [f"standalone{i}" for i in range(6)]
    assert build_diagrams(schema) == result  # deterministic


def test_oversized_group_is_split_into_parts() -> None:
    schema = chain_schema()
    _check_split(schema)
    result = build_diagrams(schema)
    assert result.has_parts and len(result.diagrams) > 1
    assert {d.group for d in result.diagrams} == {1}
    assert [d.part for d in result.diagrams] == list(range(1, len(result.diagrams) + 1))
    # A relation to a table drawn in another part points at that table's id.
    second = result.diagrams[1]
    assert second.stubs and second.stubs[0] not in second.tables
    assert f"    {second.stubs[0]} ||--o{{ " in second.text


def test_split_is_explained_in_markdown() -> None:
    # Up to diagram_max_tables tables, a schema too large for Mermaid is split by size.
    ungrouped = Settings(diagram_max_tables=1_000)
    doc = render(large_schema(), ungrouped)
    assert "is too large for one Mermaid diagram" in doc
    assert "one per group of related tables" in doc
    assert "Tables without relationships are drawn together." in doc
    assert doc.count("```mermaid\n") == len(build_diagrams(large_schema()).diagrams)
    parts = render(chain_schema(), ungrouped)
    assert "split into parts" in parts


def test_mermaid_format_is_one_whole_diagram_without_fences(rich: Schema) -> None:
    assert mermaid(rich) == full_diagram(rich)
    assert "```" not in mermaid(rich)
    big = mermaid(large_schema())
    assert big.startswith("%% This diagram has ")
    assert big.count("erDiagram") == 1


def test_no_tables() -> None:
    assert mermaid(Schema()) == "erDiagram\n"


# --- Mermaid 11 in a real browser --------------------------------------------------------


def nasty_schema() -> Schema:
    """Names and comments that trip Mermaid: reserved words, quotes, %, backticks, HTML."""
    weird = Table(
        'odd "name" 100% \\ `x`',
        (
            Column("pk", "", pk=1),
            Column("fk.col", "double precision", description='says "hi" <b>bold</b> %% *x*'),
            Column("uk", "VARCHAR(10)", description="direction LR ~~strike~~ #1; `tick`"),
            Column("my `col`", "DECIMAL(10, 2)", notnull=True),
            Column("", "TEXT"),
        ),
    )
    end = Table(
        "end",
        (
            Column("id", "INTEGER", pk=1),
            Column("odd_id", "INTEGER", notnull=True, unique=True),
        ),
        foreign_keys=(ForeignKey(("odd_id",), weird.name, ("pk",)),),
        indexes=(
            Index("sqlite_autoindex_end_1", "end", True, "u", False, (IndexColumn("odd_id"),)),
        ),
    )
    to_do = Table(
        "to-do",
        (Column("id", "INTEGER", pk=1), Column("end_id", "INTEGER")),
        foreign_keys=(ForeignKey(("end_id",), "end", ("id",)),),
    )
    unicode = Table("Bestellungen ünï", (Column("naïve", "TÉXT", description="日本 ✓"),))
    return relate(Schema(tables=(weird, end, to_do, unicode)))


@pytest.fixture
def render_in_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Render with mermaid 11; also returns the SVG of each diagram that rendered."""
    svg_dir = tmp_path / "svg"
    monkeypatch.setenv("MERMAID_SVG_DIR", str(svg_dir))

    def _render(diagrams: dict[str, str]) -> tuple[dict[str, str | None], dict[str, str]]:
        harness.skip_or_fail_without_browser()
        results = harness.render_mermaid(diagrams)
        svgs = {}
        for i, name in enumerate(diagrams):  # render.mjs writes "<index>-<name>.svg"
            path = svg_dir / f"{i}-{name}.svg"
            if path.is_file():
                svgs[name] = path.read_text(encoding="utf-8")
        return results, svgs

    return _render


@pytest.mark.browser
def test_diagrams_render_in_mermaid(render_in_browser, seed: Schema, rich: Schema) -> None:
    schemas = {"seed": seed, "rich": rich, "nasty": nasty_schema()}
    diagrams = {name: mermaid(schema) for name, schema in schemas.items()}
    for name, schema in (("large", large_schema()), ("chain", chain_schema())):
        shapes = set()
        for i, d in enumerate(build_diagrams(schema).diagrams):
            assert d.size <= MAX_TEXT_SIZE  # else Mermaid draws an error box, not an error
            # Diagrams that differ only in the numbers in their names (group07_leaf2 for
            # group03_leaf2) are laid out alike: one of each shape is rendered.
            shape = re.sub(r"\d+", "0", d.text)
            if shape not in shapes:
                shapes.add(shape)
                diagrams[f"{name}-{i}"] = d.text
    results, svgs = render_in_browser(diagrams)
    assert {name: error for name, error in results.items() if error} == {}
    # Rendering without an error is not enough: some input makes Mermaid draw nothing.
    for name, schema in schemas.items():
        svg = svgs[name]
        for table in schema.tables:
            assert f"<p>{html.escape(table.name, quote=False)}</p>" in svg, (name, table.name)
            for column in table.columns:
                if column.description:
                    text = html.escape(" ".join(column.description.split()), quote=False)
                    assert f"<p>{text}</p>" in svg, (name, column.name)
        inferred = sum(r.kind == "inferred" for r in schema.relations)
        assert svg.count("edge-pattern-dashed relationshipLine") == inferred, name
        assert svg.count("edge-pattern-solid relationshipLine") == (
            len(schema.relations) - inferred
        ), name


def test_nasty_schema_text() -> None:
    text = mermaid(nasty_schema())
    assert text.count("{\n") == 4
    assert '    odd_name_100_x["odd #quot;name#quot; 100#37; #92; #96;x#96;"] {' in text
    assert "        untyped `pk` PK\n" in text
    assert '        `double precision` `fk.col` "says #quot;hi#quot; #lt;b#gt;bold' in text
    assert "direction#32;LR" in text
    assert '    end_1["end"] {' in text
    assert '    odd_name_100_x ||--o| end_1 : "odd_id"' in text
    assert '    end_1 |o--o{ to_do : "end_id"' in text
    assert "        TEXT `(empty)`\n" in text
