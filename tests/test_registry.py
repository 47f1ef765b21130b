"""One registry of diagnostic codes: the README's table is it, and no code is written twice."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from schemadoc.model.diagnostics import CODES, failed
from schemadoc.model.schema import Diagnostic

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"""[a-zA-Z]*(['"])SD\d{3}\1""")  # a string literal that is a code


def readme_codes() -> list[tuple[str, str, str]]:
    """(code, severity, meaning) of each row of the README's table of diagnostic codes."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| code | severity | meaning |") :].splitlines()[2:]
    rows = []
    for line in table:
        if not line.startswith("| SD"):
            break
        code, severity, meaning = (cell.strip() for cell in line.strip("|").split(" | ", 2))
        rows.append((code, severity, meaning))
    return rows


def test_the_readme_table_is_the_registry() -> None:
    assert readme_codes() == [(c.code, c.severity, c.summary) for c in CODES.values()]


def test_no_code_is_written_outside_the_registry() -> None:
    written = []
    for path in sorted((ROOT / "schemadoc").rglob("*.py")):
        if path.name == "diagnostics.py":
            continue
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING and CODE.fullmatch(token.string):
                written.append(f"{path.relative_to(ROOT)}:{token.start[0]}: {token.string}")
    assert written == []


def test_one_rule_decides_whether_a_run_fails() -> None:
    warning = CODES["SD103"]("a placeholder")
    error = CODES["SD201"]("rejected")
    note = CODES["SD302"]("guarded")
    assert [
        failed(d, strict) for d in ([note], [warning], [error]) for strict in (False, True)
    ] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    assert isinstance(error, Diagnostic) and (error.severity, error.code) == ("error", "SD201")
