"""Mermaid ER diagrams of the schema: safe names, escaped text, and drawing tables with their
relationships (splitting a large schema into several diagrams is in :mod:`.groups`).

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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model.schema import Relation, Schema, Table, ascii_fold

if TYPE_CHECKING:
    from .groups import DiagramGroup

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
    for a grouped schema (:func:`.groups.grouped_diagrams`), an overview and the diagrams of each
    group."""

    diagrams: tuple[Diagram, ...]
    limit: int
    full_size: int  # size of the single whole-schema diagram
    # Set for a grouped schema only (see groups.grouped_diagrams); ``diagrams`` then holds the
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


__all__ = [
    "MAX_TEXT_SIZE",
    "UNTYPED",
    "Diagram",
    "DiagramSet",
    "attribute_name",
    "attribute_type",
    "entity_block",
    "entity_ids",
    "escape_text",
    "full_diagram",
    "key_block",
    "plain_entity",
    "quoted",
    "relation_line",
    "text_size",
]
