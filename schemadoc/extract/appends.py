"""A statement built by appends to one name: ``stmt = "CREATE TABLE t (a T"``, then
``stmt += ", b T"`` (perhaps under an ``if``), then ``stmt += ")"``."""

from __future__ import annotations

import libcst as cst

from ..pyeval.values import code_of


class Appends(cst.CSTVisitor):
    """The ``name += part`` statements after ``start`` in a function's body, up to the next
    assignment of ``name``: each part with the tests of the ``if`` statements around it."""

    def __init__(self, name: str, start: cst.Assign) -> None:
        self.name, self.start = name, start
        self.started = self.ended = self.looped = False
        self.parts: list[tuple[cst.BaseExpression, tuple[str, ...]]] = []
        self._tests: list[str] = []
        self._before = 0  # the tests around ``start``
        self._loops = 0

    def _names(self, target: cst.BaseExpression) -> bool:
        return isinstance(target, cst.Name) and target.value == self.name

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_If(self, node: cst.If) -> None:
        self._tests.append(" ".join(code_of(node.test).split()))

    def leave_If(self, original_node: cst.If) -> None:
        self._tests.pop()

    def visit_Else(self, node: cst.Else) -> None:
        self._tests[-1] = f"not ({self._tests[-1]})"

    def visit_For(self, node: cst.For) -> None:
        self._loops += 1

    def leave_For(self, original_node: cst.For) -> None:
        self._loops -= 1

    def visit_While(self, node: cst.While) -> None:
        self._loops += 1

    def leave_While(self, original_node: cst.While) -> None:
        self._loops -= 1

    def visit_Assign(self, node: cst.Assign) -> None:
        if node is self.start:
            self.started, self._before = True, len(self._tests)
        elif self.started and any(self._names(t.target) for t in node.targets):
            self.ended = True

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if not self.started or self.ended or not self._names(node.target):
            return
        if not isinstance(node.operator, cst.AddAssign):
            self.ended = True
        elif self._loops:
            self.looped = True
        else:
            tests = self._tests[self._before :]
            self.parts.append((node.value, tuple(tests)))
