"""``schemadoc lint``: each rule fires on its fixture, is quiet on its twin, can be turned off."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from schemadoc import lint as lint_module
from schemadoc.config import ConfigError, Settings
from schemadoc.lint import RULES, LintConfig, affinity, lint, unclear_affinity
from schemadoc.model.schema import Schema
from schemadoc.pipeline import Result, scan

ROOT = Path(__file__).resolve().parent.parent
LINT_FIXTURES = ROOT / "fixtures" / "lint"
KEYS = [rule.key for rule in RULES]

FIRES = {
    "no_primary_key": [
        "no_primary_key/fires.py:6:0: warning[SL101]: table audit_events has no PRIMARY KEY; its "
        "rows are identified only by the implicit rowid",
    ],
    "unindexed_foreign_key": [
        "unindexed_foreign_key/fires.py:11:0: warning[SL102]: foreign key invoices(customer_id) "
        "-> customers(id): no index on invoices leads with (customer_id), so looking up invoices "
        "rows by customers(id) scans the whole table",
        "unindexed_foreign_key/fires.py:17:0: warning[SL102]: foreign key "
        "invoice_lines(invoice_id) -> invoices(id): no index on invoice_lines leads with "
        "(invoice_id), so looking up invoice_lines rows by invoices(id) scans the whole table",
        "unindexed_foreign_key/fires.py:29:0: warning[SL102]: foreign key "
        "notifications(customer_email) -> customers(email): no index on notifications leads with "
        "(customer_email), so looking up notifications rows by customers(email) scans the whole "
        "table",
    ],
    "redundant_index": [
        "redundant_index/fires.py:23:12: warning[SL103]: index ix_views_site on page_views "
        "(site_id) is redundant: it is a prefix of index ix_views_site_path (site_id, path, "
        "viewed_at)",
        "redundant_index/fires.py:24:12: warning[SL103]: index ix_views_site_path_desc on "
        "page_views (site_id DESC, path DESC) is redundant: it is a prefix of index "
        "ix_views_site_path (site_id, path, viewed_at)",
        "redundant_index/fires.py:25:12: warning[SL103]: index ix_views_id on page_views (id) is "
        "redundant: it duplicates the primary key (id)",
        "redundant_index/fires.py:26:12: warning[SL103]: index ux_views_visitor on page_views "
        "(visitor) is redundant: it duplicates the UNIQUE constraint (visitor)",
        "redundant_index/fires.py:28:12: warning[SL103]: index ix_views_when_again on page_views "
        "(viewed_at) is redundant: it duplicates index ix_views_when (viewed_at)",
    ],
    "undeclared_relation": [
        "undeclared_relation/fires.py:13:0: warning[SL104]: tasks(project_id) looks like a "
        "reference to projects(id) but no FOREIGN KEY declares it; add REFERENCES projects(id)",
    ],
    "unclear_affinity": [
        "unclear_affinity/fires.py:9:8: warning[SL105]: column events.title is typed STRING, "
        "which SQLite gives NUMERIC affinity (the name contains none of INT, CHAR, CLOB, TEXT, "
        "BLOB, REAL, FLOA or DOUB)",
        "unclear_affinity/fires.py:9:8: warning[SL105]: column events.starts_at is typed "
        "DATETIME, which SQLite gives NUMERIC affinity (the name contains none of INT, CHAR, "
        "CLOB, TEXT, BLOB, REAL, FLOA or DOUB)",
        "unclear_affinity/fires.py:9:8: warning[SL105]: column events.all_day is typed BOOLEAN, "
        "which SQLite gives NUMERIC affinity (the name contains none of INT, CHAR, CLOB, TEXT, "
        "BLOB, REAL, FLOA or DOUB)",
        "unclear_affinity/fires.py:9:8: warning[SL105]: column events.location is typed POINT, "
        'which SQLite gives INTEGER affinity (the name contains "INT")',
        "unclear_affinity/fires.py:9:8: warning[SL105]: column events.reminder is typed "
        'INTERVAL, which SQLite gives INTEGER affinity (the name contains "INT")',
    ],
    "missing_description": [
        "missing_description/fires.py:7:0: warning[SL106]: column flags.enabled has no "
        "description; add a comment before or after its definition",
        "missing_description/fires.py:12:0: warning[SL106]: table flag_overrides has no "
        "description; add a comment before its CREATE TABLE",
    ],
    "conflicting_definition": [
        "conflicting_definition/fires.py:22:8: warning[SL107]: TABLE jobs is defined differently "
        "at conflicting_definition/fires.py:9:8; the first definition is documented",
    ],
}

PERSISTENCE = "dipeo/infrastructure/execution/state/persistence_manager.py"
MESSAGES = "apps/server/src/dipeo_server/infra/message_store.py"
NUMERIC_FALLBACK = (
    "which SQLite gives NUMERIC affinity (the name contains none of INT, CHAR, CLOB, TEXT, BLOB, "
    "REAL, FLOA or DOUB)"
)
SEED = [
    f"{MESSAGES}:21:12: warning[SL104]: messages(execution_id) looks like a reference to "
    "executions(execution_id) but no FOREIGN KEY declares it; add REFERENCES "
    "executions(execution_id)",
    f"{MESSAGES}:21:12: warning[SL105]: column messages.created_at is typed TIMESTAMP, "
    f"{NUMERIC_FALLBACK}",
    f"{PERSISTENCE}:33:8: warning[SL105]: column executions.created_at is typed TIMESTAMP, "
    f"{NUMERIC_FALLBACK}",
    f"{PERSISTENCE}:33:8: warning[SL105]: column executions.last_accessed is typed TIMESTAMP, "
    f"{NUMERIC_FALLBACK}",
    f"{PERSISTENCE}:58:8: warning[SL104]: transitions(execution_id) looks like a reference to "
    "executions(execution_id) but no FOREIGN KEY declares it; add REFERENCES "
    "executions(execution_id)",
    f"{PERSISTENCE}:69:8: warning[SL103]: index idx_exec_transitions on transitions "
    "(execution_id) is redundant: it is a prefix of unique index ux_exec_seq (execution_id, "
    "seq)",
]


def scan_fixture(key: str, case: str) -> Result:
    result = scan([LINT_FIXTURES / key / f"{case}.py"], Settings(root=str(LINT_FIXTURES)))
    assert not [d for d in result.diagnostics if d.severity == "error"]
    return result


def only(key: str) -> LintConfig:
    return LintConfig(**{k: k == key for k in KEYS})


def test_rules_have_stable_codes_keys_and_documentation() -> None:
    assert [r.code for r in RULES] == [f"SL10{n}" for n in range(1, 8)]
    assert [f.name for f in dataclasses.fields(LintConfig)] == KEYS
    assert {r.key: r.default for r in RULES} == dataclasses.asdict(LintConfig())
    for rule in RULES:
        assert f"{rule.code}  {rule.key}" in (lint_module.__doc__ or "")


@pytest.mark.parametrize("key", KEYS)
def test_rule_fires_on_its_fixture(key: str) -> None:
    schema = scan_fixture(key, "fires").schema
    assert [str(d) for d in lint(schema, only(key))] == FIRES[key]


@pytest.mark.parametrize("key", KEYS)
def test_fires_fixture_trips_no_other_default_rule(key: str) -> None:
    schema = scan_fixture(key, "fires").schema
    config = dataclasses.replace(LintConfig(), **{key: True})
    assert {d.code for d in lint(schema, config)} == {RULES[KEYS.index(key)].code}


@pytest.mark.parametrize("key", KEYS)
def test_rule_is_quiet_on_its_twin(key: str) -> None:
    schema = scan_fixture(key, "quiet").schema
    assert lint(schema, dataclasses.replace(LintConfig(), **{key: True})) == []


@pytest.mark.parametrize("key", KEYS)
def test_switching_a_rule_off_silences_it(key: str) -> None:
    schema = scan_fixture(key, "fires").schema
    code = RULES[KEYS.index(key)].code
    everything = LintConfig.from_mapping(dict.fromkeys(KEYS, True))
    assert code in {d.code for d in lint(schema, everything)}
    without = dataclasses.replace(everything, **{key: False})
    assert code not in {d.code for d in lint(schema, without)}


def test_seed_findings_are_exactly_these(seed_result: Result) -> None:
    assert [str(d) for d in lint(seed_result.schema)] == SEED


def test_seed_foreign_keys_are_indexed_and_every_table_has_a_key(seed_result: Result) -> None:
    codes = [d.code for d in lint(seed_result.schema, LintConfig.from_mapping({}))]
    assert "SL101" not in codes
    assert "SL102" not in codes
    assert codes.count("SL104") == 2


def test_descriptions_are_off_by_default_and_on_with_require_descriptions() -> None:
    assert LintConfig().missing_description is False
    assert LintConfig.from_mapping({"require_descriptions": True}).missing_description is True
    assert LintConfig.from_mapping({"missing_description": True}).missing_description is True


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"no_primary_keys": True}, "unknown key in [tool.schemadoc.lint]: no_primary_keys"),
        ({"redundant_index": "yes"}, "redundant_index must be a bool, not str"),
        ({"require_descriptions": 1}, "require_descriptions must be a bool, not int"),
        ({"require_descriptions": True, "missing_description": False}, "disagree"),
    ],
)
def test_bad_lint_config_names_the_key(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=r"\[tool\.schemadoc\.lint\]") as info:
        LintConfig.from_mapping(raw)
    assert message in str(info.value)


def test_order_does_not_depend_on_the_order_of_the_model(seed_result: Result) -> None:
    schema = seed_result.schema
    shuffled = Schema(
        tables=schema.tables[::-1],
        relations=schema.relations[::-1],
        diagnostics=schema.diagnostics,
    )
    first = lint(schema, LintConfig(missing_description=True))
    assert lint(schema, LintConfig(missing_description=True)) == first
    assert sorted(map(str, lint(shuffled, LintConfig(missing_description=True)))) == sorted(
        map(str, first)
    )
    assert [d.sort_key()[:4] for d in first] == sorted(d.sort_key()[:4] for d in first)


def _sqlite_affinity(declared: str) -> str:
    """Ask SQLite: CAST follows the type's affinity, and these two values tell them apart."""
    with sqlite3.connect(":memory:") as conn:
        kinds = conn.execute(
            f"SELECT typeof(CAST('1.5' AS {declared})), typeof(CAST('1' AS {declared}))"
        ).fetchone()
    return {
        ("integer", "integer"): "INTEGER",
        ("real", "integer"): "NUMERIC",
        ("real", "real"): "REAL",
        ("text", "text"): "TEXT",
        ("blob", "blob"): "BLOB",
    }[kinds]


@pytest.mark.parametrize(
    ("declared", "unclear"),
    [
        ("INTEGER", False),
        ("BIGINT UNSIGNED", False),
        ("UNSIGNED BIG INT", False),
        ("INT8", False),
        ("VARCHAR(255)", False),
        ("CHARACTER VARYING(20)", False),
        ("NVARCHAR(100)", False),
        ("text", False),
        ("CLOB", False),
        ("LONGTEXT", False),
        ("BLOB", False),
        ("REAL", False),
        ("DOUBLE PRECISION", False),
        ("FLOAT", False),
        ("NUMERIC", False),
        ("DECIMAL(10, 2)", False),
        ("STRING", True),
        ("DATETIME", True),
        ("DATE", True),
        ("TIMESTAMP", True),
        ("BOOLEAN", True),
        ("BOOL", True),
        ("JSON", True),
        ("UUID", True),
        ("POINT", True),
        ("FLOATING POINT", True),
        ("INTERVAL", True),
    ],
)
def test_affinity_matches_sqlite(declared: str, unclear: bool) -> None:
    name, _ = affinity(declared)
    assert name == _sqlite_affinity(declared)
    reason = unclear_affinity(declared)
    assert (reason is not None) == unclear
    if reason is not None:
        assert reason.startswith(f"{name} affinity")


def test_typeless_columns_are_not_reported() -> None:
    assert affinity("") == ("BLOB", None)
    assert unclear_affinity("") is None


def _child_index_seeked(ddl: str) -> bool:
    """Whether SQLite seeks (not scans) an index of ``c`` for the rows referencing a ``p`` row."""
    with sqlite3.connect(":memory:") as conn:
        conn.executescript(ddl)
        conn.execute("PRAGMA foreign_keys = ON")
        roots = set(
            conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'c'"
            ).fetchall()
        )
        program = conn.execute("EXPLAIN DELETE FROM p WHERE k = 'x'").fetchall()
    cursors = {p1 for _, op, p1, p2, *_ in program if op == "OpenRead" and (p2,) in roots}
    return any(op.startswith("Seek") and p1 in cursors for _, op, p1, *_ in program)


PARENT = "CREATE TABLE p (k TEXT PRIMARY KEY{});\n"
CHILD = "CREATE TABLE c (id INTEGER PRIMARY KEY, k TEXT{} REFERENCES p(k), n INTEGER);\n"


@pytest.mark.parametrize(
    ("parent", "child", "index"),
    [
        ("", "", "CREATE INDEX ic ON c (k);"),
        ("", "", "CREATE INDEX ic ON c (k DESC, n);"),
        ("", "", "CREATE INDEX ic ON c (n, k);"),
        ("", "", "CREATE INDEX ic ON c (k) WHERE k IS NOT NULL;"),
        ("", "", "CREATE INDEX ic ON c (k) WHERE n > 0;"),
        ("", "", "CREATE INDEX ic ON c (lower(k));"),
        (" COLLATE NOCASE", "", "CREATE INDEX ic ON c (k);"),
        (" COLLATE NOCASE", "", "CREATE INDEX ic ON c (k COLLATE NOCASE);"),
        ("", " COLLATE NOCASE", "CREATE INDEX ic ON c (k);"),
        ("", "", ""),
    ],
)
def test_unindexed_foreign_key_agrees_with_sqlite(
    tmp_path: Path, parent: str, child: str, index: str
) -> None:
    ddl = PARENT.format(parent) + CHILD.format(child) + index
    (tmp_path / "schema.py").write_text(f'SCHEMA = """\n{ddl}\n"""\n')
    schema = scan([tmp_path], Settings(root=str(tmp_path))).schema
    fired = bool(lint(schema, only("unindexed_foreign_key")))
    assert fired is not _child_index_seeked(ddl)
