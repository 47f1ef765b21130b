"""Find the SQL DDL held in the string literals of Python sources (libcst), with locations.

Scanned code is parsed, never imported or run. Every string-building expression (literals,
implicit and ``+`` concatenation, f-strings, ``.format``/``%`` templates, ``textwrap.dedent``)
is evaluated statically; names are resolved to module and class constants, instance
attributes and parameter defaults, also across modules of the scanned project. What cannot be
known stays a visible placeholder such as ``{table}``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..model.diagnostics import SD101, SD103, SD106
from ..model.schema import Diagnostic
from ..pyeval.memo import Choice
from ..pyeval.modules import ModuleIndex
from ..pyeval.resolve import Resolver, identity
from ..pyeval.values import code_of
from ..pyeval.walk import walk
from .finder import Finder
from .fragments import Fragment
from .heap import fewer_collections, give_back, resident
from .hierarchy import ClassLines, Hierarchy, class_lines_reader
from .instances import Instantiator
from .reach import Reach
from .summary import Focus, Summary, parse_file


@dataclass
class UnitResult:
    """What processing one file found, with what it depended on (for the cache)."""

    display: str
    fragments: list[Fragment]
    raws: list[tuple]  # identity of each fragment's text before templates became placeholders
    templates: list[tuple]  # templates this file formats (their definitions are not DDL)
    diagnostics: list[Diagnostic]
    deps: list[str]  # other files the results depend on, and what was looked for (see
    # ``dependencies``)
    bases: list[str]  # files of base classes, processed as units too


# Parsed modules are kept from file to file, so that a module most files use (a project's
# 400,000-character database module) is parsed once. They are dropped before the next file,
# and parsed again as it needs them, once they hold PARSED_BUDGET characters of source (a
# libcst tree takes about 30 bytes per character) or once the process is larger than
# MEMORY_BUDGET: libcst's parse of one large module takes, for a moment, about 400 bytes per
# character on top of what is held (on the benchmark tree, 170 MB for a 420,000-character
# module), and the process should stay under 300 MB. What the process holds besides the
# trees (on a 30,000-file tree, about 190 MB of what the files' text says) stays when they
# are dropped: past a drop, the process must also have grown by MEMORY_HEADROOM, or a budget
# that this alone exceeds would drop every module before every file.
PARSED_BUDGET = 3_000_000
MEMORY_BUDGET = 120 * 1024 * 1024
MEMORY_HEADROOM = 32 * 1024 * 1024
_RECURSION_LIMIT = 20_000


def _too_complex(path: str, exc: BaseException) -> Diagnostic:
    what = "nested too deeply" if isinstance(exc, RecursionError) else "too large"
    return SD101(f"cannot analyse Python: expressions {what}", path, 1, 0)


class Extractor:
    """Processes files one at a time over a shared, lazily parsed project."""

    def __init__(
        self,
        files: dict[str, Path],
        summaries: dict[str, Summary],
        budget: int = PARSED_BUDGET,
        class_lines: ClassLines | None = None,
        tests: frozenset[str] = frozenset(),
    ) -> None:
        """``tests``: the files that are test code (see ``Instantiator``)."""
        self.budget = budget
        self._floor = 0  # the process's size when parsed modules were last dropped
        focus = Focus(set(), set(), set())
        for summary in summaries.values():
            focus.words |= summary.mentions
            focus.callables |= summary.holders
        layouts = {d: s.layout for d, s in summaries.items() if s.layout is not None}
        parse = parse_file(files, focus, layouts)
        self.modules = ModuleIndex(files, parse, lambda n: n in focus.words)
        self.resolver = Resolver(self.modules)
        reach = Reach(files)
        # What DDL code inherits can be defined in any base, named in modules it never names.
        self.hierarchy = Hierarchy(
            self.modules,
            self.resolver,
            summaries,
            class_lines or class_lines_reader(files),
            focus.words,
            reach,
        )
        focus.derived = self.hierarchy.descendants
        focus.words = self.hierarchy.ancestors
        self.instantiator = Instantiator(
            self.resolver, self.modules, self.hierarchy.subclasses, reach, tests
        )

    def _forget_parsed(self, keep: str) -> None:
        """Drop the parsed modules but ``keep`` (the file about to be processed, which would
        be parsed again at once) and all that refers to their trees; what is known from the
        files' text (module names, who calls what, class bases) stays."""
        self.modules.forget(keep)
        self.resolver.forget()
        self.instantiator.forget()
        self.hierarchy.forget()
        code_of.cache_clear()
        give_back()
        self._floor = resident() or 0

    def _memory_full(self) -> bool:
        size = resident()
        return size is not None and size > max(MEMORY_BUDGET, self._floor + MEMORY_HEADROOM)

    def process_all(
        self,
        displays: list[str],
        text_of: Callable[[str], str | None] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> list[UnitResult]:
        """Process ``displays`` and the base-class files they lead to, each once, in order;
        a file's text is ``text_of`` it, else read from the file."""
        out: list[UnitResult] = []
        done: set[str] = set()
        pending = list(displays)
        with fewer_collections():
            while pending:
                display = pending.pop(self._next(pending))
                if display in done:
                    continue
                done.add(display)
                unit = self.process(display, text_of(display) if text_of else None)
                out.append(unit)
                pending.extend(b for b in unit.bases if b not in done)
                if progress:
                    progress("extracted", len(done), len(done) + len(pending))
        return out

    def _next(self, pending: list[str]) -> int:
        """Where in ``pending`` the file to process next is: the first that is parsed already
        (as what another file needed), so that it is not parsed again once dropped; else the
        first. The output does not depend on the order."""
        return next((i for i, d in enumerate(pending) if self.modules.holds(d)), 0)

    def process(self, display: str, text: str | None = None) -> UnitResult:
        """The DDL of one file, with every name resolved across the project."""
        if self.modules.size > self.budget or (self.modules.size and self._memory_full()):
            self._forget_parsed(keep=display)
        # Long concatenations nest deeply in libcst's tree; Python frames are cheap here.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
        try:
            return self._process(display, text)
        finally:
            sys.setrecursionlimit(limit)

    def _process(self, display: str, text: str | None) -> UnitResult:
        self.modules.accessed.clear()
        self.resolver.templates = set()
        result = UnitResult(display, [], [], [], [], [], [])
        parsed = self.modules.parsed(display, text)
        if parsed is None:
            result.diagnostics.append(SD101("cannot parse Python", display, 1, 0))
            return result
        finder = Finder(parsed, self.resolver, self.hierarchy.subclasses)
        try:
            walk(parsed.module, finder)
            bases = {
                key[0]
                for cls in parsed.scope.classes.values()
                for key in self.resolver.ancestors(cls)[1:]
            }
        except (RecursionError, MemoryError) as exc:
            result.diagnostics.append(_too_complex(display, exc))
            return result
        for item in finder.found:
            try:
                expanded = self.instantiator.expand(item)
            except (RecursionError, MemoryError) as exc:
                result.diagnostics.append(_too_complex(item.fragment.path, exc))
                expanded = [item.fragment]
            for fragment in expanded:
                result.fragments.append(fragment)
                result.raws.append(item.raw)
        result.diagnostics.extend(_chosen(choice, display) for choice in sorted(finder.choices))
        result.templates = sorted(self.resolver.templates, key=repr)
        result.deps = sorted(self.modules.accessed - {display})
        result.bases = sorted(bases - {display})
        return result


def _chosen(choice: Choice, display: str) -> Diagnostic:
    """The warning for a name assigned different values, the first standing for them."""
    name, values = choice
    path, line, column = values[0][1] or (display, 1, 0)
    texts = ", ".join(repr(text) for text, _ in values)
    return SD106(
        f"{name} is assigned different values ({texts}); the first is documented",
        path,
        line,
        column,
    )


def merge(results: list[UnitResult]) -> tuple[list[Fragment], list[Diagnostic]]:
    """Fragments of all files, each once, without templates that are formatted elsewhere."""
    templates = {tuple(t) for r in results for t in r.templates}
    fragments: dict[tuple, Fragment] = {}
    diagnostics: list[Diagnostic] = []
    for result in sorted(results, key=lambda r: r.display):
        diagnostics.extend(result.diagnostics)
        for fragment, raw in zip(result.fragments, result.raws, strict=True):
            if tuple(raw) not in templates:
                fragments.setdefault(identity(fragment.value), fragment)
    kept = list(fragments.values())
    diagnostics += placeholder_warnings(kept)
    return kept, list(dict.fromkeys(diagnostics))


def placeholder_warnings(fragments: Iterable[Fragment]) -> list[Diagnostic]:
    """A warning for each placeholder of ``fragments``: a value only known at run time."""
    out = []
    for frag in fragments:
        for piece in frag.value.pieces:
            if piece.placeholder:
                where = frag.source_at(0)
                pos = piece.pos or (where.path, where.line, where.column)
                out.append(
                    SD103(
                        f"cannot resolve {piece.text} statically; a placeholder stands for it",
                        pos[0],
                        pos[1],
                        pos[2],
                    )
                )
    return out
