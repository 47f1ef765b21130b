"""What a statement's head says, read without parsing it: its verb and kind (``head``), the
object it names and the table of an index or trigger (``object_names``), the database it
names (``qualifier``); and the signs of another engine's SQL in its text
(``foreign_dialect``). A plain head is read by one match, any other token by token.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .statements import Token, tokens

_HEAD = re.compile(
    r"\s*(?P<verb>CREATE|ALTER|DROP)\s+(?:(?P<temp>TEMP|TEMPORARY)\s+)?(?P<unique>UNIQUE\s+)?"
    r"(?P<virtual>VIRTUAL\s+)?(?P<kind>TABLE|INDEX|VIEW|TRIGGER)\b",
    re.IGNORECASE,
)
# Markers of DDL written for another engine (SQLite would store it as if it were its own).
FOREIGN_DIALECT = re.compile(  # one leading \b for the words: five times faster to search
    r"::\s*\w|\b(?:(?:BIG|SMALL)?SERIAL\b|ENGINE\s*=|AUTO_INCREMENT\b|ALTER\s+COLUMN\b|"
    r"CHARACTER\s+SET\b|DEFAULT\s+CHARSET\b|USING\s+(?:GIN|GIST|BRIN|HASH|BTREE)\b|"
    r"ON\s+[^\s(]+\s+USING\s+\w+|"  # an index method: ``USING hnsw (embedding)``
    r"CONCURRENTLY\b|ON\s+UPDATE\s+CURRENT_TIMESTAMP\b|CREATE\s+OR\s+REPLACE\b|"
    r"GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b|ADD\s+CONSTRAINT\b|"
    r"UNSIGNED\b(?!\s+BIG\s+INT)|INCLUDE\s*\(|TABLESPACE\b|"
    r"IDENTITY\s*\(|NVARCHAR\s*\(\s*MAX\b)"
    r"|\)\s*USING\s+\w+\s*(?:;|$)",  # a table access method: ``) USING heap``
    re.IGNORECASE,
)
# A part of every sign above, lower-cased: an ASCII statement holding none of them holds no
# sign, and is not searched (IGNORECASE also folds a few non-ASCII letters: those are).
_FOREIGN_PARTS = (
    "::",
    "serial",
    "engine",
    "auto_increment",
    "alter",
    "character",
    "charset",
    "using",
    "concurrently",
    "current_timestamp",
    "replace",
    "identity",
    "constraint",
    "unsigned",
    "include",
    "tablespace",
    "nvarchar",
)
# What may follow a column's type: ``id SERIAL PRIMARY KEY`` is a type, ``serial TEXT`` a name.
_AFTER_TYPE = re.compile(
    r"\s*(?:[,)]|$|(?:PRIMARY|NOT|NULL|UNIQUE|DEFAULT|REFERENCES|CHECK|CONSTRAINT|COLLATE)\b)",
    re.IGNORECASE,
)


def foreign_dialect(sql: str) -> str | None:
    """What in a statement's text is another engine's SQL (see ``FOREIGN_DIALECT``), if
    anything. ``SERIAL`` counts only where a type is written, not as a name (``serial TEXT``,
    ``SELECT serial``, ``(serial)``)."""
    if sql.isascii():
        lowered = sql.lower()
        if not any(part in lowered for part in _FOREIGN_PARTS):
            return None
    for found in FOREIGN_DIALECT.finditer(sql):
        sign = found.group()
        if sign.upper().endswith("SERIAL"):
            before = sql[: found.start()].rstrip()
            if not before or before[-1] in "(," or not _AFTER_TYPE.match(sql, found.end()):
                continue
            if before.rsplit(None, 1)[-1].upper() in ("AS", "SELECT", "BY", "ON"):
                continue
        return " ".join(sign.split())
    return None


# Types of other engines that SQLite takes as written: code shared by several engines uses
# them too, so they mark a table as another engine's only beside a definition without them.
FOREIGN_TYPE = re.compile(r"\b(?:BYTEA|JSONB|TIMESTAMPTZ|WITH\s+TIME\s+ZONE)\b", re.IGNORECASE)


def unquote(name: str) -> str:
    """An SQL identifier without its quotes."""
    if len(name) >= 2 and name[0] in '"`[' and name[-1] in '"`]':
        inner = name[1:-1]
        return inner.replace('""', '"') if name[0] == '"' else inner
    return name


@dataclass(frozen=True)
class Head:
    """What a statement is, read off its first keywords."""

    verb: str  # CREATE, ALTER, DROP, or the first word of anything else
    kind: str | None  # TABLE, INDEX, VIEW, TRIGGER
    temporary: bool = False
    virtual: bool = False


def head(sql: str) -> Head:
    """The verb and object kind of a statement (comments may stand between its words)."""
    m = _HEAD.match(sql)
    words = [] if m else [t.text for t in itertools.islice(_word_tokens(sql), 5)]
    m = m or _HEAD.match(" ".join(words))
    if m:
        return Head(m["verb"].upper(), m["kind"].upper(), bool(m["temp"]), bool(m["virtual"]))
    return Head(words[0].upper() if words else "", None)


def _word_tokens(sql: str) -> Iterator[Token]:
    return (t for t in tokens(sql) if t.kind == "word")


def qualifier(sql: str) -> str | None:
    """The database a CREATE/ALTER/DROP statement's object is named in, if it says
    (``mem`` of ``CREATE TABLE IF NOT EXISTS mem.cache``). Reads only the statement's head."""
    return None if _PLAIN_HEAD.match(sql) else qualified_by_tokens(sql)


def qualified_by_tokens(sql: str) -> str | None:
    """``qualifier``, read token by token."""
    words = [t for t in itertools.islice(tokens(sql), 60) if t.kind in ("word", "quoted", "punct")]
    for i, tok in enumerate(words):
        if tok.kind == "word" and tok.text.upper() in ("TABLE", "INDEX", "VIEW", "TRIGGER"):
            j = i + 1
            while j < len(words) and words[j].text.upper() in ("IF", "NOT", "EXISTS"):
                j += 1
            if j + 2 < len(words) and words[j + 1].text == ".":
                return unquote(words[j].text)
            return None
    return None


# The plain heads of statements on a table or view, an index or a trigger, each name one word
# followed by what cannot qualify it: what ``object_names`` reads token by token, matched at once.
_SKIP = r"(?:(?:IF|NOT|EXISTS)\s+)*(?!(?:IF|NOT|EXISTS)\b)"
_ONE_WORD = r"[A-Za-z_][A-Za-z0-9_$]*(?![A-Za-z0-9_$])"
_PLAIN_HEAD = re.compile(
    rf"\s*(?:(?:CREATE|ALTER|DROP)\s+(?:(?:TEMP|TEMPORARY|VIRTUAL)\s+)?(?:TABLE|VIEW)\s+"
    rf"{_SKIP}(?P<name>{_ONE_WORD})"
    rf"|CREATE\s+(?:UNIQUE\s+)?INDEX\s+{_SKIP}(?P<index>{_ONE_WORD})\s+ON\s+(?P<indexed>{_ONE_WORD})"
    rf"|CREATE\s+(?:(?:TEMP|TEMPORARY)\s+)?TRIGGER\s+{_SKIP}(?P<trigger>{_ONE_WORD})\s+"
    rf"(?:(?:BEFORE|AFTER|INSTEAD\s+OF)\s+)?(?:INSERT|DELETE|UPDATE)\s+ON\s+(?P<on>{_ONE_WORD}))"
    r"(?=\s*(?:[(;]|\Z|[A-Za-z]))",
    re.ASCII | re.IGNORECASE,
)


def object_names(sql: str) -> tuple[str | None, str | None]:
    """The object a CREATE/ALTER/DROP statement names, and for an index or trigger the table
    after ``ON``. Reads only the statement's head (its first 200 tokens at most)."""
    plain = _PLAIN_HEAD.match(sql)
    if plain:
        return plain["name"] or plain["index"] or plain["trigger"], plain["indexed"] or plain["on"]
    return named_by_tokens(sql)


def named_by_tokens(sql: str) -> tuple[str | None, str | None]:
    """``object_names``, read token by token."""
    stream = (
        t for t in itertools.islice(tokens(sql), 200) if t.kind in ("word", "quoted", "punct")
    )
    toks: list[Token] = []

    def word(i: int) -> str | None:
        """The ``i``-th token, upper-cased if a word; None past the head."""
        while len(toks) <= i:
            tok = next(stream, None)
            if tok is None:
                return None
            toks.append(tok)
        return toks[i].text.upper() if toks[i].kind == "word" else toks[i].text

    kind = 0
    while (w := word(kind)) not in ("TABLE", "INDEX", "VIEW", "TRIGGER"):
        if w is None:
            return None, None
        kind += 1
    i = kind + 1
    while word(i) in ("IF", "NOT", "EXISTS"):
        i += 1
    if word(i) is None:
        return None, None
    name = toks[i].text
    if word(i + 1) == "." and word(i + 2) is not None:
        i += 2
        name = toks[i].text
    on = None
    if toks[kind].text.upper() in ("INDEX", "TRIGGER"):
        j = i + 1
        while (w := word(j)) is not None and w != "ON":
            j += 1
        if w == "ON" and word(j + 1) is not None:
            j += 1
            on = (
                toks[j + 2].text if word(j + 1) == "." and word(j + 2) is not None else toks[j].text
            )
    return _identifier(name), _identifier(on) if on else None


def _identifier(name: str) -> str:
    """An object name as written: SQLite takes a string literal there as a name, too."""
    if len(name) >= 2 and name[0] == name[-1] == "'":
        return name[1:-1].replace("''", "'")
    return unquote(name)
