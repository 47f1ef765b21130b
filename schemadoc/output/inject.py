"""Put the documentation between two marker lines of an existing Markdown file.

Only the lines between the start and the end marker change; every byte before the start
marker's line ending and from the end marker's line on stays as it was. The inserted block
uses the file's line endings. Markers count only on a line of their own, outside fenced
code blocks (so a README can show them in an example).

The inserted document's headings move under the section that holds the markers: its top
heading level becomes one more than the level of the nearest heading above the start marker
(ATX ``#`` headings and setext ``===``/``---`` underlines, outside code blocks, HTML blocks
and front matter), so a README keeps its one ``#`` title. A heading that would go below
level 6 stays at level 6; a shifted setext heading becomes an ATX heading. Without a heading
above the markers the levels stay as rendered. Only heading markers change: heading text,
and so every anchor made from it, stays the same, and lines in fenced code blocks (Mermaid,
SQL) are never touched.
"""

from __future__ import annotations

from ..model.errors import UserError
from ..render.headings import LINE, closes, level_above, opens_fence, shift_headings


class InjectError(UserError):
    """Markers missing or out of order; the message says what to add or remove."""


def _marker_lines(text: str, start: str, end: str) -> list[tuple[str, int, int]]:
    """``(kind, line number, offset of the line)`` for every marker line outside fences."""
    found: list[tuple[str, int, int]] = []
    fence = ""
    for number, line in enumerate(LINE.finditer(text), start=1):
        body = line.group().rstrip("\r\n")
        if fence:
            fence = "" if closes(fence, body) else fence
        elif opens_fence(body):
            fence = opens_fence(body)
        elif body.strip() in (start, end):
            found.append(("start" if body.strip() == start else "end", number, line.start()))
    return found


def _block(text: str, path: str, start: str, end: str) -> tuple[int, int]:
    """Offsets of the text between the marker lines: after the start line, before the end."""
    if not start.strip() or not end.strip() or start.strip() == end.strip():
        raise InjectError(
            f"the markers must be two different non-empty lines, not {start!r} "
            f"and {end!r} (inject_start and inject_end in [tool.schemadoc])"
        )
    start, end = start.strip(), end.strip()
    markers = _marker_lines(text, start, end)
    starts = [m for m in markers if m[0] == "start"]
    ends = [m for m in markers if m[0] == "end"]
    add_both = (
        f"add a line `{start}` and, below it, a line `{end}` where the schema "
        "documentation should go (each on a line of its own, outside code blocks)"
    )
    if not starts and not ends:
        raise InjectError(f"{path}: no schemadoc markers: {add_both}")
    if len(starts) > 1:
        lines = ", ".join(str(m[1]) for m in starts)
        raise InjectError(
            f"{path}: `{start}` appears {len(starts)} times (lines {lines}); keep one"
        )
    if len(ends) > 1:
        lines = ", ".join(str(m[1]) for m in ends)
        raise InjectError(f"{path}: `{end}` appears {len(ends)} times (lines {lines}); keep one")
    if not ends:
        raise InjectError(
            f"{path}:{starts[0][1]}: `{start}` has no end marker: add a line `{end}` below it"
        )
    if not starts:
        raise InjectError(
            f"{path}:{ends[0][1]}: `{end}` has no start marker: add a line `{start}` above it"
        )
    (_, start_line, start_at), (_, end_line, end_at) = starts[0], ends[0]
    if end_line < start_line:
        raise InjectError(
            f"{path}:{end_line}: `{end}` comes before `{start}` (line "
            f"{start_line}); put the start marker first"
        )
    after_start = text.index("\n", start_at) + 1  # an end marker line follows
    return after_start, end_at


def line_ending(text: str) -> str:
    """``\\r\\n`` when most lines of ``text`` end that way, else ``\\n``."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


def inject(text: str, content: str, *, path: str, start: str, end: str) -> str:
    """``text`` with the block between the markers replaced by ``content``, its headings
    shifted under the nearest heading above the start marker."""
    begin, finish = _block(text, path, start, end)
    eol = line_ending(text)
    marker_line = text.rfind("\n", 0, begin - 1) + 1
    content = shift_headings(content, level_above(text[:marker_line]))
    body = "\n" + content.rstrip("\n") + "\n\n"
    if eol != "\n":
        body = body.replace("\r\n", "\n").replace("\n", eol)
    return text[:begin] + body + text[finish:]


__all__ = ["InjectError", "inject", "line_ending"]
