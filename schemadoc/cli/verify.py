"""``schemadoc verify --db``: a database file against the code's schema."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..model.schema import (
    Diagnostic,
    ascii_fold,
)
from ..verify.drift import Difference, compare


@dataclass(frozen=True)
class Report:
    """The outcome of comparing a database file with the code."""

    database: str  # the file, as given
    differences: tuple[Difference, ...]
    counts: tuple[int, int, int]  # the code's tables, views and triggers
    notes: tuple[str, ...] = ()  # what could not be read in the database, and why

    @property
    def agree(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        if self.agree:
            tables, views, triggers = self.counts
            return (
                f"{self.database} holds the schema the code creates ({tables} "
                f"table{'s' if tables != 1 else ''}, {views} view{'s' if views != 1 else ''}, "
                f"{triggers} trigger{'s' if triggers != 1 else ''})"
            )
        n = len(self.differences)
        return f"{self.database} differs from the schema the code creates: {n} difference" + (
            "s" if n != 1 else ""
        )


def _indented(label: str, sql: str | None) -> list[str]:
    lines = (sql or "").splitlines() or [""]
    return [f"    {label} {lines[0]}", *(f"    {' ' * len(label)} {line}" for line in lines[1:])]


def to_text(report: Report) -> str:
    from ..output.files import printable

    out = [report.summary()]
    for d in report.differences:
        out.append(str(d))
        if d.multiline:
            out += _indented("code:    ", d.code)
            out += _indented("database:", d.database)
    out += [f"note: {note}" for note in report.notes]
    return printable("\n".join(out)) + "\n"


def to_markdown(report: Report) -> str:
    from ..render.templates import code, fence, md, sql_block

    out = [f"# Schema drift: {code(report.database)}", "", md(report.summary()) + "."]
    if report.differences:
        out += ["", "| Object | Name | Difference | Code | Database | Likely cause |"]
        out.append("|---|---|---|---|---|---|")
        blocks = []
        for n, d in enumerate(report.differences, 1):
            if d.kind == "changed" and d.multiline:
                what, mine, theirs = f"{d.aspect} differs (see {n} below)", "", ""
                blocks += [
                    "",
                    f"### {n}. {md(d.object)} {code(d.name)}",
                    "",
                    "In the code:",
                    "",
                    fence(sql_block(d.code or ""), "sql"),
                    "",
                    "In the database:",
                    "",
                    fence(sql_block(d.database or ""), "sql"),
                ]
            elif d.kind == "changed":
                what, mine, theirs = str(d.aspect), code(d.code, True), code(d.database, True)
            else:
                what = "in the code only" if d.kind == "missing" else "in the database only"
                mine = theirs = ""
            cells = [md(d.object), code(d.name, True), md(what), mine, theirs, md(d.cause or "")]
            out.append("| " + " | ".join(cell or "-" for cell in cells) + " |")
        if blocks:
            out += ["", "## Definitions", *blocks]
    if report.notes:
        out += ["", "## Notes", ""]
        out += [f"- {md(note)}" for note in report.notes]
    return "\n".join(out) + "\n"


def to_json(report: Report) -> str:
    from ..render.formats import indented_json

    data = {
        "database": report.database,
        "agree": report.agree,
        "differences": [d.as_json() for d in report.differences],
        "notes": list(report.notes),
    }
    return indented_json(data, end="\n")


REPORTS = {"text": to_text, "markdown": to_markdown, "json": to_json}


def run(
    settings: Settings,
    database: Path,
    form: str,
    show: Callable[[Sequence[Diagnostic]], None],
    name: str | None = None,
) -> int:
    """``schemadoc verify --db``: print the report in ``form``; 0 when the database file holds
    the schema the code creates for the database ``name`` (None: the main one), 1 when it
    differs, 2 when the code's schema has errors. A file that cannot be read as a database
    raises ``database.DatabaseError``; an unknown ``name``, UserError."""
    from ..model.diagnostics import failed, lost
    from ..model.errors import UserError
    from ..pipeline import scan
    from ..render.formats import database_names, only
    from ..verify.database import opened
    from ..verify.verify import read_schema

    with opened(database) as conn:
        held = read_schema(conn)
    result = scan(settings.paths, settings)
    show(result.diagnostics)
    known = database_names(result.schema, settings)
    if name is not None and name not in known:
        others = ", ".join(known) if known else "none besides the main one"
        raise UserError(f"--database {name}: the code creates no database {name} ({others})")
    code = only(result.schema, name)
    temporary = {ascii_fold(t.name) for t in code.tables if t.temporary}
    counts = (
        len(code.tables) - len(temporary),
        sum(not v.temporary for v in code.views),
        sum(ascii_fold(t.table) not in temporary for t in code.triggers),
    )
    unverified = [d.message for d in lost(result.schema.diagnostics)]
    notes = tuple(d.message for d in held.diagnostics)
    report = Report(str(database), tuple(compare(code, held, unverified)), counts, notes)
    sys.stdout.write(REPORTS[form](report))
    if failed(result.diagnostics, settings.strict):
        print("schemadoc: error: the code's schema has errors (see above)", file=sys.stderr)
        return 2
    return 0 if report.agree else 1
