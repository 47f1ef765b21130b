"""The project's class hierarchy: the subclasses of a class (found from the files, parsed
on demand) and the bases DDL code can inherit from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import libcst as cst

from ..discover.source import class_lines
from ..pyeval.dependencies import SUBCLASSES_OF
from ..pyeval.modules import ModuleIndex, ParsedModule
from ..pyeval.resolve import Resolver
from ..pyeval.scope import ClassInfo
from .reach import Reach
from .summary import Summary

ClassLines = Callable[[str], list[list[Any]]]  # a file's ``source.class_lines``


def _last_name(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    return expr.attr.value if isinstance(expr, cst.Attribute) else ""


def class_lines_reader(files: dict[str, Path]) -> ClassLines:
    """``class_lines`` of the files, read from disk."""

    def read(display: str) -> list[list[Any]]:
        try:
            return class_lines(files[display].read_bytes())
        except (OSError, KeyError):
            return []

    return read


def _closure(start: set[str], step: Callable[[str], Iterable[str] | None]) -> set[str]:
    """``start`` and every name reached from it by ``step``, repeatedly."""
    found = set(start)
    pending = sorted(found)
    while pending:
        for reached in step(pending.pop()) or ():
            if reached not in found:
                found.add(reached)
                pending.append(reached)
    return found


class Hierarchy:
    """Subclasses of the project's classes, found from the files and parsed on demand."""

    def __init__(
        self,
        modules: ModuleIndex,
        resolver: Resolver,
        summaries: dict[str, Summary],
        class_lines: ClassLines,
        named: set[str],
        reach: Reach,
    ) -> None:
        self.modules = modules
        self.resolver = resolver
        self.reach = reach
        self._subclasses: dict[int, tuple[list[ClassInfo], set[str]]] = {}
        self._by_base, self.descendants, self.ancestors = self._index(summaries, class_lines, named)

    def forget(self) -> None:
        """Drop the subclasses found in parsed trees (not the index built from the files)."""
        self._subclasses.clear()

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        """Project subclasses of ``cls`` (transitively). The classes searched count among
        what the current file depends on (``SUBCLASSES_OF``)."""
        if id(cls) not in self._subclasses:
            self._subclasses[id(cls)] = ([], set())
            found: list[ClassInfo] = []
            searched: set[str] = set()
            frontier = [cls]
            while frontier:
                current = frontier.pop(0)
                searched.add(SUBCLASSES_OF + current.name)
                for display, name in self._classes_naming(current):
                    parsed = self.modules.parsed(display)
                    sub = parsed.scope.classes.get(name) if parsed else None
                    if parsed is None or sub is None or any(sub is f for f in found):
                        continue
                    if self._derives(sub, parsed, current):
                        found.append(sub)
                        frontier.append(sub)
            self._subclasses[id(cls)] = (found, searched)
        found, searched = self._subclasses[id(cls)]
        self.modules.accessed |= searched
        return found

    def _derives(self, sub: ClassInfo, parsed: ParsedModule, cls: ClassInfo) -> bool:
        """Whether a base of ``sub`` (in ``parsed``) that is named like ``cls`` is ``cls`` or
        derives from it. Its other bases are left unresolved: resolving a class with many
        mixins would parse the module of every one."""
        for expr in sub.bases:
            if _last_name(expr) != cls.name:
                continue
            base = self.resolver.find_class(expr, parsed)
            if base is not None and cls.key in self.resolver.ancestors(base):
                return True
        return False

    def _classes_naming(self, cls: ClassInfo) -> list[tuple[str, str]]:
        """(file, class) of the classes whose bases name ``cls``: in its own module, in the
        DDL files, and in other modules when they derive from a class holding DDL. Found
        from the files alone, not from whichever modules happen to be parsed already."""
        found = {
            (display, name)
            for display, name in self._by_base.get(cls.name, ())
            if self.reach.can_name(display, cls.display)
        }
        parsed = self.modules.parsed(cls.display)
        for other in parsed.scope.classes.values() if parsed else ():
            if cls.name in {_last_name(b) for b in other.bases}:
                found.add((cls.display, other.name))
        return sorted(found)

    def _index(
        self, summaries: dict[str, Summary], class_lines: ClassLines, named: set[str]
    ) -> tuple[dict[str, set[tuple[str, str]]], set[str], set[str]]:
        """(file, class) of classes by the names in their bases: every class of the DDL files
        (from their summaries), and the classes of other modules that derive, directly or
        not, from a class holding DDL (from their class statements, ``class_lines``); the
        names of those classes holding DDL or deriving from one; and ``named`` with the names
        in the bases, repeatedly, of the project's classes so named (by name alone: any
        class of that name counts)."""
        by_base: dict[str, set[tuple[str, str]]] = {}
        bases_of: dict[str, list[str]] = {}  # every class's, read once: not kept
        for display, summary in summaries.items():
            for name, bases in summary.bases:
                bases_of.setdefault(name, []).extend(bases)
                for base in bases:
                    by_base.setdefault(base, set()).add((display, name))
        elsewhere: dict[str, set[tuple[str, str]]] = {}
        for display in sorted(self.modules.files):
            if display in summaries or not display.endswith((".py", ".pyi")):
                continue
            for name, bases in class_lines(display):
                bases_of.setdefault(name, []).extend(bases)
                for base in bases:
                    elsewhere.setdefault(base, set()).add((display, name))

        def subclasses(name: str) -> set[str]:
            return {c for _, c in elsewhere.get(name, set()) | by_base.get(name, set())}

        holders = {name for summary in summaries.values() for name in summary.holders}
        descendants = _closure(holders, subclasses)
        for base in sorted(descendants & elsewhere.keys()):
            by_base.setdefault(base, set()).update(elsewhere[base])
        return by_base, descendants, _closure(named, bases_of.get)
