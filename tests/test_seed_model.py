"""The bundled example reproduces the schema of the reference document, fact by fact."""

from __future__ import annotations

import pytest

from schemadoc.pipeline import Result

PERSISTENCE = "dipeo/infrastructure/execution/state/persistence_manager.py"
MESSAGES = "apps/server/src/dipeo_server/infra/message_store.py"

# (name, type, notnull, default, pk) as the reference document lists them.
EXECUTIONS = [
    ("execution_id", "TEXT", False, None, 1),
    ("status", "TEXT", True, None, 0),
    ("diagram_id", "TEXT", False, None, 0),
    ("started_at", "TEXT", True, None, 0),
    ("ended_at", "TEXT", False, None, 0),
    ("node_states", "TEXT", True, None, 0),
    ("node_outputs", "TEXT", True, None, 0),
    ("llm_usage", "TEXT", True, None, 0),
    ("error", "TEXT", False, None, 0),
    ("variables", "TEXT", True, None, 0),
    ("exec_counts", "TEXT", True, "'{}'", 0),
    ("executed_nodes", "TEXT", True, "'[]'", 0),
    ("metrics", "TEXT", False, "NULL", 0),
    ("created_at", "TIMESTAMP", False, "CURRENT_TIMESTAMP", 0),
    ("access_count", "INTEGER", False, "0", 0),
    ("last_accessed", "TIMESTAMP", False, "CURRENT_TIMESTAMP", 0),
]
MESSAGES_COLUMNS = [
    ("id", "TEXT", False, None, 1),
    ("execution_id", "TEXT", True, None, 0),
    ("node_id", "TEXT", True, None, 0),
    ("person_id", "TEXT", False, None, 0),
    ("content", "TEXT", True, None, 0),
    ("token_count", "INTEGER", False, None, 0),
    ("created_at", "TIMESTAMP", False, "CURRENT_TIMESTAMP", 0),
]
TRANSITIONS = [
    ("id", "TEXT", False, None, 1),
    ("execution_id", "TEXT", True, None, 0),
    ("node_id", "TEXT", False, None, 0),
    ("phase", "TEXT", True, None, 0),
    ("seq", "INTEGER", True, None, 0),
    ("payload", "TEXT", True, None, 0),
    ("created_at", "TEXT", True, "datetime('now')", 0),  # SQLite's dflt_value
]


def test_three_tables_and_no_diagnostics(seed_result: Result) -> None:
    assert [t.name for t in seed_result.schema.tables] == ["executions", "messages", "transitions"]
    assert seed_result.diagnostics == ()
    assert seed_result.schema.views == ()
    assert seed_result.schema.triggers == ()


@pytest.mark.parametrize(
    ("table", "expected"),
    [("executions", EXECUTIONS), ("messages", MESSAGES_COLUMNS), ("transitions", TRANSITIONS)],
)
def test_columns_match_the_reference(seed_result: Result, table: str, expected: list) -> None:
    found = seed_result.schema.table(table)
    assert found is not None
    got = [(c.name, c.type, c.notnull, c.default, c.pk) for c in found.columns]
    assert got == expected


@pytest.mark.parametrize(
    ("table", "indexes"),
    [
        (
            "executions",
            [
                ("idx_status", False, ("status",), (False,)),
                ("idx_started_at", False, ("started_at",), (False,)),
                ("idx_diagram_id", False, ("diagram_id",), (False,)),
                ("idx_access_count", False, ("access_count",), (True,)),
                ("idx_last_accessed", False, ("last_accessed",), (True,)),
            ],
        ),
        (
            "messages",
            [
                ("idx_execution", False, ("execution_id",), (False,)),
                ("idx_node", False, ("node_id",), (False,)),
            ],
        ),
        (
            "transitions",
            [
                ("ux_exec_seq", True, ("execution_id", "seq"), (False, False)),
                ("idx_exec_transitions", False, ("execution_id",), (False,)),
                ("idx_created_at", False, ("created_at",), (True,)),
            ],
        ),
    ],
)
def test_indexes_match_the_reference(seed_result: Result, table: str, indexes: list) -> None:
    found = seed_result.schema.table(table)
    assert found is not None
    created = [ix for ix in found.indexes if ix.origin == "c"]
    got = [
        (ix.name, ix.unique, ix.column_names, tuple(c.desc for c in ix.columns)) for ix in created
    ]
    assert got == indexes
    # The primary key's automatic index is listed too, with origin "pk".
    assert [ix.origin for ix in found.indexes if ix.origin != "c"] == ["pk"]


def test_primary_keys(seed_result: Result) -> None:
    keys = {t.name: t.primary_key for t in seed_result.schema.tables}
    assert keys == {"executions": ("execution_id",), "messages": ("id",), "transitions": ("id",)}


def test_sources_point_at_the_create_statements(seed_result: Result) -> None:
    sources = {t.name: [str(s) for s in t.sources] for t in seed_result.schema.tables}
    assert sources == {
        "executions": [f"{PERSISTENCE}:33:8"],
        "messages": [f"{MESSAGES}:21:12"],
        "transitions": [f"{PERSISTENCE}:58:8"],
    }
    index = seed_result.schema.table("transitions").indexes[1]  # type: ignore[union-attr]
    assert index.name == "ux_exec_seq"
    assert str(index.source) == f"{PERSISTENCE}:68:8"


def test_index_definitions_name_the_table(seed_result: Result) -> None:
    transitions = seed_result.schema.table("transitions")
    assert transitions is not None
    definitions = [ix.definition for ix in transitions.indexes if ix.origin == "c"]
    assert definitions == [
        "UNIQUE INDEX ux_exec_seq ON transitions (execution_id, seq)",
        "INDEX idx_exec_transitions ON transitions (execution_id)",
        "INDEX idx_created_at ON transitions (created_at DESC)",
    ]


def test_only_the_two_inferred_relations(seed_result: Result) -> None:
    got = [
        (r.to_table, r.from_table, r.from_columns, r.kind, r.cardinality)
        for r in seed_result.schema.relations
    ]
    assert got == [
        ("executions", "messages", ("execution_id",), "inferred", "||..o{"),
        ("executions", "transitions", ("execution_id",), "inferred", "||..o{"),
    ]
