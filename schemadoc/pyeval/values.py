"""Values worked out from source: pieces of literal text that remember where they came from,
placeholders for the parts that cannot be known without running the code, and the budget
that bounds the work."""

from __future__ import annotations

import ast
import re
import sys
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate, islice

import libcst as cst

Position = tuple[str, int, int]  # path, 1-based line, 0-based column

# The weight (characters and pieces) of a value a name or call stands for, or that formatting
# or joining makes: a statement that large is past what the scratch database takes
# (``sandbox.MAX_LENGTH`` bytes) or near it. A literal is as large as its source.
MAX_WEIGHT = 1_000_000
TOO_LARGE = "too large to evaluate"
TOO_MANY_STEPS = "too many steps to evaluate"


@dataclass(frozen=True)
class Piece:
    """Part of an evaluated string.

    ``exact`` pieces map offsets one-to-one onto the source (no escapes were processed), so a
    statement inside them can be located to its own line and column; other pieces map every
    offset to ``pos``.
    """

    text: str
    pos: Position | None
    exact: bool = False
    placeholder: bool = False

    def position_at(self, offset: int) -> Position | None:
        if self.pos is None or not self.exact:
            return self.pos
        path, line, col = self.pos
        if len(self.text) < _LONG_TEXT:
            newlines = self.text.count("\n", 0, offset)  # in ``text[:offset]``, not copied
            last = self.text.rfind("\n", 0, offset)
        else:  # a script of many statements is asked once for each: not counted again
            breaks = _line_breaks(self.text)
            newlines = bisect_left(breaks, offset)
            last = breaks[newlines - 1] if newlines else -1
        if newlines == 0:
            return path, line, col + offset
        return path, line + newlines, offset - last - 1


_LONG_TEXT = 4096  # characters: past this, a piece's line breaks are found once


@lru_cache(maxsize=8)
def _line_breaks(text: str) -> list[int]:
    """The offsets of the line breaks of ``text``."""
    breaks: list[int] = []
    at = text.find("\n")
    while at >= 0:
        breaks.append(at)
        at = text.find("\n", at + 1)
    return breaks


@dataclass(frozen=True)
class Overflow(Piece):
    """A placeholder for a value that could not be worked out: too large, or too much work."""

    reason: str = ""


class TooLarge(Exception):
    """Building a value would make it weigh more than ``MAX_WEIGHT``."""


@dataclass(frozen=True)
class Value:
    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    @property
    def weight(self) -> int:
        """Characters and pieces: what the value costs to put together and to keep."""
        if len(self.pieces) == 1:  # most are
            return 1 + len(self.pieces[0].text)
        return len(self.pieces) + sum(len(p.text) for p in self.pieces)

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.pieces if p.placeholder)

    def position_at(self, offset: int) -> Position | None:
        """Where the character at ``offset`` comes from; past the end, where the value does.
        The piece holding it is found in log time: a template of many pieces is asked once
        for each of its many fields."""
        ends = self._ends
        at = bisect_right(ends, offset)
        if at == len(ends):
            return next((p.pos for p in self.pieces if p.pos), None)
        piece = self.pieces[at]
        return piece.position_at(offset - ends[at] + len(piece.text))

    @cached_property
    def _ends(self) -> list[int]:
        """Where each piece ends in the text."""
        return list(accumulate(len(p.text) for p in self.pieces))

    def __add__(self, other: Value) -> Value:
        return Value(self.pieces + other.pieces)

    @classmethod
    def of(cls, text: str, pos: Position | None = None) -> Value:
        return cls((Piece(text, pos),))

    def transformed(self, fn: Callable[[str], str]) -> Value:
        """Apply a text function (dedent, strip, case...); positions survive removals.

        When the new text only drops characters (a prefix, a suffix, or the start of each
        line), the remaining text keeps its exact places; otherwise the result is located
        at the start of the value.
        """
        text = self.text
        new = fn(text)
        if new == text:
            return self
        spans = _removed(text, new)
        if spans is not None:
            return _substitute(self, [(start, end, Value(())) for start, end in spans])
        first = next((p.pos for p in self.pieces if p.pos), None)
        return Value((Piece(new, first),))

    def parts(self, separator: str | None) -> list[Value]:
        """The non-blank parts of the value split at ``separator`` (at line ends when None,
        as ``splitlines``), each keeping its places in the source."""
        text = self.text
        pattern = re.escape(separator) if separator else r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]"
        out, start = [], 0
        for match in [*re.finditer(pattern, text), None]:
            end = len(text) if match is None else match.start()
            if text[start:end].strip():
                out.append(_substitute(self, [(0, start, Value(())), (end, len(text), Value(()))]))
            if match is not None:
                start = match.end()
        return out


@dataclass(frozen=True)
class Structure(Value):
    """A literal list, tuple, set or dict passed as an argument: its items are read where the
    parameter is iterated, joined or looked up (see ``Resolver.named``)."""

    node: cst.BaseExpression | None = None

    @classmethod
    def of_node(cls, node: cst.BaseExpression) -> Structure:
        return cls((Piece(code_of(node), None),), node)


_MEMBERS: dict[tuple[int, str], cst.Attribute] = {}


def _member(made: cst.Call, attr: cst.Name) -> cst.Attribute:
    """``made.attr``, one node for each (kept: values are remembered by node)."""
    key = (id(made), attr.value)
    if key not in _MEMBERS:
        _MEMBERS[key] = cst.Attribute(value=made, attr=attr)
    return _MEMBERS[key]


def _removed(old: str, new: str) -> list[tuple[int, int]] | None:
    """Spans of ``old`` whose removal gives ``new``: a trimmed middle, or trimmed line starts."""
    start = old.find(new) if new else -1
    if start >= 0 and old[:start].strip() == "" and old[start + len(new) :].strip() == "":
        return [(0, start), (start + len(new), len(old))]
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if len(new_lines) > len(old_lines):
        return None
    new_lines += [""] * (len(old_lines) - len(new_lines))  # trailing blank lines dropped
    spans, offset = [], 0
    for before, after in zip(old_lines, new_lines, strict=True):
        if not before.endswith(after):
            return None
        spans.append((offset, offset + len(before) - len(after)))
        offset += len(before)
    kept, cursor = [], 0
    for start, end in spans:
        kept.append(old[cursor:start])
        cursor = end
    return spans if "".join(kept) + old[cursor:] == new else None


def placeholder(label: str, pos: Position | None) -> Value:
    return Value((Piece("{" + label + "}", pos, placeholder=True),))


def overflow(node: cst.BaseExpression, pos: Position | None, reason: str) -> Value:
    """A placeholder for ``node``, whose value could not be worked out for ``reason``."""
    label = f"{{{_label(node)}: {reason}}}"
    return Value((Overflow(label, pos, placeholder=True, reason=reason),))


def _literal_text(prefix: str, quote: str, body: str) -> str | bytes:
    """What a literal's body means (escapes processed); the body as written if it cannot say."""
    if "\\" not in body and "\r" not in body and "b" not in prefix.lower():
        return body  # nothing to process (line ends would be normalized)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.literal_eval(prefix + quote + body + quote)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return body


def _decode(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _body_bounds(raw: str) -> tuple[str, str, str]:
    """Split a string token into prefix, quote and body."""
    i = 0
    while raw[i] not in "'\"":
        i += 1
    prefix = raw[:i]
    quote = raw[i : i + 3] if raw[i : i + 3] in ('"""', "'''") else raw[i]
    return prefix, quote, raw[i + len(quote) : len(raw) - len(quote)]


_ESCAPE = re.compile(
    r"\\(?:\r\n|\n|[0-7]{1,3}|x[0-9a-fA-F]{2}|N\{[^}]*\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)"
    r"|\{\{|\}\}",
    re.DOTALL,
)


def _advance(pos: Position, raw: str) -> Position:
    path, line, col = pos
    newlines = raw.count("\n")
    if newlines:
        return path, line + newlines, len(raw) - raw.rfind("\n") - 1
    return path, line, col + len(raw)


def literal_pieces(
    prefix: str, quote: str, body: str, start: Position | None, fstring: bool = False
) -> list[Piece]:
    """A literal's text as pieces: runs copied as written stay exactly located.

    Escape sequences (and ``{{``/``}}`` in f-strings) are pieces of their own, so the text
    after them still maps to its own line and column.
    """
    plain_prefix = prefix.replace("f", "").replace("F", "")
    raw = "r" in prefix.lower()
    if (raw and not fstring) or (
        "\\" not in body and not (fstring and ("{{" in body or "}}" in body))
    ):
        text = _decode(_literal_text(plain_prefix, quote, body))
        return [Piece(text, start, exact=text == body)]
    pieces: list[Piece] = []
    cursor = 0
    here = start
    for m in _ESCAPE.finditer(body):
        token = m.group()
        braces = token in ("{{", "}}")
        if (braces and not fstring) or (raw and not braces):
            continue
        if m.start() > cursor:
            run = body[cursor : m.start()]
            pieces.append(Piece(run, here, exact=True))
            here = _advance(here, run) if here else None
        value = token[0] if braces else _decode(_literal_text(plain_prefix, '"', token))
        pieces.append(Piece(value, here))
        here = _advance(here, token) if here else None
        cursor = m.end()
    if cursor < len(body):
        pieces.append(Piece(body[cursor:], here, exact=True))
    return pieces


def simple_string_value(node: cst.SimpleString, pos: Position | None) -> Value:
    prefix, quote, body = _body_bounds(node.value)
    start = None if pos is None else (pos[0], pos[1], pos[2] + len(prefix) + len(quote))
    return Value(tuple(literal_pieces(prefix, quote, body, start)))


@lru_cache(maxsize=1 << 14)
def code_of(node: cst.CSTNode) -> str:
    """The source text of a node (remembered: values are evaluated again and again)."""
    return _CODEGEN.code_for_node(node)


_CODEGEN = cst.Module(body=[])


def _label(node: cst.CSTNode) -> str:
    code = " ".join(code_of(node).split())
    return code if len(code) <= 40 else "..."


@dataclass
class Budget:
    """What evaluating may still spend: steps (names and calls looked up) and weight (of the
    values they stand for, see ``Value.weight``); what is spent is also spent from
    ``within``."""

    steps: int = sys.maxsize
    weight: int = sys.maxsize
    within: Budget | None = None

    def spend(self, steps: int = 1, weight: int = 0) -> bool:
        """Spend that much (here and from ``within``); whether it was there to spend."""
        self.steps -= steps
        self.weight -= weight
        left = self.steps >= 0 and self.weight >= 0
        within = self.within
        if within is None:
            return left
        within.steps -= steps
        within.weight -= weight
        return left and within.steps >= 0 and within.weight >= 0

    def affords(self, steps: int, weight: int) -> bool:
        """Whether that much can be spent (here and from ``within``) with nothing overspent."""
        within = self.within
        return (
            self.steps >= steps
            and self.weight >= weight
            and (within is None or (within.steps >= steps and within.weight >= weight))
        )

    @property
    def spent(self) -> bool:
        """Whether nothing is left (here or in ``within``)."""
        within = self.within
        return (
            self.steps < 0
            or self.weight < 0
            or (within is not None and (within.steps < 0 or within.weight < 0))
        )

    @property
    def reason(self) -> str:
        """Why nothing more can be worked out: the steps, or else the weight, are spent."""
        within = self.within
        out_of_steps = self.steps < 0 or (within is not None and within.steps < 0)
        return TOO_MANY_STEPS if out_of_steps else TOO_LARGE


def _split_template(template: Value) -> list[tuple[Piece, int, int]]:
    """(piece, start, end) offsets of each piece within the template text."""
    out = []
    offset = 0
    for piece in template.pieces:
        out.append((piece, offset, offset + len(piece.text)))
        offset += len(piece.text)
    return out


def _substitute(template: Value, spans: list[tuple[int, int, Value]]) -> Value:
    """Replace the ``(start, end)`` spans of the template text (none overlapping another)
    with values."""
    pieces: list[Piece] = []
    layout = _split_template(template)
    first = 0  # the first piece of the layout not before the cursor
    cursor = 0
    for start, end, value in [*sorted(spans, key=lambda s: s[0]), (None, None, None)]:
        stop = len(template.text) if start is None else start
        while first < len(layout) and layout[first][2] <= cursor:
            first += 1
        for piece, p_start, p_end in islice(layout, first, None):
            if p_start >= stop:
                break
            lo, hi = max(cursor, p_start), min(stop, p_end)
            if lo >= hi:
                continue
            if piece.placeholder:
                pieces.append(piece)
                continue
            sub = piece.text[lo - p_start : hi - p_start]
            pos = piece.position_at(lo - p_start)
            pieces.append(Piece(sub, pos, exact=piece.exact))
        if value is None:
            break
        pieces.extend(value.pieces)
        cursor = end
    return Value(tuple(pieces))
