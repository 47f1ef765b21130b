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

import re

from .errors import UserError

_FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_ATX = re.compile(r"[ ]{0,3}(#{1,6})(?=[ \t]|$)")
_UNDERLINE = re.compile(r"[ ]{0,3}(?:=+|-+)[ \t]*$")
_BREAK = re.compile(r"[ ]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = re.compile(r"[ ]{0,3}>")
_ITEM = re.compile(r"[ ]{0,3}(?:[-+*]|(\d{1,9})[.)])(?:[ \t]+(\S)|[ \t]*$)")
_TABLE_ROW = re.compile(r"[ ]{0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_RAW = re.compile(r"[ ]{0,3}<(?:(!--)|(script|pre|style|textarea)(?=[\s>]|$))", re.IGNORECASE)
_TAG = re.compile(r"[ ]{0,3}</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>]|$)")
_CODE = re.compile(r"[ ]{0,3}\t|[ ]{4}")
_MAX_LEVEL = 6
_PLAIN = re.compile(r"[ ]{0,3}[^\s#=*_+>|:<`~\d-]")  # starts no block and underlines nothing


class InjectError(UserError):
    """Markers missing or out of order; the message says what to add or remove."""


def _closes(fence: str, body: str) -> bool:
    match = _FENCE.match(body)
    return (
        bool(match)
        and match.group(1)[0] == fence[0]
        and len(match.group(1)) >= len(fence)
        and not body[match.end() :].strip()
    )


def _opens_fence(body: str) -> str:
    """The fence ``body`` opens (backticks or tildes), else ""."""
    opening = _FENCE.match(body)
    if not opening or (opening.group(1)[0] == "`" and "`" in body[opening.end() :]):
        return ""
    return opening.group(1)


def _front_matter(bodies: list[str]) -> int:
    """How many lines a YAML front matter block at the top takes (0 when there is none)."""
    if bodies and bodies[0] == "---":
        for number, body in enumerate(bodies[1:], start=2):
            if body.rstrip() in ("---", "..."):
                return number
    return 0


def _headings(bodies: list[str], front_matter: bool = False) -> list[tuple[int, int, int]]:
    """``(first line, last line, level)`` of every heading of the Markdown lines ``bodies``
    (without line endings), numbered from 0: an ATX heading takes one line, a setext heading
    its paragraph and the underline. Headings in code blocks, HTML blocks, block quotes and
    list items do not count.
    """
    found: list[tuple[int, int, int]] = []
    block = ""  # "para", "other" (quote, list, table: up to a blank line), "html", "code"
    fence = raw_end = ""
    first = 0
    for number in range(_front_matter(bodies) if front_matter else 0, len(bodies)):
        body = bodies[number]
        if fence:
            fence = "" if _closes(fence, body) else fence
            continue
        if raw_end:
            raw_end = "" if raw_end in body.lower() else raw_end
            continue
        if not body.strip():
            block = ""
            continue
        if block == "html":
            continue
        if _PLAIN.match(body):  # the common case, quickly: a paragraph's line
            if block not in ("para", "other"):
                block, first = "para", number
            continue
        if block != "para" and _CODE.match(body):
            block = "code"
            continue
        fence = _opens_fence(body)
        atx = _ATX.match(body)
        raw = _RAW.match(body)
        if fence or atx or raw:
            block = ""
            if atx:
                found.append((number, number, len(atx.group(1))))
            elif raw:
                raw_end = "-->" if raw.group(1) else f"</{raw.group(2).lower()}>"
                raw_end = "" if raw_end in body[raw.end() :].lower() else raw_end
        elif block == "para" and _UNDERLINE.match(body):
            found.append((first, number, 1 if body.strip()[0] == "=" else 2))
            block = ""
        elif _BREAK.match(body):
            block = ""
        elif block == "para":
            item = _ITEM.match(body)
            if (
                _QUOTE.match(body)
                or (item and item.group(2) and item.group(1) in (None, "1"))
                or (number == first + 1 and "|" in body and _TABLE_ROW.match(body))
            ):
                block = "other"
        elif block != "other":
            if _QUOTE.match(body) or _ITEM.match(body):
                block = "other"
            elif _TAG.match(body):
                block = "html"
            else:
                block, first = "para", number
    return found


def _level_above(text: str) -> int | None:
    """The level of the last heading of ``text`` (None when it has none)."""
    bodies = [line.group().rstrip("\r\n") for line in _LINE.finditer(text)]
    found = _headings(bodies, front_matter=True)
    return found[-1][2] if found else None


def shift_headings(content: str, level: int | None) -> str:
    """``content`` with its headings moved so the top one is at ``level + 1``, capped at 6;
    unchanged when ``level`` is None or the top heading is there already."""
    lines = content.splitlines(keepends=True)
    bodies = [line.rstrip("\r\n") for line in lines]
    found = _headings(bodies)
    if level is None or not found:
        return content
    delta = level + 1 - min(old for _, _, old in found)
    if not delta:
        return content
    for first, last, old in reversed(found):
        marks = "#" * max(1, min(_MAX_LEVEL, old + delta))
        if first == last:
            atx = _ATX.match(bodies[first])
            assert atx
            lines[first] = lines[first][: atx.start(1)] + marks + lines[first][atx.end(1) :]
        else:
            title = " ".join(body.strip() for body in bodies[first:last])
            if re.search(r"(?:^|[ \t])#+$", title):
                title = title[:-1] + "\\#"  # not an ATX closing sequence
            ending = lines[last][len(bodies[last]) :]
            lines[first : last + 1] = [f"{marks} {title}{ending}"]
    return "".join(lines)


def _marker_lines(text: str, start: str, end: str) -> list[tuple[str, int, int]]:
    """``(kind, line number, offset of the line)`` for every marker line outside fences."""
    found: list[tuple[str, int, int]] = []
    fence = ""
    for number, line in enumerate(_LINE.finditer(text), start=1):
        body = line.group().rstrip("\r\n")
        if fence:
            fence = "" if _closes(fence, body) else fence
        elif _opens_fence(body):
            fence = _opens_fence(body)
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
    content = shift_headings(content, _level_above(text[:marker_line]))
    body = "\n" + content.rstrip("\n") + "\n\n"
    if eol != "\n":
        body = body.replace("\r\n", "\n").replace("\n", eol)
    return text[:begin] + body + text[finish:]


__all__ = ["InjectError", "inject", "line_ending", "shift_headings"]
