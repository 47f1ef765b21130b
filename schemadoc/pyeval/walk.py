"""Walking libcst trees without rebuilding them: libcst's ``visit`` makes a new node of
every node it passes, which read-only visitors do not need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

import libcst as cst


class _FieldOrder(cst.CSTVisitor):
    """Records the fields a node visits its children from, without going below them."""

    def __init__(self) -> None:
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        pass

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


_FIELDS: dict[type, tuple[str, ...]] = {}
_HOOKS: dict[tuple[type, type], tuple[Callable | None, Callable | None]] = {}


def _fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The fields of a node's class in the order libcst visits them (its source order).

    Learnt once per class from libcst itself; a field that class visits only when it is set
    (an f-string field's format spec) comes last, as libcst visits it.
    """
    kind = type(node)
    order = _FIELDS.get(kind)
    if order is None:
        recorder = _FieldOrder()
        node._visit_and_replace_children(recorder)
        seen = list(dict.fromkeys(recorder.fields))
        rest = [f.name for f in fields(node) if f.name not in seen]
        order = _FIELDS[kind] = (*seen, *rest)
    return order


def _hooks(visitor: type, kind: type) -> tuple[Callable | None, Callable | None]:
    """The ``visit_X``/``leave_X`` methods a visitor class defines for a node class."""
    key = (visitor, kind)
    if key not in _HOOKS:
        found = []
        for prefix in ("visit_", "leave_"):
            name = prefix + kind.__name__
            method = getattr(visitor, name, None)
            found.append(None if method is getattr(cst.CSTVisitor, name, None) else method)
        _HOOKS[key] = (found[0], found[1])
    return _HOOKS[key]


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a visitor of ``visit_X``/``leave_X`` methods, without
    libcst's rebuilding of every node it passes: the same calls, in the same order. Nodes
    of pure syntax (whitespace, comments, commas, brackets, operators: three nodes in five)
    are not entered when the visitor has no method for any of them."""
    _walk(node, visitor, _skipped(type(visitor)))


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor, skipped: frozenset[type]) -> None:
    visit, leave = _hooks(type(visitor), type(node))
    if visit is None or visit(visitor, node) is not False:
        for child in children(node):
            if type(child) not in skipped:
                _walk(child, visitor, skipped)
    if leave is not None:
        leave(visitor, node)


# Nodes whose subtrees hold nothing but nodes of these kinds.
_SYNTAX = (
    cst.BaseParenthesizableWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Newline,
    cst.Comment,
    cst.Comma,
    cst.Dot,
    cst.Colon,
    cst.Semicolon,
    cst.AssignEqual,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.BaseBinaryOp,
    cst.BaseAugOp,
    cst.BaseBooleanOp,
    cst.BaseCompOp,
    cst.BaseUnaryOp,
)
_SYNTAX_CLASSES = frozenset(  # by their bases: ``issubclass`` of an ABC took 17 ms here
    kind
    for kind in vars(cst).values()
    if isinstance(kind, type) and any(base in _SYNTAX for base in kind.__mro__)
)
_SKIPPED: dict[type, frozenset[type]] = {}


def _skipped(visitor: type) -> frozenset[type]:
    """The syntax node classes a visitor class need not enter: all, unless it has a
    ``visit_X``/``leave_X`` method for one of them."""
    if visitor not in _SKIPPED:
        hooked = any(_hooks(visitor, kind) != (None, None) for kind in _SYNTAX_CLASSES)
        _SKIPPED[visitor] = frozenset() if hooked else _SYNTAX_CLASSES
    return _SKIPPED[visitor]


_IS_NODE: dict[type, bool] = {}  # by class: ``isinstance`` of an ABC costs more


def _is_node(value: object) -> bool:
    kind = type(value)
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node.children`` without libcst's rebuilding of the node: its child nodes, in the
    order libcst visits them."""
    out: list[cst.CSTNode] = []
    for name in _fields(node):
        value = getattr(node, name)
        if isinstance(value, tuple | list):
            for item in value:
                if _is_node(item):
                    out.append(item)
        elif _is_node(value):
            out.append(value)
    return out
