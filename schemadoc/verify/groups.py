"""Statements grouped by the objects they share, each group applied in one scratch database;
the functions holding another engine's DDL; what a group's part depends on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from ..model.schema import SqlStatement, ascii_fold
from ..sql.heads import unquote
from ..sql.parse import RenameTable
from .policy import _foreign_reason
from .sandbox import MAX_LENGTH, Sandbox
from .state import _Reading

_GROUP_STATEMENTS = 256  # a scratch database takes in new groups until it holds this many
_WORD = re.compile(r'\w+|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]')


def _words(sql: str) -> set[str]:
    """Every word and quoted identifier of ``sql``, unquoted and folded: a superset of the
    names it mentions. (Folding first is the same: it changes no quote and no word's
    extent.)"""
    return {unquote(w) for w in set(_WORD.findall(ascii_fold(sql)))}


def _groups(
    statements: Sequence[SqlStatement], reading: _Reading
) -> tuple[list[str], dict[str, str]]:
    """For each statement, the group whose statements must share one scratch database;
    also the group of each object name.

    SQLite re-reads its schema table after each CREATE, so thousands of objects in one
    database cost quadratic time; statements that share no object run apart. Statements are
    grouped when they mention a common object name (an index or trigger and its table, a view
    and what it reads, two definitions of one name, a DROP and its object, a virtual table and
    the names of its shadow tables). An index names only itself and its table. A table's
    ``REFERENCES`` to another table count only when that table is altered: a rename rewrites
    the references to it.
    """
    names: set[str] = set()
    altered: set[str] = set()
    heads = []  # (head, the folded name and ON table) of each statement, read once
    for stmt in statements:
        h = reading.head(stmt.sql)
        own: tuple[str, ...] = ()
        if h.verb in ("CREATE", "ALTER") and len(stmt.sql) <= MAX_LENGTH:
            own = tuple(ascii_fold(n) for n in reading.names(stmt.sql) if n)
        heads.append((h, own))
        if not own:
            continue
        names.add(own[0])
        if h.verb == "ALTER":
            altered.add(own[0])
            op = reading.parsed(stmt.sql)
            if isinstance(op, RenameTable):
                names.add(ascii_fold(op.new_name))
                altered.add(ascii_fold(op.new_name))
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    mentions: list[list[str]] = []
    for stmt, (h, own) in zip(statements, heads, strict=True):
        if h.verb == "CREATE" and h.kind == "INDEX":
            found = set(own) & names
        else:
            words = _words(stmt.sql) if len(stmt.sql) <= MAX_LENGTH else set()
            found = words & names
            if h.verb == "CREATE" and h.kind == "TABLE" and own and "select" not in words:
                found = {own[0]} | (found & altered)
                if h.virtual:  # its shadow tables are named after it
                    found |= {n for n in names if _shadow_of(n, own[0])}
        ordered = sorted(found)
        for other in ordered[1:]:
            parent[find(other)] = find(ordered[0])
        mentions.append(ordered)
    return [find(m[0]) if m else "" for m in mentions], {n: find(n) for n in names}


class _Databases:
    """The scratch databases, one per run of groups of about ``_GROUP_STATEMENTS``."""

    def __init__(self) -> None:
        self.all = [Sandbox()]
        self._of: dict[str, Sandbox] = {}
        self._count = 0

    def place(self, group: str) -> Sandbox:
        """The database of ``group`` (statements that mention no object share the last)."""
        box = self._of.get(group)
        if box is None:
            if self._count >= _GROUP_STATEMENTS:
                self.all.append(self.all[0].sibling())
                self._count = 0
            box = self.all[-1]
            if group:
                self._of[group] = box
        if box is self.all[-1]:
            self._count += 1
        return box

    def close(self) -> None:
        for box in self.all:
            box.close()


def group_key(statements: Sequence[SqlStatement], foreign: dict[tuple[str, str], str]) -> str:
    """What a group's part depends on: its statements, where they are, and whether their
    function holds other-engine DDL."""
    facts = [
        [
            s.sql,
            [s.source.path, s.source.line, s.source.column],
            s.description,
            list(s.placeholders),
            s.origin.label,
            foreign.get((s.source.path, s.origin.label or "")),
        ]
        for s in statements
    ]
    return hashlib.sha256(json.dumps(facts).encode("utf-8", "surrogatepass")).hexdigest()


def _shadow_of(name: str, table: str) -> bool:
    """Whether ``name`` may be a shadow table of the virtual table ``table`` (SQLite names
    them ``<table>_...``)."""
    return name.startswith(table + "_")


def _group_of(name: str, root_of: dict[str, str]) -> str:
    """The group of an object read back; a virtual table's shadow tables (``<name>_...``) are
    in its group; "?" when none is known."""
    if name in root_of:
        return root_of[name]
    owners = [n for n in root_of if _shadow_of(name, n)]
    return root_of[max(owners, key=len)] if owners else "?"


def _foreign_groups(
    statements: Sequence[SqlStatement], reading: _Reading
) -> dict[tuple[str, str], str]:
    """Functions holding any other-engine DDL: all their DDL is for that engine."""
    groups: dict[tuple[str, str], str] = {}
    for stmt in statements:
        label = stmt.origin.label
        if label and reading.head(stmt.sql).kind is not None:
            reason = _foreign_reason(stmt, reading)
            if reason:
                groups.setdefault((stmt.source.path, label), reason)
    return groups
