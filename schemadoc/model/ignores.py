"""Silencing a known limitation, as ruff and mypy users do.

Two ways: ``[tool.schemadoc.ignore]`` maps path globs to codes (``"src/legacy/*" =
["SD201"]``, ``"*" = ["SD206"]``), and a comment ``schemadoc: ignore[SD201]`` (several codes
separated by commas; none: every code) on the line a diagnostic is reported on, in Python
(``#``) or in the SQL itself (``--``). An ignored diagnostic is neither printed nor counted;
the document still lists what it lacks. Under ``--strict`` an ignore that silenced nothing is
reported (SD110).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence

from .diagnostics import SD110
from .schema import Diagnostic

Rules = tuple[tuple[str, tuple[str, ...]], ...]  # (path glob, codes)
_COMMENT = re.compile(r"schemadoc:\s*ignore(?:\[([A-Z0-9,\s]*)\])?")


def comment_codes(line: str) -> frozenset[str] | None:
    """The codes an ignore comment on ``line`` names (empty: every code); None without one."""
    found = _COMMENT.search(line)
    if found is None:
        return None
    return frozenset(c.strip() for c in (found.group(1) or "").split(",") if c.strip())


def _silences(codes: frozenset[str], code: str) -> bool:
    return not codes or code in codes


def apply(
    diagnostics: Sequence[Diagnostic],
    rules: Rules,
    line_of: Callable[[str, int], str | None],
    *,
    strict: bool = False,
    comments: Iterable[tuple[str, int, frozenset[str]]] = (),
) -> list[Diagnostic]:
    """``diagnostics`` less those the settings' ``rules`` or an ignore comment silence.

    ``line_of(path, line)`` is the text of a line of a scanned file. With ``strict``, the
    rules and the ``comments`` (every ignore comment of the scanned files: path, line, codes)
    that silenced nothing are reported.
    """
    used_rules: set[tuple[str, str]] = set()
    used_comments: set[tuple[str, int]] = set()
    kept = []
    for d in diagnostics:
        rule = next(
            (
                (glob, d.code)
                for glob, codes in rules
                if d.code in codes and fnmatch.fnmatchcase(d.path, glob)
            ),
            None,
        )
        if rule is not None:
            used_rules.add(rule)
            continue
        text = line_of(d.path, d.line) if d.path and d.line else None
        codes = comment_codes(text) if text is not None else None
        if codes is not None and _silences(codes, d.code):
            used_comments.add((d.path, d.line))
            continue
        kept.append(d)
    if strict:
        kept += _unused(rules, used_rules, comments, used_comments)
    return kept


def _unused(
    rules: Rules,
    used_rules: set[tuple[str, str]],
    comments: Iterable[tuple[str, int, frozenset[str]]],
    used_comments: set[tuple[str, int]],
) -> list[Diagnostic]:
    unused = [
        SD110(f"[tool.schemadoc.ignore] {glob!r} = {code!r} silences nothing")
        for glob, codes in rules
        for code in codes
        if (glob, code) not in used_rules
    ]
    unused += [
        SD110(f"ignore[{', '.join(sorted(codes))}] silences nothing here", path, line)
        for path, line, codes in comments
        if (path, line) not in used_comments
    ]
    return unused


__all__ = ["Rules", "apply", "comment_codes"]
