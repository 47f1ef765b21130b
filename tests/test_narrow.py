"""Narrowing a module before libcst parses it: what DDL code needs stays, the rest is blank."""

from __future__ import annotations

import ast

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
