"""Narrowing a module before libcst parses it: what DDL code needs stays, the rest is blank."""

from __future__ import annotations

import ast
import tracemalloc

from schemadoc.pyeval.narrow import layout_of, narrow

MODULE = '''"""A module."""
import os

def uses_holder():
    return holder("users")

def uses_a_longer_name():
    return holder_x("users")

def unrelated():
    return os.getcwd()

TEMPLATE = holder

HELPER = "text"

def reads_helper():
    return HELPER
'''


def _kept(text: str) -> list[str]:
    return [line.split("(")[0] for line in text.splitlines() if line.startswith(("def ", "T", "H"))]


def test_statements_that_name_a_callable_holding_ddl_stay() -> None:
    """A statement stays when a name holding DDL is one of its words (not part of a longer
    name); so do the docstring and imports; the rest is blank lines, numbered as before."""
    out = narrow(MODULE, layout_of(MODULE, ast.parse(MODULE)), callables={"holder"})
    assert _kept(out) == ["def uses_holder", "TEMPLATE = holder"]
    assert out.count("\n") == MODULE.count("\n")
    assert out.startswith('"""A module."""\nimport os\n')


def test_what_a_kept_statement_names_stays_too() -> None:
    out = narrow(MODULE, layout_of(MODULE, ast.parse(MODULE)), words={"reads_helper"})
    assert _kept(out) == ['HELPER = "text"', "def reads_helper"]


def test_narrowing_a_module_does_not_copy_the_projects_names() -> None:
    """Each module's narrowing only asks whether a name is one DDL code mentions: a copy of
    them all (200,000 names here, several megabytes) for every module made extraction grow
    with the square of the schema's size."""
    words = {"reads_helper", *(f"t{i}" for i in range(200_000))}
    layout = layout_of(MODULE, ast.parse(MODULE))
    tracemalloc.start()
    try:
        out = narrow(MODULE, layout, words=words)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert _kept(out) == ['HELPER = "text"', "def reads_helper"]
    assert peak < 100_000  # bytes
