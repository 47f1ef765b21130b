"""Scanned modules: each parsed on demand (see ``ModuleIndex``), and the places in them
where an expression is evaluated (see ``Context``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol, TypeVar

import libcst as cst

from ..discover.source import decode_source
from .dependencies import MISSING_MODULE, module_name, module_names
from .narrow import Layout, layout_of
from .scope import ClassInfo, FunctionScope, ModuleScope
from .values import Position

_T = TypeVar("_T")


class Positions(Protocol):
    """Where the strings of a module start (``extract.positions.StringPositions``)."""

    def get(self, node: cst.CSTNode) -> Position | None: ...


@dataclass
class ParsedModule:
    display: str
    module: cst.Module
    scope: ModuleScope
    positions: Positions
    size: int  # characters of source parsed: what the module's tree costs in memory


@dataclass(frozen=True)
class Context:
    """Where an expression is evaluated: its module, function and the class ``self`` is,
    and the ``for`` loops around it (outermost first)."""

    parsed: ParsedModule
    function: FunctionScope | None = None
    cls: ClassInfo | None = None
    loops: tuple[cst.For, ...] = ()


# Parses a file: its display path, its text if known (else read), and that text's layout if
# known (else Python parses it).
ParseFn = Callable[[str, "str | None", "Layout | None"], "ParsedModule | None"]


class _Outline(NamedTuple):
    """What Python's own parser tells of a module without libcst."""

    names: frozenset[str]  # its top-level names
    # Its classes, and the functions with a ``return`` that may build a string, at any depth
    # and by name; None when Python cannot parse the module (any name may be one).
    classes: frozenset[str] | None
    stringy: frozenset[str] | None


def _may_build_string(node: ast.expr) -> bool:
    """Whether a returned expression may be one ``Evaluator.is_stringy`` holds for: a
    literal string, ``+`` of one, a ``%`` template, or a call (a superset, never less)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add):
            return _may_build_string(node.left) or _may_build_string(node.right)
        if isinstance(node.op, ast.Mod):
            left = node.left
            return isinstance(left, ast.Name | ast.Attribute) or _may_build_string(left)
        return False
    return isinstance(node, ast.JoinedStr | ast.Call)


def _outline_of(tree: ast.Module) -> _Outline:
    """A module's outline, from one walk of its ``ast`` tree."""
    names: set[str] = set()
    classes: set[str] = set()
    stringy: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
            classes.add(node.name)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
            if any(
                isinstance(inner, ast.Return)
                and inner.value is not None
                and _may_build_string(inner.value)
                for inner in ast.walk(node)
            ):
                stringy.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return _Outline(frozenset(names), frozenset(classes), frozenset(stringy))


def _last_part(display: str) -> str:
    """The last part of the dotted name of the Python file ``display``."""
    stem = display.rpartition("/")[2].removesuffix(".py").removesuffix(".pyi")
    if stem in ("", ".", "..", "__init__"):
        return module_name(display)[0].rpartition(".")[2]
    return stem.rpartition(".")[2]


class ModuleIndex:
    """Maps dotted module names to scanned files, parsing them on demand."""

    def __init__(
        self,
        files: dict[str, Path],
        parse: ParseFn,
        wanted: Callable[[str], bool] = lambda name: False,
    ) -> None:
        """``wanted(name)``: whether a parse now keeps what defines ``name`` (one narrowed
        earlier may not have: it is parsed again, see ``module``)."""
        self.files = files
        self._parse = parse
        self._wanted = wanted
        self._by_last: dict[str, list[str]] = {}  # files by the last part of their name
        for display in sorted(files):
            if display.endswith((".py", ".pyi")):
                self._by_last.setdefault(_last_part(display), []).append(display)
        self._found: dict[str, str | None] = {}
        self._parsed: dict[str, ParsedModule | None] = {}
        self._outlines: dict[str, _Outline] = {}
        self._refocused: set[tuple[str, str]] = set()  # modules parsed again for a name
        # The text and tree of the module last outlined, for the parse that often follows.
        self._handoff: tuple[str, str, ast.Module] | None = None
        self.accessed: set[str] = set()  # files (and misses) looked at since last cleared
        self.size = 0  # characters of source in the parsed modules held

    def tracked(self, compute: Callable[[], _T]) -> tuple[_T, frozenset[str]]:
        """``compute()``, and the files (and misses) it looked at."""
        before = set(self.accessed)
        self.accessed.clear()
        try:
            return compute(), frozenset(self.accessed)
        finally:
            self.accessed |= before

    def forget(self, keep: str | None = None) -> None:
        """Drop every parsed module but ``keep``; each is parsed again when next asked for."""
        kept = self._parsed.get(keep) if keep is not None else None
        self._parsed.clear()
        self.size = 0
        if kept is not None:
            self._parsed[kept.display] = kept
            self.size = kept.size

    def holds(self, display: str) -> bool:
        """Whether ``display`` is parsed and kept (asking does not parse it)."""
        return self._parsed.get(display) is not None

    def parsed(self, display: str, text: str | None = None) -> ParsedModule | None:
        self.accessed.add(display)
        handoff, self._handoff = self._handoff, None
        if display not in self._parsed:
            self._parsed[display] = None  # guards against import cycles
            layout = None
            if text is None and handoff is not None and handoff[0] == display:
                text, layout = handoff[1], layout_of(handoff[1], handoff[2])  # outlined just now
            del handoff  # its tree is not held while libcst parses
            parsed = self._parsed[display] = self._parse(display, text, layout)
            if parsed is not None:
                self.size += parsed.size
        return self._parsed[display]

    def _display(self, dotted: str) -> str | None:
        """The first file (in path order) that an import of ``dotted`` may reach (see
        ``module_names``)."""
        if dotted not in self._found:
            candidates = self._by_last.get(dotted.rpartition(".")[2], ())
            self._found[dotted] = next((d for d in candidates if dotted in module_names(d)), None)
        return self._found[dotted]

    def module(self, dotted: str, name: str | None = None) -> ParsedModule | None:
        """The module ``dotted``; not parsed just to learn it has no top-level ``name``."""
        display = self._display(dotted)
        if display is None:
            self.accessed.add(MISSING_MODULE + dotted)
            return None
        if name is not None and display not in self._parsed and name not in self._names(display):
            self.accessed.add(display)
            return None
        parsed = self.parsed(display)
        if (
            parsed is not None
            and name is not None
            and self._wanted(name)
            and (display, name) not in self._refocused
        ):
            scope = parsed.scope
            defined = scope.constants.keys() | scope.classes.keys() | scope.module_functions.keys()
            if name not in defined | scope.imports.keys() and name in self._names(display):
                # narrowed before code elsewhere named it (see ``narrow``'s ``learned``)
                self._refocused.add((display, name))
                self.size -= parsed.size
                del self._parsed[display]
                parsed = self.parsed(display)
        return parsed

    def may_return_string(self, dotted: str, name: str) -> bool:
        """Whether a function ``name`` of the module ``dotted`` may return a string it
        builds. False only when no ``return`` of a function so named can (Python's own parser
        tells, and the module is not parsed for it); a module already parsed is left to
        the exact answer."""
        stringy = self._outlined(dotted, lambda outline: outline.stringy)
        return stringy is None or name in stringy

    def may_define_class(self, dotted: str, name: str) -> bool:
        """Whether the module ``dotted`` may define a class ``name``: False only when Python's
        own parser finds no class so named in it (and the module is not parsed for it)."""
        classes = self._outlined(dotted, lambda outline: outline.classes)
        return classes is None or name in classes

    def _outlined(
        self, dotted: str, fact: Callable[[_Outline], frozenset[str] | None]
    ) -> frozenset[str] | None:
        """A fact of the outline of the module ``dotted``; None when it is not in the project
        or already parsed (the exact answer is as cheap), or cannot be outlined."""
        display = self._display(dotted)
        if display is None or display in self._parsed:
            return None
        self.accessed.add(display)
        return fact(self._outline(display))

    def _names(self, display: str) -> frozenset[str]:
        """Top-level names of a module, from Python's own (fast) parser."""
        return self._outline(display).names

    def _outline(self, display: str) -> _Outline:
        if display not in self._outlines:
            self._outlines[display] = _Outline(frozenset(), None, None)
            try:
                data = self.files[display].read_bytes()
                text, _ = decode_source(data, display)
                tree = ast.parse(data if text is None else text, filename=display)
            except SyntaxError:  # perhaps newer syntax, which libcst reads: any word may be a name
                words = re.findall(r"\w+", data.decode("utf-8", "replace"))
                self._outlines[display] = _Outline(frozenset(words), None, None)
                return self._outlines[display]
            except (OSError, ValueError, RecursionError, MemoryError):
                return self._outlines[display]
            self._outlines[display] = _outline_of(tree)
            self._handoff = (display, text, tree) if text is not None else None
        return self._outlines[display]
