"""The differences two schemas compared have: each change (see ``Change``), and all of them
by object (see ``SchemaDiff``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model.schema import Schema, Source

ADDED, REMOVED, CHANGED, RENAMED = "added", "removed", "changed", "renamed"
ACTIONS = (ADDED, CHANGED, REMOVED, RENAMED)
SIGNS = {ADDED: "+", REMOVED: "-", CHANGED: "~", RENAMED: ">"}
DIAGRAM_TABLES = 30  # the diagram draws at most this many touched tables
ARROW = "→"


@dataclass(frozen=True)
class Change:
    """One difference. ``table`` is set for the parts of a table (its name on the new side, or
    on the old one when the table was removed); ``before``/``after`` are one-line definitions;
    ``base``/``head`` where the object is defined on each side; ``destructive`` says why the
    change can lose data on an existing database."""

    action: str
    kind: str  # table, column, primary key, index, unique constraint, foreign key, check, ...
    name: str
    table: str | None = None
    details: tuple[str, ...] = ()
    before: str | None = None
    after: str | None = None
    base: Source | None = None
    head: Source | None = None
    destructive: str | None = None

    @property
    def subject(self) -> tuple[str, str]:
        """The top-level object the change belongs to: (kind, name)."""
        return ("table", self.table) if self.table is not None else (self.kind, self.name)

    @property
    def where(self) -> Source | None:
        return self.head or self.base


@dataclass(frozen=True)
class SchemaDiff:
    """The changes from ``base`` to ``head``, grouped by table, view and trigger."""

    base: Schema
    head: Schema
    changes: tuple[Change, ...]
    base_label: str = "base"
    head_label: str = "head"
    base_commit: str | None = None
    head_commit: str | None = None

    @property
    def destructive(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.destructive)

    def counts(self) -> dict[str, int]:
        out = {action: 0 for action in ACTIONS}
        for change in self.changes:
            out[change.action] += 1
        return out

    def groups(self) -> list[tuple[tuple[str, str], list[Change]]]:
        """The changes by the object they belong to, in output order."""
        grouped: dict[tuple[str, str], list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.subject, []).append(change)
        return list(grouped.items())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _added(
    kind: str,
    name: str,
    table: str | None,
    definition: str,
    head: Source | None,
    reason: str | None = None,
) -> Change:
    return Change(ADDED, kind, name, table, after=definition, head=head, destructive=reason)


def _removed(
    kind: str,
    name: str,
    table: str | None,
    definition: str,
    base: Source | None,
    reason: str | None = None,
) -> Change:
    return Change(REMOVED, kind, name, table, before=definition, base=base, destructive=reason)


def _changed(
    kind: str,
    name: str,
    table: str | None,
    details: Sequence[str],
    definitions: tuple[str | None, str | None],
    sources: tuple[Source | None, Source | None],
    reason: str | None = None,
    action: str = CHANGED,
) -> Change:
    return Change(action, kind, name, table, tuple(details), *definitions, *sources, reason)


def _shown(value: str | None, empty: str = "none") -> str:
    return empty if value is None or value == "" else value
