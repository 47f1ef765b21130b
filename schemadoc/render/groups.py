"""Several Mermaid ER diagrams for a schema too large for one (see
:mod:`schemadoc.render.mermaid` for the diagrams themselves): split by related tables and
size (:func:`build_diagrams`), or drawn as an overview and a diagram per group of tables
(:func:`grouped_diagrams`).

Mermaid lays an ER diagram out top to bottom and puts every table of a rank side by side:
measured in Chromium, a star of 15 tables (six columns each) is 5,010 px wide, 15 tables
without relationships 5,247 px, 42 tables (three groups of related tables, six alone) 7,539 px,
where a page shows about 1,000 px. A schema of more than ``diagram_max_tables`` tables is
therefore drawn as an overview (every table with its key columns only) and one diagram per
group of related tables (:func:`grouped_diagrams`); those diagrams run left to right when that
keeps fewer tables side by side (``direction LR``: the same star is 594 px wide, the widest
diagram of those 42 tables 1,416 px).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..model.schema import Schema, ascii_fold
from .mermaid import (
    HEADER,
    LEFT_TO_RIGHT,
    MAX_TEXT_SIZE,
    Diagram,
    DiagramSet,
    _Drawing,
    sort_key,
    stub_line,
    text_size,
)


@dataclass(frozen=True)
class DiagramGroup:
    """A group of tables in a grouped schema, with its diagrams (``parts``: more than one
    when it holds more than ``max_tables`` tables).

    ``kind`` says where it comes from: ``named`` (``[tool.schemadoc.groups]``: ``title`` is
    its name), ``related`` (tables joined by relationships: ``title`` is the one most of
    them refer to), ``module`` (tables without relationships defined in one file: ``title``
    is its path) or ``other`` (the remaining tables without relationships).
    """

    kind: str
    title: str
    tables: tuple[str, ...]  # sorted
    parts: tuple[Diagram, ...]
    description: str | None = None


def _neighbours(drawing: _Drawing) -> dict[str, set[str]]:
    """The tables each table shares a relationship with (not itself)."""
    neighbours: dict[str, set[str]] = {name: set() for name in drawing.tables}
    for r in drawing.relations:
        if r.from_table != r.to_table:
            neighbours[r.from_table].add(r.to_table)
            neighbours[r.to_table].add(r.from_table)
    return neighbours


def _connected(names: Sequence[str], neighbours: dict[str, set[str]]) -> list[list[str]]:
    """Connected groups among ``names`` (sorted), each in breadth-first order from its first
    table, following relationships between ``names`` only."""
    allowed = set(names)
    seen: set[str] = set()
    groups = []
    for start in names:
        if start in seen:
            continue
        order, queue = [], [start]
        seen.add(start)
        while queue:
            name = queue.pop(0)
            order.append(name)
            for nxt in sorted((neighbours[name] & allowed) - seen, key=sort_key):
                seen.add(nxt)
                queue.append(nxt)
        groups.append(order)
    return groups


def _components(drawing: _Drawing) -> list[list[str]]:
    """Connected groups of tables, each in breadth-first order from its first table."""
    return _connected(list(drawing.tables), _neighbours(drawing))


def _pack(drawing: _Drawing, names: list[str], limit: int) -> list[list[str]]:
    """Split ``names`` (in order) into consecutive chunks whose diagrams fit ``limit``.

    The running size over-estimates (every relation line and a stub for every related
    table), so a chunk that fits the estimate fits for real. A table too large on its own
    gets a chunk of its own.
    """
    wanted = set(names)
    lines_cost: dict[str, int] = {}  # the relation lines drawn from each table, with stubs
    for r, line in zip(drawing.relations, drawing.lines, strict=True):
        if r.from_table in wanted:
            cost = text_size(line) + text_size(stub_line(r.to_table, drawing.ids))
            lines_cost[r.from_table] = lines_cost.get(r.from_table, 0) + cost
    chunks: list[list[str]] = []
    current: list[str] = []
    size = text_size(HEADER)
    for name in names:
        cost = text_size(drawing.blocks[name]) + lines_cost.get(name, 0)
        if current and size + cost > limit:
            chunks.append(current)
            current, size = [], text_size(HEADER)
        current.append(name)
        size += cost
    if current:
        chunks.append(current)
    return chunks


def build_diagrams(schema: Schema, limit: int = MAX_TEXT_SIZE) -> DiagramSet:
    """One diagram when the whole schema fits ``limit``; else one per group of related
    tables (tables without relationships share diagrams), and groups that are too large
    on their own split into parts."""
    drawing = _Drawing(schema)
    whole, _ = drawing.text(list(drawing.tables))
    full_size = text_size(whole)
    if full_size <= limit:
        diagram = Diagram(whole, tuple(drawing.tables))
        return DiagramSet((diagram,), limit, full_size)
    groups = _components(drawing)
    self_related = {r.from_table for r in drawing.relations if r.from_table == r.to_table}
    related = [g for g in groups if len(g) > 1 or g[0] in self_related]
    lonely = [g[0] for g in groups if len(g) == 1 and g[0] not in self_related]
    planned: list[tuple[list[list[str]], bool]] = [
        (_pack(drawing, g, limit), False) for g in related
    ]
    if lonely:
        planned.extend(([chunk], True) for chunk in _pack(drawing, lonely, limit))
    diagrams = []
    for number, (chunks, unrelated) in enumerate(planned, start=1):
        for part, chunk in enumerate(chunks, start=1):
            text, stubs = drawing.text(chunk)
            diagrams.append(
                Diagram(
                    text,
                    tuple(sorted(chunk, key=sort_key)),
                    stubs,
                    number,
                    part,
                    len(chunks),
                    unrelated,
                )
            )
    return DiagramSet(tuple(diagrams), limit, full_size)


NamedGroup = tuple[str, tuple[str, ...], "str | None"]
"""A group named in ``[tool.schemadoc.groups]``: its name, table-name globs, description."""


class _Links:
    """Who relates to whom among a drawing's tables (a table's relationship to itself aside)."""

    def __init__(self, drawing: _Drawing) -> None:
        self.neighbours = _neighbours(drawing)
        self.referrers: dict[str, set[str]] = {name: set() for name in drawing.tables}
        self.parents: dict[str, set[str]] = {name: set() for name in drawing.tables}
        for r in drawing.relations:
            if r.from_table != r.to_table:
                self.referrers[r.to_table].add(r.from_table)
                self.parents[r.from_table].add(r.to_table)

    def central(self, members: Iterable[str]) -> list[str]:
        """``members`` most central first: referred to by the most of them, then referring
        to the fewest of them, then by name."""
        within = set(members)
        return sorted(
            within,
            key=lambda n: (
                -len(self.referrers[n] & within),
                len(self.parents[n] & within),
                sort_key(n),
            ),
        )


def _split(members: Sequence[str], links: _Links, max_tables: int) -> list[list[str]]:
    """``members`` in as few parts of at most ``max_tables`` as can be, of even sizes.

    The parts cut the depth-first order of the members' relationships (among themselves)
    from the most central one (:meth:`_Links.central`), so a table and the tables reached
    through it tend to share a part, the most central table in the first.
    """
    if len(members) <= max_tables:
        return [list(members)]
    within = set(members)
    order: list[str] = []
    seen: set[str] = set()
    for start in links.central(members):
        stack = [start]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            order.append(name)
            nxt = sorted((links.neighbours[name] & within) - seen, key=sort_key, reverse=True)
            stack.extend(nxt)
    count = math.ceil(len(order) / max_tables)
    size, longer = divmod(len(order), count)
    parts, at = [], 0
    for number in range(count):
        end = at + size + (number < longer)
        parts.append(order[at:end])
        at = end
    return parts


def _plan(
    drawing: _Drawing, links: _Links, groups: Sequence[NamedGroup]
) -> list[tuple[str, str, list[str], str | None]]:
    """The groups as (kind, title, tables, description): the named ones in the order given,
    then the other tables' connected groups (largest first), then tables without
    relationships by the file that defines them (one with at least two such tables), then
    the rest. A table may be in several named groups. A connected group is named after its
    most central table (:meth:`_Links.central`)."""
    names = list(drawing.tables)
    planned: list[tuple[str, str, list[str], str | None]] = []
    taken: set[str] = set()
    for title, globs, description in groups:
        patterns = [ascii_fold(glob) for glob in globs]
        members = [n for n in names if any(fnmatchcase(ascii_fold(n), p) for p in patterns)]
        if members:
            planned.append(("named", title, members, description))
            taken.update(members)
    self_related = {r.from_table for r in drawing.relations if r.from_table == r.to_table}
    related = []
    lonely: dict[str, list[str]] = {}
    for component in _connected([n for n in names if n not in taken], links.neighbours):
        if len(component) > 1 or component[0] in self_related:
            related.append((links.central(component)[0], component))
        else:
            source = drawing.tables[component[0]].source
            lonely.setdefault(source.path if source else "", []).append(component[0])
    related.sort(key=lambda c: (-len(c[1]), sort_key(c[0])))
    planned.extend(("related", central, component, None) for central, component in related)
    other: list[str] = []
    for path in sorted(lonely):
        if path and len(lonely[path]) > 1:
            planned.append(("module", path, lonely[path], None))
        else:
            other.extend(lonely[path])
    if other:
        planned.append(("other", "", sorted(other, key=sort_key), None))
    return planned


def grouped_diagrams(
    schema: Schema,
    max_tables: int,
    groups: Sequence[NamedGroup] = (),
    limit: int = MAX_TEXT_SIZE,
) -> DiagramSet:
    """The schema as an overview and a diagram per group of tables, each small enough to read.

    The overview draws every table with its key columns only (primary and foreign keys, the
    columns of its relationships) and every relationship. Groups (see :func:`_plan`) are
    drawn with every column; one of more than ``max_tables`` tables is split into parts
    (:func:`_split`), and a part too large for Mermaid's ``limit`` further. A relationship
    to a table outside a diagram is drawn there to that table without its columns. Each
    diagram runs left to right when that makes it narrower (:func:`_direction`).
    """
    drawing = _Drawing(schema)
    links = _Links(drawing)
    full_size = text_size(drawing.text(list(drawing.tables))[0])
    budget = limit - text_size(LEFT_TO_RIGHT)
    found: list[DiagramGroup] = []
    for number, (kind, title, members, description) in enumerate(
        _plan(drawing, links, groups), start=1
    ):
        chunks = [
            chunk
            for part in _split(members, links, max(1, max_tables))
            for chunk in _pack(drawing, part, budget)
        ]
        parts = []
        for part, chunk in enumerate(chunks, start=1):
            text, stubs = drawing.text(chunk, orient=True)
            ordered = tuple(sorted(chunk, key=sort_key))
            unrelated = kind in ("module", "other")
            parts.append(Diagram(text, ordered, stubs, number, part, len(chunks), unrelated))
        found.append(
            DiagramGroup(
                kind, title, tuple(sorted(members, key=sort_key)), tuple(parts), description
            )
        )
    keys = _Drawing(schema, keys_only=True)
    order = [name for component in _components(keys) for name in component]
    whole, _ = keys.text(order, orient=True)
    chunks = [order] if text_size(whole) <= limit else _pack(keys, order, budget)
    overview = []
    for part, chunk in enumerate(chunks, start=1):
        text, stubs = keys.text(chunk, orient=True)
        ordered = tuple(sorted(chunk, key=sort_key))
        overview.append(Diagram(text, ordered, stubs, 0, part, len(chunks)))
    return DiagramSet(
        tuple(d for group in found for d in group.parts),
        limit,
        full_size,
        tuple(overview),
        tuple(found),
        max_tables,
    )
