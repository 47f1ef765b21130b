"""What verification keeps track of: the objects made so far, the diagnostics by group, and
each statement's text read once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model.diagnostics import Code
from ..model.schema import Diagnostic, Source, SqlStatement
from ..sql.engines import OTHER_ENGINE
from ..sql.heads import Head, foreign_dialect, head, object_names, qualifier
from ..sql.parse import CreateTable, DeclaredColumn, parse_statement


@dataclass
class _Object:
    kind: str
    name: str
    sources: list[Source]
    created: tuple[str, str]  # the CREATE statement that made it, and the name it used
    description: str | None = None
    declared: CreateTable | None = None
    columns: list[DeclaredColumn] | None = None  # follows ALTERs; None when not understood


class _Reading:
    """What grouping, applying and deferring each read of a statement's text (its head, the
    names of its object, its parse), read once per verification."""

    def __init__(self) -> None:
        self.head: Callable[[str], Head] = functools.cache(head)
        self.names: Callable[[str], tuple[str | None, str | None]] = functools.cache(object_names)
        self.parsed: Callable[[str], object] = functools.cache(parse_statement)
        self.engine_hint: Callable[[str, str], str | None] = functools.cache(_engine_hint)
        self.dialect_sign: Callable[[str], str | None] = functools.cache(foreign_dialect)
        self.qualifier: Callable[[str], str | None] = functools.cache(qualifier)


@dataclass
class _State:
    objects: dict[str, _Object] = field(default_factory=dict)
    diagnostics: list[tuple[str, Diagnostic]] = field(default_factory=list)  # by group
    root_of: dict[str, str] = field(default_factory=dict)  # object name: its group
    unattributed: bool = False  # an object was read back whose group is unknown
    deferred: list[SqlStatement] = field(default_factory=list)  # came before their table
    created: set[str] = field(default_factory=set)  # every name ever created
    foreign_groups: dict[tuple[str, str], str] = field(default_factory=dict)
    foreign: set[str] = field(default_factory=set)  # tables made by other-engine DDL
    plain: set[str] = field(default_factory=set)  # see ``_plain_tables``
    rebuilds: dict[int, str] = field(default_factory=dict)  # see ``_rebuilds``
    replaced: dict[int, str] = field(default_factory=dict)  # see ``_replacements``
    conflicted: set[str] = field(default_factory=set)  # tables defined differently twice
    # tables and views dropped, by name: their group, the DROP, what it dropped (kind and
    # name) and where that was created
    dropped: dict[str, tuple[str, SqlStatement, str, Source]] = field(default_factory=dict)
    reading: _Reading = field(default_factory=_Reading)

    def warn(self, group: str, stmt: SqlStatement, code: Code, message: str) -> None:
        self.add(group, code.at(stmt.source, message))

    def add(self, group: str, diagnostic: Diagnostic) -> None:
        self.diagnostics.append((group, diagnostic))


def _engine_hint(path: str, function: str) -> str | None:
    """The name of another engine in a file's path or a function's name."""
    hint = OTHER_ENGINE.search(f"{path} {function}")
    return hint.group() if hint else None
