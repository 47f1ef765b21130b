"""Scanned modules: each parsed on demand (see ``ModuleIndex``), and the places in them
where an expression is evaluated (see ``Context``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import libcst as cst

from .dependencies import MISSING_MODULE, module_names
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


ParseFn = Callable[[str, "str | None"], "ParsedModule | None"]


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
        self._by_module: dict[str, str] = {}
        for display in sorted(files):
            for dotted in module_names(display):
                self._by_module.setdefault(dotted, display)
        self._parsed: dict[str, ParsedModule | None] = {}
        self._top_names: dict[str, frozenset[str]] = {}
        self._refocused: set[tuple[str, str]] = set()  # modules parsed again for a name
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

    def forget(self) -> None:
        """Drop every parsed module; each is parsed again when next asked for."""
        self._parsed.clear()
        self.size = 0

    def holds(self, display: str) -> bool:
        """Whether ``display`` is parsed and kept (asking does not parse it)."""
        return self._parsed.get(display) is not None

    def parsed(self, display: str, text: str | None = None) -> ParsedModule | None:
        self.accessed.add(display)
        if display not in self._parsed:
            self._parsed[display] = None  # guards against import cycles
            parsed = self._parsed[display] = self._parse(display, text)
            if parsed is not None:
                self.size += parsed.size
        return self._parsed[display]

    def module(self, dotted: str, name: str | None = None) -> ParsedModule | None:
        """The module ``dotted``; not parsed just to learn it has no top-level ``name``."""
        display = self._by_module.get(dotted)
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

    def _names(self, display: str) -> frozenset[str]:
        """Top-level names of a module, from Python's own (fast) parser."""
        if display not in self._top_names:
            self._top_names[display] = frozenset()
            try:
                data = self.files[display].read_bytes()
                tree = ast.parse(data)
            except SyntaxError:  # perhaps newer syntax, which libcst reads: any word may be a name
                words = re.findall(r"\w+", data.decode("utf-8", "replace"))
                self._top_names[display] = frozenset(words)
                return self._top_names[display]
            except (OSError, ValueError, RecursionError, MemoryError):
                return self._top_names[display]
            names: set[str] = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(node.name)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, ast.alias):
                    names.add((node.asname or node.name).split(".")[0])
            self._top_names[display] = frozenset(names)
        return self._top_names[display]
