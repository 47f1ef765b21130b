"""Split SQL scripts into statements and table bodies into definitions, keeping comments.

A small hand-written lexer: it knows SQLite's quoting (``'..'``, ``".."``, ```..```,
``[..]``), both comment forms, and that ``;`` inside a trigger's ``BEGIN ... END`` does not end
the statement.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

_TRIGGER_HEAD = re.compile(r"\s*CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TRIGGER\b", re.IGNORECASE)
_TRIGGER = re.compile("TRIGGER", re.IGNORECASE)  # folded as in _TRIGGER_HEAD
_QUOTE_OR_COMMENT = re.compile(r"""['"`\[]|--|/\*""")


def _lexer(word: str) -> re.Pattern[str]:
    """A lexer of spaces, comments, quoted text and ``word``s; any other character is
    punctuation. Unterminated quotes and comments run to the end."""
    return re.compile(
        r"""(?P<space>\s+)
        |(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
        |(?P<quoted>'(?:[^']+|'')*(?:'|\Z)|"(?:[^"]+|"")*(?:"|\Z)|`(?:[^`]+|``)*(?:`|\Z)|\[[^\]]*(?:\]|\Z))
        |(?P<word>"""
        + word
        + r""")
        |(?P<punct>.)""",
        re.VERBOSE | re.DOTALL,
    )


_TOKEN = _lexer(r"[A-Za-z_][A-Za-z0-9_$]*")
# For the splitters: words, dots, operators and the spaces between them are one ``word``
# piece, up to a character that splits (``;``, ``(``, ``)``, ``,``) or may open a quote or a
# comment. A piece never starts or ends with a space.
_PIECE = _lexer(r"""[^\s'"`\[;(),/-]+(?:\s+[^\s'"`\[;(),/-]+)*""")


class Token(NamedTuple):
    kind: str  # "comment", "quoted", "word", "punct", "space"
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _lexed(lexer: re.Pattern[str], sql: str, start: int, end: int) -> Iterator[Token]:
    for m in lexer.finditer(sql, start, end):
        yield Token(m.lastgroup, m.group(), m.start())  # type: ignore[arg-type]


def tokens(sql: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
    """Lex ``sql[start:end]`` into coarse tokens."""
    return _lexed(_TOKEN, sql, start, len(sql) if end is None else end)


def pieces(sql: str) -> Iterator[Token]:
    """``tokens`` for the splitters, with runs of ordinary text as one piece."""
    return _lexed(_PIECE, sql, 0, len(sql))


def comment_text(comment: str) -> str:
    """The words of a ``--`` or ``/* */`` comment, on one line."""
    body = comment[2:] if comment.startswith("--") else comment[2:].removesuffix("*/")
    lines = [line.strip().lstrip("*").strip() for line in body.splitlines()]
    return " ".join(line for line in lines if line).strip()


def join_comments(comments: list[str]) -> str | None:
    text = " ".join(t for t in (comment_text(c) for c in comments) if t)
    return text or None


@dataclass(frozen=True)
class Statement:
    """One statement of a script: ``text`` starts at its first keyword, at ``offset``."""

    text: str
    offset: int
    comments: tuple[str, ...] = ()  # comments right before the statement

    @property
    def description(self) -> str | None:
        return join_comments(list(self.comments))


def split_statements(sql: str) -> list[Statement]:
    """Split a script at ``;`` outside quotes, comments and trigger bodies."""
    if not _QUOTE_OR_COMMENT.search(sql) and not _TRIGGER.search(sql):
        return _plain_statements(sql)
    return statements_by_tokens(sql)


def _plain_statements(sql: str) -> list[Statement]:
    """``split_statements`` of a script without quotes, comments or triggers: every ``;``
    ends a statement."""
    statements: list[Statement] = []
    start = 0
    while start <= len(sql):
        end = sql.find(";", start)
        end = len(sql) if end < 0 else end
        segment = sql[start:end]
        if segment.strip():
            begin = start + len(segment) - len(segment.lstrip())
            statements.append(Statement(segment.strip(), begin))
        start = end + 1
    return statements


def statements_by_tokens(sql: str) -> list[Statement]:
    """``split_statements``, read token by token."""
    statements: list[Statement] = []
    comments: list[str] = []
    begin: int | None = None
    for tok in pieces(sql):
        if begin is None:
            if tok.kind == "space":
                continue
            if tok.kind == "comment":
                comments.append(tok.text)
                continue
            if tok.text == ";":
                comments = []
                continue
            begin = tok.start
        if tok.text != ";":
            continue
        candidate = sql[begin : tok.end]
        if _TRIGGER_HEAD.match(candidate) and not sqlite3.complete_statement(candidate):
            continue
        statements.append(Statement(sql[begin : tok.start].rstrip(), begin, tuple(comments)))
        comments, begin = [], None
    if begin is not None:
        tail = sql[begin:].rstrip()
        # Trailing comments after the last statement belong to nobody.
        statements.append(Statement(_strip_trailing_comments(tail), begin, tuple(comments)))
    return statements


def _strip_trailing_comments(text: str) -> str:
    last = 0
    for tok in pieces(text):
        if tok.kind not in ("space", "comment"):
            last = tok.end
    return text[:last] if last else text


@dataclass(frozen=True)
class Definition:
    """One item of a ``CREATE TABLE (...)`` body: a column or a table constraint."""

    text: str
    comments: tuple[str, ...]

    @property
    def description(self) -> str | None:
        return join_comments(list(self.comments))


@dataclass(frozen=True)
class TableBody:
    head_comments: tuple[str, ...]  # comments right after the opening parenthesis
    definitions: tuple[Definition, ...]


def split_table_body(sql: str) -> TableBody | None:
    """Split the parenthesised body of a CREATE TABLE statement, keeping each item's comments.

    A comment belongs to the item it precedes, or to the item before it when it trails on the
    line where that item ended. Returns None when there is no body (``AS SELECT``, virtual).
    """
    if not _QUOTE_OR_COMMENT.search(sql):
        return _plain_table_body(sql)
    return table_body_by_tokens(sql)


def table_body_by_tokens(sql: str) -> TableBody | None:
    """``split_table_body``, read token by token."""
    toks = list(pieces(sql))
    open_at = next((i for i, t in enumerate(toks) if t.text == "("), None)
    if open_at is None:
        return None
    head: list[str] = []
    items: list[tuple[list[Token], list[str]]] = []
    current: list[Token] = []
    pending: list[str] = []  # comments not yet given to an item
    depth = 0
    after_comma_line = True  # still on the line of the last separator
    prev_item: list[str] | None = None
    for tok in toks[open_at + 1 :]:
        if depth == 0 and tok.text in (",", ")"):
            items.append((current, pending))
            prev_item, current, pending = items[-1][1], [], []
            if tok.text == ")":
                break
            after_comma_line = True
            continue
        if tok.kind == "space":
            if "\n" in tok.text:
                after_comma_line = False
            if current:
                current.append(tok)
            continue
        if tok.kind == "comment":
            if not current and after_comma_line:
                (prev_item if prev_item is not None else head).append(tok.text)
            else:
                pending.append(tok.text)
            if tok.text.startswith("--"):
                after_comma_line = False
            continue
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        current.append(tok)
    definitions = tuple(
        Definition("".join(t.text for t in toks_).strip(), tuple(comments))
        for toks_, comments in items
        if toks_
    )
    return TableBody(tuple(head), definitions)


_PARENTHESIS_OR_COMMA = re.compile(r"[(),]")


def _plain_table_body(sql: str) -> TableBody | None:
    """``split_table_body`` of a statement without quotes or comments, whose every ``(``,
    ``)`` and ``,`` is one: its items are the text between the separators at depth 0."""
    depth, start = 0, None
    definitions: list[Definition] = []
    for found in _PARENTHESIS_OR_COMMA.finditer(sql):
        mark = found.group()
        if start is None:
            if mark == "(":
                start = found.end()
            continue
        if depth == 0 and mark in ",)":
            text = sql[start : found.start()].strip()
            if text:
                definitions.append(Definition(text, ()))
            if mark == ")":
                return TableBody((), tuple(definitions))
            start = found.end()
        elif mark == "(":
            depth += 1
        elif mark == ")":
            depth -= 1
    return None if start is None else TableBody((), tuple(definitions))


@dataclass(frozen=True)
class Templated:
    """A statement whose unknown parts are quoted identifiers, e.g. ``"{table}"``."""

    sql: str
    offset: int
    description: str | None
    placeholders: tuple[str, ...]


def split_templated(text: str, spans: list[tuple[int, int]]) -> list[Templated]:
    """Split ``text`` into statements; each placeholder ``spans`` covers becomes an identifier.

    A placeholder inside a name (``t_{x}``) quotes the whole name; one already inside quotes
    is left as it is.
    """
    masked = list(text)
    for start, end in spans:
        masked[start:end] = "Z" * (end - start)
    masked_text = "".join(masked)
    out: list[Templated] = []
    for stmt in split_statements(masked_text):
        end = stmt.offset + len(stmt.text)
        inside = [(s, e) for s, e in spans if s < end and e > stmt.offset]
        if not inside:
            out.append(Templated(text[stmt.offset : end], stmt.offset, stmt.description, ()))
            continue
        parts: list[str] = []
        for tok in tokens(masked_text, stmt.offset, end):
            original = text[tok.start : tok.end]
            if tok.kind == "word" and any(s < tok.end and e > tok.start for s, e in inside):
                parts.append('"' + original.replace('"', '""') + '"')
            else:
                parts.append(original)
        labels = tuple(text[s:e] for s, e in inside)
        out.append(Templated("".join(parts), stmt.offset, stmt.description, labels))
    return out
