"""The library entry point: paths in, verified schema and diagnostics out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .config import Settings
from .discover import Found, discover
from .evaluate import Piece, Value
from .extract import Fragment, decode_source, extract_project, may_hold_ddl
from .model import Diagnostic, Schema, SqlStatement
from .relations import relate
from .statements import split_templated
from .verify import verify


@dataclass(frozen=True)
class Result:
    """What a scan found: the schema (with its diagnostics) and how much was read."""

    schema: Schema
    files: int
    candidates: int

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.schema.diagnostics

    def has_errors(self, strict: bool = False) -> bool:
        bad = ("error", "warning") if strict else ("error",)
        return any(d.severity in bad for d in self.diagnostics)


def _read(found: Found) -> tuple[bytes | None, Diagnostic | None]:
    try:
        return found.path.read_bytes(), None
    except FileNotFoundError:
        return None, Diagnostic(
            "error", "SD104", "file vanished before it could be read", found.display, 0, 0
        )
    except IsADirectoryError:
        return None, Diagnostic("error", "SD104", "is a directory, not a file", found.display, 0, 0)
    except OSError as exc:
        return None, Diagnostic(
            "error", "SD104", f"cannot read file: {exc.strerror or exc}", found.display, 0, 0
        )


def sql_fragment(text: str, display: str) -> Fragment:
    """A ``.sql`` file is one DDL script with its own line numbers."""
    return Fragment(Value((Piece(text, (display, 1, 0), exact=True),)), display, None)


def statements_of(fragments: Sequence[Fragment]) -> list[SqlStatement]:
    """Split fragments into located statements, each listed once."""
    out: dict[tuple, SqlStatement] = {}
    for frag in fragments:
        spans, offset = [], 0
        for piece in frag.value.pieces:
            if piece.placeholder:
                spans.append((offset, offset + len(piece.text)))
            offset += len(piece.text)
        for t in split_templated(frag.value.text, spans):
            stmt = SqlStatement(
                t.sql, frag.source_at(t.offset), t.description, t.placeholders, frag.function
            )
            out.setdefault((stmt.source, stmt.sql), stmt)
    return list(out.values())


def scan(
    paths: Sequence[str | Path],
    settings: Settings = Settings(),
    *,
    on_file: Callable[[str], None] | None = None,
) -> Result:
    """Find, parse and verify the DDL below ``paths``; relations included."""
    root = Path(settings.root).resolve()
    found = discover(paths, root=root, include=settings.include, exclude=settings.exclude)
    diagnostics: list[Diagnostic] = []
    texts: dict[str, str] = {}
    sql_fragments: list[Fragment] = []
    for item in found:
        data, problem = _read(item)
        if problem:
            diagnostics.append(problem)
        if data is None or not may_hold_ddl(data):
            continue
        if item.display.endswith(".sql"):
            sql_fragments.append(sql_fragment(data.decode("utf-8", "replace"), item.display))
            continue
        text, problem = decode_source(data, item.display)
        if problem:
            diagnostics.append(problem)
        if text is not None:
            texts[item.display] = text
    fragments, extract_diagnostics = extract_project(
        {f.display: f.path for f in found}, texts, on_file=on_file
    )
    diagnostics.extend(extract_diagnostics)
    ordered = sorted([*fragments, *sql_fragments], key=lambda f: f.path)
    schema = verify(statements_of(ordered))
    schema = relate(schema, infer=settings.infer_relations)
    everything = sorted({*diagnostics, *schema.diagnostics}, key=Diagnostic.sort_key)
    schema = replace(schema, diagnostics=tuple(everything))
    return Result(schema, len(found), len(texts) + len(sql_fragments))
