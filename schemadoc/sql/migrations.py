"""The up part of a ``.sql`` migration: down migrations undo it and are not applied.

A file named as a down migration (``0001_init.down.sql``, ``down.sql``) is left out whole;
in a file with both directions, what follows a down marker (``-- migrate:down`` of dbmate,
``-- +migrate Down`` of sql-migrate, ``-- +goose Down`` of goose) up to the next up marker is
left out. What is left out becomes blank, so that lines and columns stay those of the file.
"""

from __future__ import annotations

import re

from ..model.diagnostics import SD306
from ..model.schema import Diagnostic

_DOWN_FILE = re.compile(r"(?:^|[._-])(?:down|rollback|revert)\.sql$", re.IGNORECASE)
_MARKER = re.compile(
    r"^[ \t]*--[ \t]*(?:migrate:|\+migrate[ \t]+|\+goose[ \t]+)(up|down)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)


def up_part(text: str, display: str) -> tuple[str, Diagnostic | None]:
    """``text`` with its down migration blanked, and a note where one was left out."""
    name = display.rsplit("/", 1)[-1]
    if _DOWN_FILE.search(name):
        note = f"{name} is named as a down migration; it is not applied"
        return _blank(text), SD306(note, display, 1, 0)
    parts: list[str] = []
    note = None
    start, down = 0, False
    for marker in _MARKER.finditer(text):
        chunk = text[start : marker.start()]
        parts.append(_blank(chunk) if down else chunk)
        down = marker.group(1).lower() == "down"
        if down and note is None:
            line = text.count("\n", 0, marker.start()) + 1
            what = f"{marker.group().strip()!r} starts a down migration; it is not applied"
            note = SD306(what, display, line, 0)
        parts.append(marker.group())
        start = marker.end()
    rest = text[start:]
    parts.append(_blank(rest) if down else rest)
    return "".join(parts), note


def _blank(text: str) -> str:
    """``text`` as spaces, its line breaks kept."""
    return re.sub(r"[^\n]", " ", text)
