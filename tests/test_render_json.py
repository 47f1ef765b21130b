"""The JSON document is exactly what json.dumps(indent=2) writes, only faster."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemadoc.render.formats import indented_json

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('"\\\n\t\x00é€'))
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(VALUES)
def test_same_text_as_json_dumps(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_a_value_json_cannot_write_is_refused() -> None:
    with pytest.raises(TypeError, match="set"):
        indented_json({"a": {1, 2}})
