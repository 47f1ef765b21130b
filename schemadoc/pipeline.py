"""The library entry point: paths in, verified schema and diagnostics out.

``scan`` runs the whole pipeline. It is split in two so that an unchanged project costs
almost nothing: ``survey`` finds the files and tells, from the cache and the files' sizes,
times and hashes, what changed (it imports neither libcst nor sqlglot); ``analyse`` extracts
what must be extracted again, then parses, verifies and relates the schema. ``document``
first asks the tree's snapshot (``incremental.snapshot``) whether anything changed at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .config import Settings, database_of
from .discover.git import Listings
from .extract.heap import fewer_collections
from .incremental import snapshot, store
from .incremental.cache import Cache
from .incremental.changes import FileState, Survey, file_text, reusable_units, unaffected
from .incremental.documents import document_key, file_stamp, holds_document, templates_fingerprint
from .incremental.survey import Progress, look, survey
from .model import ignores
from .model.diagnostics import SD111, failed
from .model.ignores import comment_codes
from .model.schema import Diagnostic, Origin, Schema, SqlStatement, in_database, merged
from .sql.migrations import up_part

# Extract in worker processes from this many files on. Measured on 2 cores (benchmark tree,
# cold): each worker parses again the modules its files resolve names through, so 24 to 200
# files take 0.3-0.5 s less wall time for about 45% more CPU; all 331 candidates take 25%
# less wall time on an idle machine (but more on a busy one: 50 s against 35 s) for 60% more
# CPU, and each worker holds nearly as much memory as a serial run (490 MB serial against
# 975 MB over the process tree). Workers are kept for runs well beyond that benchmark's size.
PARALLEL_MIN_FILES = 1_000


@dataclass(frozen=True)
class Result:
    """What a scan found: the schema (with its diagnostics) and how much was read."""

    schema: Schema
    files: int
    candidates: int
    left_out: int = 0  # test, fixture, documentation and example files not scanned
    reported: tuple[Diagnostic, ...] | None = None  # the diagnostics no ignore silences

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """What the run reports: the schema's diagnostics, less those ignored."""
        return self.schema.diagnostics if self.reported is None else self.reported

    def has_errors(self, strict: bool = False) -> bool:
        return failed(self.diagnostics, strict)


def sql_fragment(text: str, display: str) -> tuple[Any, Diagnostic | None]:
    """A ``.sql`` file is one DDL script with its own line numbers: its up migration (a
    template's ``{name}`` fields made placeholders), and a note when a down migration was
    left out."""
    from .extract.fragments import Fragment
    from .pyeval.formatting import mark_templates
    from .pyeval.values import Piece, Value

    up, note = up_part(text, display)
    value = mark_templates(Value((Piece(up, (display, 1, 0), exact=True),)))
    return Fragment(value, display, Origin()), note


def statements_of(
    fragments: Sequence[Any], tests: frozenset[str] = frozenset()
) -> list[SqlStatement]:
    """Split fragments into located statements, each listed once; those of the files
    ``tests`` are test code."""
    out: dict[tuple, SqlStatement] = {}
    for frag in fragments:
        origin = replace(frag.origin, in_test=frag.path in tests)
        for t in frag.split:
            source = frag.source_at(t.offset)
            stmt = SqlStatement(t.sql, source, t.description, t.placeholders, origin)
            out.setdefault((stmt.source, stmt.sql), stmt)
    return list(out.values())


def analyse(s: Survey, progress: Progress | None = None) -> Result:
    """Extract what changed, reuse the rest, and verify the whole schema."""
    from .extract.extractor import merge, placeholder_warnings
    from .extract.summary import summarize

    files = {d: st.path for d, st in s.files.items()}
    problems = [d for st in s.files.values() for d in st.problems]
    summaries: dict[str, Any] = {}
    sql_units: list[Any] = []
    for display, st in sorted(s.files.items()):
        if not st.ddl or st.problems:
            continue
        if display.endswith(".sql"):
            text = st.text if st.text is not None else file_text(st)
            unit, note = sql_fragment(text, display)
            sql_units.append(unit)
            if note:
                problems.append(note)
            continue
        text, st.text = st.text, None  # read again to be extracted: not all held at once
        known = store.summary(s.cache, display)
        if known is not None:
            summaries[display] = known
            continue
        summary, problem = summarize(text if text is not None else file_text(st), display)
        if summary is None:
            problems.append(problem)
            continue
        summaries[display] = summary
        store.keep_summary(s.cache, display, summary)

    summaries = {d: summary for d, summary in summaries.items() if summary.holds_ddl}
    results, todo = reusable_units(s, summaries)
    for unit in _process(files, summaries, todo, s, progress):
        results[unit.display] = unit
        store.keep_unit(s.cache, unit)
    fragments, found = merge(list(results.values()))
    found += placeholder_warnings(sql_units)
    # Production first: a test's definition of a table never replaces production's.
    ordered = sorted(
        [*fragments, *sql_units], key=lambda f: (f.path in s.tests, path_order(f.path))
    )
    schema = _verify(s, statements_of(ordered, s.tests))
    everything = sorted(
        {*s.diagnostics, *problems, *found, *schema.diagnostics}, key=Diagnostic.sort_key
    )
    if not (schema.tables or schema.views or schema.triggers):
        everything.append(_nothing_documented(sorted(summaries) + [u.path for u in sql_units]))
    s.cache.forget(set(s.files))
    s.cache.save()
    return Result(
        replace(schema, diagnostics=tuple(everything)),
        s.found,
        len(summaries) + len(sql_units),
        s.left_out,
        tuple(_reported(s, everything)),
    )


def _nothing_documented(candidates: list[str]) -> Diagnostic:
    """Why a run documents nothing: which files held DDL-like text, or that none did."""
    if not candidates:
        return SD111("nothing is documented: no file scanned holds a CREATE statement")
    shown = ", ".join(candidates[:5]) + (
        f" and {len(candidates) - 5} more" if len(candidates) > 5 else ""
    )
    return SD111(f"nothing is documented: no statement of the DDL-like text in {shown} was applied")


def _reported(s: Survey, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics no ignore silences (see ``ignores``), with the unused ignores under
    ``strict``."""
    texts: dict[str, list[str]] = {}

    def lines(display: str) -> list[str]:
        if display not in texts:
            st = s.files.get(display)
            try:
                texts[display] = file_text(st).splitlines() if st is not None else []
            except OSError:
                texts[display] = []
        return texts[display]

    def line_of(display: str, line: int) -> str | None:
        found = lines(display)
        return found[line - 1] if 0 < line <= len(found) else None

    comments = []
    if s.settings.strict:
        for display in sorted(d for d, st in s.files.items() if st.ddl):
            for number, text in enumerate(lines(display), 1):
                codes = comment_codes(text)
                if codes is not None:
                    comments.append((display, number, codes))
    return ignores.apply(
        diagnostics, s.settings.ignore, line_of, strict=s.settings.strict, comments=comments
    )


_DIGITS = re.compile(r"(\d+)")


def path_order(path: str) -> tuple[list[str | int], str]:
    """The order files are applied in: by path, numbers compared as numbers (a migration
    ``2.sql`` comes before ``10.sql``)."""
    parts = _DIGITS.split(path)
    return [int(p) if i % 2 else p for i, p in enumerate(parts)], path


def _verify(s: Survey, statements: list[SqlStatement]) -> Schema:
    """Verify, reusing what earlier runs found for groups of statements that did not change;
    the statements of each configured database (by file) apart from the main one's, with
    the relations within each."""
    from .extract.heap import give_back
    from .relations import relate
    from .verify.verify import verify_parts

    known = store.verified_parts(s.cache)
    databases = s.settings.databases
    parts: dict[str | None, list[SqlStatement]] = {None: []}
    for stmt in statements:
        parts.setdefault(database_of(stmt.source.path, databases), []).append(stmt)
    schemas, kept = [], {}
    for name in [None, *(d.name for d in databases)]:
        if name in parts:
            schema, fresh = verify_parts(parts[name], known)
            give_back()  # what SQLite held for the scratch databases, now closed
            kept.update(fresh)
            schema = relate(schema, infer=s.settings.infer_relations)
            schemas.append(schema if name is None else in_database(schema, name))
    store.keep_verified(s.cache, known, kept)
    # the main database's objects, then each configured one's, then those it attaches
    rank = {None: "", **{d.name: f"{i:04}" for i, d in enumerate(databases, 1)}}
    return merged(schemas, key=lambda database: rank.get(database, f"~{database}"))


def _process(
    files: dict[str, Path],
    summaries: dict[str, Any],
    todo: list[str],
    s: Survey,
    progress: Progress | None,
) -> list[Any]:
    """Extract the ``todo`` files and the base-class files they need, each once."""
    from .extract.extractor import Extractor
    from .extract.heap import give_back
    from .extract.hierarchy import class_lines_reader

    if len(todo) >= PARALLEL_MIN_FILES and (os.cpu_count() or 1) > 1:
        from .extract.workers import process_parallel

        return process_parallel(files, summaries, todo, s.tests, progress)

    from_disk = class_lines_reader(files)

    def classes_of(display: str) -> list[list[Any]]:
        """The class lines of a file: read this run (then let go: the index keeps what it
        needs), cached, or read now."""
        st = s.files.get(display)
        if st is not None and st.classes is not None:
            classes, st.classes = st.classes, None
            return classes
        cached = store.class_lines(s.cache, display)
        return cached if cached is not None else from_disk(display)

    # Python texts were let go once summarized: each file is read again to be extracted.
    order = _extraction_order(todo, s.files)
    extractor = Extractor(files, summaries, class_lines=classes_of, tests=s.tests)
    units = extractor.process_all(order, None, progress)
    give_back()  # what the parsed trees took, now that they are freed
    return units


@fewer_collections()
def scan(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    cache: Cache | None = None,
    listings: Listings | None = None,
) -> Result:
    """Find, parse and verify the DDL below ``paths``; relations included. ``cache`` and
    ``listings``: see ``survey``."""
    s = survey(paths, settings or Settings(), progress, cache=cache, listings=listings)
    return analyse(s, progress)


@dataclass(frozen=True)
class Document:
    """A rendered document and the diagnostics of the schema it documents. ``content`` is
    None when the target file already holds the document (and so was not read)."""

    content: str | None
    diagnostics: tuple[Diagnostic, ...]
    files: int
    left_out: int = 0  # test, fixture, documentation and example files not scanned
    _cache: Cache | None = field(default=None, repr=False, compare=False)
    _key: str = field(default="", repr=False, compare=False)

    def has_errors(self, strict: bool = False) -> bool:
        return failed(self.diagnostics, strict)

    def written(self, target: Path) -> None:
        """Remember that ``target`` now holds this document: the next run need not read it."""
        if self._cache is None:
            return
        try:
            stamp = file_stamp(os.stat(target))
        except OSError:
            return
        self._cache.put_target(os.path.abspath(target), stamp, self._key)
        self._cache.save()


@fewer_collections()
def document(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    progress: Progress | None = None,
    known: str | None = None,
    target: Path | None = None,
) -> Document:
    """The rendered document; when nothing it depends on changed, straight from the cache.

    ``target`` is the file the document goes to: when it holds the document already, the
    result's ``content`` is None, and the file was read only if its size, times and inode
    were not those it had when last written (see ``Document.written``) or found current.
    ``known`` is the document on disk, if any: when it is current, it is all that is read.
    """
    templates = templates_fingerprint(settings)
    tree = look(paths, settings) if target is not None else None
    if tree is not None and tree.settled is not None and target is not None:
        found, cache = tree.settled, tree.cache
        key = document_key(found.fingerprint, settings, templates)
        diagnostics = cache.diagnostics(key)
        if diagnostics is not None and holds_document(cache, key, target):
            cache.save()  # the target's stamp, if it moved while its content did not
            return Document(None, tuple(diagnostics), found.found, found.left_out, cache, key)
    if tree is None:
        s = survey(paths, settings, progress)
    else:  # git is not asked again
        s = survey(paths, settings, progress, listings=tree.listings, listed=tree.listed)
    if shot := snapshot.taken(s, snapshot.run_key(paths, settings)):
        s.cache.put_snapshot(shot)  # for the next run (see ``unchanged``)
    key = document_key(s.fingerprint, settings, templates)
    diagnostics = s.cache.diagnostics(key)
    if target is not None and diagnostics is not None and holds_document(s.cache, key, target):
        s.cache.save()  # file times may have moved on while contents did not
        return Document(None, tuple(diagnostics), s.found, s.left_out, s.cache, key)
    cached = s.cache.output(key, known)
    if cached is None and unaffected(s):
        cached = s.cache.output(document_key(s.previous_fingerprint, settings, templates), known)
        if cached is not None:
            s.cache.put_output(key, cached[0], cached[1])
    if cached is not None:
        s.cache.save()
        return Document(cached[0], tuple(cached[1]), s.found, s.left_out, s.cache, key)
    from .render.formats import render

    result = analyse(s, progress)
    content = render(result.schema, settings)
    s.cache.put_output(key, content, list(result.diagnostics))
    s.cache.save()
    return Document(content, result.diagnostics, s.found, s.left_out, s.cache, key)


def _extraction_order(todo: list[str], files: dict[str, FileState]) -> list[str]:
    """Largest first: the biggest parses come while little else is held. Measured on the
    benchmark tree (cold): peak memory 300 MB against 292 MB, and 4% less time."""
    return sorted(todo, key=lambda d: (-files[d].size, d))
