"""Markdown headings: where they are, and shifting them below a given level."""

from __future__ import annotations

import re

_FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")
LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
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


def closes(fence: str, body: str) -> bool:
    match = _FENCE.match(body)
    return (
        bool(match)
        and match.group(1)[0] == fence[0]
        and len(match.group(1)) >= len(fence)
        and not body[match.end() :].strip()
    )


def opens_fence(body: str) -> str:
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


def _interrupts(body: str, second: bool) -> bool:
    """Whether the line ``body`` ends a paragraph and starts a block quote, a list or (on the
    paragraph's ``second`` line) a table."""
    item = _ITEM.match(body)
    return bool(
        _QUOTE.match(body)
        or (item and item.group(2) and item.group(1) in (None, "1"))
        or (second and "|" in body and _TABLE_ROW.match(body))
    )


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
            fence = "" if closes(fence, body) else fence
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
        fence = opens_fence(body)
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
            if _interrupts(body, number == first + 1):
                block = "other"
        elif block != "other":
            if _QUOTE.match(body) or _ITEM.match(body):
                block = "other"
            elif _TAG.match(body):
                block = "html"
            else:
                block, first = "para", number
    return found


def level_above(text: str) -> int | None:
    """The level of the last heading of ``text`` (None when it has none)."""
    bodies = [line.group().rstrip("\r\n") for line in LINE.finditer(text)]
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
