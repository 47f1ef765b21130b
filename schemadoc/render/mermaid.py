"""Mermaid ER diagrams of the schema: safe names, escaped text, and splitting large schemas.

What Mermaid 11 accepts was measured in a real browser (see tests/test_render_mermaid.py):

* An attribute type or name may stay unquoted when it is a plain word; anything else goes in
  backticks (`` `DECIMAL(10, 2)` price ``), where HTML entity codes such as ``#quot;`` work.
  ``pk``, ``fk`` and ``uk`` as a whole name (or followed by ``-``/``.``) need backticks too.
* An entity whose name is not a plain word, or is a reserved word (``end``, ``to``, ``one``
  ...), gets a generated id and shows its real name as an alias label: ``to_do["to-do"]``.
  Relationship lines always use the id.
* Text in quotes (attribute comments, relationship labels, alias labels) is Markdown and
  HTML to Mermaid: characters that would format, vanish or break parsing become entity
  codes (``#quot;``, ``#lt;``, ``#42;`` ...).
* Mermaid refuses sources over ``maxTextSize`` (50,000 UTF-16 code units by default) and
  draws an error box instead, so a larger schema is drawn as several diagrams.

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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..model.schema import Relation, Schema, Table, ascii_fold

MAX_TEXT_SIZE = 50_000
"""Mermaid's default ``maxTextSize``: longer sources are not rendered."""

UNTYPED = "untyped"
"""The type shown for a column declared without one (Mermaid needs a type)."""

EMPTY_NAME = "`(empty)`"

HEADER = "erDiagram\n"
LEFT_TO_RIGHT = "    direction LR\n"
"""After the header: ranks run left to right, tables of one rank stacked."""

# Words the ER grammar takes as keywords where an entity name is expected (any case).
RESERVED = frozenset(
    {
        "one",
        "many",
        "to",
        "end",
        "class",
        "classdef",
        "style",
        "subgraph",
        "erdiagram",
        "acctitle",
        "accdescr",
        "direction",
        "only",
        "zero",
        "optionally",
        "u",
    }
)

_PLAIN_ENTITY = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_PLAIN_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_(),.\[\]-]*\Z")
_KEY_WORD = re.compile(r"(?i)(pk|fk|uk)(?![A-Za-z0-9_])")
_DIRECTION = re.compile(r"(?i)\b(direction) (LR|RL|TB|BT)\b")
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")

_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "%": "#37;",
    "\\": "#92;",
    "*": "#42;",
    "`": "#96;",
    "~": "#126;",
    "$": "#36;",
}


def text_size(text: str) -> int:
    """Length as Mermaid measures it (JavaScript string length: UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def escape_text(text: str) -> str:
    """Text for a quoted Mermaid string or a backticked name: one line, no markup."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    text = "".join(_ENTITIES.get(ch, ch) for ch in text)
    # An underscore inside a word never makes emphasis; one at a word's edge might.
    text = _LONE_UNDERSCORE.sub("#95;", text)
    # "direction LR" inside a line makes Mermaid drop the whole diagram.
    return _DIRECTION.sub(r"\1#32;\2", text)


def _token(value: str, plain: re.Pattern[str]) -> str:
    if plain.match(value) and not _KEY_WORD.match(value):
        return value
    escaped = escape_text(value)
    return f"`{escaped}`" if escaped else EMPTY_NAME


def attribute_type(declared: str) -> str:
    """A column type as Mermaid takes it; ``untyped`` when the column has none."""
    if not declared.strip():
        return UNTYPED
    return _token(declared, _PLAIN_TYPE)


def attribute_name(name: str) -> str:
    """A column name as Mermaid takes it (plain word, else in backticks)."""
    return _token(name, _PLAIN_NAME)


def quoted(text: str) -> str:
    """A double-quoted Mermaid string (comment or label)."""
    return f'"{escape_text(text)}"'


def plain_entity(name: str) -> bool:
    """True when ``name`` can stand unquoted as an entity id."""
    return bool(_PLAIN_ENTITY.match(name)) and ascii_fold(name) not in RESERVED


def sort_key(name: str) -> tuple[str, str]:
    return (ascii_fold(name), name)


def entity_ids(names: Iterable[str]) -> dict[str, str]:
    """A Mermaid id for every table: its name when plain, else a sanitised unique id.

    Deterministic: generated ids are assigned in sorted name order, never colliding (even
    by case) with a plain name or with each other.
    """
    ordered = sorted(set(names), key=sort_key)
    ids = {name: name for name in ordered if plain_entity(name)}
    used = {ascii_fold(name) for name in ids}
    for name in ordered:
        if name in ids:
            continue
        base = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "table"
        if not base[0].isalpha():
            base = f"t_{base}"
        candidate, n = base, 0
        while ascii_fold(candidate) in used or not plain_entity(candidate):
            n += 1
            candidate = f"{base}_{n}"
        ids[name] = candidate
        used.add(ascii_fold(candidate))
    return ids


def _declaration(name: str, ids: dict[str, str]) -> str:
    """How an entity is introduced: its id, plus an alias label when the id is not its name."""
    entity = ids[name]
    if entity == name:
        return entity
    label = escape_text(name) or "(empty)"
    return f'{entity}["{label}"]'


def _keys(table: Table) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {ascii_fold(c.name): [] for c in table.columns}
    for column in table.columns:
        if column.pk:
            keys[ascii_fold(column.name)].append("PK")
    fk_columns = {ascii_fold(c) for fk in table.foreign_keys for c in fk.columns}
    for folded in fk_columns:
        if folded in keys:
            keys[folded].append("FK")
    unique = {ascii_fold(c.name) for c in table.columns if c.unique}
    unique.update(
        ascii_fold(ix.columns[0].name)
        for ix in table.indexes
        if ix.unique and not ix.partial and len(ix.columns) == 1 and ix.columns[0].name
    )
    for folded in unique:
        if folded in keys and "PK" not in keys[folded]:
            keys[folded].append("UK")
    return keys


def entity_block(table: Table, ids: dict[str, str]) -> str:
    """The entity with its columns: ``type name PK, FK "comment"`` per line."""
    keys = _keys(table)
    lines = [f"    {_declaration(table.name, ids)} {{"]
    for column in table.columns:
        line = f"        {attribute_type(column.type)} {attribute_name(column.name)}"
        marks = keys.get(ascii_fold(column.name))
        if marks:
            line += " " + ", ".join(marks)
        if column.description and escape_text(column.description):
            line += f" {quoted(column.description)}"
        lines.append(line)
    lines.append("    }")
    return "\n".join(lines) + "\n"


def key_block(table: Table, ids: dict[str, str], related: Iterable[str] = ()) -> str:
    """The entity with its key columns only: primary and foreign key columns and those of
    ``related`` (folded names: the columns of its relationships), without comments. A table
    with none is drawn as a bare entity."""
    keys = _keys(table)
    wanted = set(related)
    lines = []
    for column in table.columns:
        folded = ascii_fold(column.name)
        marks = keys.get(folded, [])
        if folded not in wanted and "PK" not in marks and "FK" not in marks:
            continue
        line = f"        {attribute_type(column.type)} {attribute_name(column.name)}"
        if marks:
            line += " " + ", ".join(marks)
        lines.append(line)
    if not lines:
        return f"    {_declaration(table.name, ids)}\n"
    return "\n".join([f"    {_declaration(table.name, ids)} {{", *lines, "    }"]) + "\n"


def relation_label(relation: Relation) -> str:
    label = ", ".join(relation.from_columns)
    return f"{label} (inferred)" if relation.kind == "inferred" else label


def relation_line(relation: Relation, ids: dict[str, str]) -> str:
    """``parent <cardinality> child : "columns"``; parent first, as the model writes it."""
    parent, child = ids[relation.to_table], ids[relation.from_table]
    return f"    {parent} {relation.cardinality} {child} : {quoted(relation_label(relation))}\n"


def stub_line(name: str, ids: dict[str, str]) -> str:
    """A table drawn without columns (it is detailed in another diagram)."""
    return f"    {_declaration(name, ids)}\n" if ids[name] != name else ""


@dataclass(frozen=True)
class Diagram:
    """One Mermaid ER diagram: its source (no fences) and what it draws."""

    text: str
    tables: tuple[str, ...]  # tables drawn with their columns, sorted
    stubs: tuple[str, ...] = ()  # tables from other diagrams, drawn without columns
    group: int = 1  # 1-based group of related tables (connected component)
    part: int = 1  # 1-based part of that group
    parts: int = 1  # how many parts the group was split into
    unrelated: bool = False  # tables without any relationship, drawn together

    @property
    def size(self) -> int:
        return text_size(self.text)


@dataclass(frozen=True)
class DiagramSet:
    """The diagrams for a document: one, or several when the schema is too large for Mermaid;
    for a grouped schema (:func:`grouped_diagrams`), an overview and the diagrams of each
    group."""

    diagrams: tuple[Diagram, ...]
    limit: int
    full_size: int  # size of the single whole-schema diagram
    # Set for a grouped schema only (see grouped_diagrams); ``diagrams`` then holds the
    # diagrams of every group, in order.
    overview: tuple[Diagram, ...] = ()  # every table with its key columns (parts if too large)
    groups: tuple[DiagramGroup, ...] = ()
    max_tables: int = 0  # the most tables a group's diagram holds

    @property
    def split(self) -> bool:
        return len(self.diagrams) > 1

    @property
    def has_parts(self) -> bool:
        return any(d.parts > 1 for d in self.diagrams)

    @property
    def has_unrelated(self) -> bool:
        return any(d.unrelated for d in self.diagrams)

    @property
    def grouped(self) -> bool:
        """True when the schema is drawn as an overview plus a diagram per group."""
        return bool(self.groups)

    @property
    def has_stubs(self) -> bool:
        return any(d.stubs for d in self.diagrams)


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


class _Drawing:
    """The pieces of a schema's diagram, sized once; ``keys_only`` draws each table with its
    key columns only (see :func:`key_block`)."""

    def __init__(self, schema: Schema, keys_only: bool = False) -> None:
        self.tables = {t.name: t for t in sorted(schema.tables, key=lambda t: sort_key(t.name))}
        self.ids = entity_ids(self.tables)
        self.relations = [
            r for r in schema.relations if r.from_table in self.tables and r.to_table in self.tables
        ]
        if keys_only:
            related: dict[str, set[str]] = {name: set() for name in self.tables}
            for r in self.relations:
                related[r.from_table].update(ascii_fold(c) for c in r.from_columns)
                related[r.to_table].update(ascii_fold(c) for c in r.to_columns)
            self.blocks = {
                name: key_block(t, self.ids, related[name]) for name, t in self.tables.items()
            }
        else:
            self.blocks = {name: entity_block(t, self.ids) for name, t in self.tables.items()}
        self.lines = [relation_line(r, self.ids) for r in self.relations]

    def text(self, names: Sequence[str], orient: bool = False) -> tuple[str, tuple[str, ...]]:
        """Source drawing ``names`` in full, with their relations (each in the child's
        diagram) and stubs for related tables drawn elsewhere; ``orient`` runs it left to
        right when that puts fewer tables side by side (see :func:`_direction`)."""
        chosen = set(names)
        ordered = sorted(chosen, key=sort_key)
        parts = [HEADER, *(self.blocks[n] for n in ordered)]
        stubs: set[str] = set()
        lines = []
        edges = []
        for relation, line in zip(self.relations, self.lines, strict=True):
            if relation.from_table not in chosen:
                continue
            if relation.to_table not in chosen:
                stubs.add(relation.to_table)
            lines.append(line)
            edges.append((relation.to_table, relation.from_table))
        stub_names = tuple(sorted(stubs, key=sort_key))
        parts.extend(stub_line(n, self.ids) for n in stub_names)
        parts.extend(lines)
        if orient and _direction([*ordered, *stub_names], edges) == "LR":
            parts[0] = HEADER + LEFT_TO_RIGHT
        return "".join(parts), stub_names


def full_diagram(schema: Schema) -> str:
    """The whole schema as one Mermaid ER diagram, however large."""
    drawing = _Drawing(schema)
    return drawing.text(list(drawing.tables))[0]


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


def _direction(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> str:
    """``LR`` when a diagram of ``nodes`` has fewer ranks than tables in its widest rank (so
    running left to right makes it narrower), else ``TB``, Mermaid's default.

    Ranks as the layout makes them, near enough: a table goes one rank below its lowest
    parent (``edges`` are (parent, child) pairs), one without a parent in the first rank; a
    cycle is broken where a depth-first walk meets it.
    """
    parents: dict[str, list[str]] = {name: [] for name in nodes}
    for parent, child in edges:
        if parent != child and parent in parents and child in parents:
            parents[child].append(parent)
    rank: dict[str, int] = {}
    for start in nodes:
        if start in rank:
            continue
        stack = [(start, iter(parents[start]))]
        walking = {start}
        while stack:
            node, pending = stack[-1]
            for parent in pending:
                if parent not in rank and parent not in walking:
                    walking.add(parent)
                    stack.append((parent, iter(parents[parent])))
                    break
            else:
                stack.pop()
                walking.discard(node)
                rank[node] = max((rank[p] + 1 for p in parents[node] if p in rank), default=0)
    if not rank:
        return "TB"
    widths: dict[int, int] = {}
    for r in rank.values():
        widths[r] = widths.get(r, 0) + 1
    return "LR" if len(widths) < max(widths.values()) else "TB"


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


__all__ = [
    "MAX_TEXT_SIZE",
    "UNTYPED",
    "Diagram",
    "DiagramGroup",
    "DiagramSet",
    "NamedGroup",
    "attribute_name",
    "attribute_type",
    "build_diagrams",
    "entity_block",
    "entity_ids",
    "escape_text",
    "full_diagram",
    "grouped_diagrams",
    "key_block",
    "plain_entity",
    "quoted",
    "relation_line",
    "text_size",
]
