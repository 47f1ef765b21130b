"""Reading scanned files: the cheap DDL test on raw bytes, decoding, Python's own parse.

Nothing here imports libcst or sqlglot, so a run that finds nothing changed stays cheap.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Any

from .diagnostics import SD101, SD102
from .model import Diagnostic
from .narrow import SHAPE_LOWER_BYTES

_NAME_BYTES = rb"[A-Za-z0-9_\x80-\xff]+"  # a name, in UTF-8
_CLASS_LINE = re.compile(rb"^[ \t]*class[ \t]+(" + _NAME_BYTES + rb")[ \t]*\(([^)]*)\)", re.M)
_BASE_WORD = re.compile(_NAME_BYTES)


def may_hold_ddl(data: bytes) -> bool:
    """Cheap test on raw bytes: False only when no DDL statement can be in the file.

    UTF-16 files pass, so that the decoder can report them.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return SHAPE_LOWER_BYTES.search(data.lower()) is not None


# What separates Python's tokens: a file with few of them per byte parses cheaply.
_SEPARATORS = (
    *(bytes([c]) for c in b",;:.=([{+-*/%@|&^~<>\n"),
    *(b" or ", b" and ", b"not ", b" if ", b" else ", b" in ", b" is "),
    *(b'""', b"''", b'" "', b"' '"),
)


def token_estimate(data: bytes) -> int:
    """About how many tokens Python source holds, from its bytes: what a parse costs."""
    return sum(map(data.count, _SEPARATORS))


def decode_source(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """Decode Python source as the interpreter would (BOM, PEP 263 cookie, UTF-8)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, SD102(
            "file is UTF-16 encoded; Python source must be UTF-8 or declare an 8-bit encoding",
            path,
            1,
            0,
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), None
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        line = 1
        if isinstance(exc, UnicodeDecodeError):
            line = data[: exc.start].count(b"\n") + 1
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        return None, SD102(f"cannot decode file: {reason}", path, line, 0)


def python_tree(text: str, path: str) -> tuple[ast.Module | None, Diagnostic | None]:
    """Python's own parse of a file; it also finds the right line of a syntax error (libcst's
    parser does not) and refuses nesting that would crash libcst's native parser."""
    try:
        return ast.parse(text, filename=path), None
    except SyntaxError as exc:
        line, col = exc.lineno or 1, max((exc.offset or 1) - 1, 0)
        return None, SD101(f"cannot parse Python: {exc.msg}", path, line, col)
    except (RecursionError, MemoryError, ValueError) as exc:
        kind = str(exc) if isinstance(exc, ValueError) else "too large or nested too deeply"
        return None, SD101(f"cannot parse Python: {kind}", path, 1, 0)


def class_lines(data: bytes) -> list[list[Any]]:
    """Each class statement of Python source, from its bytes: ``[name, [names in its
    bases]]`` (cheap, for finding subclasses without parsing; kept in the cache as is)."""
    out: list[list[Any]] = []
    for m in _CLASS_LINE.finditer(data):
        bases = {word.decode("utf-8", "replace") for word in _BASE_WORD.findall(m.group(2))}
        out.append([m.group(1).decode("utf-8", "replace"), sorted(bases)])
    return out
