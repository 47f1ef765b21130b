"""Whether a text holds DDL (its statements shaped like DDL, not prose that begins like
it), and the DDL-bearing string found in a file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ..model.schema import Origin, Source
from ..pyeval.values import Value
from ..sql.statements import Templated, split_templated

# A string holds DDL when a statement starts with one of these (after comments and ``;``).
# Between two words of a statement: spaces or SQL comments (``CREATE TABLE version -- v1``).
_SPACE = r"(?:\s|--[^\n]*+|/\*(?:[^*]|\*(?!/))*+\*/)"
_GAP = rf"{_SPACE}++"
_GAP0 = rf"{_SPACE}*+"
DDL_START = re.compile(
    rf"(?:CREATE{_GAP}(?:(?:TEMP|TEMPORARY){_GAP})?(?:UNIQUE{_GAP})?(?:VIRTUAL{_GAP})?"
    rf"(?:TABLE|INDEX|VIEW|TRIGGER)|ALTER{_GAP}TABLE|DROP{_GAP}(?:TABLE|INDEX|VIEW|TRIGGER))\b",
    re.IGNORECASE,
)
_NAME = r"""(?:"(?:[^"]|"")*"|'(?:[^']|'')*'|`[^`]*`|\[[^\]]*\]|[^\s(;,'"`\[]+)"""
_QUALIFIED = rf"(?:IF{_GAP}(?:NOT{_GAP})?EXISTS{_GAP})?{_NAME}(?:{_GAP0}\.{_GAP0}{_NAME})?"
_FOLLOWS = re.compile(
    rf"CREATE{_GAP}(?:(?:TEMP|TEMPORARY){_GAP})?(?:"
    rf"VIRTUAL{_GAP}TABLE{_GAP}{_QUALIFIED}{_GAP0}USING\b"
    rf"|TABLE{_GAP}{_QUALIFIED}{_GAP0}(?:\(|AS\b|$|;)"
    rf"|(?:UNIQUE{_GAP})?INDEX{_GAP}{_QUALIFIED}{_GAP0}ON\b"
    rf"|VIEW{_GAP}{_QUALIFIED}{_GAP0}(?:\(|AS\b)"
    rf"|TRIGGER{_GAP}{_QUALIFIED}{_GAP0}(?:BEFORE|AFTER|INSTEAD|INSERT|UPDATE|DELETE|ON)\b)"
    rf"|ALTER{_GAP}TABLE{_GAP}{_QUALIFIED}{_GAP0}(?:ADD|RENAME|DROP|ALTER)\b"
    rf"|DROP{_GAP}(?:TABLE|INDEX|VIEW|TRIGGER){_GAP}{_QUALIFIED}"
    rf"(?:{_GAP0}(?:$|;)|\s*(?:--|/\*))",
    re.IGNORECASE,
)
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|;)*", re.DOTALL)
_STATEMENT_BREAK = re.compile(r";(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)


def _shaped(text: str, start: int) -> bool:
    """Whether a statement that starts at ``start`` is DDL, not prose that begins like it."""
    m = DDL_START.match(text, start)
    return m is not None and _FOLLOWS.match(text, m.start()) is not None


def begins_ddl(text: str) -> bool:
    """Whether ``text`` begins with the keywords of a DDL statement (the rest may be in the
    strings that follow it)."""
    lead = _LEADING.match(text)
    return DDL_START.match(text, lead.end() if lead else 0) is not None


def holds_ddl(text: str) -> bool:
    """Whether a statement of ``text`` is DDL: keywords first, then a name and what follows
    a name in that statement ("Create table backups now?" is not)."""
    lead = _LEADING.match(text)
    if lead and _shaped(text, lead.end()):
        return True
    return any(_shaped(text, m.end()) for m in _STATEMENT_BREAK.finditer(text))


@dataclass(frozen=True)
class Fragment:
    """A DDL-bearing string found in a file."""

    value: Value
    path: str
    origin: Origin  # where the finder found it

    def source_at(self, offset: int) -> Source:
        pos = self.value.position_at(offset) or (self.path, 1, 0)
        return Source(pos[0] or self.path, pos[1], pos[2])

    @cached_property
    def split(self) -> tuple[Templated, ...]:
        """The statements of the fragment's text, its placeholders made identifiers."""
        spans, offset = [], 0
        for piece in self.value.pieces:
            if piece.placeholder:
                spans.append((offset, offset + len(piece.text)))
            offset += len(piece.text)
        return tuple(split_templated(self.value.text, spans))

    def with_split(self, split: tuple[Templated, ...]) -> Fragment:
        """The fragment, its statements already known (as a cache kept them)."""
        self.__dict__["split"] = split
        return self

    @property
    def start(self) -> Source:
        return self.source_at(0)
