"""What Python's own parser tells of a module (its summary), and the parser that narrows a
module to what DDL code needs of it before libcst parses it."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from ..discover.source import decode_source, outline, python_tree
from ..model.schema import Diagnostic
from ..pyeval.dependencies import module_name
from ..pyeval.modules import ParsedModule
from ..pyeval.narrow import Layout, base_names, layout_of, mentioned, narrow
from ..pyeval.scope import build_scope
from .heap import give_back
from .positions import StringPositions

_LARGE_PARSE = 100_000  # characters: the memory such a parse took is given back at once


@dataclass
class Focus:
    """What libcst must see of every module: names DDL code mentions, what holds DDL, and
    the classes holding DDL with the classes deriving from them."""

    words: set[str]
    callables: set[str]
    derived: set[str]


def parse_file(
    files: dict[str, Path], focus: Focus, layouts: dict[str, Layout]
) -> Callable[[str, str | None, Layout | None], ParsedModule | None]:
    """A parser for the module index: reads (unless given the text), checks, narrows to the
    focus, parses, indexes. A module laid out already (given, or summarized in this run and
    in ``layouts``) is not parsed by Python again."""

    def parse(display: str, text: str | None, layout: Layout | None) -> ParsedModule | None:
        text = text if text is not None else _read(files, display)
        if text is None:
            return None
        layout = layout or layouts.get(display)
        if layout is None or layout.source != hash(text):
            tree, problem = python_tree(text, display)
            if tree is None or problem:
                return None
            if not isinstance(tree, ast.Module):
                return _indexed(display, tree, text)  # newer syntax: libcst's, not narrowed
            layout = layout_of(text, tree)
            del tree  # not held while libcst parses: the parse is the run's peak of memory
        text = narrow(text, layout, focus.words, focus.callables, focus.derived, focus.words)
        try:
            module = cst.parse_module(text)
        except (cst.ParserSyntaxError, RecursionError, MemoryError):
            return None
        return _indexed(display, module, text)

    return parse


def _read(files: dict[str, Path], display: str) -> str | None:
    try:
        data = files[display].read_bytes()
    except (OSError, KeyError):
        return None
    text, problem = decode_source(data, display)
    return None if problem else text


def _indexed(display: str, module: cst.Module, text: str) -> ParsedModule | None:
    """The module parsed from ``text``, with its scope and where its strings are."""
    if len(text) > _LARGE_PARSE:
        give_back()  # what the parse took besides the tree
    name, is_package = module_name(display)
    try:
        return ParsedModule(
            display,
            module,
            build_scope(module, name, is_package, display),
            StringPositions(module, text, display),
            len(text),
        )
    except (RecursionError, MemoryError):
        return None


@dataclass(frozen=True)
class Summary:
    """What Python's own parser tells of a module (cheap, cached with the file)."""

    mentions: frozenset[str]  # names DDL-bearing statements mention
    holders: frozenset[str]  # classes and functions that hold DDL
    defines: frozenset[str]  # top-level names the module binds
    bases: tuple[tuple[str, tuple[str, ...]], ...]  # (class, names of its bases)
    # For narrowing the module this run (not cached); None for source of a newer Python.
    layout: Layout | None = field(default=None, compare=False, repr=False)

    @property
    def holds_ddl(self) -> bool:
        """Whether the shape of a DDL statement reaches into a string literal (one in a
        comment or a docstring does not count): only then is the module extracted."""
        return bool(self.mentions)


def summarize(text: str, display: str) -> tuple[Summary | None, Diagnostic | None]:
    """The module's summary, or the diagnostic of why Python cannot parse it."""
    tree, problem = python_tree(text, display)
    if tree is None:
        return None, problem
    if not isinstance(tree, ast.Module):  # syntax newer than this Python's, read by libcst
        return Summary(*outline(tree)), None
    mentions, holders, layout = mentioned(text, tree)
    defines = frozenset().union(*layout.defines)
    bases = tuple(
        (node.name, tuple(sorted(base_names(node))))
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    )
    return Summary(frozenset(mentions), frozenset(holders), defines, bases, layout), None
