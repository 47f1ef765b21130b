"""Model records to JSON and back: what goes in comes out; anything else is Invalid."""

from __future__ import annotations

import json

import pytest

from schemadoc.incremental.cache import Invalid
from schemadoc.incremental.records import Decoded, from_json, to_json
from schemadoc.model.schema import (
    Check,
    Column,
    Diagnostic,
    ForeignKey,
    Index,
    IndexColumn,
    Schema,
    Source,
    Table,
)

TABLE = Table(
    name="orders",
    columns=(
        Column("id", "INTEGER", pk=1),
        Column("total", "REAL", notnull=True, default="0", checks=(Check("total >= 0", "pos"),)),
        Column("note", "", description="free text", collation="NOCASE"),
    ),
    sources=(Source("app/db.py", 3, 8), Source("app/more.py", 10, 0)),
    indexes=(
        Index(
            "ix_total",
            "orders",
            False,
            "c",
            True,
            (IndexColumn("total", desc=True), IndexColumn(None, "lower(note)")),
            "total > 0",
            Source("app/db.py", 9, 4),
            "CREATE INDEX ix_total ON orders(total DESC, lower(note)) WHERE total > 0",
        ),
    ),
    foreign_keys=(ForeignKey(("id",), "customers", (None,), on_delete="CASCADE"),),
    sql="CREATE TABLE orders (...)",
)


def test_a_schema_survives_json() -> None:
    part = Schema(
        tables=(TABLE,),
        diagnostics=(Diagnostic("warning", "SD402", "mismatch", "app/db.py", 3, 8),),
    )
    assert from_json(Schema, json.loads(json.dumps(to_json(part)))) == part


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (Source, ["a.py", 1]),  # a field missing
        (Source, ["a.py", 1, 2, 3]),  # a field too many
        (Source, ["a.py", "1", 2]),  # a string for an int
        (Source, ["a.py", True, 2]),  # a bool for an int
        (Column, ["id", None]),  # None where only a str fits
        (ForeignKey, [["a", 1], "t", ["b"], "CASCADE", "NO ACTION", None]),  # an int in a str tuple
        (ForeignKey, [["a"], "t", [None, False], "CASCADE", "NO ACTION", None]),  # a bool there
        (Diagnostic, ["fatal", "SD1", "m", "", 0, 0]),  # not a severity
        (Table, {"name": "t"}),  # not a list
        (Schema, [[], [], [], [], [["error", "SD1", "m", "", 0]]]),  # a diagnostic field missing
    ],
)
def test_another_shape_is_invalid(kind: type, raw: object) -> None:
    with pytest.raises(Invalid):
        from_json(kind, raw)


def test_decoded_values_that_do_not_decode_are_absent() -> None:
    raw = {"good": to_json(Source("a.py", 1, 2)), "bad": ["a.py"]}
    decoded = Decoded(raw, Source)
    assert "good" in decoded and decoded["good"] == Source("a.py", 1, 2)
    assert "bad" not in decoded and "missing" not in decoded
    assert set(decoded.good) == {"good"}
