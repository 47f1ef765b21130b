"""The JSON document is exactly what json.dumps(indent=2) writes, only faster (floats, which
no document holds, only as the same numbers)."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemadoc.model.schema import Column, ForeignKey, Schema, Table
from schemadoc.relations import relate
from schemadoc.render.formats import indented_json, to_json

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('"\\\n\t\x00é€'))
)


def _values(scalars: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        ),
        max_leaves=30,
    )


@given(_values(SCALARS))
def test_same_text_as_json_dumps(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


@given(_values(SCALARS | st.floats(allow_nan=False, allow_infinity=False)))
def test_floats_are_the_same_numbers(value: object) -> None:
    assert json.loads(indented_json(value)) == value


@pytest.mark.parametrize(
    "value",
    [
        {"path": "a\udcff.py", "line": 1},  # a file name that is not UTF-8
        [1, {"big": 2**70}, "x"],  # an integer beyond 64 bits
        {"tables": [{"name": "t", "sql": "\ud800"}], "n": -(2**80)},
    ],
    ids=["surrogate", "big-int", "both"],
)
def test_what_orjson_refuses_is_written_as_json_writes_it(value: object) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False)
    assert indented_json(value) == expected
    items = value if isinstance(value, list) else [value]
    assert indented_json({"k": iter(items)}) == json.dumps(
        {"k": items}, indent=2, ensure_ascii=False
    )


def test_a_value_json_cannot_write_is_refused() -> None:
    with pytest.raises(TypeError, match="set"):
        indented_json({"a": {1, 2}})


@pytest.mark.parametrize(
    "items", [[], [1, {"a": [2, {}]}, "x"], [[]]], ids=["empty", "mixed", "nested"]
)
def test_an_iterator_is_written_as_its_list(items: list) -> None:
    assert indented_json(iter(items), end="\n") == json.dumps(items, indent=2) + "\n"
    assert indented_json({"k": (i for i in items)}) == json.dumps({"k": items}, indent=2)


def test_a_large_schema_is_written_in_about_twice_its_size() -> None:
    """Each table is made into a dict, written and let go; the strings held are about one per
    item, not one per scalar (writing took six times the document's size)."""
    columns = tuple(Column(f"c{i}", "TEXT", notnull=bool(i % 2)) for i in range(8))
    tables = [
        Table(f"t{n}", columns, foreign_keys=(ForeignKey(("c1",), f"t{n - 1}", ("c0",)),))
        for n in range(1, 2001)
    ]
    schema = relate(Schema(tables=(Table("t0", columns), *tables)), infer=False)
    tracemalloc.start()
    try:
        text = to_json(schema)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(json.loads(text)["tables"]) == 2001
    assert peak < 2.5 * len(text), (peak, len(text))
