"""Lists and other values a block of code changes in place."""

from __future__ import annotations

import libcst as cst


class _InPlace(cst.CSTVisitor):
    """Collects the names a block changes in place."""

    _METHODS = frozenset(
        {"append", "extend", "insert", "update", "setdefault", "add", "pop", "remove", "clear"}
    )

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.attr.value in self._METHODS
        ):
            self.names.add(func.value.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if isinstance(node.target, cst.Subscript) and isinstance(node.target.value, cst.Name):
            self.names.add(node.target.value.value)

    def visit_Del(self, node: cst.Del) -> None:
        if isinstance(node.target, cst.Subscript) and isinstance(node.target.value, cst.Name):
            self.names.add(node.target.value.value)


class _Appends(cst.CSTVisitor):
    """Where a block changes the list ``name`` in place: each ``name.append(item)`` that is
    a statement of its own right in a ``for`` loop's body, and whether anything else does."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.appends: list[tuple[cst.For, cst.BaseExpression]] = []
        self.other = False
        self._loops: list[cst.For] = []
        self._direct: set[int] = set()  # calls that are the statements of a loop's body

    def visit_For(self, node: cst.For) -> None:
        self._loops.append(node)
        if isinstance(node.body, cst.IndentedBlock):
            for line in node.body.body:
                if isinstance(line, cst.SimpleStatementLine):
                    self._direct.update(id(s.value) for s in line.body if isinstance(s, cst.Expr))

    def leave_For(self, original_node: cst.For) -> None:
        self._loops.pop()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == self.name
        ):
            return
        direct = id(node) in self._direct and self._loops
        if func.attr.value == "append" and direct and len(node.args) == 1:
            self.appends.append((self._loops[-1], node.args[0].value))
        elif func.attr.value in _InPlace._METHODS:
            self.other = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target
        if isinstance(target, cst.Subscript) and getattr(target.value, "value", None) == self.name:
            self.other = True

    def comprehension(self) -> cst.ListComp | None:
        if self.other or len(self.appends) != 1:
            return None
        loop, item = self.appends[0]
        return cst.ListComp(elt=item, for_in=cst.CompFor(target=loop.target, iter=loop.iter))
