"""Connections a function opens on ``":memory:"`` and keeps to itself: probes of what
SQLite supports, whose tables are no database's."""

from __future__ import annotations

import libcst as cst


class Scratch(cst.CSTVisitor):
    """The names a function binds to a connection it opens on ``":memory:"`` (``conn =
    sqlite3.connect(":memory:")``) and that never leave it: not returned, yielded, or
    stored in an attribute or item (calls it is passed to may use it meanwhile)."""

    def __init__(self) -> None:
        self.opened: dict[str, int] = {}
        self.leaving: set[str] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        for target in node.targets:
            name = target.target
            if isinstance(name, cst.Name):
                opens = isinstance(value, cst.Call) and _opens_memory(value)
                self.opened[name.value] = self.opened.get(name.value, 0) + (1 if opens else 2)
            elif isinstance(value, cst.Name):
                self.leaving.add(value.value)  # ``self.conn = conn``

    def visit_Return(self, node: cst.Return) -> None:
        if isinstance(node.value, cst.Name):
            self.leaving.add(node.value.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.Name):
            self.leaving.add(node.value.value)

    def kept(self) -> frozenset[str]:
        return frozenset(n for n, seen in self.opened.items() if seen == 1) - self.leaving


def _opens_memory(call: cst.Call) -> bool:
    """``sqlite3.connect(":memory:")``, ``apsw.Connection(":memory:")`` and the like."""
    name = _last_name(call.func)
    first = call.args[0].value if call.args else None
    return (
        name in ("connect", "Connection")
        and isinstance(first, cst.SimpleString)
        and first.evaluated_value == ":memory:"
    )


def _last_name(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Name):
        return func.value
    return func.attr.value if isinstance(func, cst.Attribute) else ""
