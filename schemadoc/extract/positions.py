"""Walking libcst trees without rebuilding them, and where their string literals start
(from the tokenizer, far cheaper than libcst's position metadata)."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable
from dataclasses import fields

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..pyeval.values import Position, code_of


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
    libcst's rebuilding of every node it passes: the same calls, in the same order."""
    visit, leave = _hooks(type(visitor), type(node))
    if visit is None or visit(visitor, node) is not False:
        for name in _fields(node):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                walk(value, visitor)
            elif isinstance(value, tuple | list):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        walk(item, visitor)
    if leave is not None:
        leave(visitor, node)


class _StringLeaves(cst.CSTVisitor):
    """String tokens in source order: simple strings and whole f-strings."""

    def __init__(self) -> None:
        self.leaves: list[cst.CSTNode] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        self.leaves.append(node)
        return False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        self.leaves.append(node)
        return False


Token = tuple[int, int, str]  # start line (1-based), column (0-based), the literal's text


def _string_tokens(text: str) -> list[Token] | None:
    """Every top-level string literal token, in source order (an f-string whole), from one
    pass of the tokenizer; None when it cannot read the text."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    found: list[Token] = []
    depth, start = 0, (0, 0)
    fstart = {getattr(tokenize, n, -1) for n in ("FSTRING_START", "TSTRING_START")}
    fend = {getattr(tokenize, n, -1) for n in ("FSTRING_END", "TSTRING_END")}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in fstart:
                if depth == 0:
                    start = tok.start
                depth += 1
            elif tok.type in fend:
                depth -= 1
                if depth == 0:
                    literal = text[
                        offsets[start[0] - 1] + start[1] : offsets[tok.end[0] - 1] + tok.end[1]
                    ]
                    found.append((start[0], start[1], literal))
            elif tok.type == tokenize.STRING and depth == 0:
                found.append((tok.start[0], tok.start[1], tok.string))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return found


def string_positions(
    module: cst.Module, tokens: list[Token] | None, path: str
) -> dict[cst.CSTNode, Position]:
    """Positions of string nodes from the tokenizer's ``tokens``, which are far cheaper than
    libcst metadata. Falls back to libcst's PositionProvider when the two disagree."""
    leaves = _StringLeaves()
    walk(module, leaves)
    if tokens is not None and len(tokens) == len(leaves.leaves):
        pairs = list(zip(leaves.leaves, tokens, strict=True))
        if all(_same_start(node, tok) for node, (_, _, tok) in pairs):
            return {node: (path, line, col) for node, (line, col, _) in pairs}
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return {n: (path, positions[n].start.line, positions[n].start.column) for n in leaves.leaves}


class StringPositions:
    """Where string literals start. Most literals are told apart by their text among the
    tokenizer's strings; the ordered pass over the whole tree runs only for a module where
    the same literal text occurs more than once and is asked for."""

    def __init__(self, module: cst.Module, text: str, path: str) -> None:
        self.module, self.text, self.path = module, text, path
        self._tokens: list[Token] | None = None
        self._by_text: dict[str, list[tuple[int, int]]] | None = None
        self._ordered: dict[cst.CSTNode, Position] | None = None
        self._known: dict[cst.CSTNode, Position | None] = {}

    def get(self, node: cst.CSTNode) -> Position | None:
        if not isinstance(node, cst.SimpleString | cst.FormattedString):
            return None
        if node not in self._known:
            self._known[node] = self._find(node)
        return self._known[node]

    def _find(self, node: cst.SimpleString | cst.FormattedString) -> Position | None:
        if self._by_text is None:
            self._tokens = _string_tokens(self.text)
            self._by_text = {}
            for line, column, literal in self._tokens or ():
                self._by_text.setdefault(literal, []).append((line, column))
        key = node.value if isinstance(node, cst.SimpleString) else code_of(node)
        starts = self._by_text.get(key, [])
        if len(starts) == 1:
            return (self.path, *starts[0])
        if self._ordered is None:
            self._ordered = string_positions(self.module, self._tokens, self.path)
        return self._ordered.get(node)


def _same_start(node: cst.CSTNode, token: str) -> bool:
    head = node.value if isinstance(node, cst.SimpleString) else node.start  # type: ignore[attr-defined]
    return token.startswith(head[:4])
