"""Large schemas: an overview with key columns only, then a diagram per group of tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schemadoc.config import ConfigError, Settings, load
from schemadoc.model.schema import Column, ForeignKey, Schema, Table
from schemadoc.pipeline import scan
from schemadoc.relations import relate
from schemadoc.render.formats import render
from schemadoc.render.groups import grouped_diagrams
from schemadoc.render.mermaid import DiagramSet
from schemadoc.render.templates import render_template

try:
    from tests.mermaid import harness
except ImportError:  # tests/ is not a package on sys.path (plain `pytest`): tests/ itself is
    from mermaid import harness  # type: ignore[no-redef]

RELATION_LINE = re.compile(r"^    (\S+) ([|}o][|o](?:--|\.\.)[|o][|{]) (\S+) : \"(.*)\"$")
MERMAID_BLOCK = re.compile(r"^```mermaid\n(.*?)^```$", re.M | re.S)

Spec = list[tuple[str, list[str]]]  # (table, parent tables)


def tree(prefix: str, count: int, fan: int = 3) -> Spec:
    """``count`` related tables: ``<prefix>0`` and its children, ``fan`` to a parent."""
    return [(f"{prefix}{i}", [f"{prefix}{(i - 1) // fan}"] if i else []) for i in range(count)]


def columns(parents: list[str]) -> list[str]:
    """A table's columns: a primary key, a foreign key column per parent, two more."""
    refs = [f"{'abc'[i]}_ref INTEGER NOT NULL REFERENCES {p}(id)" for i, p in enumerate(parents)]
    return ["id INTEGER PRIMARY KEY", *refs, "label TEXT NOT NULL", "note TEXT"]


def scanned(root: Path, modules: dict[str, Spec]) -> Schema:
    """The schema of a project whose module ``app/<name>.py`` creates ``modules[name]``."""
    for module, spec in modules.items():
        body = "\n".join(f"CREATE TABLE {t} ({', '.join(columns(ps))});" for t, ps in spec)
        path = root / "app" / f"{module}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'SCHEMA = """\n{body}\n"""\n')
    result = scan([root], Settings(root=str(root), cache=False))
    assert not result.has_errors(), result.diagnostics
    return result.schema


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    """40 tables in 3 connected groups of 14, 13 and 13, one module each."""
    root = tmp_path_factory.mktemp("three")
    return scanned(
        root,
        {"shop": tree("shop", 14), "auth": tree("auth", 13, fan=12), "blog": tree("blog", 13)},
    )


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    """30 related tables (one group), billing tables to name, tables without relationships in
    one module and two more alone in theirs."""
    root = tmp_path_factory.mktemp("mixed")
    billing: Spec = [("Invoice", []), ("invoice_line", ["Invoice"]), ("payment", ["Invoice"])]
    return scanned(
        root,
        {
            "core": tree("core", 30),
            "billing": billing,
            "audit": [("audit_log", []), ("audit_rule", []), ("audit_export", [])],
            "kv": [("settings_kv", [])],
            "jobs": [("jobs", [])],
        },
    )


def entities(text: str) -> dict[str, list[str]]:
    """Each entity a diagram declares, with its column names (none for a bare entity)."""
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines()[1:]:
        if line == "    }":
            current = None
        elif current is not None:
            found[current].append(line.split()[1])
        elif line.startswith("    direction ") or RELATION_LINE.match(line):
            continue
        elif line.endswith(" {"):
            current = line.strip()[:-2]
            found[current] = []
        else:
            found[line.strip()] = []
    return found


def relations(text: str) -> list[str]:
    return [line for line in text.splitlines() if RELATION_LINE.match(line)]


def diagrams_of(doc: str) -> list[str]:
    return MERMAID_BLOCK.findall(doc)


def headings(doc: str) -> list[str]:
    start = doc.index("## Mermaid ER Diagram")
    return re.findall(r"^#{2,4} .*$", doc[start:], flags=re.M)


# --- Overview and groups -----------------------------------------------------------------


def test_three_groups_give_an_overview_and_a_diagram_each(three: Schema) -> None:
    result = grouped_diagrams(three, 14)
    assert len(three.tables) == 40 and result.grouped
    assert [(g.kind, g.title, len(g.tables)) for g in result.groups] == [
        ("related", "shop0", 14),
        ("related", "auth0", 13),
        ("related", "blog0", 13),
    ]
    assert all(len(g.parts) == 1 for g in result.groups)
    drawn = [entities(d.text) for d in result.diagrams]
    assert all(len(d) <= 14 for d in drawn)
    assert sorted(n for d in drawn for n in d) == sorted(t.name for t in three.tables)
    for d in drawn:  # every column
        for name, cols in d.items():
            refs = [] if name in ("shop0", "auth0", "blog0") else ["a_ref"]
            assert cols == ["id", *refs, "label", "note"], name
    # The overview: every table, key columns only, every relationship.
    (overview,) = result.overview
    shown = entities(overview.text)
    assert sorted(shown) == sorted(t.name for t in three.tables)
    assert {c for cols in shown.values() for c in cols} == {"id", "a_ref"}
    assert all(cols[0] == "id" for cols in shown.values())
    assert len(relations(overview.text)) == len(three.relations) == 37
    assert "        INTEGER a_ref FK\n" in overview.text
    lines = overview.text.splitlines()
    assert all('"' not in line for line in lines if not RELATION_LINE.match(line))


def test_document_of_three_groups(three: Schema) -> None:
    doc = render(three, Settings(diagram_max_tables=14))
    assert headings(doc) == [
        "## Mermaid ER Diagram",
        "### Overview",
        "### `shop0` and related tables",
        "### `auth0` and related tables",
        "### `blog0` and related tables",
    ]
    assert "The schema has 40 tables, too many for one diagram to stay readable" in doc
    assert len(diagrams_of(doc)) == 4
    assert "Tables: `blog0`, `blog1`, `blog10`, `blog11`, `blog12`, `blog2`," in doc
    # The same schema under a higher threshold: today's single diagram.
    single = render(three, Settings(diagram_max_tables=40))
    assert single == render_template(three, Settings(diagram_max_tables=40))
    assert len(diagrams_of(single)) == 1 and "### Overview" not in single


def test_default_threshold_is_twelve(three: Schema) -> None:
    assert Settings().diagram_max_tables == 12
    result = grouped_diagrams(three, 12)
    assert [len(g.parts) for g in result.groups] == [2, 2, 2]
    assert all(len(d.tables) <= 12 for d in result.diagrams)


def test_a_star_runs_left_to_right_and_a_chain_top_to_bottom(tmp_path: Path) -> None:
    chain: Spec = [(f"step{i}", [f"step{i - 1}"] if i else []) for i in range(7)]
    schema = scanned(tmp_path, {"star": tree("star", 7, fan=6), "chain": chain})
    by_title = {g.title: g.parts[0].text for g in grouped_diagrams(schema, 7).groups}
    assert by_title["star0"].startswith("erDiagram\n    direction LR\n")
    assert "direction" not in by_title["step0"]


# --- Splitting, named groups, tables without relationships -------------------------------


def test_a_group_larger_than_the_threshold_is_split(mixed: Schema) -> None:
    result = grouped_diagrams(mixed, 12)
    core = next(g for g in result.groups if g.title == "core0")
    assert len(core.tables) == 30
    assert [len(d.tables) for d in core.parts] == [10, 10, 10]  # 3 parts, as even as can be
    assert [(d.part, d.parts) for d in core.parts] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(n for d in core.parts for n in d.tables) == list(core.tables)
    # Each relationship is drawn once, in its child's part, to a stub when the parent is
    # elsewhere.
    lines = [line for d in core.parts for line in relations(d.text)]
    assert len(lines) == len(set(lines)) == 29
    for d in core.parts:  # a stub is not declared, only drawn at the end of a relationship
        ends = {end for line in relations(d.text) for end in line.split()[0:3:2]}
        assert set(entities(d.text)) == set(d.tables)
        assert set(d.stubs) <= ends - set(d.tables)
    assert grouped_diagrams(mixed, 12) == result  # deterministic


def test_a_split_keeps_a_table_with_the_tables_reached_through_it(mixed: Schema) -> None:
    core = next(g for g in grouped_diagrams(mixed, 12).groups if g.title == "core0")
    # Depth first from the most central table: core0, its first child and that child's
    # subtree, and so on (core<i> is the parent of core<3i+1> to core<3i+3>).
    first = ["core0", "core1", "core4", "core13", "core14", "core15", "core5", "core16"]
    assert core.parts[0].tables == tuple(sorted([*first, "core17", "core18"]))
    assert core.parts[1].stubs == ("core0", "core1")


def test_named_groups_come_first_with_globs(mixed: Schema) -> None:
    groups = (
        ("Money", ("invoice*", "PAY*"), "Invoices and what pays them."),
        ("Audit trail", ("audit_log",), None),
        ("Nothing", ("no_such_*",), None),
    )
    result = grouped_diagrams(mixed, 12, groups)
    assert [(g.kind, g.title, g.tables) for g in result.groups[:2]] == [
        ("named", "Money", ("Invoice", "invoice_line", "payment")),
        ("named", "Audit trail", ("audit_log",)),
    ]
    assert result.groups[0].description == "Invoices and what pays them."
    rest = [(g.kind, g.title, g.tables) for g in result.groups[2:]]
    assert rest == [
        ("related", "core0", tuple(sorted((f"core{i}" for i in range(30)), key=str.lower))),
        ("module", "app/audit.py", ("audit_export", "audit_rule")),
        ("other", "", ("jobs", "settings_kv")),
    ]
    doc = render(mixed, Settings(groups=groups))
    assert headings(doc)[:4] == [
        "## Mermaid ER Diagram",
        "### Overview",
        "### Money",
        "### Audit trail",
    ]
    assert "### Money\n\nInvoices and what pays them.\n\nTables: `Invoice`, `invoice_line`" in doc


def test_a_table_may_be_in_several_named_groups(mixed: Schema) -> None:
    groups = (("Lines", ("invoice_line",), None), ("Billing", ("invoice*", "payment"), None))
    result = grouped_diagrams(mixed, 12, groups)
    assert result.groups[0].tables == ("invoice_line",)
    assert result.groups[1].tables == ("Invoice", "invoice_line", "payment")
    # Drawn alone, the line's parent is a stub.
    assert result.groups[0].parts[0].stubs == ("Invoice",)


def test_tables_without_relationships_by_module(mixed: Schema) -> None:
    doc = render(mixed, Settings())
    assert headings(doc) == [
        "## Mermaid ER Diagram",
        "### Overview",
        "### `core0` and related tables",
        "#### `core0` and related tables, part 1 of 3",
        "#### `core0` and related tables, part 2 of 3",
        "#### `core0` and related tables, part 3 of 3",
        "### `Invoice` and related tables",
        "### Tables without relationships in `app/audit.py`",
        "### Other tables without relationships",
    ]
    assert "Tables: `audit_export`, `audit_log`, `audit_rule`\n" in doc
    assert "Tables: `jobs`, `settings_kv`\n" in doc
    assert "(30 tables, drawn in 3 parts)" in doc


def test_without_module_groups_the_rest_is_just_tables_without_relationships(
    tmp_path: Path,
) -> None:
    schema = scanned(
        tmp_path, {"a": tree("a", 12), "b": [("lonely_b", [])], "c": [("lonely_c", [])]}
    )
    doc = render(schema, Settings())
    assert headings(doc)[-1] == "### Tables without relationships"
    unrelated = diagrams_of(doc)[-1]
    assert unrelated.startswith("erDiagram\n    direction LR\n")  # stacked, not side by side


# --- Small schemas, determinism, the mermaid format --------------------------------------


def test_up_to_the_threshold_the_document_is_unchanged(three: Schema) -> None:
    twelve = Schema(tables=three.tables[:12], relations=three.relations)
    assert render(twelve, Settings()) == render_template(twelve, Settings())
    assert "### Overview" not in render(twelve, Settings())
    thirteen = Schema(tables=three.tables[:13], relations=three.relations)
    assert "### Overview" in render(thirteen, Settings())


def test_output_does_not_depend_on_order(mixed: Schema) -> None:
    shuffled = Schema(tables=tuple(reversed(mixed.tables)), relations=mixed.relations)
    groups = (("Money", ("invoice*", "payment"), "Invoices."),)
    assert render(shuffled, Settings(groups=groups)) == render(mixed, Settings(groups=groups))


def test_mermaid_format_stays_one_diagram(three: Schema) -> None:
    text = render(three, Settings(format="mermaid"))
    assert text.count("erDiagram") == 1 and "direction" not in text
    assert sorted(entities(text)) == sorted(t.name for t in three.tables)


def test_overview_too_large_for_mermaid_is_drawn_in_parts(three: Schema) -> None:
    result = grouped_diagrams(three, 14, limit=2_000)
    assert len(result.overview) > 1
    assert all(d.size <= 2_000 for d in (*result.overview, *result.diagrams))
    assert sorted(n for d in result.overview for n in d.tables) == sorted(
        t.name for t in three.tables
    )
    values = DiagramSet(result.diagrams, result.limit, result.full_size, result.overview)
    assert not values.grouped  # an overview alone does not make a grouped document


def odd_schema() -> Schema:
    """Names Mermaid needs ids for, and tables without any key column."""
    end = Table("end", (Column("id", "INTEGER", pk=1), Column("note", "TEXT")))
    to_do = Table(
        "to-do",
        (Column("id", "INTEGER", pk=1), Column("end_id", "INTEGER")),
        foreign_keys=(ForeignKey(("end_id",), "end", ("id",)),),
    )
    unicode = Table("Bestellungen ünï", (Column("naïve", "TÉXT", description="日本 ✓"),))
    notes = Table("notes", (Column("body", "TEXT"),))
    return relate(Schema(tables=(end, to_do, unicode, notes)), infer=False)


def test_odd_names_and_tables_without_keys() -> None:
    result = grouped_diagrams(odd_schema(), 1)
    (overview,) = result.overview
    assert "    notes\n" in overview.text  # no key column: the bare entity
    assert '    Bestellungen_n["Bestellungen ünï"]\n' in overview.text
    assert "note" not in entities(overview.text)['end_1["end"]']
    to_do = next(g for g in result.groups if g.title == "end").parts
    assert [d.tables for d in to_do] == [("end",), ("to-do",)]
    assert to_do[1].stubs == ("end",)
    assert '    end_1["end"]\n    end_1 |o--o{ to_do : "end_id"\n' in to_do[1].text


# --- Settings ----------------------------------------------------------------------------


def test_groups_setting_is_read_in_order(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        "[tool.schemadoc]\ndiagram_max_tables = 8\n\n"
        "[tool.schemadoc.groups]\n"
        'Orders = { tables = ["order*", "cart"], description = "What customers buy." }\n'
        'Auth = { tables = "user*" }\n'
    )
    settings, _ = load(path)
    assert settings.diagram_max_tables == 8
    assert settings.groups == (
        ("Orders", ("order*", "cart"), "What customers buy."),
        ("Auth", ("user*",), None),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("diagram_max_tables = 0", "diagram_max_tables must be a positive number"),
        ("diagram_max_tables = '12'", "diagram_max_tables must be a int, not str"),
        ("diagram_max_tables = true", "diagram_max_tables must be a int, not bool"),
        ("groups = ['a']", "[tool.schemadoc.groups] must be a table of named groups"),
        ("groups = { A = ['a'] }", "[tool.schemadoc.groups] 'A' must be a table"),
        ("groups = { A = { tables = [] } }", "'A': tables must be a non-empty list"),
        ("groups = { A = { tables = [1] } }", "'A': tables must be a non-empty list"),
        ("groups = { A = {} }", "'A': tables must be a non-empty list"),
        ("groups = { A = { tables = ['a'], title = 'x' } }", "'A': unknown key(s) title"),
        ("groups = { A = { tables = ['a'], description = 3 } }", "description must be a str"),
        ("groups = { '' = { tables = ['a'] } }", "a group name is empty"),
    ],
)
def test_bad_group_settings_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.schemadoc]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(path) in str(info.value) and message in str(info.value)


# --- Snapshot and Mermaid 11 in a real browser -------------------------------------------


@pytest.fixture(scope="module")
def small_grouped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Schema, Settings]:
    """Nine tables drawn at most four to a diagram: every kind of group, and parts."""
    root = tmp_path_factory.mktemp("small")
    schema = scanned(
        root,
        {
            "shop": [*tree("shop", 5), ("refund", ["shop1"])],
            "log": [("log_entry", []), ("log_rule", [])],
            "kv": [("kv", [])],
        },
    )
    groups = (("Refunds", ("refund",), "Money sent back, with its order."),)
    return schema, Settings(title="Shop", diagram_max_tables=4, groups=groups)


def test_grouped_document_snapshot(small_grouped: tuple[Schema, Settings], snapshot) -> None:
    schema, settings = small_grouped
    assert render(schema, settings) == snapshot


@pytest.mark.browser
def test_every_grouped_diagram_renders(
    three: Schema, mixed: Schema, small_grouped: tuple[Schema, Settings]
) -> None:
    harness.skip_or_fail_without_browser()
    docs = {
        "three": render(three, Settings(diagram_max_tables=14)),
        "mixed": render(mixed, Settings(groups=(("Money", ("invoice*", "payment"), None),))),
        "small": render(*small_grouped),
        "odd": render(odd_schema(), Settings(diagram_max_tables=1)),
    }
    diagrams = {
        f"{name}-{i}": text for name, doc in docs.items() for i, text in enumerate(diagrams_of(doc))
    }
    assert len(diagrams) == 4 + 7 + 6 + 5
    results = harness.render_mermaid(diagrams)
    assert {name: error for name, error in results.items() if error} == {}
