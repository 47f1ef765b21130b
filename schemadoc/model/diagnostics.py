"""Every diagnostic schemadoc reports: its code, its severity and what it means.

Producers take a code from here (``SD201.at(source, message)``); the README's table of codes
is this registry, and a test holds the two together. ``failed`` is the one rule that decides
whether diagnostics fail a run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .schema import Diagnostic, Severity, Source


@dataclass(frozen=True)
class Code:
    """A diagnostic code with its fixed severity and its meaning (the README's words).
    ``lost``: what it reports is missing from the document (listed under "Not documented")."""

    code: str
    severity: Severity
    summary: str
    lost: bool = False

    def __call__(self, message: str, path: str = "", line: int = 0, column: int = 0) -> Diagnostic:
        return Diagnostic(self.severity, self.code, message, path, line, column)

    def at(self, source: Source | None, message: str) -> Diagnostic:
        """The diagnostic at ``source`` (nowhere when None)."""
        if source is None:
            return self(message)
        return self(message, source.path, source.line, source.column)


SD101 = Code(
    "SD101",
    "error",
    "a Python file cannot be parsed (or is too deeply nested to analyse)",
    lost=True,
)
SD102 = Code(
    "SD102",
    "error",
    "a file cannot be decoded (UTF-16, bad bytes, unknown coding cookie)",
    lost=True,
)
SD103 = Code(
    "SD103", "warning", "a value is only known at run time; a `{placeholder}` stands for it"
)
SD104 = Code("SD104", "error", "a file cannot be read", lost=True)
SD105 = Code(
    "SD105", "warning", "a statement is built at run time and cannot be documented", lost=True
)
SD106 = Code(
    "SD106",
    "warning",
    (
        'a name is assigned different values (`if ...: x = "a"` / `else: x = "b"`); '
        "the first is documented"
    ),
)
SD107 = Code(
    "SD107",
    "warning",
    "a file over `max_file_size`, or too dense to parse within it; not analysed",
    lost=True,
)
SD108 = Code(
    "SD108",
    "warning",
    "a source file is a symbolic link to outside the project; not read",
    lost=True,
)
SD109 = Code(
    "SD109",
    "note",
    "the cache is not used: git tracks it, or it was not written here (then it is rebuilt)",
)
SD110 = Code(
    "SD110",
    "warning",
    "an ignore (setting or comment) that silences nothing; reported under `--strict`",
)
SD111 = Code(
    "SD111",
    "warning",
    "nothing is documented: says which files held DDL-like text, or that none did",
)
SD201 = Code("SD201", "error", "SQLite rejects a statement", lost=True)
SD202 = Code("SD202", "error", "a view reads objects that do not exist")
SD203 = Code(
    "SD203", "error", "a statement needs something the scratch database forbids", lost=True
)
SD204 = Code("SD204", "error", "a statement ran past its time limit", lost=True)
SD205 = Code(
    "SD205",
    "warning",
    "not a schema change (`ATTACH`, `VACUUM`, `PRAGMA writable_schema`...); not applied",
)
SD206 = Code("SD206", "warning", "DDL written for another database engine; skipped")
SD207 = Code("SD207", "warning", "a virtual table module SQLite does not have here", lost=True)
SD208 = Code("SD208", "warning", "a foreign key references an unknown table")
SD209 = Code("SD209", "warning", "a statement reads an attached database", lost=True)
SD210 = Code(
    "SD210",
    "warning",
    "a statement needs a table that no DDL found creates (a library or a database file may)",
    lost=True,
)
SD301 = Code("SD301", "warning", "the same object is defined differently in two places")
SD302 = Code("SD302", "note", "a guarded `ADD COLUMN` for a column that already exists")
SD303 = Code(
    "SD303",
    "note",
    "a `DROP` in teardown, rollback or disabling code, or of a table a mode replaces by a "
    "view; the object stays documented",
)
SD304 = Code(
    "SD304",
    "note",
    "an `ALTER` of a table before it is created; skipped as an old-database migration",
)
SD305 = Code(
    "SD305", "note", "a `DROP` removes a table or view that is not made again; it is not documented"
)
SD306 = Code(
    "SD306",
    "note",
    "a down migration (a `.down.sql` file, or a `-- migrate:down` section) is not applied",
)
SD307 = Code(
    "SD307",
    "note",
    (
        "a table rebuilt from a copy that no DDL creates (`DROP TABLE x`, "
        "`ALTER TABLE new_x RENAME TO x`); documented as it was"
    ),
)
SD308 = Code(
    "SD308",
    "note",
    "two tables whose names are only known at run time read the same; the first is documented",
)
SD401 = Code("SD401", "note", "a statement beyond the SQL parser; documented from SQLite's view")
SD402 = Code("SD402", "warning", "the SQL parser and SQLite disagree; SQLite's view is documented")

CODES: dict[str, Code] = {c.code: c for c in list(globals().values()) if isinstance(c, Code)}


def lost(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that report something missing from the document."""
    return [d for d in diagnostics if d.code in CODES and CODES[d.code].lost]


def failed(diagnostics: Iterable[Diagnostic], strict: bool = False) -> bool:
    """Whether ``diagnostics`` fail a run: any error, or with ``strict`` any warning."""
    bad = ("error", "warning") if strict else ("error",)
    return any(d.severity in bad for d in diagnostics)
