"""The tree walk that stands in for libcst's ``visit``: the same calls, in the same order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import libcst as cst
import pytest

from schemadoc.config import Settings
from schemadoc.pipeline import scan
from schemadoc.pyeval import walk as walk_module
from schemadoc.pyeval.walk import children, walk

SOURCE = '''
"""Docstring."""
from . import *
from .m import (a as b, c)
import os.path as p

@decorator(arg="x")
@other
def f(x: "int" = "d", *args, y=f"{z!r:>{w}}", **kw) -> "str":
    v = "a" if "b" in x else "c"
    w = [s for s in ("t", "u") if s]
    return f"CREATE TABLE {v} (x)" + "y" "z"

class C(Base, metaclass=M):
    NAME: str = "n"

    @property
    def g(self):
        with open("p") as fh, open("q"):
            pass
        try:
            raise ValueError("e")
        except (KeyError, ValueError) as exc:
            print("h", exc)
        finally:
            lambda q="r": q
        return {"k": "v", **{"l": "m"}}[x:y:z]
'''


class _Log(cst.CSTVisitor):
    """Logs every node entered and left; skips the children of every third call."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.log.append(("visit", id(node)))
        return not (isinstance(node, cst.Call) and len(self.log) % 3 == 0)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.log.append(("leave", id(original_node)))


class _Hooks(cst.CSTVisitor):
    """The same log, from ``visit_X``/``leave_X`` methods of every node class."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int]] = []


def _hook(kind: str) -> Callable[..., object]:
    def visit(self: _Hooks, node: cst.CSTNode) -> bool:
        self.log.append(("visit", id(node)))
        return not (isinstance(node, cst.Call) and len(self.log) % 3 == 0)

    def leave(self: _Hooks, node: cst.CSTNode) -> None:
        self.log.append(("leave", id(node)))

    return visit if kind == "visit" else leave


for _name in dir(cst):
    _cls = getattr(cst, _name)
    if isinstance(_cls, type) and issubclass(_cls, cst.CSTNode):
        setattr(_Hooks, f"visit_{_name}", _hook("visit"))
        setattr(_Hooks, f"leave_{_name}", _hook("leave"))


def test_walk_makes_the_calls_libcst_visit_makes() -> None:
    module = cst.parse_module(SOURCE)
    expected, got = _Log(), _Hooks()
    module.visit(expected)
    walk(module, got)
    assert got.log == expected.log
    assert len(got.log) > 500


class _All(cst.CSTVisitor):
    """Logs every node entered and left, from ``visit_X``/``leave_X`` methods."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int]] = []


class _NoSyntax(cst.CSTVisitor):
    """``_All`` without a method for any node of pure syntax (whitespace, commas...)."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int]] = []


def _logged(kind: str) -> Callable[..., None]:
    return lambda self, node: self.log.append((kind, id(node)))


for _name in dir(cst):
    _cls = getattr(cst, _name)
    if isinstance(_cls, type) and issubclass(_cls, cst.CSTNode):
        owners = [_All] if issubclass(_cls, walk_module._SYNTAX) else [_All, _NoSyntax]
        for owner in owners:
            setattr(owner, f"visit_{_name}", _logged("visit"))
            setattr(owner, f"leave_{_name}", _logged("leave"))

_NAMED = {"Comment", "Comma", "SimpleWhitespace", "Newline", "LeftParen", "Add", "Equal"}


def test_nodes_of_pure_syntax_are_not_entered_unless_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = cst.parse_module(SOURCE + "x = (1 + 2) == 3  # a comment\n")
    full, pruned = _All(), _NoSyntax()
    walk(module, full)
    entered: list[cst.CSTNode] = []
    monkeypatch.setattr(walk_module, "children", lambda n: entered.append(n) or children(n))
    walk(module, pruned)
    nodes = _nodes(module)
    syntax = {id(n) for n in nodes if isinstance(n, walk_module._SYNTAX)}
    assert {type(n).__name__ for n in nodes if id(n) in syntax} >= _NAMED
    assert full.log[0] == ("visit", id(module)) and len(full.log) == 2 * len(nodes)
    # the same calls for every other node, in the same order; none for syntax
    assert pruned.log == [entry for entry in full.log if entry[1] not in syntax]
    assert len(entered) == len(nodes) - len(syntax)  # the syntax nodes were not entered
    assert len(pruned.log) < len(full.log) / 2

    class Comments(cst.CSTVisitor):
        def __init__(self) -> None:
            self.seen: list[str] = []

        def visit_Comment(self, node: cst.Comment) -> None:
            self.seen.append(node.value)

    visitor = Comments()
    walk(module, visitor)
    assert visitor.seen == ["# a comment"]


def _nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    return [node, *(n for child in children(node) for n in _nodes(child))]


def test_walk_skips_children_when_visit_returns_false_and_still_leaves() -> None:
    class Strings(cst.CSTVisitor):
        def __init__(self) -> None:
            self.seen: list[str] = []

        def visit_FormattedString(self, node: cst.FormattedString) -> bool:
            self.seen.append("f")
            return False

        def leave_FormattedString(self, original_node: cst.FormattedString) -> None:
            self.seen.append("/f")

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            self.seen.append(node.value)

    visitor = Strings()
    walk(cst.parse_module('x = f"{\'a\'}" + "b"\n'), visitor)
    assert visitor.seen == ["f", "/f", '"b"']


EXTRACTED = """
import sqlite3


def create(conn):
    parts = []
    for column in ("a INT", "b TEXT"):
        parts.append(column)
    conn.execute("CREATE TABLE t1 (" + ", ".join(parts) + ")")
    stmt = "CREATE TABLE t2 (x INT"
    if conn:
        stmt += ", y INT"
    stmt += ")"
    conn.execute(stmt)


def probe():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE probe (x)")
"""


def test_extraction_rebuilds_no_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The passes that only read a tree (names changed in place, lists built by appends,
    statements built by ``+=``, probes on a scratch connection) walk it: libcst's ``visit``
    makes a new node of every node it passes. It runs only to learn a node class's fields."""
    (tmp_path / "db.py").write_text(EXTRACTED, encoding="utf-8")
    visitors: list[str] = []
    original = cst.CSTNode.visit

    def counted(node: cst.CSTNode, visitor: cst.CSTVisitor) -> cst.CSTNode:
        visitors.append(type(visitor).__name__)
        return original(node, visitor)

    monkeypatch.setattr(cst.CSTNode, "visit", counted)
    schema = scan([tmp_path], Settings(root=str(tmp_path))).schema
    assert [c.name for c in schema.table("t1").columns] == ["a", "b"]
    assert [c.name for c in schema.table("t2").columns] == ["x", "y"]
    assert schema.table("probe") is None
    assert set(visitors) <= {"_FieldOrder"}, sorted(set(visitors))


def test_children_are_those_libcst_gives_in_its_order() -> None:
    stack: list[cst.CSTNode] = [cst.parse_module(SOURCE)]
    checked = 0
    while stack:
        node = stack.pop()
        expected = list(node.children)
        got = children(node)
        assert len(got) == len(expected), node
        assert all(a is b for a, b in zip(got, expected, strict=True)), node
        stack.extend(expected)
        checked += 1
    assert checked > 300  # every node of the module, down to whitespace
