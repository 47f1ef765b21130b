"""Cheap selection of what the expensive parser must see.

Python's own parser (``ast``) is about ten times faster than libcst. It finds the top-level
statements that can matter: those whose text has a DDL statement shape, the imports, and,
repeatedly, every statement defining a name that a kept statement mentions (constants, helper
functions, base classes) or a subclass of a kept class. Everything else becomes blank lines, so
line and column numbers stay those of the file.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..discover.source import shape_text

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _span(node: ast.stmt) -> tuple[int, int]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return first, node.end_lineno or node.lineno


Point = tuple[int, int]  # line (1-based), column in UTF-8 bytes: as ``ast`` counts


def _docstring(body: list[ast.stmt]) -> int | None:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        return id(first.value)
    return None


def statement_strings(tree: ast.Module, node: ast.stmt) -> list[tuple[Point, Point]]:
    """Where the string literals of a top-level statement start and end, docstrings (of the
    module, classes and functions) left out."""
    nodes = list(ast.walk(node))
    docstrings = {_docstring(tree.body)} | {
        _docstring(inner.body)
        for inner in nodes
        if isinstance(inner, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    }
    strings = [
        inner
        for inner in nodes
        if isinstance(inner, ast.JoinedStr)
        or (isinstance(inner, ast.Constant) and isinstance(inner.value, str | bytes))
    ]
    return [
        ((s.lineno, s.col_offset), (s.end_lineno or s.lineno, s.end_col_offset or 0))
        for s in strings
        if id(s) not in docstrings
    ]


def _point(segment: str, first_line: int, offset: int) -> Point:
    line_start = segment.rfind("\n", 0, offset) + 1
    column = len(segment[line_start:offset].encode())
    return first_line + segment.count("\n", 0, line_start), column


def has_shape(segment: str, first_line: int, strings: list[tuple[Point, Point]]) -> bool:
    """Whether ``segment`` (source lines from ``first_line``) has the shape of a DDL statement
    that reaches into a string literal: a shape only in comments or docstrings is not SQL."""
    for m in shape_text().finditer(segment):
        start, end = _point(segment, first_line, m.start()), _point(segment, first_line, m.end())
        if any(start < s_end and s_start < end for s_start, s_end in strings):
            return True
    return False


def defined_names(node: ast.stmt) -> set[str]:
    """Names a top-level statement binds (class, function, assigned name)."""
    if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return {node.name}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign | ast.AugAssign):
        targets = [node.target]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def base_names(node: ast.stmt) -> set[str]:
    """Last names of a class statement's bases (``models.Base`` gives ``Base``)."""
    if not isinstance(node, ast.ClassDef):
        return set()
    return {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}


@dataclass(frozen=True)
class Layout:
    """What narrowing needs of a module's top-level statements, from Python's parse of it
    (kept from the module's summary: the module is not parsed by Python again)."""

    source: int  # the hash of the text laid out
    spans: tuple[tuple[int, int], ...]  # first line (decorators included), last line
    defines: tuple[frozenset[str], ...]
    bases: tuple[frozenset[str], ...]
    classes: frozenset[int]
    imports: frozenset[int]
    bearing: frozenset[int]  # statements whose DDL shape reaches into a string literal
    docstring: bool  # whether the first statement is an expression


def mentioned(text: str, tree: ast.Module) -> tuple[set[str], set[str], Layout]:
    """What the DDL-bearing statements of a module mean to other modules: the names they
    mention, and the classes, functions and constants holding DDL (whose call sites, and
    the code that formats them, matter); and the module's layout."""
    lines = text.split("\n")
    words: set[str] = set()
    callables: set[str] = set()
    spans = tuple(_span(node) for node in tree.body)
    bearing = set()
    for i, node in enumerate(tree.body):
        a, b = spans[i]
        segment = "\n".join(lines[a - 1 : b])
        if not shape_text().search(segment):
            continue
        strings = statement_strings(tree, node)
        if not has_shape(segment, a, strings):
            continue
        bearing.add(i)
        words.update(_WORD.findall(segment))
        if isinstance(node, ast.Assign | ast.AnnAssign):
            callables.update(defined_names(node))  # a template that code elsewhere fills in
        for inner in ast.walk(node):
            if isinstance(inner, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                a, b = _span(inner)
                if has_shape("\n".join(lines[a - 1 : b]), a, strings):
                    callables.add(inner.name)
    return words, callables, _layout(text, tree.body, spans, bearing)


def layout_of(text: str, tree: ast.Module) -> Layout:
    """The layout of a module that was not summarized."""
    return mentioned(text, tree)[2]


def _layout(
    text: str, statements: list[ast.stmt], spans: tuple[tuple[int, int], ...], bearing: set[int]
) -> Layout:
    def where(kind: type | tuple[type, ...]) -> frozenset[int]:
        return frozenset(i for i, node in enumerate(statements) if isinstance(node, kind))

    return Layout(
        hash(text),
        spans,
        tuple(frozenset(defined_names(node)) for node in statements),
        tuple(frozenset(base_names(node)) for node in statements),
        where(ast.ClassDef),
        where((ast.Import, ast.ImportFrom)),
        frozenset(bearing),
        bool(statements) and isinstance(statements[0], ast.Expr),
    )


def narrow(
    text: str,
    layout: Layout,
    words: set[str] = frozenset(),
    callables: set[str] = frozenset(),
    derived: set[str] = frozenset(),
    learned: set[str] | None = None,
) -> str:
    """``text`` (laid out as ``layout``) with every top-level statement that cannot matter
    blanked out.

    ``words`` are names mentioned by DDL code anywhere: statements defining them are kept.
    ``callables`` hold DDL: statements using them are kept (the arguments their calls pass,
    the templates they format). Classes deriving from a class named in ``derived`` are kept;
    the names they mention go into ``learned`` (the ``types`` and ``String`` of ``_fields =
    {"title": types.String()}``), for other modules to keep what defines them.
    """
    lines = text.split("\n")  # ast counts lines at "\n" only (not form feeds)
    spans, defines, bases = layout.spans, layout.defines, layout.bases
    count = len(spans)
    # The words of each statement, found once (a pattern of every name holding DDL in the
    # project, searched in each statement, cost more than the rest of narrowing).
    mentions = [set(_WORD.findall("\n".join(lines[a - 1 : b]))) for a, b in spans]
    keep = set(layout.imports | layout.bearing)
    for i in range(count):
        if learned is not None and bases[i] & derived:
            learned.update(mentions[i])
        if bases[i] & derived or not mentions[i].isdisjoint(callables):
            keep.add(i)
    if layout.docstring:
        keep.add(0)  # the docstring stays a docstring
    # What the kept statements mention, besides ``words`` (the project's: not copied, which
    # cost a copy of every name of the schema for each module parsed).
    mentioned_here: set[str] = set()
    kept_classes: set[str] = set()
    pending = sorted(keep | {i for i in range(count) if not defines[i].isdisjoint(words)})
    keep.update(pending)
    while pending:
        for i in pending:
            mentioned_here.update(mentions[i])
            if i in layout.classes:
                kept_classes.update(defines[i])
        pending = [
            i
            for i in range(count)
            if i not in keep
            and (
                not defines[i].isdisjoint(words)
                or not defines[i].isdisjoint(mentioned_here)
                or bases[i] & kept_classes
            )
        ]
        keep.update(pending)
    return text if len(keep) == count else _only(lines, [spans[i] for i in keep])


def _only(lines: list[str], spans: list[tuple[int, int]]) -> str:
    """The text of ``lines`` with every line outside ``spans`` (1-based, inclusive) blank."""
    out = [""] * len(lines)
    for a, b in spans:
        out[a - 1 : b] = lines[a - 1 : b]
    return "\n".join(out)
